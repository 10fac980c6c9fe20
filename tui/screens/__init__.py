"""Screens of the mooc TUI."""
