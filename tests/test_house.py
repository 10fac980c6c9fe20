"""The house rules hold (ARCHITECTURE.md): checked by the tools that state them.

- the import contracts in pyproject.toml (import-linter): the layers
  packages <- player <- sync <- tui with only the composition root `player.cli`
  reaching up, no textual below tui, nothing importing `player.cli`, and no import
  circle between the modules of a room;
- ruff: lint and format;
- mypy on the engine, sync, packages and tui;
- no module over MAX_LINES lines, so that each keeps to one job.

Each tool runs as a subprocess from this venv, on the code as it stands.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

BIN = Path(sys.executable).parent
ROOMS = ("packages", "player", "sync", "tui")
MAX_LINES = 450


def _tool(name: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    exe = BIN / name
    if not exe.exists():
        pytest.fail(f"{name} is not installed in {BIN}: run ./scripts/test (it installs the test extras)")
    return subprocess.run([str(exe), *args], cwd=REPO, capture_output=True, text=True, timeout=timeout)


def _said(res: subprocess.CompletedProcess[str]) -> str:
    return (res.stdout + res.stderr)[-6000:]


def test_import_contracts_are_kept() -> None:
    res = _tool("lint-imports", "--no-cache")
    assert res.returncode == 0, _said(res)
    assert "BROKEN" not in res.stdout
    assert res.stdout.count("KEPT") >= 4, _said(res)


def test_ruff_lint_is_clean() -> None:
    res = _tool("ruff", "check", "--no-cache", ".")
    assert res.returncode == 0, _said(res)


def test_ruff_format_is_kept() -> None:
    res = _tool("ruff", "format", "--check", "--no-cache", ".")
    assert res.returncode == 0, _said(res)


def test_types_check() -> None:
    res = _tool("mypy", "--cache-dir", "/dev/null" if sys.platform != "win32" else "nul")
    assert res.returncode == 0, _said(res)


def _modules() -> list[Path]:
    return sorted(p for room in ROOMS for p in (REPO / room).rglob("*.py"))


def test_no_module_does_several_jobs_by_size() -> None:
    too_long = []
    for path in _modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            too_long.append(f"{path.relative_to(REPO)}: {lines} lines")
    assert not too_long, f"modules over {MAX_LINES} lines (split along their jobs): {too_long}"
