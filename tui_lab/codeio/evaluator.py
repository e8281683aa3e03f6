"""A small, bounded evaluator of Python expressions over the `ast` tree, never `eval`.

It computes what Keras scripts use to size layers: numbers, strings, arithmetic,
tuples, lists, dicts, comparisons, f-strings without format specs, list
comprehensions and a few builtins (`range`, `len`, `min`, `max`, `abs`, `int`,
`float`, `round`, `str`, `list`, `tuple`). Everything else gives an `Opaque` value that
records why it is unknown. Nothing in the source is ever run: a call to an unknown
name, such as `open(...)` or `os.system(...)`, only produces an `Opaque`.

Hostile input cannot hang it or exhaust memory, because every result is checked
against `Limits` before it is built. A value that would pass a limit raises
`Unsupported`.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limits:
    """The bounds on work and memory that one import may use."""

    max_source_chars: int = 1_000_000
    max_depth: int = 100
    """Deepest nesting of expressions, or of statements inside loops and functions."""
    max_string: int = 10_000
    """Maximum length of a string the evaluator builds, in characters."""
    max_items: int = 10_000
    """Maximum number of items in a list, tuple or dict the evaluator builds."""
    max_int_bits: int = 256
    """Largest integer the evaluator builds, in bits (about 77 decimal digits)."""
    max_loop_iterations: int = 1_000
    """Most iterations of one `for` loop or comprehension."""
    max_steps: int = 200_000
    """Most expressions and statements evaluated in one import."""
    max_call_depth: int = 20
    """Deepest chain of calls to functions defined in the source."""


class Unsupported(Exception):
    """An expression or statement that passes a limit or cannot be evaluated at all."""

    def __init__(self, reason: str, node: ast.AST | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = getattr(node, "lineno", None)


@dataclass(frozen=True)
class Opaque:
    """A value the evaluator does not know, with the reason it does not."""

    reason: str


@dataclass(frozen=True)
class ModuleRef:
    """A module imported by the source, or an attribute path inside one.

    Nothing is imported: `path` is the dotted name as written after resolving aliases,
    such as `tensorflow.keras.layers.Dense` for `tf.keras.layers.Dense`.
    """

    path: str

    def attribute(self, name: str) -> ModuleRef:
        """Return the reference to `name` inside this module."""
        return ModuleRef(f"{self.path}.{name}")


@dataclass(frozen=True)
class BoundMethod:
    """A method looked up on a value the evaluator models, such as `layers.append`."""

    owner: Any
    name: str


@dataclass(frozen=True)
class Builtin:
    """One of the few Python builtins the evaluator computes itself."""

    name: str


BUILTINS = ("range", "len", "min", "max", "abs", "int", "float", "round", "str", "list", "tuple", "bool")

PLAIN_TYPES = (int, float, bool, str, type(None), tuple, list, dict, range)

_ARITHMETIC: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}

_COMPARISONS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda left, right: left in right,
    ast.NotIn: lambda left, right: left not in right,
    ast.Is: lambda left, right: left is right,
    ast.IsNot: lambda left, right: left is not right,
}


def dotted_name(node: ast.AST) -> str:
    """Return `a.b.c` for a name or attribute chain, or a short description otherwise."""
    parts = []
    depth = 0
    while isinstance(node, ast.Attribute) and depth < 20:
        parts.append(node.attr)
        node = node.value
        depth += 1
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):
        parts.append(dotted_name(node.func) + "(...)" if depth < 20 else "(...)")
    else:
        parts.append("(...)")
    return ".".join(reversed(parts))


def is_plain(value: Any) -> bool:
    """Return whether `value` is a number, string, None, or a container of plain values."""
    if isinstance(value, (tuple, list)):
        return all(is_plain(item) for item in value)
    if isinstance(value, dict):
        return all(is_plain(key) and is_plain(item) for key, item in value.items())
    return isinstance(value, PLAIN_TYPES)


def first_opaque(values: Any) -> Opaque | None:
    """Return the first `Opaque` among `values` (searching inside lists and tuples), if any."""
    for value in values:
        if isinstance(value, Opaque):
            return value
        if isinstance(value, (list, tuple)):
            inner = first_opaque(value)
            if inner is not None:
                return inner
    return None


class Evaluator:
    """Evaluates expressions in nested scopes of names, within `Limits`.

    Subclasses model more objects by overriding `call_object` and `attribute_of`.
    """

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.steps = 0
        self.scopes: list[dict[str, Any]] = [{}]

    # --- names and scopes -----------------------------------------------------------

    @property
    def globals(self) -> dict[str, Any]:
        """The module-level names."""
        return self.scopes[0]

    def bind(self, name: str, value: Any) -> None:
        """Bind `name` in the innermost scope."""
        self.scopes[-1][name] = value

    def lookup(self, name: str) -> Any:
        """Return the value of `name`, or an `Opaque` naming it when it is not bound."""
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        if name in BUILTINS:
            return Builtin(name)
        if name == "__name__":
            return "__main__"
        return self.unbound(name)

    def unbound(self, name: str) -> Any:
        """Return the value of a name that no statement bound; subclasses may resolve more."""
        return Opaque(f"{name} is not defined by the code the importer reads")

    def count_step(self, node: ast.AST) -> None:
        """Count one unit of work, raising `Unsupported` once the budget is spent."""
        self.steps += 1
        if self.steps > self.limits.max_steps:
            raise Unsupported(
                f"the code needs more than {self.limits.max_steps:,} evaluation steps;"
                " the importer stops there", node)

    # --- expressions ----------------------------------------------------------------

    def evaluate(self, node: ast.AST, depth: int = 0) -> Any:
        """Return the value of the expression `node`, or an `Opaque` when it is unknown."""
        self.count_step(node)
        if depth > self.limits.max_depth:
            raise Unsupported(f"expression nested deeper than {self.limits.max_depth} levels", node)
        method = getattr(self, f"_eval_{type(node).__name__}", None)
        if method is None:
            return Opaque(f"{type(node).__name__} expressions are not evaluated")
        return method(node, depth + 1)

    def _eval_Constant(self, node: ast.Constant, depth: int) -> Any:
        value = node.value
        if isinstance(value, (str, bytes)) and len(value) > self.limits.max_string:
            raise Unsupported(f"string of {len(value):,} characters is longer than"
                              f" {self.limits.max_string:,}", node)
        if isinstance(value, int) and not isinstance(value, bool):
            return self.checked_int(value, node)
        if isinstance(value, (bytes, complex)) or value is Ellipsis:
            return Opaque(f"{type(value).__name__} constants are not modelled")
        return value

    def _eval_Name(self, node: ast.Name, depth: int) -> Any:
        return self.lookup(node.id)

    def _eval_Attribute(self, node: ast.Attribute, depth: int) -> Any:
        owner = self.evaluate(node.value, depth)
        if isinstance(owner, Opaque):
            return owner
        if node.attr.startswith("__"):
            return Opaque(f"attribute {node.attr} is not evaluated")
        if isinstance(owner, ModuleRef):
            return owner.attribute(node.attr)
        if isinstance(owner, list) and node.attr in ("append", "extend"):
            return BoundMethod(owner, node.attr)
        return self.attribute_of(owner, node.attr, node)

    def attribute_of(self, owner: Any, name: str, node: ast.AST) -> Any:
        """Return attribute `name` of a modelled value; subclasses add their objects."""
        return Opaque(f"{dotted_name(node)} is not modelled")

    def _eval_Tuple(self, node: ast.Tuple, depth: int) -> Any:
        return tuple(self.sequence_items(node.elts, depth, node))

    def _eval_List(self, node: ast.List, depth: int) -> Any:
        return self.sequence_items(node.elts, depth, node)

    def sequence_items(self, elements: list[ast.expr], depth: int, node: ast.AST) -> list[Any]:
        """Evaluate the elements of a list or tuple display, expanding `*iterable`."""
        items: list[Any] = []
        for element in elements:
            if isinstance(element, ast.Starred):
                inner = self.evaluate(element.value, depth)
                if isinstance(inner, Opaque):
                    items.append(inner)
                    continue
                items.extend(self.iterate(inner, node))
            else:
                items.append(self.evaluate(element, depth))
            self.check_size(len(items), node)
        return items

    def _eval_Dict(self, node: ast.Dict, depth: int) -> Any:
        result: dict[Any, Any] = {}
        for key_node, value_node in zip(node.keys, node.values):
            value = self.evaluate(value_node, depth)
            if key_node is None:
                if not isinstance(value, dict):
                    return Opaque("** unpacking of a value that is not a known dict")
                result.update(value)
            else:
                key = self.evaluate(key_node, depth)
                if not isinstance(key, (int, float, str, bool, type(None))):
                    return Opaque("dict keys other than numbers and strings are not modelled")
                result[key] = value
            self.check_size(len(result), node)
        return result

    def _eval_UnaryOp(self, node: ast.UnaryOp, depth: int) -> Any:
        operand = self.evaluate(node.operand, depth)
        if isinstance(operand, Opaque):
            return operand
        if isinstance(node.op, ast.Not) and self.is_concrete(operand):
            return not operand
        if not isinstance(operand, (int, float)):
            return Opaque(f"unary operator on {type(operand).__name__} is not evaluated")
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return +operand
        if isinstance(node.op, ast.Invert) and isinstance(operand, int):
            return ~operand
        return Opaque("this unary operator is not evaluated")

    def _eval_BinOp(self, node: ast.BinOp, depth: int) -> Any:
        left = self.evaluate(node.left, depth)
        right = self.evaluate(node.right, depth)
        for value in (left, right):
            if isinstance(value, Opaque):
                return value
        function = _ARITHMETIC.get(type(node.op))
        if function is None:
            return Opaque(f"operator {type(node.op).__name__} is not evaluated")
        return self.arithmetic(node.op, function, left, right, node)

    def arithmetic(self, op: ast.operator, function: Callable[[Any, Any], Any],
                   left: Any, right: Any, node: ast.AST) -> Any:
        """Apply `function` to two known values after checking that the result stays small."""
        numbers = all(isinstance(v, (int, float)) for v in (left, right))
        sequences = isinstance(left, (str, list, tuple)) or isinstance(right, (str, list, tuple))
        if not numbers and not sequences:
            return Opaque(f"arithmetic on {type(left).__name__} and {type(right).__name__}"
                          " is not evaluated")

        if sequences:
            return self.sequence_arithmetic(op, left, right, node)

        if isinstance(op, ast.Pow) and isinstance(left, int) and isinstance(right, int) and right > 0:
            estimate = max(abs(left).bit_length(), 1) * right
            if abs(left) > 1 and estimate > self.limits.max_int_bits:
                raise Unsupported(f"power with about {estimate:,} bits is larger than"
                                  f" {self.limits.max_int_bits} bits", node)
        try:
            result = function(left, right)
        except ZeroDivisionError:
            raise Unsupported("division by zero", node) from None
        except (OverflowError, ValueError) as error:
            raise Unsupported(f"arithmetic failed: {error}", node) from None
        if isinstance(result, complex):
            return Opaque("complex numbers are not modelled")
        if isinstance(result, int) and not isinstance(result, bool):
            return self.checked_int(result, node)
        return result

    def sequence_arithmetic(self, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        """Compute `+` of two sequences or `*` of a sequence and a count, within the size limits."""
        if isinstance(op, ast.Add) and type(left) is type(right):
            self.check_length(left, len(left) + len(right), node)
            return left + right
        if isinstance(op, ast.Mult):
            sequence, count = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(count, int) and not isinstance(count, bool) and isinstance(sequence, (str, list, tuple)):
                self.check_length(sequence, len(sequence) * max(count, 0), node)
                return sequence * count
        return Opaque(f"operator {type(op).__name__} on {type(left).__name__} and"
                      f" {type(right).__name__} is not evaluated")

    def check_length(self, sequence: Any, length: int, node: ast.AST) -> None:
        """Raise `Unsupported` when a string or sequence of `length` would pass its limit."""
        limit = self.limits.max_string if isinstance(sequence, str) else self.limits.max_items
        if length > limit:
            kind = "string" if isinstance(sequence, str) else "sequence"
            raise Unsupported(f"{kind} of {length:,} items is longer than {limit:,}", node)

    def check_size(self, size: int, node: ast.AST) -> None:
        """Raise `Unsupported` when a container of `size` items passes `max_items`."""
        if size > self.limits.max_items:
            raise Unsupported(f"container with more than {self.limits.max_items:,} items", node)

    def checked_int(self, value: int, node: ast.AST) -> int:
        """Return `value`, or raise `Unsupported` when it has more than `max_int_bits` bits."""
        if value.bit_length() > self.limits.max_int_bits:
            raise Unsupported(f"integer with {value.bit_length():,} bits is larger than"
                              f" {self.limits.max_int_bits} bits", node)
        return value

    def is_concrete(self, value: Any) -> bool:
        """Return whether `value` is plain data whose truth and comparisons are known."""
        return isinstance(value, PLAIN_TYPES) and first_opaque([value]) is None

    def _eval_BoolOp(self, node: ast.BoolOp, depth: int) -> Any:
        result: Any = None
        for operand in node.values:
            result = self.evaluate(operand, depth)
            if not self.is_concrete(result):
                return result if isinstance(result, Opaque) else Opaque("truth of a model object")
            if isinstance(node.op, ast.And) and not result:
                return result
            if isinstance(node.op, ast.Or) and result:
                return result
        return result

    def _eval_Compare(self, node: ast.Compare, depth: int) -> Any:
        left = self.evaluate(node.left, depth)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.evaluate(comparator, depth)
            for value in (left, right):
                if not self.is_concrete(value):
                    return value if isinstance(value, Opaque) else Opaque("comparison of model objects")
            try:
                outcome = _COMPARISONS[type(op)](left, right)
            except TypeError as error:
                raise Unsupported(f"comparison failed: {error}", node) from None
            if not outcome:
                return False
            left = right
        return True

    def _eval_IfExp(self, node: ast.IfExp, depth: int) -> Any:
        test = self.evaluate(node.test, depth)
        if not self.is_concrete(test):
            return test if isinstance(test, Opaque) else Opaque("truth of a model object")
        return self.evaluate(node.body if test else node.orelse, depth)

    def _eval_Subscript(self, node: ast.Subscript, depth: int) -> Any:
        owner = self.evaluate(node.value, depth)
        if isinstance(owner, Opaque):
            return owner
        if isinstance(node.slice, ast.Slice):
            bounds = [None if part is None else self.evaluate(part, depth)
                      for part in (node.slice.lower, node.slice.upper, node.slice.step)]
            if not all(b is None or isinstance(b, int) for b in bounds):
                return Opaque("slice bounds that are not whole numbers")
            index: Any = slice(*bounds)
        else:
            index = self.evaluate(node.slice, depth)
        if not isinstance(owner, (list, tuple, str, dict, range)) or not self.is_concrete(index):
            return Opaque(f"indexing {dotted_name(node.value)} is not modelled")
        try:
            return owner[index]
        except (IndexError, KeyError, TypeError, ValueError) as error:
            raise Unsupported(f"indexing failed: {error!r}", node) from None

    def _eval_JoinedStr(self, node: ast.JoinedStr, depth: int) -> Any:
        parts = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(str(part.value))
                continue
            if not isinstance(part, ast.FormattedValue) or part.format_spec is not None or part.conversion != -1:
                return Opaque("f-strings with conversions or format specs are not evaluated")
            value = self.evaluate(part.value, depth)
            if not isinstance(value, (int, float, str, bool)):
                return value if isinstance(value, Opaque) else Opaque("f-string of a model object")
            parts.append(str(value))
            self.check_length("", sum(len(p) for p in parts), node)
        return "".join(parts)

    def _eval_ListComp(self, node: ast.ListComp, depth: int) -> Any:
        results: list[Any] = []
        self.scopes.append({})
        try:
            for _ in self.comprehension(node.generators, 0, depth, node):
                results.append(self.evaluate(node.elt, depth))
                self.check_size(len(results), node)
        finally:
            self.scopes.pop()
        return results

    def comprehension(self, generators: list[ast.comprehension], index: int,
                      depth: int, node: ast.AST) -> Iterator[None]:
        """Bind the targets of the generators from `index` on, yielding once per combination."""
        if index == len(generators):
            yield None
            return
        generator = generators[index]
        if generator.is_async:
            raise Unsupported("async comprehensions are not evaluated", node)
        iterable = self.evaluate(generator.iter, depth)
        if isinstance(iterable, Opaque):
            raise Unsupported(f"comprehension over an unknown value: {iterable.reason}", node)
        for item in self.iterate(iterable, node):
            self.assign(generator.target, item, node)
            conditions = [self.evaluate(test, depth) for test in generator.ifs]
            if not all(self.is_concrete(c) for c in conditions):
                raise Unsupported("comprehension condition that is not a known value", node)
            if all(conditions):
                yield from self.comprehension(generators, index + 1, depth, node)

    def iterate(self, iterable: Any, node: ast.AST) -> list[Any]:
        """Return the items of a known iterable, raising `Unsupported` past `max_loop_iterations`."""
        if isinstance(iterable, dict):
            iterable = list(iterable)
        if not isinstance(iterable, (list, tuple, str, range)):
            raise Unsupported(f"iteration over {type(iterable).__name__} is not modelled", node)
        try:
            count = len(iterable)
        except OverflowError:
            count = math.inf
        if count > self.limits.max_loop_iterations:
            raise Unsupported(f"loop of {count:,} iterations is longer than"
                              f" {self.limits.max_loop_iterations:,}", node)
        return list(iterable)

    def assign(self, target: ast.AST, value: Any, node: ast.AST) -> None:
        """Bind a name, or unpack a known tuple or list into a tuple of names."""
        if isinstance(target, ast.Name):
            self.bind(target.id, value)
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, Opaque):
                for element in target.elts:
                    self.assign(element, value, node)
                return
            if not isinstance(value, (tuple, list)) or len(value) != len(target.elts):
                raise Unsupported("unpacking that does not match the value", node)
            for element, item in zip(target.elts, value):
                self.assign(element, item, node)
            return
        raise Unsupported(f"assignment to {dotted_name(target)} is not modelled", node)

    # --- calls ------------------------------------------------------------------------

    def _eval_Call(self, node: ast.Call, depth: int) -> Any:
        function = self.evaluate(node.func, depth)
        if isinstance(function, Opaque):
            if _is_name_chain(node.func) and _root_is_unbound(node.func, self):
                return Opaque(f"{dotted_name(node.func)}(...) is not run: the importer reads"
                              " code without running it")
            return function

        args: list[Any] = []
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                inner = self.evaluate(argument.value, depth)
                if isinstance(inner, Opaque):
                    return inner
                args.extend(self.iterate(inner, node))
            else:
                args.append(self.evaluate(argument, depth))
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            value = self.evaluate(keyword.value, depth)
            if keyword.arg is None:
                if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
                    return Opaque("** arguments that are not a known dict of names")
                kwargs.update(value)
            else:
                kwargs[keyword.arg] = value
        return self.call(function, args, kwargs, node)

    def call(self, function: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        """Call a modelled function; subclasses handle more through `call_object`."""
        if isinstance(function, Builtin):
            return self.call_builtin(function.name, args, kwargs, node)
        if isinstance(function, BoundMethod) and isinstance(function.owner, list):
            return self.call_list_method(function, args, kwargs, node)
        return self.call_object(function, args, kwargs, node)

    def call_object(self, function: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        """Return an `Opaque` for a call to a value that no builtin rule covers."""
        return Opaque(f"{dotted_name(node.func)}(...) is not run: the importer reads code without running it")

    def call_list_method(self, method: BoundMethod, args: list[Any], kwargs: dict[str, Any],
                         node: ast.Call) -> Any:
        """Apply `append` or `extend` to a list the source built."""
        owner: list[Any] = method.owner
        if kwargs or len(args) != 1:
            raise Unsupported(f"list.{method.name} takes one argument", node)
        if method.name == "append":
            owner.append(args[0])
        else:
            if isinstance(args[0], Opaque):
                return args[0]
            owner.extend(self.iterate(args[0], node))
        self.check_size(len(owner), node)
        return None

    def call_builtin(self, name: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        """Compute one of `BUILTINS` on known values."""
        unknown = first_opaque(args) or first_opaque(list(kwargs.values()))
        if unknown is not None:
            return unknown
        if kwargs:
            return Opaque(f"{name}() with keyword arguments is not evaluated")
        try:
            if name == "range":
                if not all(isinstance(a, int) for a in args) or not 1 <= len(args) <= 3:
                    raise Unsupported("range() takes one to three whole numbers", node)
                return range(*args)
            if name in ("list", "tuple"):
                items = self.iterate(args[0], node) if args else []
                return items if name == "list" else tuple(items)
            if name == "len":
                if not isinstance(args[0], (str, list, tuple, dict, range)):
                    return Opaque("len() of a model object")
                return len(args[0])
            if not all(self.is_concrete(a) for a in args):
                return Opaque(f"{name}() of a model object")
            if name in ("min", "max"):
                values = self.iterate(args[0], node) if len(args) == 1 else args
                return min(values) if name == "min" else max(values)
            if name == "str":
                if args and not isinstance(args[0], (int, float, bool, str)):
                    return Opaque("str() of a container is not evaluated")
                return str(args[0]) if args else ""
            if name == "round" and len(args) == 2 and not (isinstance(args[1], int) and abs(args[1]) <= 20):
                raise Unsupported("round() takes at most 20 digits", node)
            if name == "int":
                return self.checked_int(int(*args), node)
            function = {"abs": abs, "float": float, "round": round, "bool": bool}[name]
            return function(*args)
        except (TypeError, ValueError, IndexError, OverflowError) as error:
            raise Unsupported(f"{name}() failed: {error}", node) from None


def _is_name_chain(node: ast.AST) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _root_is_unbound(node: ast.AST, evaluator: Evaluator) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    assert isinstance(node, ast.Name)
    return not any(node.id in scope for scope in evaluator.scopes)
