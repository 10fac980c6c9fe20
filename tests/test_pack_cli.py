"""`mooc pack init|check|build` through the real installed `mooc` command."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

from tests.test_pack_loading import write_pack


def test_init_check_build_round_trip(run_mooc, tmp_path: Path) -> None:
    r = run_mooc("pack", "init", "stats-101", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    src = tmp_path / "stats-101"
    assert {p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file()} == {
        "course.toml",
        "lessons/welcome.md",
        "lessons/next-steps.md",
        "quizzes/week-1.toml",
        "media/heights.csv",
    }

    r = run_mooc("pack", "check", "stats-101", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == "stats-101: stats-101 0.1.0 (2 modules, 3 items, 7 questions): 0 errors, 0 warnings\n"

    r = run_mooc("pack", "check", "stats-101", "--json", cwd=tmp_path)
    data = json.loads(r.stdout)
    assert data["ok"] is True and data["errors"] == [] and data["course"]["questions"] == 7
    quiz_types = {
        line.split('"')[1]
        for line in (src / "quizzes/week-1.toml").read_text().splitlines()
        if line.startswith("type = ")
    }
    assert quiz_types == {"single", "multiple", "truefalse", "numeric", "text", "order", "match"}

    r = run_mooc("pack", "build", "stats-101", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "stats-101-0.1.0.mooc"  # the id comes from the folder name
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert r.stdout.splitlines() == [f"built {out}", f"  size    {out.stat().st_size} bytes", f"  sha256  {digest}"]

    r = run_mooc("pack", "check", str(out))
    assert r.returncode == 0 and r.stdout.endswith("0 errors, 0 warnings\n"), r.stdout + r.stderr

    r = run_mooc("pack", "build", "stats-101", "-o", "dist/", "--json", cwd=tmp_path)
    data = json.loads(r.stdout)
    assert data["path"] == str(Path("dist") / "stats-101-0.1.0.mooc") and data["sha256"] == digest
    assert data["size"] == out.stat().st_size

    # init refuses a non-empty folder and changes nothing in it
    before = (src / "course.toml").read_bytes()
    r = run_mooc("pack", "init", "stats-101", cwd=tmp_path)
    assert r.returncode == 1 and r.stderr.startswith("mooc: error: stats-101: already exists and is not empty")
    assert (src / "course.toml").read_bytes() == before


def test_build_is_reproducible(run_mooc, tmp_path: Path) -> None:
    assert run_mooc("pack", "init", "a", cwd=tmp_path).returncode == 0
    (tmp_path / "a" / "media" / "noise.bin").write_bytes(bytes(range(256)) * 2000)  # stored or deflated alike
    lesson = tmp_path / "a" / "lessons" / "welcome.md"
    lesson.write_text(lesson.read_text() + "\n[noise](../media/noise.bin)\n")
    assert run_mooc("pack", "build", "a", "-o", "one.mooc", cwd=tmp_path).returncode == 0
    assert run_mooc("pack", "build", "a", "-o", "two.mooc", cwd=tmp_path).returncode == 0
    # a copy elsewhere, with other timestamps and permissions, and some editor litter
    other = tmp_path / "elsewhere" / "deeper" / "copy"
    shutil.copytree(tmp_path / "a", other)
    for p in other.rglob("*"):
        if p.is_file():
            p.chmod(0o600)
            os.utime(p, (1_700_000_000, 1_700_000_000))
    (other / ".DS_Store").write_bytes(b"junk")
    (other / "old-build.mooc").write_bytes(b"junk")
    r = run_mooc("pack", "build", str(other), "-o", str(tmp_path / "three.mooc"))
    assert r.returncode == 0, r.stderr
    one, two, three = ((tmp_path / n).read_bytes() for n in ("one.mooc", "two.mooc", "three.mooc"))
    assert one == two == three
    with zipfile.ZipFile(tmp_path / "one.mooc") as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos][:-1] == sorted(i.filename for i in infos[:-1])
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_check_lists_every_problem_then_summary(run_mooc, tmp_path: Path) -> None:
    write_pack(
        tmp_path / "p",
        {
            "course.toml": 'format = 1\nid = "c"\nversion = "1.0.0"\ntitle = "C"\nextra = 1\n'
            '[[modules]]\nid = "m"\ntitle = "M"\n'
            'items = [{ id = "q", kind = "quiz", file = "quizzes/q.toml" }]\n',
            "quizzes/q.toml": '[[questions]]\nid = "a"\ntype = "single"\nprompt = "p"\n'
            'choices = [{ text = "x" }, { text = "y" }]\n',
        },
    )
    r = run_mooc("pack", "check", "p", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "error: quizzes/q.toml:5:1: questions[0].choices: no choice has correct = true",
        "warning: course.toml:5:1: extra: unknown key (ignored; a typo?)",
        "p: 1 error, 1 warning",
    ]
    r = run_mooc("pack", "build", "p", cwd=tmp_path)
    assert r.returncode == 1 and not list(tmp_path.glob("*.mooc")) and not list(tmp_path.glob(".*tmp"))
    assert r.stderr == (
        "mooc: error: p: 1 error: quizzes/q.toml:5:1: questions[0].choices: no choice has correct = true\n"
    )


def test_check_newer_format_and_not_a_pack(run_mooc, tmp_path: Path) -> None:
    write_pack(tmp_path / "new", {"course.toml": 'format = 2\nid = "c"\n'})
    r = run_mooc("pack", "check", "new", cwd=tmp_path)
    assert r.returncode == 1
    assert "error: course.toml:1:1: format: format 2 needs a newer mooc (this mooc reads format 1)" in r.stdout
    write_pack(tmp_path / "cargo", {"course.toml": '[package]\nname = "x"\n'})
    r = run_mooc("pack", "check", "cargo", cwd=tmp_path)
    assert r.returncode == 1 and "course.toml: not a course pack manifest" in r.stdout


def test_check_neutralises_escape_sequences_and_markup(run_mooc, tmp_path: Path) -> None:
    evil = "\\u001b]0;pwned\\u0007\\u001b[2J[bold]Evil[/bold]"
    write_pack(
        tmp_path / "p",
        {
            "course.toml": f'format = 1\nid = "c"\nversion = "1.0.0"\ntitle = "t"\nkind = "{evil}"\n'
            '[[modules]]\nid = "m"\ntitle = "M"\nrequires = ["\\u001b[31mq"]\n'
            'items = [{ id = "l", kind = "lesson", file = "l.md" }]\n',
            "l.md": "# L\n",
        },
    )
    r = run_mooc("pack", "check", "p", "--json", cwd=tmp_path)
    assert "\x1b" not in r.stdout and "\\u001b" not in r.stdout and "pwned" not in r.stdout
    r = run_mooc("pack", "check", "p", cwd=tmp_path)
    assert r.returncode == 1
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout and "pwned" not in r.stdout
    assert 'kind: must be "xmooc" or "cmooc", not \'[bold]Evil[/bold]\'' in r.stdout  # markup shown literally
    assert "modules[0].requires[0]: 'q' names no quiz" in r.stdout


def test_hostile_archive_via_cli_and_limit_override(run_mooc, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.mooc"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "course.toml",
            'format = 1\nid = "c"\nversion = "1.0.0"\ntitle = "C"\n'
            '[[modules]]\nid = "m"\ntitle = "M"\nitems = [{ id = "l", kind = "lesson", file = "l.md" }]\n',
        )
        zf.writestr("l.md", "# Zeros\n\n[z](z.bin)\n")
        zf.writestr("z.bin", b"\0" * (8 << 20))
    r = run_mooc("pack", "check", str(bomb))
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith(f"mooc: error: {bomb}: 'z.bin': compression ratio") and r.stderr.count("\n") == 1
    r = run_mooc("pack", "check", str(bomb), "--max-ratio", "100000")
    assert r.returncode == 0, r.stdout + r.stderr
    r = run_mooc("pack", "check", str(bomb), "--max-ratio", "100000", "--max-size", "1M")
    assert r.returncode == 1 and "unpacked size exceeds the limit of 1048576 bytes" in r.stderr
    r = run_mooc("pack", "check", str(bomb), env={"MOOC_MAX_PACK_RATIO": "100000"})
    assert r.returncode == 0, r.stderr
    evil = tmp_path / "evil.mooc"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../\x1b[31mescape.txt", b"x")
    r = run_mooc("pack", "check", str(evil))
    assert r.returncode == 1 and "path leaves the pack" in r.stderr and "\x1b" not in r.stderr


def test_help_texts_teach(run_mooc) -> None:
    r = run_mooc("pack", "--help")
    assert r.returncode == 0 and "mooc pack init my-course" in r.stdout and "mooc pack build my-course" in r.stdout
    r = run_mooc("pack", "check", "--help")
    assert "FILE[:LINE[:COL]]: KEY: MESSAGE" in r.stdout and "--max-ratio" in r.stdout and "--json" in r.stdout
    r = run_mooc("pack", "build", "--help")
    assert "byte-identical" in r.stdout and "-o" in r.stdout
