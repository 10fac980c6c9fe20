"""Learners sharing one account: registry, who is learning, and `mooc learner`."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from packages.errors import MoocError
from packages.layout import Layout
from player.config import load_config
from player.events import Event
from player.learner_identity import slug
from player.learners import Learners
from player.progress import EventLog


@pytest.fixture
def layout(mooc_home, monkeypatch: pytest.MonkeyPatch) -> Layout:
    monkeypatch.delenv("MOOC_LEARNER", raising=False)
    return Layout(mooc_home.home, mooc_home.system)


@pytest.fixture
def learners(layout: Layout) -> Learners:
    return Learners(layout)


def test_single_user_gets_a_learner_named_after_the_os_user_silently(
    learners: Learners, layout: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGNAME", "dana.scully")
    assert learners.list() == []
    assert learners.needs_choice() is False
    me = learners.current()
    assert (me.id, me.name, me.email) == ("dana-scully", "dana.scully", None)
    assert uuid.UUID(me.account_id)
    again = Learners(layout).current()
    assert again == me  # same account id every time: it is the xAPI identity
    assert len(learners.list()) == 1
    assert learners.needs_choice() is False


def test_add_list_get(learners: Learners) -> None:
    a = learners.add("Amina Diallo", email="amina@example.org")
    b = learners.add("José")
    assert (a.id, b.id) == ("amina-diallo", "jose")
    assert a.account_id != b.account_id
    assert [lr.id for lr in learners.list()] == ["amina-diallo", "jose"]
    assert learners.get("AMINA DIALLO") == a
    assert learners.get("amina-diallo") == a
    assert learners.get("jose") == b and learners.get("José") == b


def test_add_rejects_duplicates_bad_email_and_empty_names(learners: Learners) -> None:
    learners.add("Amina")
    with pytest.raises(MoocError, match="already exists"):
        learners.add("amina")
    with pytest.raises(MoocError, match="not an email address"):
        learners.add("Bob", email="bob@")
    with pytest.raises(MoocError, match="not an email address"):
        learners.add("Bob", email="bob example.org")
    with pytest.raises(MoocError, match="cannot be empty"):
        learners.add(" \x1b[2J ")
    with pytest.raises(MoocError, match="too long"):
        learners.add("x" * 200)
    assert [lr.name for lr in learners.list()] == ["Amina"]


def test_same_slug_different_names_get_distinct_ids(learners: Learners) -> None:
    assert learners.add("Ana Lee").id == "ana-lee"
    assert learners.add("Ana-Lee!").id == "ana-lee-2"
    assert learners.add("李").id == "learner"  # no ASCII letters: still a safe id


def test_names_are_cleaned_of_terminal_escapes(learners: Learners) -> None:
    lr = learners.add("\x1b[31mEve\x1b]0;pwned\x07 \x07Smith\r")
    assert lr.name == "Eve Smith"
    assert "\x1b" not in Path(learners.path).read_text()


def test_get_unknown_suggests(learners: Learners) -> None:
    learners.add("Amina Diallo")
    learners.add("Bob")
    with pytest.raises(MoocError, match=r"no learner 'bbo'; did you mean 'Bob'\?") as info:
        learners.get("bbo")
    assert "Amina Diallo" in str(info.value)  # lists the learners
    with pytest.raises(MoocError, match="did you mean 'Amina Diallo'"):
        learners.get("amnia")


def test_current_resolution_order(learners: Learners, layout: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    a = learners.add("Amina")
    assert learners.current() == a  # the only learner
    b = learners.add("Bob")
    with pytest.raises(MoocError, match="several learners.*--learner NAME"):
        learners.current()
    assert learners.needs_choice() is True
    learners.use("bob")
    assert load_config(layout)["learners"]["default"] == "bob"
    assert learners.current() == b
    assert learners.needs_choice() is True  # a lab PC still asks; the default is preselected
    assert learners.current("Amina") == a
    assert learners.needs_choice("amina") is False
    monkeypatch.setenv("MOOC_LEARNER", "amina")
    assert learners.current() == a
    assert learners.needs_choice() is False
    assert learners.current("bob") == b  # --learner beats MOOC_LEARNER
    with pytest.raises(MoocError, match="no learner 'zed'"):
        learners.current("zed")


def test_remove_keeps_progress_unless_purge(learners: Learners, layout: Layout) -> None:
    a = learners.add("Amina")
    learners.add("Bob")
    learners.use("amina")
    log = EventLog.for_course(layout, a.id, "stats-101")
    log.append(Event(type="enrolled", course_id="stats-101", course_version="1.0.0"))
    learners.remove("Amina")
    assert [lr.id for lr in learners.list()] == ["bob"]
    assert "default" not in load_config(layout).get("learners", {})
    assert log.path.exists()
    again = learners.add("Amina")  # re-adding finds the kept progress
    assert EventLog.for_course(layout, again.id, "stats-101").events() == log.events()
    learners.remove("amina", purge=True)
    assert not layout.learner_dir("amina").exists()
    with pytest.raises(MoocError, match="no learner"):
        learners.remove("amina")


def test_malformed_registry_names_file_and_line(learners: Learners, layout: Layout) -> None:
    layout.learners_file.write_text('format = "mooc-learners"\nversion = 1\n[[learners]\n')
    with pytest.raises(MoocError) as info:
        learners.list()
    msg = str(info.value)
    assert str(layout.learners_file) in msg and "line 3" in msg and "column" in msg


def test_registry_entry_missing_fields_is_a_clear_error(learners: Learners, layout: Layout) -> None:
    layout.learners_file.write_text('[[learners]]\nid = "amina"\nname = "Amina"\n')
    with pytest.raises(MoocError, match=r"learner 1: missing or invalid 'account_id'"):
        learners.list()


def test_newer_registry_version_refused(learners: Learners, layout: Layout) -> None:
    layout.learners_file.write_text('format = "mooc-learners"\nversion = 7\n')
    with pytest.raises(MoocError, match="newer"):
        learners.list()


def test_slug() -> None:
    assert slug("  Élodie  Durand ") == "elodie-durand"
    assert slug("---") == "learner"
    assert len(slug("a" * 200)) <= 64


# ---------------------------------------------------------------------- the CLI


def test_cli_add_list_use_remove(run_mooc, mooc_home) -> None:
    r = run_mooc("learner", "add", "Amina Diallo", "--email", "amina@example.org")
    assert r.returncode == 0, r.stderr
    assert "amina-diallo" in r.stdout
    assert run_mooc("learner", "add", "Bob").returncode == 0

    r = run_mooc("learner", "use", "bob")
    assert r.returncode == 0 and "Bob" in r.stdout
    r = run_mooc("learner", "list")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0].startswith("  amina-diallo") and "<amina@example.org>" in lines[0]
    assert lines[1].startswith("* bob")

    r = run_mooc("learner", "list", "--json")
    data = json.loads(r.stdout)
    assert [(d["id"], d["default"], d["email"]) for d in data] == [
        ("amina-diallo", False, "amina@example.org"),
        ("bob", True, None),
    ]
    assert all(uuid.UUID(d["account_id"]) for d in data)

    r = run_mooc("learner", "remove", "bob")  # stdin is not a terminal: needs --yes
    assert r.returncode == 2 and "--yes" in r.stderr
    r = run_mooc("learner", "remove", "bob", "--yes")
    assert r.returncode == 0, r.stderr
    data = json.loads(run_mooc("learner", "list", "--json").stdout)
    assert [d["id"] for d in data] == ["amina-diallo"]


def test_cli_errors_are_one_line(run_mooc) -> None:
    run_mooc("learner", "add", "Amina")
    for args in (
        ("learner", "add", "amina"),
        ("learner", "use", "amnia"),
        ("learner", "add", "Bob", "--email", "nope"),
    ):
        r = run_mooc(*args)
        assert r.returncode == 1
        assert r.stderr.startswith("mooc: error: ") and r.stderr.count("\n") == 1
        assert "Traceback" not in r.stderr


def test_cli_home_after_subcommand(run_mooc, tmp_path: Path) -> None:
    other = tmp_path / "other-home"
    r = run_mooc("learner", "add", "Zoe", "--home", str(other))
    assert r.returncode == 0, r.stderr
    assert "zoe" in (other / "learners.toml").read_text()
    assert json.loads(run_mooc("learner", "list", "--json").stdout) == []


def test_cli_list_shows_names_literally(run_mooc) -> None:
    run_mooc("learner", "add", "[bold red]Mallory[/] \x1b[31mX")
    r = run_mooc("learner", "list")
    assert "[bold red]Mallory[/] X" in r.stdout
    assert "\x1b" not in r.stdout
