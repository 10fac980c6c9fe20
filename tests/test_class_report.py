"""`mooc report`: the class report from this account, other accounts and export files,
through the real command, checked against what each learner's own session says."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Homes, RunMooc
from tests.support.classroom import COURSE_ID, RIGHT, export_bytes, study, write_class_pack

WRONG = (0, False, "mean")  # every answer wrong: "four", false, "mean"


def cell_width(line: str) -> int:
    from rich.cells import cell_len

    return cell_len(line)


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return write_class_pack(tmp_path / "pack")


def install(run_mooc: RunMooc, pack: Path, home: Path | None = None) -> None:
    env = {"MOOC_HOME": str(home)} if home else None
    r = run_mooc("install", str(pack), env=env)
    assert r.returncode == 0, r.stderr


def add(run_mooc: RunMooc, name: str, email: str | None = None, home: Path | None = None) -> None:
    env = {"MOOC_HOME": str(home)} if home else None
    r = run_mooc("learner", "add", name, *(["--email", email] if email else []), env=env)
    assert r.returncode == 0, r.stderr


def report_json(run_mooc: RunMooc, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    r = run_mooc("report", "--json", *args, env=env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def learner_row(data: dict[str, Any], name: str, course: str = COURSE_ID) -> dict[str, Any]:
    (c,) = [c for c in data["courses"] if c["id"] == course]
    (row,) = [r for r in c["learners"] if r["name"] == name]
    return row


def test_report_of_this_account_is_what_each_session_says(run_mooc: RunMooc, mooc_home: Homes, pack: Path) -> None:
    install(run_mooc, pack)
    add(run_mooc, "Amina Diallo", "amina@example.org")
    add(run_mooc, "Bola")
    add(run_mooc, "Chen")
    said = {
        "Amina Diallo": study(mooc_home.home, "amina-diallo", [WRONG, RIGHT], lessons=("one", "two"), seconds=600),
        "Bola": study(mooc_home.home, "bola", [(2, True, "Mean")], seconds=90),
    }
    data = report_json(run_mooc)
    (course,) = [c for c in data["courses"] if c["id"] == COURSE_ID]
    assert (course["learners_started"], course["learners_passed"]) == (2, 1)
    for name, s in said.items():
        row = learner_row(data, name)
        (quiz,) = row["quizzes"]
        assert (quiz["best_score"], quiz["attempts"]) == (pytest.approx(s["best"]), s["attempts"])
        assert row["score"] == pytest.approx(s["score"]) and row["passed"] is s["passed"]
        assert (row["lessons_done"], row["lessons_total"]) == (s["lessons"], 2)
        assert row["active_time_s"] == pytest.approx(s["time"])
        assert row["last_active"] and row["started"] is True
    assert learner_row(data, "Amina Diallo")["certificate"] == "can request"
    assert learner_row(data, "Bola")["certificate"] == "not yet"
    chen = learner_row(data, "Chen")
    assert chen["started"] is False and chen["quizzes"][0]["attempts"] == 0
    (week1,) = [q for q in course["quizzes"] if q["id"] == "week-1"]
    assert week1["learners_attempted"] == 2 and week1["learners_passed"] == 1
    assert week1["best_score_bands"] == {"0-19%": 0, "20-39%": 1, "40-59%": 0, "60-79%": 0, "80-100%": 1}
    q = {x["id"]: x for x in week1["questions"]}
    # first attempts: Amina all wrong; Bola "nine" wrong, true right, "Mean" wrong (1/3)
    assert (q["mean"]["first_attempts"], q["mean"]["right_at_first_attempt"]) == (2, 0)
    assert (q["tf"]["right_at_first_attempt"], q["tf"]["share_right_at_first_attempt"]) == (1, 0.5)
    assert q["word"]["most_common_wrong_answer"] == {"answer": "mean", "count": 2}  # "mean" and "Mean"
    assert q["mean"]["most_common_wrong_answer"]["count"] == 1

    r = run_mooc("report", env={"NO_COLOR": "1"})
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert all(cell_width(line) <= 80 for line in lines), max(lines, key=cell_width)
    assert "\x1b" not in r.stdout
    amina = next(line for line in lines if line.startswith("Amina Diallo"))
    assert "2/2" in amina and "100%" in amina and "yes" in amina and "can request" in amina and "20m" in amina
    assert "  amina@example.org" in lines
    assert any(line.startswith("Chen") and "not started" in line for line in lines)
    assert any("█" in line and "80-100%" in line for line in lines)
    assert any("wrong most often: “mean” (2 times)" in line for line in lines)

    r = run_mooc("report", "--learner", "bola", "--course", COURSE_ID)
    assert "Bola" in r.stdout and "Amina" not in r.stdout


def _export(run_mooc: RunMooc, home: Path, out: Path, *who: str) -> None:
    r = run_mooc("learner", "export", *(who or ("--all",)), "-o", str(out), env={"MOOC_HOME": str(home)})
    assert r.returncode == 0, r.stderr


def test_exports_of_two_pcs_merge_without_double_counting(run_mooc: RunMooc, tmp_path: Path, pack: Path) -> None:
    pc1, pc2, staff, stick = tmp_path / "pc1", tmp_path / "pc2", tmp_path / "staff", tmp_path / "stick"
    for home in (pc1, pc2, staff):
        install(run_mooc, pack, home)
    for home in (pc1, pc2):
        add(run_mooc, "Amina Diallo", "amina@example.org", home)  # same email: one person
        add(run_mooc, "Dev", None, home)  # no email, two account ids, records on both: two people, a note
        add(run_mooc, "Eve", None, home)  # the same, records on PC 1 only: the empty one is shown once
    study(pc1, "amina-diallo", [WRONG], lessons=("one",), seconds=120)
    study(pc2, "amina-diallo", [RIGHT], lessons=("two",), seconds=60)
    study(pc1, "dev", [RIGHT])
    study(pc2, "dev", [WRONG])
    study(pc1, "eve", [RIGHT])
    _export(run_mooc, pc1, stick / "pc1.mooc-learners")
    _export(run_mooc, pc2, stick / "pc2.mooc-learners")
    again = tmp_path / "pc1-again.mooc-learners"
    again.write_bytes((stick / "pc1.mooc-learners").read_bytes())

    r = run_mooc("report", "--json", "--from", str(stick), str(again), env={"MOOC_HOME": str(staff)})
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    amina = learner_row(data, "Amina Diallo")
    assert amina["quizzes"][0]["attempts"] == 2 and amina["quizzes"][0]["best_score"] == 1.0
    assert amina["lessons_done"] == 2 and amina["active_time_s"] == pytest.approx(180)
    assert len(amina["account_ids"]) == 2 and amina["sources"][:2] == ["pc1.mooc-learners", "pc2.mooc-learners"]
    devs = [row for c in data["courses"] for row in c["learners"] if row["name"] == "Dev"]
    assert len(devs) == 2 and all(d["started"] for d in devs)
    assert any("several learners are named 'Dev' (2)" in note for note in data["notes"])
    (eve,) = [row for c in data["courses"] for row in c["learners"] if row["name"] == "Eve"]
    assert eve["started"] and not any("'Eve'" in note for note in data["notes"])
    (course,) = [c for c in data["courses"] if c["id"] == COURSE_ID]
    week1 = next(q for q in course["quizzes"] if q["id"] == "week-1")
    assert week1["learners_attempted"] == 4  # Amina once (two PCs), the two Devs, Eve
    assert week1["questions"][0]["first_attempts"] == 4


def _plant(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


EVIL = '=HYPERLINK("http://evil.example")\u202e\x1b[31mred'


def test_hostile_export_text_is_cleaned_in_table_csv_and_json(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, pack: Path
) -> None:
    install(run_mooc, pack)
    add(run_mooc, "Real")
    study(mooc_home.home, "real", [RIGHT])
    _export(run_mooc, mooc_home.home, tmp_path / "real.mooc-learners")
    good = [json.loads(line) for line in (tmp_path / "real.mooc-learners").read_text().splitlines()[2:-1]]
    attempt = next(e for e in good if e["type"] == "attempt")
    for q in attempt["data"]["questions"]:
        if q["id"] == "word":
            q["response"], q["correct"] = "\x1b]0;pwned\x07+cmd|' /C calc'!A0\u202e", False
    bad_shape = dict(
        good[0], id="3e7a9a8e-2b4c-4d7e-9a61-0d9d3c1b2a44", type="attempt", item_id="week-1", data={"score": "high"}
    )
    planted = _plant(
        tmp_path / "in" / "evil.mooc-learners",
        export_bytes(
            [{"id": "evil", "name": EVIL, "email": None, "account_id": "acct-evil-1"}],
            {"evil": [dict(e, id=e["id"][:-4] + "beef") for e in good] + [bad_shape]},
        ),
    )

    out = tmp_path / "class.csv"
    r = run_mooc("report", "--from", str(planted), "--csv", str(out), env={"NO_COLOR": "1"})
    assert r.returncode == 1  # one event skipped: said, and the rest counts
    (warning,) = [line for line in r.stderr.splitlines() if "warning" in line]
    assert warning.startswith(f"mooc: warning: {planted}: 1 event skipped (line ") and "data.score" in warning
    for text in (r.stdout, r.stderr, out.read_text()):
        assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "=HYPERLINK" in r.stdout  # shown as text, cleaned
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    (row,) = rows
    assert row["name"].startswith("'=HYPERLINK") and row["score_pct"] == "100.0"
    r = run_mooc("report", "--json", "--from", str(planted))
    data = json.loads(r.stdout)
    name = data["courses"][0]["learners"][0]["name"]
    assert name.startswith("=HYPERLINK") and "\u202e" not in name and "\x1b" not in name
    wrong = next(q for q in data["courses"][0]["quizzes"][1]["questions"] if q["id"] == "word")
    assert "\x1b" not in json.dumps(wrong, ensure_ascii=False) and "\u202e" not in r.stdout


def test_damaged_exports_are_one_line_each_and_the_rest_counts(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, pack: Path
) -> None:
    install(run_mooc, pack)
    add(run_mooc, "Real")
    study(mooc_home.home, "real", [RIGHT])
    stick = tmp_path / "stick"
    _export(run_mooc, mooc_home.home, stick / "good.mooc-learners")
    raw = (stick / "good.mooc-learners").read_bytes()
    cut = _plant(stick / "cut.mooc-learners", raw[: len(raw) // 2])
    flipped = _plant(stick / "flipped.mooc-learners", raw.replace(b'"score":1.0', b'"score":0.0', 1))
    nested = _plant(
        stick / "nested.mooc-learners",
        b'{"format": "mooc-learner-export", "version": 1}\n' + b"[" * 100_000 + b"\n{}\n",
    )
    newer = _plant(stick / "newer.mooc-learners", b'{"format": "mooc-learner-export", "version": 9}\n{}\n')
    huge = stick / "huge.mooc-learners"
    with open(huge, "wb") as fh:  # sparse: refused by its size before a byte is read
        fh.write(b'{"format": "mooc-learner-export", "version": 1}\n')
        fh.truncate(300 * 1024 * 1024)
    before = {p.name: p.read_bytes() for p in stick.iterdir() if p != huge}

    r = run_mooc("report", "--json", "--from", str(stick), timeout=60)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    warnings = [line for line in r.stderr.splitlines() if line.startswith("mooc: warning: ")]
    assert len(warnings) == 5, r.stderr
    said = "\n".join(warnings)
    assert f"{cut}: " in said and f"{flipped}: checksum mismatch" in said
    assert f"{nested}: " in said and f"{newer}: learner export version 9 is not supported" in said
    assert f"{huge}: too large" in said
    data = json.loads(r.stdout)
    assert [row["name"] for row in data["courses"][0]["learners"]] == ["Real"]
    assert len(data["problems"]) == 5
    assert {p.name: p.read_bytes() for p in stick.iterdir() if p != huge} == before


def test_export_never_overwrites(run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path) -> None:
    add(run_mooc, "Amina")
    target = tmp_path / "amina.mooc-learners"
    target.write_text("another PC's export\n")
    r = run_mooc("learner", "export", "amina", "-o", str(target))
    assert r.returncode == 1
    assert (
        r.stderr == f"mooc: error: {target}: already exists; mooc never overwrites an export: choose another "
        "name, or move the old file away\n"
    )
    assert target.read_text() == "another PC's export\n"


def _tree(path: Path) -> dict[str, tuple[bytes | None, int, int]]:
    out = {}
    for p in sorted(path.rglob("*")):
        st = p.lstat()
        out[str(p)] = (p.read_bytes() if p.is_file() else None, st.st_mtime_ns, st.st_mode)
    return out


def test_all_accounts_reads_every_account_and_writes_nothing_there(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, pack: Path
) -> None:
    homes = tmp_path / "homes"
    alice = homes / "alice" / ".local" / "share" / "mooc"
    install(run_mooc, pack)
    install(run_mooc, pack, alice)
    add(run_mooc, "Teacher's own")
    add(run_mooc, "Yusuf", "yusuf@example.org", alice)
    study(alice, "yusuf", [RIGHT, WRONG], lessons=("one", "two"))
    (homes / "bob").mkdir()  # an account that never used mooc
    for root, dirs, files in os.walk(homes / "alice"):  # alice's files are hers, not this user's
        for name in dirs + files:
            os.chown(os.path.join(root, name), 12345, 12345, follow_symlinks=False)
    before = _tree(homes)

    data = report_json(run_mooc, "--all-accounts", env={"MOOC_ACCOUNT_HOMES": str(homes)})
    yusuf = learner_row(data, "Yusuf")
    assert yusuf["sources"] == ["account alice"] and yusuf["quizzes"][0]["attempts"] == 2
    assert learner_row(data, "Teacher's own")["started"] is False
    assert _tree(homes) == before
    # without --all-accounts, only this account's learners
    names = {row["name"] for c in report_json(run_mooc)["courses"] for row in c["learners"]}
    assert "Yusuf" not in names


def test_csv_cells_never_start_a_formula() -> None:
    from player.class_render import safe_cell

    assert safe_cell("=1+1") == "'=1+1" and safe_cell("+33 6") == "'+33 6" and safe_cell("-2") == "'-2"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("Amina") == "Amina" and safe_cell(3.5) == 3.5
    assert safe_cell("\x1b[31m=evil") == "'=evil"


def test_columns_measure_ascii_as_rich_does() -> None:
    """The table lays out printable ASCII and its own marks (quotes, bars, rules) without
    rich: the same widths and cuts as rich's, and rich's own for the rest (wide,
    combining, control)."""
    from rich.cells import cell_len, set_cell_size

    from player.class_render import cells, fit

    def rich_fit(text: str, width: int) -> str:
        if cell_len(text) > width:
            text = set_cell_size(text, max(0, width - 1)) + "…"
        return set_cell_size(text, width)

    texts = [
        "",
        "a",
        "Amina Diallo",
        "x" * 40,
        " lead",
        "tab\there",
        "bell\x07",
        "del\x7f",
        "é",
        "李小龙同学",
        "😀",
        "e\u0301",
    ]
    texts += ["wrong most often: “c” (twice)", "█▏▎▍▌▋▊▉ ░░ ──", "…", "“李”", "“\x1b”"]  # the report's own marks
    for text in texts:
        assert cells(text) == cell_len(text), repr(text)
        for width in range(0, 16):
            assert fit(text, width) == rich_fit(text, width), (text, width)


def test_events_of_one_millisecond_keep_the_order_they_were_written() -> None:
    """Timestamps have milliseconds: two attempts (or a start and its submit) can share
    one. The report and an export keep such events in the order the log has them, as the
    learner's own session does, never in the order of their random ids (which made a
    wrong first attempt count as right now and then)."""
    from player.class_data import Person
    from player.events import Event
    from player.learner_export import _BY_TIME as EXPORT_ORDER

    same = "2026-12-04T10:00:00.123Z"
    written = [
        Event(type="lesson_opened", course_id="c", course_version="1.0.0", item_id="q", time=same, id=f"{c}" * 8)
        for c in "fb9a"
    ]
    person = Person(name="A", email=None, courses={"c": {e.id: e for e in written}})
    assert [e.id for e in person.events("c")] == [e.id for e in written]
    assert [e.id for e in sorted(written, key=EXPORT_ORDER)] == [e.id for e in written]
