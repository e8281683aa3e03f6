"""Performance benchmarks for tui-lab; `python -m benchmarks` runs them all (see README.md)."""
