"""The user config (config.toml): reading, clear errors, safe concurrent updates."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from packages.errors import MoocError
from packages.layout import Layout
from packages.portable import tomllib
from player.config import load_config, update_config


@pytest.fixture
def layout(mooc_home) -> Layout:
    return Layout(mooc_home.home, mooc_home.system)


def test_missing_config_is_empty(layout: Layout) -> None:
    assert load_config(layout) == {}


def test_update_keeps_other_keys_and_writes_toml(layout: Layout) -> None:
    layout.config_file.write_text('[keys]\nnext = "ctrl+n"\n\n[sync.courses.stats-101]\nendpoint = "http://a/"\n')

    def mutate(cfg: dict) -> None:
        cfg.setdefault("learners", {})["default"] = "amina"
        cfg.setdefault("sync", {})["endpoint"] = "http://127.0.0.1:9/xapi/"

    written = update_config(layout, mutate)
    on_disk = tomllib.loads(layout.config_file.read_text())
    assert on_disk == written == load_config(layout)
    assert on_disk["keys"] == {"next": "ctrl+n"}
    assert on_disk["sync"]["courses"]["stats-101"]["endpoint"] == "http://a/"
    assert on_disk["learners"]["default"] == "amina"
    assert sorted(p.name for p in layout.home.iterdir() if p.name.endswith(".tmp")) == []


def test_malformed_config_names_file_line_and_column(layout: Layout) -> None:
    layout.config_file.write_text('[learners]\ndefault = "amina"\n[keys\nnext = 1\n')
    with pytest.raises(MoocError) as info:
        load_config(layout)
    msg = str(info.value)
    assert msg.startswith(str(layout.config_file)) and "line 3" in msg and "column" in msg
    before = layout.config_file.read_bytes()
    with pytest.raises(MoocError):
        update_config(layout, lambda cfg: cfg.update(x=1))
    assert layout.config_file.read_bytes() == before  # a broken file is never overwritten


def test_wrong_types_are_clear_errors(layout: Layout) -> None:
    layout.config_file.write_text('learners = "amina"\n')
    with pytest.raises(MoocError, match=r"\[learners\] must be a table"):
        load_config(layout)
    layout.config_file.write_text("[learners]\ndefault = 3\n")
    with pytest.raises(MoocError, match="default must be a string"):
        load_config(layout)


def test_not_utf8_is_a_clear_error(layout: Layout) -> None:
    layout.config_file.write_bytes(b'[keys]\nnext = "\xff"\n')
    with pytest.raises(MoocError, match="line 2: not valid UTF-8"):
        load_config(layout)


def test_cli_reports_a_broken_config_in_one_line(run_mooc, mooc_home) -> None:
    (mooc_home.home / "config.toml").write_text("[learners\n")
    run_mooc("learner", "add", "Amina")
    r = run_mooc("learner", "use", "amina")
    assert r.returncode == 1
    assert r.stderr.startswith("mooc: error: ") and "config.toml" in r.stderr and "line 1" in r.stderr
    assert r.stderr.count("\n") == 1


UPDATER = textwrap.dedent(
    """
    import sys
    from packages.layout import Layout
    from player.config import update_config

    layout = Layout.default(sys.argv[1])
    tag = sys.argv[2]
    for i in range(25):
        update_config(layout, lambda cfg: cfg.setdefault("test", {}).__setitem__(f"{tag}_{i}", i))
    """
)


def test_concurrent_updates_lose_nothing(tmp_path: Path) -> None:
    """Four real processes each make 25 read-modify-write updates at the same time."""
    home = tmp_path / "home"
    procs = [
        subprocess.Popen([sys.executable, "-c", UPDATER, str(home), f"p{n}"], stderr=subprocess.PIPE) for n in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
    cfg = load_config(Layout.default(home))
    assert len(cfg["test"]) == 100
    assert cfg["test"]["p3_24"] == 24
