"""`mooc install FOLDER` on a folder of .mooc files (a USB stick in a lab with no network)."""

from __future__ import annotations

import json
from pathlib import Path


def _built_pack(run_mooc, tmp_path: Path, name: str) -> Path:
    assert run_mooc("pack", "init", name, cwd=tmp_path).returncode == 0
    r = run_mooc("pack", "build", name, "-o", "usb/", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    return tmp_path / json.loads(r.stdout)["path"]


def test_every_pack_of_a_folder_is_installed_and_a_bad_one_is_named(run_mooc, tmp_path: Path) -> None:
    _built_pack(run_mooc, tmp_path, "algebra")
    _built_pack(run_mooc, tmp_path, "biology")
    (tmp_path / "usb" / "broken-1.0.0.mooc").write_bytes(b"this is not a zip archive")

    r = run_mooc("install", str(tmp_path / "usb"))
    assert r.returncode == 1
    assert "broken-1.0.0.mooc" in r.stderr and "Traceback" not in r.stderr
    assert "2 of 3 packs" in r.stdout
    listed = {c["id"] for c in json.loads(run_mooc("list", "--json").stdout)}
    assert {"algebra", "biology"} <= listed

    r = run_mooc("install", str(tmp_path / "usb"), "--json")
    results = json.loads(r.stdout)
    assert [Path(x["file"]).name for x in results] == ["algebra-0.1.0.mooc", "biology-0.1.0.mooc", "broken-1.0.0.mooc"]
    assert "error" in results[2] and results[0].get("status") == "already-installed"


def _installed_file(run_mooc, course_id: str, rel: str) -> str:
    info = json.loads(run_mooc("info", course_id, "--json").stdout)
    return (Path(info["path"]) / rel).read_text(encoding="utf-8")


def test_an_edited_pack_folder_of_the_same_version_is_reinstalled_and_said_so(run_mooc, tmp_path: Path) -> None:
    """An author edits a lesson and installs the folder again without bumping the version
    (issue 14): the edit is installed, with a line saying the version did not change;
    the same folder again changes nothing; progress is kept throughout."""
    assert run_mooc("pack", "init", "draft", cwd=tmp_path).returncode == 0
    folder = tmp_path / "draft"
    first = run_mooc("install", str(folder))
    assert first.returncode == 0 and "installed draft 0.1.0" in first.stdout, first.stderr
    done = run_mooc("play", "--plain", "draft", input="\nq\n")
    assert done.returncode == 0, done.stderr
    before = json.loads(run_mooc("progress", "draft", "--json").stdout)

    again = run_mooc("install", str(folder))
    assert again.returncode == 0 and "already installed" in again.stdout and again.stderr == ""

    lesson = next((folder / "lessons").glob("*.md"))
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nA sentence the author added.\n", encoding="utf-8")
    edited = run_mooc("install", str(folder))
    assert edited.returncode == 0, edited.stderr
    assert "reinstalled draft 0.1.0" in edited.stdout
    assert "the content changed but the version is still 0.1.0: reinstalled" in edited.stderr
    assert "A sentence the author added." in _installed_file(run_mooc, "draft", f"lessons/{lesson.name}")
    assert json.loads(run_mooc("progress", "draft", "--json").stdout) == before

    built = run_mooc("pack", "build", str(folder), "-o", str(tmp_path / "out") + "/", "--json")
    assert built.returncode == 0, built.stderr
    from_file = run_mooc("install", json.loads(built.stdout)["path"])
    assert from_file.returncode == 0 and "already installed" in from_file.stdout, from_file.stdout


def test_an_edited_pack_file_of_the_same_version_is_reinstalled(run_mooc, tmp_path: Path) -> None:
    pack = _built_pack(run_mooc, tmp_path, "algebra")
    assert run_mooc("install", str(pack)).returncode == 0
    lesson = next((tmp_path / "algebra" / "lessons").glob("*.md"))
    lesson.write_text("# Changed\n\nNew text.\n", encoding="utf-8")
    rebuilt = run_mooc("pack", "build", "algebra", "-o", "usb2/", "--json", cwd=tmp_path)
    r = run_mooc("install", str(tmp_path / json.loads(rebuilt.stdout)["path"]))
    assert r.returncode == 0 and "reinstalled algebra 0.1.0" in r.stdout, (r.stdout, r.stderr)
    assert _installed_file(run_mooc, "algebra", f"lessons/{lesson.name}") == "# Changed\n\nNew text.\n"
