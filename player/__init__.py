"""The engine: navigation, grading, progress, learners, certificates.

Builds on `packages` only: never imports `sync`, `tui` or textual. Its subpackage
`player.cli` is the exception that proves the rule: the `mooc` command, the
composition root on top of every room (see player/cli/__init__.py, ARCHITECTURE.md).
"""
