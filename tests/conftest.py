"""Fixtures every test module shares.

- `mooc_home`: a fresh, private data folder (MOOC_HOME and MOOC_SYSTEM_HOME) per test.
- `run_mooc`: the real installed `mooc` command as a subprocess.
- `corpus_dir`: the real course data in ../shared/corpus (the one way tests reach it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.disk import tmpfs  # noqa: F401  (fixture: a real small file system)
from tests.support.language import french  # noqa: F401  (fixture: mooc speaks French in this process)
from tests.support.ralph import ralph_lrs  # noqa: F401  (session fixture: the Ralph LRS)

# Tests read mooc's English unless they ask for another language (LANGUAGE=fr in an
# env, or packages.i18n.use_language): a machine set to French must not fail them.
os.environ["LANGUAGE"] = "en"

REPO = Path(__file__).resolve().parents[1]
MOOC_BIN = Path(sys.executable).with_name("mooc")


@dataclass
class Homes:
    home: Path
    system: Path

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env["MOOC_HOME"] = str(self.home)
        env["MOOC_SYSTEM_HOME"] = str(self.system)
        env.pop("NO_COLOR", None)
        env["COLUMNS"] = "120"
        env.update(extra)
        return env


@pytest.fixture
def mooc_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Homes:
    homes = Homes(tmp_path / "home", tmp_path / "system")
    homes.home.mkdir()
    homes.system.mkdir()
    monkeypatch.setenv("MOOC_HOME", str(homes.home))
    monkeypatch.setenv("MOOC_SYSTEM_HOME", str(homes.system))
    return homes


RunMooc = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_mooc(mooc_home: Homes) -> RunMooc:
    """Run the installed `mooc` command; returns the CompletedProcess (text mode)."""

    def run(
        *args: str,
        input: str | None = None,
        timeout: float = 120,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        cmd = [str(MOOC_BIN) if MOOC_BIN.exists() else "mooc", *args]
        return subprocess.run(
            cmd,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=mooc_home.env(**(env or {})),
            cwd=cwd,
        )

    return run


def _corpus_path() -> Path:
    env = os.environ.get("MOOC_CORPUS")
    return Path(env) if env else REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """../shared/corpus: an Open edX course export and Moodle GIFT files.

    CI always has it; on a clone without ../shared the tests that need it skip.
    """
    path = _corpus_path()
    if not path.is_dir():
        pytest.skip(f"course corpus not found at {path} (a clone without ../shared); set MOOC_CORPUS")
    return path
