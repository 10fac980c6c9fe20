"""The engine: navigation, grading, progress, learners, certificates; and the `mooc` CLI.

Never imports textual (only `mooc play` does, through `tui`).
"""
