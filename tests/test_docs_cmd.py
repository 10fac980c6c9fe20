"""`mooc docs`: the documentation every `--help` points at is there on any install
(issue 14: `--help` named docs/*.md files that a wheel did not carry)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, RunMooc

DOCS = REPO / "docs"


def _titles() -> dict[str, str]:
    found = {}
    for page in DOCS.glob("*.md"):
        first = next(line for line in page.read_text(encoding="utf-8").splitlines() if line.startswith("# "))
        found[page.stem] = first[2:].strip()
    return found


def test_docs_lists_every_page_with_its_title(run_mooc: RunMooc) -> None:
    out = run_mooc("docs")
    assert out.returncode == 0, out.stderr
    for name, title in _titles().items():
        assert re.search(rf"^  {re.escape(name)} +{re.escape(title)}$", out.stdout, re.M), (name, out.stdout)


def test_docs_topic_prints_the_page_and_a_prefix_is_enough(run_mooc: RunMooc) -> None:
    assert run_mooc("docs", "format").stdout == (DOCS / "format.md").read_text(encoding="utf-8")
    assert run_mooc("docs", "cat").stdout == (DOCS / "catalogs-and-downloads.md").read_text(encoding="utf-8")
    assert run_mooc("docs", "Grading.md").stdout == (DOCS / "grading.md").read_text(encoding="utf-8")


def test_unknown_or_ambiguous_topics_are_one_line(run_mooc: RunMooc) -> None:
    unknown = run_mooc("docs", "nonsense")
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert unknown.stderr.strip().splitlines() == [unknown.stderr.strip()]
    assert "no topic 'nonsense'; topics: README, authoring," in unknown.stderr
    ambiguous = run_mooc("docs", "c")
    assert ambiguous.returncode == 2
    assert "'c' could be catalogs-and-downloads, certificates, class: say which" in ambiguous.stderr


def test_every_topic_that_help_or_a_message_names_exists() -> None:
    """Each "`mooc docs X`" written anywhere in the code resolves to a page."""
    from player import docs_bundle

    named = set()
    for source in [
        *REPO.glob("player/**/*.py"),
        *REPO.glob("packages/**/*.py"),
        *REPO.glob("sync/**/*.py"),
        *REPO.glob("tui/**/*.py"),
    ]:
        named |= set(re.findall(r"`mooc docs ([a-z][a-z-]*)`", source.read_text(encoding="utf-8")))
    assert {"format", "grading", "class", "tui", "authoring"} <= named
    for name in named:
        assert docs_bundle.find(name).path == DOCS / f"{name}.md"


def test_a_built_mooc_carries_the_docs_and_finds_them(tmp_path: Path) -> None:
    """What a wheel installs is the build folder: the pages are in it, next to the code
    that looks for them, and that code finds them there (not in the checkout)."""
    lib = tmp_path / "lib"
    build = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(lib)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    assert sorted(p.name for p in (lib / "player" / "docs").iterdir()) == sorted(p.name for p in DOCS.glob("*.md"))
    where = subprocess.run(
        [sys.executable, "-c", "from player import docs_bundle; print(docs_bundle.folder())"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(lib), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert where.stdout.strip() == str(lib / "player" / "docs"), where.stderr
