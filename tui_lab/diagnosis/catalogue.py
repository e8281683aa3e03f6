"""The rule catalogue: every rule's id, default severity, stage, title, condition and fix.

Findings take their title from here, and `docs/rules.md` is generated from it, so
the wording lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_lab.diagnosis.finding import Finding, Severity

STAGES = ("static", "data", "runtime")
"""When a rule can run: on the experiment alone, on the loaded data, or on epoch reports."""


@dataclass(frozen=True)
class Rule:
    """One diagnosis rule as the docs describe it."""

    id: str
    severity: Severity
    stage: str
    title: str
    condition: str
    fix: str


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

RULES: tuple[Rule, ...] = (
    # Static rules.
    Rule("empty-model", E, "static", "The model has no Dense layer",
         "The layer list is empty or contains no Dense layer, so nothing produces a prediction.",
         "Add layers, for example Dense(16, relu) and Dense(1, sigmoid)."),
    Rule("softmax-single-unit", E, "static", "Softmax on a single output unit always returns 1.0",
         "The last Dense has one unit and softmax is applied to it, by its own activation or by a "
         "later Activation(\"softmax\") or Softmax layer (Dropout and similar layers in between do "
         "not matter). Softmax over one value is exp(z)/exp(z) = 1 for every row.",
         "Use sigmoid on the output: Dense(1, activation=\"sigmoid\")."),
    Rule("loss-output-mismatch", E, "static", "The loss does not fit a binary output",
         "Categorical or sparse categorical crossentropy with one output unit; a regression loss "
         "(mean squared/absolute error, Huber, log-cosh, hinge, squared hinge) on a sigmoid or "
         "softmax output; or binary crossentropy with more than one output unit and 0/1 labels.",
         "Use loss=\"binary_crossentropy\" with Dense(1, sigmoid)."),
    Rule("output-activation", E, "static", "Binary crossentropy needs a probability output",
         "Binary crossentropy without from_logits on an output whose activation is neither sigmoid "
         "nor softmax nor linear (relu, tanh, softplus, ...). Binary crossentropy expects values in "
         "[0, 1] and clips the rest. A linear output is the from-logits-mismatch rule.",
         "Use sigmoid on the output Dense."),
    Rule("from-logits-mismatch", E, "static", "from_logits does not match the output activation",
         "A linear output with binary crossentropy and from_logits false (the loss reads raw scores "
         "as probabilities), or a sigmoid/softmax output with from_logits true (the loss applies a "
         "second sigmoid).",
         "Set from_logits to true for a linear output, or to false for a sigmoid output."),
    Rule("accuracy-metric", W, "static", "The accuracy metric does not measure classification accuracy",
         "The Accuracy class (exact equality of label and prediction, so a probability of 0.97 "
         "never counts as 1), or a 0.5-threshold accuracy (\"accuracy\", \"binary_accuracy\", "
         "BinaryAccuracy()) on logits, where the class boundary is 0.0.",
         "Use metrics=[\"accuracy\"], or BinaryAccuracy(threshold=0.0) for a linear output with "
         "from_logits true."),
    Rule("learning-rate-high", W, "static", "The learning rate is above the usual range",
         "Adam, AdamW, Adamax, Nadam or RMSprop above 1e-2, or SGD above 0.5.",
         "Set learning_rate to 1e-3 (Adam family) or 1e-2 (SGD)."),
    Rule("learning-rate-low", W, "static", "The learning rate is below the usual range",
         "Adam, AdamW, Adamax, Nadam or RMSprop below 1e-5, or SGD below 1e-4. A learning rate of "
         "0 or less is an error for every optimizer: the weights never move.",
         "Set learning_rate to 1e-3 (Adam family) or 1e-2 (SGD)."),
    Rule("linear-hidden-layer", W, "static", "A hidden Dense layer has no activation",
         "A Dense before the output has no activation (or \"linear\") and no activation layer "
         "(Activation, ReLU, LeakyReLU, ELU, PReLU) follows it before the next Dense, possibly "
         "after BatchNormalization or Dropout. Stacked linear layers add no capacity.",
         "Use activation=\"relu\" on the hidden Dense."),
    Rule("constant-initializer", E, "static", "Every unit of a Dense layer starts with the same weights",
         "A Dense with more than one unit has kernel_initializer zeros, ones or Constant. Its units "
         "receive the same gradient and stay identical, so the layer acts as a single unit.",
         "Remove kernel_initializer (Keras then uses glorot_uniform)."),
    Rule("dropout-placement", W, "static", "Dropout is placed or sized so that it hurts",
         "A Dropout after the output Dense (it zeroes predictions during training); a rate above "
         "0.5; or fewer than 6 units of the preceding Dense kept on average (units * (1 - rate)).",
         "Remove Dropout after the output, and lower the rate to at most 0.5 and so that at least "
         "6 units stay on average."),
    Rule("batchnorm-small-batch", W, "static", "BatchNormalization with a very small batch",
         "batch_size below 8 with a BatchNormalization layer: the batch statistics are noise, and "
         "they differ from the moving averages used at inference.",
         "Set batch_size to 32."),
    Rule("early-stopping-eager", W, "static", "EarlyStopping gives up after a noisy epoch or two",
         "EarlyStopping with patience 2 or less (Keras's default is 0) and without "
         "restore_best_weights: training stops at the first noisy epoch and keeps the last, "
         "worse weights.",
         "Set patience to 10 and restore_best_weights to true."),
    Rule("keras-warning", W, "static", "Keras warned while building or compiling the model",
         "Keras emitted a warning while it built or compiled the model; the evidence is the "
         "warning's text.",
         "Read the warning; the other findings usually name the change it asks for."),

    # Data rules.
    Rule("labels-not-binary", E, "data", "The target does not have exactly two classes",
         "The target column has one value, or more than two distinct values.",
         "Choose a target column with exactly two values (for example 0 and 1)."),
    Rule("missing-values", E, "data", "The inputs contain NaN or infinity",
         "A column of the feature matrix contains NaN or infinity; one such value makes the loss NaN.",
         "Set data.impute to \"median\"."),
    Rule("constant-feature", W, "data", "A feature has the same value in every row",
         "A column of the feature matrix has standard deviation 0, so it carries no information.",
         "Remove the feature from data.features."),
    Rule("unscaled-features", W, "data", "Features are not standardised",
         "A column's standard deviation or |mean| is above 3 (0/1 columns are left out). Large "
         "inputs saturate sigmoid and tanh units and make the first layer's gradients large.",
         "Set data.scale to \"standard\"."),
    Rule("class-imbalance", W, "data", "One class is rare",
         "The minority class is less than 20% of the rows and fit.class_weight is not set; the model "
         "can reach a high accuracy by predicting the majority class for every row.",
         "Set fit.class_weight to balanced weights, n / (2 * class count) for each class."),
    Rule("unshuffled-validation-split", W, "data", "The validation rows differ from the training rows",
         "data.shuffle is false, so Keras takes the last rows of the file as validation rows "
         "(fit's shuffle does not change which rows). Their positive share differs from the "
         "training rows' by more than chance: two-proportion z-test, p below 0.01.",
         "Set data.shuffle to true."),
    Rule("identifier-feature", W, "data", "A feature identifies rows instead of describing them",
         "A feature column whose values are unique per row or nearly so: a text column with at "
         "least 50% distinct values, or a whole-number column with at least 95%.",
         "Remove the feature from data.features."),
    Rule("target-leakage", E, "data", "A feature gives the label away",
         "One column of the feature matrix, or a raw feature's missingness, separates the classes "
         "on the training rows with ROC AUC at least 0.95 (or at most 0.05). Such a column is "
         "usually recorded after the outcome.",
         "Remove the feature from data.features (and from data.missing_indicators)."),

    # Runtime rules.
    Rule("constant-predictions", E, "runtime", "Every prediction is the same",
         "All validation predictions are equal (spread below 1e-6 or std below 1e-4) at the last "
         "epoch. This is exact, so it holds from the first epoch where it appears.",
         "Fix the error findings about the output first; then lower the learning rate."),
    Rule("single-class-predictions", E, "runtime", "The model predicts one class for every row",
         "Every validation row gets the same class at a 0.5 threshold for 3 epochs in a row up to "
         "the last epoch, so accuracy equals that class's share. Left out when "
         "constant-predictions holds.",
         "Balance the classes with fit.class_weight, or check the learning rate and scaling."),
    Rule("saturated-outputs", W, "runtime", "Predictions are pinned at 0 or 1 while wrong",
         "More than 90% of predictions are outside [0.01, 0.99] while validation accuracy is below "
         "0.9, for 3 epochs in a row up to the last epoch. Left out when constant-predictions holds.",
         "Lower the learning rate and standardise the features."),
    Rule("nan-loss", E, "runtime", "The loss became NaN or infinite",
         "An epoch's loss, or a layer's gradient on the probe rows, is NaN or infinite (with NaN "
         "inputs a ReLU layer's weights turn NaN, it outputs 0, and the loss itself can stay "
         "finite). The evidence says whether NaN inputs or a high learning rate is the likely cause.",
         "Impute missing values, or lower the learning rate."),
    Rule("loss-not-decreasing", W, "runtime", "The loss is not going down",
         "After at least 6 epochs, the last loss is less than 1% better than the best of the 5 "
         "epochs before it, and still above 95% of the first epoch's loss.",
         "Check the error findings; then try the optimizer's default learning rate."),
    Rule("loss-diverging", E, "runtime", "The loss is growing",
         "The loss is above twice its minimum so far for 2 epochs in a row up to the last epoch.",
         "Lower the learning rate."),
    Rule("dead-relu", W, "runtime", "ReLU units output zero for every row",
         "A ReLU layer has at least half of its units dead (zero on 99% of the probe rows) for 2 "
         "epochs in a row up to the last epoch. It is an error when every unit of a layer is dead.",
         "Lower the learning rate, standardise the features, or use LeakyReLU."),
    Rule("vanishing-gradients", W, "runtime", "Gradients fade before reaching the first layers",
         "The first layer's gradient norm is below 1e-3 times the last layer's, or a layer's mean "
         "|gradient| is below 1e-7 while the last layer's is not, for 2 epochs in a row up to the "
         "last epoch.",
         "Use relu activations, he_normal initialisation, or BatchNormalization."),
    Rule("exploding-gradients", W, "runtime", "Gradients grow towards the first layers",
         "The first layer's gradient norm is above 70 times the last layer's for 2 epochs in a row "
         "up to the last epoch.",
         "Standardise the features, lower the learning rate, or set clipnorm on the optimizer."),
    Rule("overfitting", W, "runtime", "Validation loss rises while training loss falls",
         "val_loss is above 1.05 times its minimum for 3 epochs in a row up to the last epoch, and "
         "the training loss in those epochs is below its value at the val_loss minimum. Left out "
         "when EarlyStopping restores the best weights.",
         "Add EarlyStopping(patience=10, restore_best_weights=True), or more Dropout."),
    Rule("suspicious-validation", W, "runtime", "Validation accuracy is too good for this data",
         "Validation accuracy of at least 0.95 for 2 epochs in a row up to the last epoch, on "
         "Titanic (a target named survived), where honest models reach about 0.8. The validation "
         "rows' majority class must be at most 85%, so that guessing it cannot score 0.95.",
         "Remove features recorded after the outcome, such as boat and body."),
    Rule("still-improving", I, "runtime", "The loss was still falling when training ended",
         "The last epoch is the planned last epoch and the loss fell by more than 1% in each of "
         "the last 3 epochs.",
         "Train for more epochs."),
    Rule("train-inference-gap", W, "runtime", "Training-mode and inference-mode predictions disagree",
         "Accuracy on the probe rows in training mode (Dropout and BatchNormalization active) and "
         "in inference mode differ by more than 0.1 for 2 epochs in a row up to the last epoch.",
         "Lower the Dropout rates, or use a batch size of 32 or more with BatchNormalization."),
)
"""Every rule, in the order the docs list them."""

RULES_BY_ID = {rule.id: rule for rule in RULES}


def make_finding(rule_id: str, evidence: str, *, severity: Severity | None = None,
                 fix: str | None = None, **details) -> Finding:
    """Build a finding of a catalogued rule, with its title and, unless given, its severity and fix."""
    rule = RULES_BY_ID[rule_id]
    return Finding(
        id=rule.id,
        severity=severity if severity is not None else rule.severity,
        title=rule.title,
        evidence=evidence,
        fix=fix if fix is not None else rule.fix,
        **details,
    )
