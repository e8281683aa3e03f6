"""tui-lab: a terminal lab for finding out why a Keras network is not learning."""

__version__ = "0.1.0"
