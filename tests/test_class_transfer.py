"""Students who move between PCs with no network: `mooc learner export`/`import`, and
`mooc sync --import` merging the progress of learners the PC knows."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunMooc
from tests.support.classroom import RIGHT, study, write_class_pack
from tests.support.ralph import RalphServer

WRONG = (0, False, "mean")


def mooc(run_mooc: RunMooc, home: Path, *args: str, input: str | None = None, ok: bool = True) -> Any:
    r = run_mooc(*args, input=input, env={"MOOC_HOME": str(home)})
    if ok:
        assert r.returncode == 0, r.stderr
    return r


def progress(run_mooc: RunMooc, home: Path, learner: str, course: str = "class-101") -> dict[str, Any]:
    data = json.loads(mooc(run_mooc, home, "progress", course, "--json", "--learner", learner).stdout)
    return data["courses"][0]


def test_a_student_moves_pc_and_back_with_one_identity(run_mooc: RunMooc, tmp_path: Path) -> None:
    pack = write_class_pack(tmp_path / "pack")
    pc1, pc2 = tmp_path / "pc1", tmp_path / "pc2"
    for home in (pc1, pc2):
        mooc(run_mooc, home, "install", str(pack))
    mooc(run_mooc, pc1, "learner", "add", "Dev Patel", "--pin", input="1357\n")
    mooc(run_mooc, pc2, "learner", "add", "Dev Patel")  # the same student, added on PC 2 by the roster
    study(pc1, "dev-patel", [WRONG], lessons=("one",), seconds=100)
    study(pc2, "dev-patel", [WRONG], lessons=(), seconds=0)  # a first try on PC 2, before moving
    account_pc1 = json.loads(mooc(run_mooc, pc1, "learner", "list", "--json").stdout)[0]["account_id"]

    stick = tmp_path / "stick" / "dev.mooc-learners"
    r = mooc(run_mooc, pc1, "learner", "export", "dev-patel", "-o", str(stick), input="1357\n")
    assert "Wrote Dev Patel" in r.stdout
    r = mooc(run_mooc, pc2, "learner", "import", str(stick))
    assert r.stdout.startswith("merged: Dev Patel (id dev-patel), ")
    assert "account id of the other PC, PIN from the file" in r.stdout
    log = pc2 / "learners" / "dev-patel" / "progress" / "class-101.jsonl"
    size = log.stat().st_size
    r = mooc(run_mooc, pc2, "learner", "import", str(stick), input="1357\n")
    assert r.stdout == "merged: Dev Patel (id dev-patel), 0 new events\n" and log.stat().st_size == size

    listed = json.loads(mooc(run_mooc, pc2, "learner", "list", "--json").stdout)[0]
    assert listed["account_id"] == account_pc1 and listed["pin"] is True  # one identity, one PIN
    r = mooc(run_mooc, pc2, "progress", "class-101", "--json", "--learner", "dev-patel", input="1357\n")
    course = json.loads(r.stdout[r.stdout.index("{") :])["courses"][0]
    week1 = next(q for q in course["quizzes"] if q["id"] == "week-1")
    assert week1["attempts"] == 2 and course["lessons_done"] == 1 and course["time_spent_s"] == pytest.approx(100)

    # back on PC 1 after passing on PC 2: both histories, interleaved by time
    study(pc2, "dev-patel", [RIGHT], lessons=("two",))
    back = tmp_path / "stick" / "dev-back.mooc-learners"
    mooc(run_mooc, pc2, "learner", "export", "dev-patel", "-o", str(back), input="1357\n")
    r = mooc(run_mooc, pc1, "learner", "import", str(back))
    assert r.stdout.startswith("merged: Dev Patel (id dev-patel), ")
    r = mooc(run_mooc, pc1, "progress", "class-101", "--json", "--learner", "dev-patel", input="1357\n")
    course = json.loads(r.stdout[r.stdout.index("{") :])["courses"][0]
    assert course["passed"] is True and course["lessons_done"] == 2
    assert next(q for q in course["quizzes"] if q["id"] == "week-1")["attempts"] == 3
    assert course["position"] == "week-1"  # where Dev last was, on PC 2, though PC 1's events come first in the file


def test_import_of_a_new_learner_keeps_their_identity(run_mooc: RunMooc, tmp_path: Path) -> None:
    pack = write_class_pack(tmp_path / "pack")
    pc1, pc2 = tmp_path / "pc1", tmp_path / "pc2"
    for home in (pc1, pc2):
        mooc(run_mooc, home, "install", str(pack))
    mooc(run_mooc, pc1, "learner", "add", "Amina", "--email", "amina@example.org")
    study(pc1, "amina", [RIGHT])
    out = tmp_path / "amina.mooc-learners"
    mooc(run_mooc, pc1, "learner", "export", "amina", "-o", str(out))
    r = mooc(run_mooc, pc2, "learner", "import", str(out))
    assert r.stdout.startswith("added: Amina (id amina), ")
    one = json.loads(mooc(run_mooc, pc1, "learner", "list", "--json").stdout)[0]
    two = json.loads(mooc(run_mooc, pc2, "learner", "list", "--json").stdout)[0]
    assert {k: one[k] for k in ("id", "name", "email", "account_id")} == {
        k: two[k] for k in ("id", "name", "email", "account_id")
    }
    assert progress(run_mooc, pc2, "amina")["passed"] is True
    # a damaged file imports nothing and says so in one line
    damaged = tmp_path / "damaged.mooc-learners"
    damaged.write_bytes(out.read_bytes().replace(b'"Amina"', b'"Amira"', 1))
    r = mooc(run_mooc, pc2, "learner", "import", str(damaged), ok=False)
    assert r.returncode == 1
    assert r.stderr == f"mooc: error: {damaged}: checksum mismatch: the file was changed or damaged; export it again\n"


@pytest.mark.lrs
def test_sync_import_merges_the_progress_of_learners_it_knows(
    run_mooc: RunMooc, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    course = f"class-{uuid.uuid4().hex[:8]}"
    pack = write_class_pack(tmp_path / "pack", ralph_lrs.endpoint, course)
    lab, office = tmp_path / "lab", tmp_path / "office"
    email = f"amina-{course}@example.org"
    for home in (lab, office):
        mooc(run_mooc, home, "install", str(pack))
        mooc(run_mooc, home, "learner", "add", "Amina", "--email", email)
    mooc(run_mooc, lab, "learner", "add", "Stranger")  # not known at the office: uploaded, not merged
    study(lab, "amina", [RIGHT], course_id=course)
    study(lab, "stranger", [WRONG], course_id=course)
    for who in ("amina", "stranger"):
        mooc(run_mooc, lab, "consent", "allow", ralph_lrs.endpoint, "--learner", who)
    export = tmp_path / "lab.json"
    mooc(run_mooc, lab, "sync", "--export", str(export))
    ralph_lrs.login(mooc, run_mooc, office)
    r = mooc(run_mooc, office, "sync", "--import", str(export))
    assert f"merged into amina's progress: {course}: " in r.stdout and "stranger" not in r.stdout
    assert progress(run_mooc, office, "amina", course)["passed"] is True
    assert not (office / "learners" / "stranger").exists()
    r = mooc(run_mooc, office, "sync", "--import", str(export))
    assert "merged into amina's progress: " + f"{course}: 0 new" in r.stdout
    # the office's own sync sends nothing twice: those statements were uploaded by the import
    r = mooc(run_mooc, office, "sync", "--json")
    assert all(e["stored"] == 0 and e["pending"] == 0 for e in json.loads(r.stdout)["endpoints"])
