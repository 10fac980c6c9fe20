"""`mooc import gift|olx` against hostile input: slow HTML, bad numbers and ids, full disks, deep nesting.

Everything runs the real `mooc` command. The full-disk tests use a real 2 MiB tmpfs
(we are root); they skip with the reason if mounting is not permitted.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from packages.portable import tomllib
from packages.source import open_source
from packages.validation import validate
from tests.support.disk import MountFs

# "Did not hang": the 200 kB files below took minutes (quadratic) before.
BOUND_S = 20.0

COURSE = """\
# the author's own comments
format = 1
id = "hostile"
version = "1.0.0"
title = "Hostile imports"

[[modules]]
id = "week-1"
title = "Week 1"

  [[modules.items]]
  id = "existing"
  kind = "quiz"
  file = "quizzes/existing.toml"
"""
EXISTING_QUIZ = 'title = "Existing"\n\n[[questions]]\nid = "q"\ntype = "truefalse"\nprompt = "Kept?"\nanswer = true\n'


def make_pack(root: Path) -> Path:
    pack = root / "pack"
    (pack / "quizzes").mkdir(parents=True)
    (pack / "course.toml").write_text(COURSE, encoding="utf-8")
    (pack / "quizzes" / "existing.toml").write_text(EXISTING_QUIZ, encoding="utf-8")
    return pack


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line_error(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mooc: error: "), result.stderr
    return lines[0]


# ----------------------------------------------------------------------------- slow HTML, linear now


def _hostile_gift(kind: str, size: int = 200_000) -> str:
    unit = {
        "unclosed tags": "<b x ",  # html.parser rescanned the rest of the text for each of these
        "unclosed quotes": '<a title="<i x ',
        "open tags": "<b><i>x ",
        "unclosed comments": "<!-- x ",
        "end tags": "</b x </zz>",
        "nested quotes": "<blockquote><ul><li>q ",
    }[kind]
    body = unit * (size // len(unit))
    return f"::big::[html]{body} question?{{=yes ~no}}\n\n::small::2 + 2?{{#4}}\n"


@pytest.mark.parametrize(
    "kind", ["unclosed tags", "unclosed quotes", "open tags", "unclosed comments", "end tags", "nested quotes"]
)
def test_hostile_html_in_gift_imports_in_bounded_time(run_mooc: Any, tmp_path: Path, kind: str) -> None:
    gift = tmp_path / "hostile.gift"
    gift.write_text(_hostile_gift(kind), encoding="utf-8")
    assert gift.stat().st_size >= 200_000
    pack = make_pack(tmp_path)
    start = time.monotonic()
    result = run_mooc("import", "gift", str(gift), "--into", str(pack), "--module", "week-1", timeout=120)
    elapsed = time.monotonic() - start
    assert result.returncode == 0, result.stderr
    assert elapsed < BOUND_S, f"{kind}: {elapsed:.1f} s"
    assert "2 questions" in result.stdout
    assert validate(open_source(pack)).errors == []


def test_many_equal_names_and_categories_stay_linear(run_mooc: Any, tmp_path: Path) -> None:
    gift = tmp_path / "names.gift"
    blocks = [f"$CATEGORY: top/c{n}\n::same::Q {n}?{{T}}" for n in range(8000)]
    gift.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    start = time.monotonic()
    result = run_mooc("import", "gift", str(gift), "-o", str(tmp_path / "q.toml"), "--json", timeout=120)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - start < BOUND_S
    ids = [q["id"] for q in tomllib.loads((tmp_path / "q.toml").read_text(encoding="utf-8"))["questions"]]
    assert ids[:3] == ["same", "same-2", "same-3"] and len(set(ids)) == 8000
    changed = json.loads(result.stdout)["changed"]
    assert [e["reason"] for e in changed] == [
        "categories top/c0, top/c1, top/c2, top/c3, top/c4 and 7995 more merged into one quiz"
    ]


# ----------------------------------------------------------------------------- numbers pack check refuses


def test_non_finite_gift_numbers_are_reported_and_never_written(run_mooc: Any, tmp_path: Path) -> None:
    gift = tmp_path / "numbers.gift"
    gift.write_text(
        "::inf::Big?{#inf}\n\n::nan::Nothing?{#nan}\n\n::huge::Huge?{#1e400}\n\n"
        "::tol::Tolerance?{#5:1e400}\n\n::edge::Edge?{#1e308..1.7e308}\n\n::ok::2 + 2?{#4}\n",
        encoding="utf-8",
    )
    pack = make_pack(tmp_path)
    result = run_mooc("import", "gift", str(gift), "--into", str(pack), "--module", "week-1", "--id", "numbers")
    assert result.returncode == 0, result.stderr
    for name, text in (("inf", "'inf'"), ("nan", "'nan'"), ("huge", "'1e400'"), ("tol", "'1e400'")):
        assert f"question {name} at numbers.gift:" in result.stdout
        assert f"numerical answer {text} is not a finite number" in result.stdout
    quiz = tomllib.loads((pack / "quizzes" / "numbers.toml").read_text(encoding="utf-8"))
    assert [q["id"] for q in quiz["questions"]] == ["edge", "ok"]
    assert validate(open_source(pack)).errors == []  # what the importer wrote, its pack check accepts


def test_questions_pack_check_would_refuse_are_left_out(run_mooc: Any, tmp_path: Path) -> None:
    gift = tmp_path / "dup.gift"
    gift.write_text("::dup::Match {=a -> 1 =a -> 2}\n\n::ok::2 + 2?{#4}\n", encoding="utf-8")
    result = run_mooc("import", "gift", str(gift), "-o", str(tmp_path / "q.toml"))
    assert result.returncode == 0, result.stderr
    assert "question dup at dup.gift:1: left out: pack check would refuse it (left sides must differ" in result.stdout
    assert [q["id"] for q in tomllib.loads((tmp_path / "q.toml").read_text())["questions"]] == ["ok"]


# ----------------------------------------------------------------------------- ids and paths


@pytest.mark.parametrize("bad_id", ["../..", "../escape", "a/b", "UPPER", ".hidden", "x\ny", "-x", "a" * 65])
def test_item_id_must_be_an_id(run_mooc: Any, tmp_path: Path, bad_id: str) -> None:
    gift = tmp_path / "q.gift"
    gift.write_text("::q::2 + 2?{#4}\n", encoding="utf-8")
    pack = make_pack(tmp_path)
    before = snapshot(tmp_path)
    result = run_mooc("import", "gift", str(gift), "--into", str(pack), "--module", "week-1", f"--id={bad_id}")
    line = one_line_error(result, code=2)
    assert "not a valid item id" in line
    assert snapshot(tmp_path) == before  # nothing written anywhere


def test_quiz_path_cannot_leave_the_pack_through_a_symlink(run_mooc: Any, tmp_path: Path) -> None:
    gift = tmp_path / "q.gift"
    gift.write_text("::q::2 + 2?{#4}\n", encoding="utf-8")
    pack = make_pack(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (pack / "quizzes" / "existing.toml").rename(tmp_path / "existing.toml")
    (pack / "quizzes").rmdir()
    (pack / "quizzes").symlink_to(outside)
    course_before = (pack / "course.toml").read_bytes()
    result = run_mooc("import", "gift", str(gift), "--into", str(pack), "--module", "week-1", "--id", "new")
    assert "leaves the pack folder" in one_line_error(result)
    assert list(outside.iterdir()) == [] and (pack / "course.toml").read_bytes() == course_before


# ----------------------------------------------------------------------------- a full disk


@pytest.fixture
def small_disk(tmpfs: MountFs) -> Path:
    """A real 2 MiB tmpfs, unmounted afterwards."""
    return tmpfs("disk", "2m")


def fill(disk: Path, leave: int) -> None:
    """Fill the disk until about `leave` bytes are free."""
    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    with open(disk / "filler", "wb") as f:
        f.write(b"\0" * max(0, free - leave))


def big_gift(path: Path, questions: int = 600) -> Path:
    path.write_text(
        "\n\n".join(f"::q{n}::{'Long question text. ' * 40} {n}?{{T}}" for n in range(questions)) + "\n",
        encoding="utf-8",
    )
    return path


def test_full_disk_gift_into_keeps_the_pack_intact(run_mooc: Any, tmp_path: Path, small_disk: Path) -> None:
    pack = make_pack(small_disk)
    (pack / "quizzes" / "old.toml").write_text(EXISTING_QUIZ, encoding="utf-8")  # an orphan --force may replace
    gift = big_gift(tmp_path / "big.gift")
    fill(small_disk, leave=64 * 1024)
    before = snapshot(pack)
    for extra in ([], ["--id", "old", "--force"]):
        result = run_mooc("import", "gift", str(gift), "--into", str(pack), "--module", "week-1", *extra)
        line = one_line_error(result)
        assert "No space left on device" in line and "nothing was changed" in line
        assert snapshot(pack) == before  # course.toml and every quiz byte for byte, no staged leftovers
    assert validate(open_source(pack)).errors == []


def test_full_disk_gift_output_and_report(run_mooc: Any, tmp_path: Path, small_disk: Path) -> None:
    out = small_disk / "quiz.toml"
    out.write_text(EXISTING_QUIZ, encoding="utf-8")
    gift = big_gift(tmp_path / "big.gift")
    fill(small_disk, leave=64 * 1024)
    result = run_mooc("import", "gift", str(gift), "-o", str(out), "--force")
    assert "No space left on device" in one_line_error(result)
    assert out.read_text(encoding="utf-8") == EXISTING_QUIZ
    small = tmp_path / "small.gift"
    small.write_text("::q::2 + 2?{#4}\n", encoding="utf-8")
    (small_disk / "filler").unlink()
    fill(small_disk, leave=0)
    result = run_mooc(
        "import", "gift", str(small), "-o", str(tmp_path / "q.toml"), "--report", str(small_disk / "report.json")
    )
    assert "report.json: cannot write (No space left on device)" in one_line_error(result)
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "quiz.toml"]


def _olx_folder(root: Path, media_bytes: int) -> Path:
    course = root / "export"
    for sub in ("chapter", "course", "html", "static"):
        (course / sub).mkdir(parents=True)
    (course / "course.xml").write_text('<course url_name="r" org="o" course="c"/>')
    (course / "course" / "r.xml").write_text('<course display_name="C"><chapter url_name="ch"/></course>')
    (course / "chapter" / "ch.xml").write_text(
        '<chapter display_name="Ch"><sequential display_name="S"><vertical display_name="V">'
        '<html url_name="h"/></vertical></sequential></chapter>'
    )
    (course / "html" / "h.xml").write_text('<html filename="h" display_name="H"/>')
    (course / "html" / "h.html").write_text('<p>Look: <img src="/static/big.bin" alt="big"></p>')
    (course / "static" / "big.bin").write_bytes(b"x" * media_bytes)
    return course


def test_full_disk_olx_leaves_nothing_and_keeps_the_old_pack(run_mooc: Any, tmp_path: Path, small_disk: Path) -> None:
    source = _olx_folder(tmp_path, media_bytes=3 * 1024 * 1024)  # more than the whole disk
    out = small_disk / "course"
    out.mkdir()
    (out / "course.toml").write_text(COURSE, encoding="utf-8")
    result = run_mooc("import", "olx", str(source), "-o", str(out), "--force")
    line = one_line_error(result)
    assert "cannot write the pack (No space left on device); nothing was changed" in line
    assert sorted(p.name for p in small_disk.iterdir()) == ["course"]  # no half-built folder left
    assert snapshot(out) == {"course.toml": COURSE.encode()}


# ----------------------------------------------------------------------------- temporary files of refused archives


def _tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


@pytest.mark.parametrize("case", ["link", "too big", "broken xml"])
def test_refused_olx_archive_leaves_tmpdir_empty(run_mooc: Any, tmp_path: Path, case: str) -> None:
    course = _file("course/course.xml", b'<course url_name="r" org="o" course="c"/>')
    bulk = _file("course/static/bulk.bin", os.urandom(512 * 1024))  # written to TMPDIR before the refusal
    link = tarfile.TarInfo("course/static/link")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    members: list[tuple[tarfile.TarInfo, bytes | None]] = [course, bulk]
    env = {}
    if case == "link":
        members.append((link, None))
    elif case == "too big":
        members.append(_file("course/static/more.bin", os.urandom(512 * 1024)))
        env["MOOC_MAX_PACK_SIZE"] = "768k"
    else:
        members.append(_file("course/course/r.xml", b"<course><chapter"))
    archive = _tar(tmp_path / "hostile.tar.gz", members)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    result = run_mooc("import", "olx", str(archive), "-o", str(tmp_path / "out"), env={"TMPDIR": str(tmpdir), **env})
    one_line_error(result)
    assert list(tmpdir.iterdir()) == []
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------- deep nesting


def test_deep_xml_is_one_line(run_mooc: Any, tmp_path: Path) -> None:
    source = _olx_folder(tmp_path, media_bytes=10)
    (source / "chapter" / "ch.xml").write_text(
        '<chapter display_name="Ch">' + "<x>" * 50_000 + "</x>" * 50_000 + "</chapter>"
    )
    result = run_mooc("import", "olx", str(source), "-o", str(tmp_path / "out"))
    line = one_line_error(result)
    assert "chapter/ch.xml: line 1: XML nested more than 100 elements deep" in line


def test_unit_that_contains_itself_is_reported(run_mooc: Any, tmp_path: Path) -> None:
    source = _olx_folder(tmp_path, media_bytes=10)
    (source / "chapter" / "ch.xml").write_text(
        '<chapter display_name="Ch"><sequential display_name="S"><vertical url_name="loop"/></sequential></chapter>'
    )
    (source / "vertical").mkdir()
    (source / "vertical" / "loop.xml").write_text(
        '<vertical display_name="Loop"><html url_name="h"/><vertical url_name="loop"/></vertical>'
    )
    result = run_mooc("import", "olx", str(source), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "units nested more than 10 deep" in result.stdout


def test_deep_html_and_json_are_handled(run_mooc: Any, tmp_path: Path) -> None:
    gift = tmp_path / "deep.gift"
    gift.write_text("::deep::[html]" + "<div><blockquote>" * 50_000 + "deep?{T}\n", encoding="utf-8")
    result = run_mooc("import", "gift", str(gift), "-o", str(tmp_path / "q.toml"))
    assert result.returncode == 0, result.stderr
    assert "deep?" in (tmp_path / "q.toml").read_text(encoding="utf-8")
    source = _olx_folder(tmp_path, media_bytes=10)
    (source / "policies" / "r").mkdir(parents=True)
    (source / "policies" / "r" / "policy.json").write_text("[" * 100_000 + "]" * 100_000)
    result = run_mooc("import", "olx", str(source), "-o", str(tmp_path / "out"))
    assert "policies/r/policy.json: JSON nested too deeply" in one_line_error(result)


def test_huge_line_gift(run_mooc: Any, tmp_path: Path) -> None:
    gift = tmp_path / "line.gift"
    gift.write_text("::long::" + "word " * 400_000 + "?{=yes ~no}\n", encoding="utf-8")  # one 2 MB line
    start = time.monotonic()
    result = run_mooc("import", "gift", str(gift), "-o", str(tmp_path / "q.toml"), timeout=120)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - start < BOUND_S
