"""Learners who are who they say: edit, PINs (a deterrent), roster import, and the
first learner asked for, through the real `mooc` command."""

from __future__ import annotations

import json
import os
import pty
import select
import time
from pathlib import Path

import pytest

from tests.conftest import MOOC_BIN, Homes, RunMooc


def learners_file(homes: Homes) -> Path:
    return homes.home / "learners.toml"


def registry(run_mooc: RunMooc) -> dict[str, dict]:
    r = run_mooc("learner", "list", "--json")
    assert r.returncode == 0, r.stderr
    return {lr["name"]: lr for lr in json.loads(r.stdout)}


def test_edit_changes_name_and_email_never_the_ids(run_mooc: RunMooc, mooc_home: Homes) -> None:
    assert run_mooc("learner", "add", "Amina").returncode == 0
    assert run_mooc("learner", "add", "Bola").returncode == 0
    before = registry(run_mooc)["Amina"]
    r = run_mooc("learner", "edit", "amina", "--name", "Amina Diallo", "--email", "amina@example.org")
    assert r.returncode == 0 and r.stdout == "Amina Diallo <amina@example.org>, id amina.\n"
    after = registry(run_mooc)["Amina Diallo"]
    assert (after["id"], after["account_id"]) == (before["id"], before["account_id"])
    r = run_mooc("learner", "edit", "amina", "--name", "bola")
    assert r.returncode == 1 and r.stderr == "mooc: error: a learner named 'bola' already exists (id bola)\n"
    r = run_mooc("learner", "edit", "amina", "--no-email")
    assert r.returncode == 0 and registry(run_mooc)["Amina Diallo"]["email"] is None
    r = run_mooc("learner", "edit", "amina")
    assert r.returncode == 2 and "say what to change" in r.stderr


def test_pin_is_a_salted_hash_asked_with_bounded_tries(run_mooc: RunMooc, mooc_home: Homes) -> None:
    r = run_mooc("learner", "add", "Amina", "--pin", input="4821\n")
    assert r.returncode == 0, r.stderr
    stored = learners_file(mooc_home).read_text()
    assert "4821" not in stored and 'pin = "scrypt$16384$8$1$' in stored
    assert run_mooc("learner", "add", "Bola", "--pin", input="12\n").stderr == "mooc: error: a PIN is 4 to 12 digits\n"

    r = run_mooc("progress", "--learner", "amina", "--json", input="4821\n")
    assert r.returncode == 0 and r.stdout.startswith("PIN for Amina: ")
    before = learners_file(mooc_home).read_bytes()
    r = run_mooc("progress", "--learner", "amina", input="1111\n2222\n3333\n4821\n")
    assert r.returncode == 1
    assert r.stdout.count("PIN for Amina: ") == 3 and "Wrong PIN. 1 try left." in r.stdout
    assert r.stderr == (
        "mooc: error: wrong PIN 3 times for Amina; nothing was opened (a teacher can set a new "
        "PIN by importing the class roster again)\n"
    )
    r = run_mooc("learner", "remove", "amina", "--yes", input="")
    assert r.returncode == 1 and r.stderr == "mooc: error: Amina's PIN was not given; nothing was opened\n"
    assert learners_file(mooc_home).read_bytes() == before
    # change it: the current PIN first, then the new one
    r = run_mooc("learner", "pin", "amina", input="4821\n97531\n")
    assert r.returncode == 0, r.stderr
    assert run_mooc("progress", "--learner", "amina", input="97531\n").returncode == 0
    assert run_mooc("learner", "pin", "amina", "--clear", input="97531\n").returncode == 0
    assert "pin" not in learners_file(mooc_home).read_text()


def test_planted_pin_hash_asking_huge_work_is_refused(run_mooc: RunMooc, mooc_home: Homes) -> None:
    from player.pin import verify

    assert run_mooc("learner", "add", "Amina").returncode == 0
    path = learners_file(mooc_home)
    huge = "scrypt$1073741824$8$1$" + "A" * 24 + "$" + "A" * 44
    path.write_text(path.read_text() + f'pin = "{huge}"\n')
    started = time.monotonic()
    r = run_mooc("progress", "--learner", "amina", input="1234\n", timeout=30)
    assert r.returncode == 1 and time.monotonic() - started < 20
    assert r.stderr == f"mooc: error: {path}: learner 1: 'pin' is not a PIN hash (set one with `mooc learner pin`)\n"
    assert verify("1234", huge) is False


ROSTER = "\ufeffName;Email;PIN\nAmina Diallo;amina@example.org;2580\nBola Ade;;\nChen Wei;chen@example.org;1470\n"


