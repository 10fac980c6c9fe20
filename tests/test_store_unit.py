"""The store's rules in-process: version order, which copy plays, what the sweep may touch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from packages.errors import MoocError
from packages.file_lock import locked
from packages.identifiers import compare_versions, version_key
from packages.install import install
from packages.install_spec import resolve_spec
from packages.layout import Layout
from packages.store import Store
from tests.conftest import Homes
from tests.test_store import pack


@pytest.mark.parametrize(
    "low, high",
    [
        ("1.0.0", "1.0.1"),
        ("1.2.0", "1.10.0"),
        ("1.0.0-rc.1", "1.0.0"),
        ("1.0.0-alpha", "1.0.0-beta"),
        ("1.0.0-alpha.2", "1.0.0-alpha.10"),
        ("1.0.0-2", "1.0.0-alpha"),
        ("not-semver", "0.0.1"),
        ("0.9", "1.0.0"),
    ],
)
def test_version_order(low: str, high: str) -> None:
    assert version_key(low) < version_key(high)
    assert compare_versions(low, high) == -1 and compare_versions(high, low) == 1


def test_build_metadata_is_ignored() -> None:
    assert compare_versions("1.0.0+build.5", "1.0.0") == 0


def _layout(homes: Homes) -> Layout:
    return Layout(home=homes.home, system_home=homes.system)


def test_resolution_highest_version_then_user_over_system(mooc_home: Homes, tmp_path: Path) -> None:
    layout = _layout(mooc_home)
    install(layout, str(pack(tmp_path, "1.0.0")), system=True)
    store = Store(layout, bundled_dir=None)
    assert store.get("stats-101").origin == "system"
    install(layout, str(tmp_path / "stats-101-1.0.0.mooc"))  # same version in both: user wins
    assert store.get("stats-101").origin == "user"
    install(layout, str(pack(tmp_path, "1.1.0")), system=True)  # higher system copy wins
    assert (store.get("stats-101").origin, store.get("stats-101").version) == ("system", "1.1.0")
    assert [c.origin for c in store.copies_of("stats-101")] == ["system", "user"]
    assert len(store.list()) == 1 and len(store.list(all_copies=True)) == 2


def test_load_returns_the_full_course(mooc_home: Homes, tmp_path: Path) -> None:
    layout = _layout(mooc_home)
    install(layout, str(pack(tmp_path, "1.0.0")))
    course, source = Store(layout).load("stats-101")
    assert course.id == "stats-101" and [i.id for i in course.items()] == ["l0", "l1", "quiz"]
    assert course.item("quiz").quiz is not None
    assert source.read_text("lessons/l0.md").startswith("# Lesson 0")
    demo, _ = Store(layout).load("mooc-demo")
    assert demo.id == "mooc-demo" and demo.items()


def test_damaged_pointer_means_not_installed(mooc_home: Homes, tmp_path: Path) -> None:
    layout = _layout(mooc_home)
    install(layout, str(pack(tmp_path, "1.0.0")))
    pointer = layout.courses_dir / "stats-101" / "current.json"
    for bad in (b"", b"{", json.dumps({"id": "stats-101", "dir": "../../etc"}).encode()):
        pointer.write_bytes(bad)
        with pytest.raises(MoocError, match="no course 'stats-101' is installed"):
            Store(layout).get("stats-101")


def test_sweep_spares_a_live_staging_folder(mooc_home: Homes) -> None:
    layout = _layout(mooc_home)
    user = Store(layout).user
    with user.staging() as live:
        (live / "tree").mkdir()
        dead = layout.tmp_dir / "stage-dead"
        (dead / "tree").mkdir(parents=True)
        (dead / ".lock").write_text("")
        young = layout.tmp_dir / "stage-nolock-young"
        young.mkdir()
        user.clean_stale()
        assert live.exists() and young.exists() and not dead.exists()
    assert not live.exists()


def test_course_lock_is_exclusive(tmp_path: Path) -> None:
    lock = tmp_path / "locks" / "x.lock"
    with locked(lock) as got:
        assert got
        with locked(lock, blocking=False) as again:
            assert again is False
    with locked(lock, blocking=False) as after:
        assert after is True


def test_resolve_spec_is_the_one_place(tmp_path: Path, mooc_home: Homes) -> None:
    layout = _layout(mooc_home)
    assert resolve_spec(layout, "https://example.org/a.mooc").kind == "url"
    assert resolve_spec(layout, str(tmp_path)).kind == "folder"
    with pytest.raises(MoocError, match="stats-101: not a file, folder or URL"):
        resolve_spec(layout, "stats-101")


def test_listing_is_fast_and_reads_no_quiz(mooc_home: Homes, tmp_path: Path) -> None:
    """200 installed courses list in well under a second; quizzes are never opened."""
    layout = _layout(mooc_home)
    first = install(layout, str(pack(tmp_path, "1.0.0"))).course
    for i in range(200):  # copies of the installed course under other ids, as an install would leave them
        cid = f"c{i:03d}"
        target = layout.courses_dir / cid / "versions" / first.path.name
        target.parent.mkdir(parents=True)
        target.symlink_to(first.path)
        data = json.loads((layout.courses_dir / "stats-101" / "current.json").read_text())
        data["id"] = cid
        (layout.courses_dir / cid / "current.json").write_text(json.dumps(data))
    (first.path / "quizzes" / "q.toml").write_text("this is [[not toml")  # listing must not care
    courses = Store(layout).list()  # its speed is measured in tests/benchmarks, not here
    assert len(courses) == 202


@pytest.mark.parametrize(
    "text, ok",
    [
        ("1.2.0", True),
        ("1.2.0-rc.1+build.5", True),
        ("0.0.0", True),
        ("v1", False),
        ("1.2", False),
        ("v1.2.0", False),
        ("01.2.0", False),
        ("1.2.0-", False),
        (" 1.2.0", False),
    ],
)
def test_one_version_grammar_for_loader_catalog_and_store(text: str, ok: bool) -> None:
    """The store orders by the grammar the loader and the catalog check (packages/identifiers.py):
    what they refuse sorts below every version instead of passing for one."""
    import packages.catalog as catalog
    from packages.identifiers import SEMVER_RE, is_version
    from packages.loading import SEMVER_RE as LOADER_SEMVER

    assert is_version(text) is ok
    assert LOADER_SEMVER is SEMVER_RE and catalog.SEMVER_RE is SEMVER_RE
    assert (version_key(text) > version_key("0.0.0-0")) is ok
