"""The lab policy (approved hosts and roster for every learner of a PC) and what plain
mode tells a learner about their records, through the real `mooc` command."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from tests.conftest import Homes, RunMooc
from tests.support.classroom import write_class_pack
from tests.support.ralph import RalphServer

OFFLINE_LRS = "http://127.0.0.1:9/xAPI/"  # nothing listens: plain mode never uploads anyway
PASS = "2\ntrue\nmedian\n"  # the week-1 quiz, all right (choices are not shuffled)


def install(
    run_mooc: RunMooc, tmp_path: Path, endpoint: str, course: str = "class-101", env: dict[str, str] | None = None
) -> None:
    pack = write_class_pack(tmp_path / f"pack-{course}", endpoint, course)
    r = run_mooc("install", str(pack), env=env)
    assert r.returncode == 0, r.stderr


def test_plain_mode_asks_consent_and_says_what_waits(run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path) -> None:
    from tests.conftest import MOOC_BIN
    from tests.test_class_learners import _on_pty

    install(run_mooc, tmp_path, OFFLINE_LRS)
    assert run_mooc("learner", "add", "Amina").returncode == 0
    # a script feeding stdin is not asked (it cannot consent for a person): told what to run
    r = run_mooc("play", "--plain", "class-101", "one", input="\nq\n")
    assert r.returncode == 0, r.stderr
    assert (
        "This course sends learning records to 127.0.0.1:9; nothing is sent until the learner allows it: "
        "`mooc consent allow 127.0.0.1:9`." in r.stdout
    )
    assert "records of yours wait for your approval of 127.0.0.1:9: `mooc consent allow 127.0.0.1:9`" in r.stdout
    consent = mooc_home.home / "learners" / "amina" / "sync-consent.toml"
    assert not consent.exists()
    # a person at a terminal is asked, as the TUI asks: no, then yes
    argv = [str(MOOC_BIN), "play", "--plain", "class-101", "one"]
    screen = _on_pty(argv, mooc_home.env(), [("Type y or n: ", "n"), ("> ", "q")])
    assert (
        "This course sends Amina's learning records (lessons done, quiz answers and scores) to 127.0.0.1:9." in screen
        and "Nothing is sent to 127.0.0.1:9. You are asked again next time." in screen
    )
    assert not consent.exists()
    argv = [str(MOOC_BIN), "play", "--plain", "class-101", "week-1"]
    answers = [
        ("Type y or n: ", "y"),
        ("from 1 to 3: ", "2"),
        ("True or false: ", "true"),
        ("Your answer: ", "median"),
        ("> ", "q"),
    ]
    screen = _on_pty(argv, mooc_home.env(), answers)
    assert "Your records will be sent to 127.0.0.1:9." in screen
    assert "Congratulations: you passed the course" in screen
    assert "Certificate: you passed and can request it. The request goes to 127.0.0.1:9" in screen
    waiting = [line for line in screen.splitlines() if "wait to be sent to 127.0.0.1:9" in line]
    assert len(waiting) == 1 and int(waiting[0].split()[0]) >= 8
    approved = json.loads(run_mooc("consent", "list", "--json").stdout)
    assert [a["host"] for a in approved["approved"]] == ["127.0.0.1:9"]
    # approved: not asked again; the certificate is offered until requested
    r = run_mooc("play", "--plain", "class-101", input="q\n")
    assert "Allow sending" not in r.stdout and "Type certificate to request it." in r.stdout
    assert run_mooc("certificate", "request", "class-101").returncode == 0
    r = run_mooc("play", "--plain", "class-101", input="q\n")
    assert "can request it" not in r.stdout


def test_school_approval_is_told_and_never_asked(run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path) -> None:
    install(run_mooc, tmp_path, OFFLINE_LRS)
    r = run_mooc("lab", "approve", OFFLINE_LRS, "--school", "Lycée Victor Hugo")
    assert r.returncode == 0, r.stderr
    policy = mooc_home.system / "policy.toml"
    assert oct(policy.stat().st_mode & 0o777) == "0o644"
    assert run_mooc("learner", "add", "Amina").returncode == 0
    r = run_mooc("play", "--plain", "class-101", "one", input="\nq\n")
    assert (
        "Your learning records go to 127.0.0.1:9, approved by Lycée Victor Hugo for every learner of this "
        "computer." in r.stdout
    )
    assert "Allow sending" not in r.stdout and "wait to be sent to 127.0.0.1:9" in r.stdout
    r = run_mooc("consent", "list")
    assert f"approved by Lycée Victor Hugo for every learner of this computer: 127.0.0.1:9 ({policy})" in r.stdout
    # a policy anyone may change speaks for no one: ignored, with one warning
    os.chmod(policy, 0o666)
    r = run_mooc("play", "--plain", "class-101", "one", input="\nq\n")
    assert f"mooc: warning: {policy}: writable by other users; the lab policy is ignored" in r.stderr
    assert "nothing is sent until the learner allows it" in r.stdout and "approved by" not in r.stdout


@pytest.mark.lrs
def test_school_approved_records_reach_the_lrs_without_asking_each_learner(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    from tests.support.classroom import RIGHT, study

    course = f"class-{uuid.uuid4().hex[:8]}"
    install(run_mooc, tmp_path, ralph_lrs.endpoint, course)
    assert run_mooc("learner", "add", "Amina").returncode == 0
    assert ralph_lrs.login(run_mooc).returncode == 0
    study(mooc_home.home, "amina", [RIGHT], course_id=course)
    r = run_mooc("sync", "--json")
    before = json.loads(r.stdout)["endpoints"][0]
    assert before["stored"] == 0 and before["waiting_consent"]  # nobody approved: nothing sent
    assert run_mooc("lab", "approve", ralph_lrs.endpoint).returncode == 0
    r = run_mooc("sync", "--json")
    after = json.loads(r.stdout)["endpoints"][0]
    assert after["stored"] > 0 and after["pending"] == 0 and not after["waiting_consent"], r.stdout


def test_the_lab_roster_is_the_same_learners_on_every_pc(run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text("name,email,pin\nAmina Diallo,amina@example.org,2580\nDev Patel,,\n")
    r = run_mooc("lab", "roster", str(roster))
    assert r.returncode == 0 and "2 added, 0 updated, 0 unchanged in the lab roster" in r.stdout
    assert run_mooc("lab", "roster", str(roster)).stdout.startswith("0 added, 0 updated, 2 unchanged")
    seen = []
    for pc in ("pc1", "pc2"):
        env = {"MOOC_HOME": str(tmp_path / pc)}
        listed = json.loads(run_mooc("learner", "list", "--json", env=env).stdout)
        seen.append({lr["name"]: (lr["id"], lr["account_id"], lr["school_roster"], lr["pin"]) for lr in listed})
    assert seen[0] == seen[1] and seen[0]["Dev Patel"][2] is True and seen[0]["Amina Diallo"][3] is True
    env = {"MOOC_HOME": str(tmp_path / "pc1")}
    r = run_mooc("learner", "edit", "dev-patel", "--name", "Dev", env=env)
    assert r.returncode == 1 and r.stderr == (
        f"mooc: error: Dev Patel is on the school's roster "
        f"({mooc_home.system / 'policy.toml'}): the administrator changes "
        "it with `mooc lab roster`\n"
    )
    # a roster learner studies like any other, PIN included; their progress is this account's
    r = run_mooc(
        "play", "--plain", "mooc-demo", "using-the-player", "--learner", "amina-diallo", input="2580\n\nq\n", env=env
    )
    assert r.returncode == 0 and "Lesson: Using the player" in r.stdout
    assert (tmp_path / "pc1" / "learners" / "amina-diallo" / "progress" / "mooc-demo.jsonl").exists()
