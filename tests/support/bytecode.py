"""Byte-compile the project before a startup benchmark, as `pip install .` does.

This machine sets PYTHONDONTWRITEBYTECODE, so with the editable install every
module of ours would be compiled from source at every start (~40 ms of `mooc play`)
while the libraries' .pyc files are there: timings would compare unlike things.
"""

from __future__ import annotations

import compileall
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def compile_project() -> None:
    for top in ("packages", "player", "tui", "sync"):
        compileall.compile_dir(REPO / top, quiet=1, force=True)