def test_roster_import_is_idempotent_and_says_what_changed(run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path) -> None:
    from player.pin import verify

    roster = tmp_path / "class-4b.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert run_mooc("learner", "add", "Chen Wei").returncode == 0  # already here, without email
    r = run_mooc("learner", "import", str(roster))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "added: Amina Diallo",
        "added: Bola Ade",
        "updated: Chen Wei (email chen@example.org, PIN set)",
        "2 added, 1 updated, 0 unchanged.",
    ]
    first = registry(run_mooc)
    r = run_mooc("learner", "import", str(roster))
    assert r.stdout == "0 added, 0 updated, 3 unchanged.\n"
    assert registry(run_mooc) == first
    from packages.layout import Layout
    from player.learners import Learners

    amina = Learners(Layout(mooc_home.home, mooc_home.system)).get("amina-diallo")
    assert amina.pin and verify("2580", amina.pin) and not verify("2581", amina.pin)
    # the roster changes: a new email, a new student
    roster.write_text(ROSTER.replace("amina@example.org", "amina.d@example.org") + "Dev Patel,,\n")
    r = run_mooc("learner", "import", str(roster))
    assert "updated: Amina Diallo (email amina.d@example.org)" in r.stdout and "1 added" in r.stdout
    assert registry(run_mooc)["Amina Diallo"]["account_id"] == first["Amina Diallo"]["account_id"]


@pytest.mark.parametrize(
    "content, said",
    [
        ("name,email\nAmina,amina@\n", "line 2: 'amina@' is not an email address"),
        ("name,email,pin\nAmina,,12\n", "line 2: a PIN is 4 to 12 digits"),
        ("name,email\nAmina,a@example.org\namina,b@example.org\n", "line 3: the same name as line 2"),
        ("name,phone\nAmina,123\n", "line 1: unknown column 'phone'"),
        ("name\n\x1b[31m\n", "line 2: a learner name cannot be empty"),
    ],
)
def test_a_bad_roster_is_one_line_and_changes_nothing(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, content: str, said: str
) -> None:
    assert run_mooc("learner", "add", "Zed").returncode == 0
    before = learners_file(mooc_home).read_bytes()
    roster = tmp_path / "roster.csv"
    roster.write_text(content)
    r = run_mooc("learner", "import", str(roster))
    assert r.returncode == 1 and r.stderr.startswith(f"mooc: error: {roster}: {said}")
    assert r.stderr.endswith("; nothing imported\n") and r.stderr.count("\n") == 1
    assert learners_file(mooc_home).read_bytes() == before


def _on_pty(args: list[str], env: dict[str, str], answers: list[tuple[str, str]], timeout: float = 30) -> str:
    """Run on a pseudo-terminal; for each (prompt, answer) wait for prompt, then type answer."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execve(args[0], args, env)
    out = b""
    deadline = time.monotonic() + timeout
    pending = list(answers)
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            if pending and pending[0][0].encode() in out.split(b"\r\n")[-1] + out[-200:]:
                os.write(fd, pending.pop(0)[1].encode() + b"\r")
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    return out.decode("utf-8", "replace")


def test_first_learner_is_asked_for_in_plain_mode(mooc_home: Homes) -> None:
    from packages.layout import Layout
    from player.learners import Learners, login_name

    env = mooc_home.env(TERM="dumb")
    screen = _on_pty(
        [str(MOOC_BIN), "play", "--plain", "mooc-demo"],
        env,
        [(f"Your name [{login_name()}]: ", "Nadia Ali"), ("> ", "q")],
    )
    assert "No learner on this computer yet. Who is learning?" in screen and "Welcome, Nadia Ali!" in screen
    assert [lr.name for lr in Learners(Layout(mooc_home.home, mooc_home.system)).list()] == ["Nadia Ali"]


def test_first_learner_in_a_script_is_the_login_name_and_said(run_mooc: RunMooc) -> None:
    from player.learners import login_name

    r = run_mooc("play", "--plain", "mooc-demo", input="q\n")
    assert r.returncode == 0
    assert f"No learner on this computer yet: studying as {login_name()!r}, your login name" in r.stdout
    assert f"Learner: {login_name()}" in r.stdout


def test_plain_mode_asks_the_pin_and_opens_nothing_without_it(run_mooc: RunMooc, mooc_home: Homes) -> None:
    assert run_mooc("learner", "add", "Amina", "--pin", input="2580\n").returncode == 0
    r = run_mooc("play", "--plain", "mooc-demo", "using-the-player", input="0000\n1111\n2222\n\nq\n")
    assert r.returncode == 1 and "wrong PIN 3 times for Amina" in r.stderr and "Lesson:" not in r.stdout
    assert not (mooc_home.home / "learners" / "amina" / "progress").exists()
    r = run_mooc("play", "--plain", "mooc-demo", "using-the-player", input="2580\n\nq\n")
    assert r.returncode == 0 and "Lesson: Using the player" in r.stdout
    assert (mooc_home.home / "learners" / "amina" / "progress" / "mooc-demo.jsonl").exists()
