"""Widgets of the mooc TUI."""
