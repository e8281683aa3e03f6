"""The datasets that ship with tui-lab (see README.md here)."""
