"""Statements of a Keras script, followed without running them.

`Interpreter` walks a module's statements with the bounded `Evaluator`. Imports bind
module references and assignments bind evaluated values. `for` loops over known
iterables and `if` statements on known conditions run their bodies. Functions defined
in the source run when the source calls them. Any other statement, and any
statement whose value is unknown, is recorded in `skipped` with its line and reason,
and the walk goes on with the next one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from tui_lab.codeio.evaluator import Evaluator, Limits, ModuleRef, Opaque, Unsupported, _ARITHMETIC


class BudgetSpent(Unsupported):
    """The import used up `Limits.max_steps`; the walk stops."""


@dataclass(eq=False)
class FunctionValue:
    """A function defined in the source, run by the interpreter when the source calls it."""

    node: ast.FunctionDef


@dataclass
class _Return(Exception):
    value: Any = None


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


@dataclass
class SkipLog:
    """The constructs the interpreter did not import, each once, in the order met."""

    entries: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int, reason: str) -> None:
        """Record `reason` at `line` unless the same entry is there already."""
        entry = (line, reason)
        if entry not in self.entries:
            self.entries.append(entry)


class Interpreter(Evaluator):
    """Follows the statements of a module without running any of them."""

    def __init__(self, limits: Limits | None = None) -> None:
        super().__init__(limits)
        self.skips = SkipLog()
        self.star_modules: list[str] = []
        self.call_depth = 0
        self.loop_depth = 0

    def skip(self, line: int | None, reason: str) -> None:
        """Record a construct that was not imported."""
        self.skips.add(line or 0, reason)

    def run(self, module: ast.Module) -> None:
        """Follow every statement of `module`, stopping only when the step budget is spent."""
        try:
            self.execute_block(module.body, 0)
        except BudgetSpent as error:
            self.skip(error.line, error.reason)

    def count_step(self, node: ast.AST) -> None:
        """Count one unit of work; past the budget the whole walk stops."""
        try:
            super().count_step(node)
        except Unsupported as error:
            raise BudgetSpent(error.reason, node) from None

    def execute_block(self, statements: list[ast.stmt], depth: int) -> None:
        """Follow a list of statements."""
        for statement in statements:
            self.execute(statement, depth)

    def execute(self, statement: ast.stmt, depth: int) -> None:
        """Follow one statement, recording it in `skips` when it cannot be imported."""
        self.count_step(statement)
        handler = getattr(self, f"_exec_{type(statement).__name__}", None)
        if handler is None:
            kind = type(statement).__name__
            self.skip(statement.lineno, f"{kind} statements are not imported")
            return
        if depth > self.limits.max_depth:
            self.skip(statement.lineno, f"statement nested deeper than {self.limits.max_depth} levels")
            return
        try:
            handler(statement, depth + 1)
        except BudgetSpent:
            raise
        except Unsupported as error:
            self.skip(error.line or statement.lineno, error.reason)

    # --- imports ----------------------------------------------------------------------

    def _exec_Import(self, statement: ast.Import, depth: int) -> None:
        for alias in statement.names:
            if alias.asname:
                self.bind(alias.asname, ModuleRef(alias.name))
            else:
                root = alias.name.split(".")[0]
                self.bind(root, ModuleRef(root))

    def _exec_ImportFrom(self, statement: ast.ImportFrom, depth: int) -> None:
        if statement.level or not statement.module:
            self.skip(statement.lineno, "relative imports are not followed")
            return
        for alias in statement.names:
            if alias.name == "*":
                self.star_modules.append(statement.module)
                continue
            self.bind(alias.asname or alias.name, ModuleRef(f"{statement.module}.{alias.name}"))

    # --- assignments and expressions -------------------------------------------------------

    def _exec_Assign(self, statement: ast.Assign, depth: int) -> None:
        value = self.evaluate(statement.value)
        for target in statement.targets:
            self.assign(target, self.stored(value, statement), statement)
        if isinstance(value, Opaque):
            self.skip(statement.lineno, value.reason)

    def _exec_AnnAssign(self, statement: ast.AnnAssign, depth: int) -> None:
        if statement.value is None:
            return
        value = self.evaluate(statement.value)
        self.assign(statement.target, self.stored(value, statement), statement)
        if isinstance(value, Opaque):
            self.skip(statement.lineno, value.reason)

    def stored(self, value: Any, statement: ast.stmt) -> Any:
        """Return the value to bind: an unknown value points later uses at this skipped line."""
        if isinstance(value, Opaque):
            return Opaque(f"uses a value from line {statement.lineno}, which was not imported")
        return value

    def _exec_AugAssign(self, statement: ast.AugAssign, depth: int) -> None:
        if not isinstance(statement.target, ast.Name):
            raise Unsupported("augmented assignment to anything but a name is not modelled", statement)
        left = self.lookup(statement.target.id)
        right = self.evaluate(statement.value)
        function = _ARITHMETIC.get(type(statement.op))
        if isinstance(left, Opaque) or isinstance(right, Opaque) or function is None:
            value: Any = left if isinstance(left, Opaque) else (
                right if isinstance(right, Opaque) else Opaque("this operator is not evaluated"))
        else:
            value = self.arithmetic(statement.op, function, left, right, statement)
        self.bind(statement.target.id, self.stored(value, statement))
        if isinstance(value, Opaque):
            self.skip(statement.lineno, value.reason)

    def _exec_Expr(self, statement: ast.Expr, depth: int) -> None:
        value = self.evaluate(statement.value)
        reason = self.unused_value_reason(value, statement.value)
        if reason:
            self.skip(statement.lineno, reason)

    def unused_value_reason(self, value: Any, node: ast.expr) -> str | None:
        """Return why an expression statement has no effect on the import, or None when it has one."""
        if isinstance(value, Opaque):
            return value.reason
        return None

    def _exec_Pass(self, statement: ast.Pass, depth: int) -> None:
        return None

    # --- control flow --------------------------------------------------------------------

    def _exec_For(self, statement: ast.For, depth: int) -> None:
        iterable = self.evaluate(statement.iter)
        if isinstance(iterable, Opaque):
            raise Unsupported(f"loop over an unknown value ({iterable.reason})", statement)
        items = self.iterate(iterable, statement)
        self.loop_depth += 1
        try:
            for item in items:
                self.assign(statement.target, item, statement)
                try:
                    self.execute_block(statement.body, depth)
                except _Break:
                    break
                except _Continue:
                    continue
            else:
                self.execute_block(statement.orelse, depth)
        finally:
            self.loop_depth -= 1

    def _exec_While(self, statement: ast.While, depth: int) -> None:
        raise Unsupported("while loops are not followed; write the layers out or use a for loop"
                          " over range(...)", statement)

    def _exec_Break(self, statement: ast.Break, depth: int) -> None:
        if self.loop_depth:
            raise _Break()

    def _exec_Continue(self, statement: ast.Continue, depth: int) -> None:
        if self.loop_depth:
            raise _Continue()

    def _exec_If(self, statement: ast.If, depth: int) -> None:
        test = self.evaluate(statement.test)
        if not self.is_concrete(test):
            reason = test.reason if isinstance(test, Opaque) else "the condition tests a model object"
            raise Unsupported(f"if statement with a condition the importer cannot evaluate ({reason})",
                              statement)
        self.execute_block(statement.body if test else statement.orelse, depth)

    # --- functions ---------------------------------------------------------------------

    def _exec_FunctionDef(self, statement: ast.FunctionDef, depth: int) -> None:
        if statement.decorator_list:
            self.bind(statement.name, Opaque(f"function {statement.name} has decorators, which are not run"))
            raise Unsupported(f"decorated function {statement.name} is not followed: decorators are"
                              " not run", statement.decorator_list[0])
        arguments = statement.args
        if arguments.vararg or arguments.kwarg or arguments.posonlyargs:
            self.bind(statement.name, Opaque(f"function {statement.name} takes *args, **kwargs or"
                                             " positional-only arguments, which are not followed"))
            raise Unsupported(f"function {statement.name} takes *args, **kwargs or positional-only"
                              " arguments, which are not followed", statement)
        self.bind(statement.name, FunctionValue(statement))

    def _exec_Return(self, statement: ast.Return, depth: int) -> None:
        if not self.call_depth:
            raise Unsupported("return outside a function", statement)
        raise _Return(None if statement.value is None else self.evaluate(statement.value))

    def call_object(self, function: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        """Run a function defined in the source; other values go to `call_model_object`."""
        if isinstance(function, FunctionValue):
            return self.call_function(function, args, kwargs, node)
        return self.call_model_object(function, args, kwargs, node)

    def call_model_object(self, function: Any, args: list[Any], kwargs: dict[str, Any],
                          node: ast.Call) -> Any:
        """Call a value that is neither a builtin nor a source function; subclasses add Keras."""
        return super().call_object(function, args, kwargs, node)

    def call_function(self, function: FunctionValue, args: list[Any], kwargs: dict[str, Any],
                      node: ast.Call) -> Any:
        """Follow the body of a source function with its parameters bound to the call's arguments."""
        definition = function.node
        if self.call_depth >= self.limits.max_call_depth:
            raise Unsupported(f"calls nested deeper than {self.limits.max_call_depth} levels", node)

        parameters = definition.args
        names = [p.arg for p in parameters.args]
        if len(args) > len(names):
            raise Unsupported(f"{definition.name}() takes {len(names)} positional arguments,"
                              f" received {len(args)}", node)
        scope: dict[str, Any] = dict(zip(names, args))
        for name, value in kwargs.items():
            if name not in names and name not in [p.arg for p in parameters.kwonlyargs]:
                raise Unsupported(f"{definition.name}() has no parameter {name}", node)
            scope[name] = value

        defaults = dict(zip(names[len(names) - len(parameters.defaults):], parameters.defaults))
        defaults |= {p.arg: d for p, d in zip(parameters.kwonlyargs, parameters.kw_defaults) if d is not None}
        outer, outer_loops = self.scopes, self.loop_depth
        self.call_depth += 1
        try:
            self.scopes = [outer[0]]
            for name in names + [p.arg for p in parameters.kwonlyargs]:
                if name not in scope:
                    scope[name] = (self.evaluate(defaults[name]) if name in defaults
                                   else Opaque(f"parameter {name} of {definition.name}() has no value"))
            self.scopes = [outer[0], scope]
            self.loop_depth = 0
            self.execute_block(definition.body, 0)
        except _Return as result:
            return result.value
        finally:
            self.call_depth -= 1
            self.scopes, self.loop_depth = outer, outer_loops
        return None
