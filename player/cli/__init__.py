"""The `mooc` command line: the composition root, on top of the house.

This package is the one place that wires the rooms together: it may import
`packages`, the engine (`player`), `sync` and `tui`; nothing imports it (only
`player/__main__.py`, so that `python -m player` runs it). Its modules stay thin:
parse the arguments, call the engine, sync or packages, print the result. What a
command *does* lives below, where the TUI and the tests can reach it too. The
rules are contracts in pyproject.toml (`[tool.importlinter]`), checked by
tests/test_house.py; see ARCHITECTURE.md. One module per command group; see main.py.
"""
