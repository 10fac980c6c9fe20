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
    assert [Path(x["file"]).name for x in results] == ["algebra-0.1.0.mooc", "biology-0.1.0.mooc",
                                                       "broken-1.0.0.mooc"]
    assert "error" in results[2] and results[0].get("status") == "already-installed"
