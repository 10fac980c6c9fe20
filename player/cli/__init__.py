"""The `mooc` command line. One module per command group; see main.py."""
