"""A whole lab, simulated with real parts: two PCs (a data folder each) sharing one system
store, a roster imported on both, students answering in real `mooc play --plain` fed on
stdin (some with PINs, one typing a wrong PIN three times), one student moving PC with
`mooc learner export`/`import`, the exports of both PCs carried to a third folder, and
the teacher's `mooc report --from` that folder compared field by field with what each
student did; then the same class through the real Ralph LRS with `mooc report --lrs`."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunMooc
from tests.support.classroom import write_class_pack
from tests.support.ralph import RalphServer

pytestmark = pytest.mark.lrs

RIGHT = "2\ntrue\nmedian\n"  # week-1: five, true, median (choices are not shuffled)
ALL_WRONG = "1\nfalse\nmean\n"
TWO_OF_THREE = "2\nfalse\nmedian\n"
ONE_OF_THREE = "1\ntrue\nmean\n"
ROSTER = (
    "name,email,pin\n"
    "Amina Diallo,amina-{tag}@example.org,2580\n"
    "Bola Ade,bola-{tag}@example.org,\n"
    "Chen Wei,,1470\n"
    "Dev Patel,,\n"
)


class Lab:
    def __init__(self, run_mooc: RunMooc, root: Path, course: str) -> None:
        self.run_mooc, self.root, self.course = run_mooc, root, course

    def mooc(self, pc: str, *args: str, input: str | None = None, code: int = 0) -> Any:
        r = self.run_mooc(*args, input=input, env={"MOOC_HOME": str(self.root / pc)})
        assert r.returncode == code, (args, r.stdout[-2000:], r.stderr)
        assert "Traceback" not in r.stderr
        return r

    def play(self, pc: str, learner: str, item: str, answers: str, code: int = 0) -> Any:
        return self.mooc(pc, "play", "--plain", self.course, item, "--learner", learner, input=answers, code=code)

    def progress(self, pc: str, learner: str, pin: str = "") -> dict[str, Any] | None:
        r = self.mooc(pc, "progress", self.course, "--json", "--learner", learner, input=pin + "\n")
        return json.loads(r.stdout[r.stdout.index("{") :])["courses"][0]


def test_a_lab_day_reported_from_exports_and_from_the_lrs(
    run_mooc: RunMooc, mooc_home: Any, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    tag = uuid.uuid4().hex[:8]
    course = f"class-{tag}"
    lab = Lab(run_mooc, tmp_path, course)
    pack = write_class_pack(tmp_path / "pack", ralph_lrs.endpoint, course)
    roster = tmp_path / "class-4b.csv"
    roster.write_text(ROSTER.format(tag=tag))

    # the administrator: the course and the school's approval in the shared system store
    lab.mooc("pc1", "install", "--system", str(pack))
    lab.mooc("pc1", "lab", "approve", ralph_lrs.endpoint, "--school", "Collège Jean Moulin")
    for pc in ("pc1", "pc2"):
        r = lab.mooc(pc, "learner", "import", str(roster))
        assert r.stdout.endswith("4 added, 0 updated, 0 unchanged.\n")
        assert lab.mooc(pc, "learner", "import", str(roster)).stdout == "0 added, 0 updated, 4 unchanged.\n"

    # PC 1: Amina (PIN) passes, then reads lesson one; Chen forgets his PIN, then fails
    r = lab.play("pc1", "amina-diallo", "week-1", "2580\n" + RIGHT + "q\n")
    assert "approved by Collège Jean Moulin for every learner of this computer" in r.stdout
    assert "Congratulations: you passed the course" in r.stdout
    assert "Certificate: you passed and can request it." in r.stdout and "Type certificate to request it." in r.stdout
    lab.play("pc1", "amina-diallo", "one", "2580\n\ntrue\nq\n")  # Enter: lesson done; the warm-up: right
    chen_log = tmp_path / "pc1" / "learners" / "chen-wei" / "progress" / f"{course}.jsonl"
    r = lab.play("pc1", "chen-wei", "week-1", "1111\n7410\n0147\n" + RIGHT, code=1)
    assert (
        r.stderr == "mooc: error: wrong PIN 3 times for Chen Wei; nothing was opened (a teacher can set a "
        "new PIN by importing the class roster again)\n"
    )
    assert "Question 1" not in r.stdout and not chen_log.exists()
    lab.play("pc1", "chen-wei", "week-1", "1470\n" + ONE_OF_THREE + "q\n")

    # PC 2: Bola fails then passes; Dev reads lesson one and fails; Amina reads lesson two
    lab.play("pc2", "bola-ade", "week-1", ALL_WRONG + "q\n")
    r = lab.play("pc2", "bola-ade", "week-1", "y\n" + TWO_OF_THREE + "q\n")
    assert "Passed: 66.67%" in r.stdout
    lab.play("pc2", "dev-patel", "one", "\nfalse\nq\n")  # lesson done; the warm-up: wrong
    lab.play("pc2", "dev-patel", "week-1", ALL_WRONG + "q\n")
    lab.play("pc2", "amina-diallo", "two", "2580\n\n")  # Enter: lesson two done; the quiz opens, input ends

    # Dev moves to PC 1 with no network: his identity and history on a stick
    stick = tmp_path / "stick" / "dev.mooc-learners"
    lab.mooc("pc2", "learner", "export", "dev-patel", "-o", str(stick))
    r = lab.mooc("pc1", "learner", "import", str(stick))
    assert r.stdout.startswith("merged: Dev Patel (id dev-patel), ") and "account id of the other PC" in r.stdout
    r = lab.play("pc1", "dev-patel", "week-1", "y\n" + RIGHT + "q\n")
    assert "Attempts left: 1." in r.stdout  # his two PCs' attempts count together (3 allowed)

    # what each student did, as the PCs themselves say it
    did = {
        "Amina Diallo": {
            "lessons_done": 2,
            "attempts": 1,
            "best": 1.0,
            "passed": True,
            "certificate": "can request",
            "pcs": [("pc1", "2580"), ("pc2", "2580")],
        },
        "Bola Ade": {
            "lessons_done": 0,
            "attempts": 2,
            "best": 2 / 3,
            "passed": True,
            "certificate": "can request",
            "pcs": [("pc2", "")],
        },
        "Chen Wei": {
            "lessons_done": 0,
            "attempts": 1,
            "best": 1 / 3,
            "passed": False,
            "certificate": "not yet",
            "pcs": [("pc1", "1470")],
        },
        "Dev Patel": {
            "lessons_done": 1,
            "attempts": 2,
            "best": 1.0,
            "passed": True,
            "certificate": "can request",
            "pcs": [("pc1", "")],
        },  # PC 1 holds both his PCs' history now
    }
    for name, d in did.items():
        seen = [lab.progress(pc, name.split()[0].lower() + "-" + name.split()[1].lower(), pin) for pc, pin in d["pcs"]]
        d["time"] = sum(p["time_spent_s"] for p in seen)
        d["last"] = max(p["last_studied"] for p in seen)
    pc1_amina = lab.progress("pc1", "amina-diallo", "2580")
    assert pc1_amina["lessons_done"] == 1  # PC 1 alone does not know lesson two: the report must

    # the exports of both PCs carried to the staff room
    staff = tmp_path / "staff-stick"
    for pc in ("pc1", "pc2"):
        lab.mooc(pc, "learner", "export", "--all", "-o", str(staff / f"{pc}.mooc-learners"))
    lab.mooc("staff", "learner", "import", str(roster))  # the teacher's roster: names for the LRS
    from_files = json.loads(lab.mooc("staff", "report", "--json", "--from", str(staff)).stdout)
    (report,) = from_files["courses"]
    rows = {r["name"]: r for r in report["learners"]}
    assert sorted(rows) == sorted(did) and len(report["learners"]) == 4  # Amina and Dev once each
    for name, d in did.items():
        row = rows[name]
        (quiz,) = row["quizzes"]
        assert (row["lessons_done"], row["lessons_total"]) == (d["lessons_done"], 2), name
        assert (quiz["attempts"], quiz["passed"]) == (d["attempts"], d["passed"]), name
        assert quiz["best_score"] == pytest.approx(d["best"], abs=1e-6), name
        assert row["score"] == pytest.approx(d["best"], abs=1e-6) and row["passed"] is d["passed"], name
        assert row["certificate"] == d["certificate"], name
        assert row["active_time_s"] == pytest.approx(d["time"], abs=0.01), name
        assert row["last_active"] == d["last"], name
    assert rows["Amina Diallo"]["sources"] == ["pc1.mooc-learners", "pc2.mooc-learners"]
    week1 = next(q for q in report["quizzes"] if q["id"] == "week-1")
    assert (week1["learners_attempted"], week1["learners_passed"]) == (4, 3)
    assert week1["best_score_bands"] == {"0-19%": 0, "20-39%": 1, "40-59%": 0, "60-79%": 1, "80-100%": 2}
    q = {x["id"]: x for x in week1["questions"]}
    # first attempts: Amina right; Chen 1/3 (tf); Bola all wrong; Dev all wrong
    assert (q["mean"]["right_at_first_attempt"], q["mean"]["first_attempts"]) == (1, 4)
    assert q["tf"]["right_at_first_attempt"] == 2
    assert q["word"]["most_common_wrong_answer"] == {"answer": "mean", "count": 3}
    assert q["mean"]["most_common_wrong_answer"] == {"answer": "four", "count": 3}
    warm = next(q for q in report["quizzes"] if q["id"] == "warm-up")
    assert warm["graded"] is False and warm["questions"][0]["share_right_at_first_attempt"] == 0.5

    table = lab.run_mooc(
        "report",
        "--from",
        str(staff),
        "--csv",
        str(tmp_path / "class.csv"),
        env={"MOOC_HOME": str(tmp_path / "staff"), "NO_COLOR": "1"},
    )
    assert table.returncode == 0
    assert all(len(line) <= 80 for line in table.stdout.splitlines() if not line.startswith("Wrote "))
    (tmp_path / "report.txt").write_text(table.stdout)  # kept with the test's files, for the closing note

    # the same class from the LRS: every PC syncs (the school approved the host for all)
    for pc in ("pc1", "pc2"):
        ralph_lrs.login(lab.mooc, pc)
        r = lab.mooc(pc, "sync", "--json")
        assert all(e["pending"] == 0 and not e["waiting_consent"] for e in json.loads(r.stdout)["endpoints"])
    ralph_lrs.login(lab.mooc, "staff")
    from_lrs = json.loads(lab.mooc("staff", "report", "--json", "--lrs", "--course", course).stdout)
    (lrs_report,) = from_lrs["courses"]
    # the LRS knows students by email, else by account id: the staff roster names those with an email;
    # Chen and Dev (no email) are named by their account ids, each ONE agent (Dev carried his)
    by_account = {a: r["name"] for r in report["learners"] for a in r["account_ids"]}
    lrs_rows = {}
    for row in lrs_report["learners"]:
        if row["started"]:
            name = row["name"] if not row["name"].startswith("account ") else by_account[row["account_ids"][0]]
            assert name not in lrs_rows
            lrs_rows[name] = row
    assert sorted(lrs_rows) == sorted(did)
    for name, row in lrs_rows.items():
        mine = rows[name]
        for key in (
            "lessons_done",
            "lessons_total",
            "quizzes",
            "score",
            "passed",
            "completed",
            "certificate",
            "active_time_s",
            "last_active",
        ):
            assert row[key] == mine[key], (name, key)
    assert [q for q in lrs_report["quizzes"]] == report["quizzes"]
