"""`mooc serve` and `mooc catalog export` carry every flavour the machine holds (issue 22):
a teacher's full copy is shared as text, novideo and full (each built from the installed
files, byte-identical to the publisher's), a text copy as text only. Lab PCs are other
data folders running the real `mooc`; the server is the real `mooc serve` process."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    from packages.building import build_flavours
    from tests.support.flavour_packs import media_course

    base = tmp_path_factory.mktemp("share")
    src = media_course(base / "src", media_bytes=500_000, videos=(400_000,))
    build_flavours(src, base / "www")
    return base / "www"


def _name(flavour: str) -> str:
    from packages.flavours import pack_file_name

    return pack_file_name("media-course", "1.0.0", flavour)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Serve:
    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "player", "serve", "--port", "0", "--quiet"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        self.head = self.proc.stdout.readline()
        self.courses = self.proc.stdout.readline()
        self.url = self.head.split(" on ")[1].strip()

    def close(self) -> None:
        self.proc.terminate()
        self.proc.communicate(timeout=10)


def _lab(tmp_path: Path, name: str) -> dict[str, str]:
    return {"MOOC_HOME": str(tmp_path / name / "home"), "MOOC_SYSTEM_HOME": str(tmp_path / name / "sys")}


def _flavour(run_mooc, env) -> str:
    [found] = [
        c["flavour"] for c in json.loads(run_mooc("list", "--json", env=env).stdout) if c["id"] == "media-course"
    ]
    return found


def test_serve_shares_every_flavour_a_full_copy_holds(published, tmp_path, mooc_home, run_mooc):
    assert run_mooc("install", str(published / _name("full"))).returncode == 0
    serve = _Serve(mooc_home.env())
    try:
        assert serve.head.startswith("sharing 1 course on http://127.0.0.1:")
        assert serve.courses.startswith("  media-course 1.0.0  (text ") and "novideo" in serve.courses
        [entry] = json.loads(requests.get(serve.url + "catalog.json", timeout=10).content)["courses"]
        assert "flavour" not in entry and sorted(entry["flavours"]) == ["novideo", "text"]
        for flavour in ("text", "novideo", "full"):  # the publisher's packs, byte for byte
            pack = entry if flavour == "full" else entry["flavours"][flavour]
            body = requests.get(serve.url + pack["url"], timeout=10).content
            assert hashlib.sha256(body).hexdigest() == pack["sha256"] == _sha(published / _name(flavour))

        lab = _lab(tmp_path, "pc1")
        assert run_mooc("catalog", "add", serve.url, "--name", "teacher", env=lab).returncode == 0
        assert run_mooc("install", "media-course", "--flavour", "text", env=lab).returncode == 0
        r = run_mooc("upgrade", "media-course", "--flavour", "novideo", "--json", env=lab)
        assert r.returncode == 0, r.stderr
        info = json.loads(r.stdout)
        assert info["method"] == "delta" and info["bytes_fetched"] < 1.1 * info["ideal_bytes"] + 20_000
        assert _flavour(run_mooc, lab) == "novideo"
    finally:
        serve.close()


def test_serve_shares_a_text_copy_as_text_only(published, tmp_path, mooc_home, run_mooc):
    assert run_mooc("install", str(published / _name("text"))).returncode == 0
    serve = _Serve(mooc_home.env())
    try:
        [entry] = json.loads(requests.get(serve.url + "catalog.json", timeout=10).content)["courses"]
        assert entry["flavour"] == "text" and "flavours" not in entry
        assert entry["sha256"] == _sha(published / _name("text"))
        assert requests.get(serve.url + "packs/" + _name("full"), timeout=10).status_code == 404
        lab = _lab(tmp_path, "pc1")
        assert run_mooc("catalog", "add", serve.url, "--name", "teacher", env=lab).returncode == 0
        assert run_mooc("install", "media-course", env=lab).returncode == 0
        assert _flavour(run_mooc, lab) == "text"
        r = run_mooc("upgrade", "media-course", "--flavour", "full", env=lab)
        assert r.returncode != 0
        assert r.stderr == "mooc: error: media-course 1.0.0 (catalog teacher): no full flavour (it offers text)\n"
    finally:
        serve.close()


def test_export_to_a_stick_carries_every_flavour(published, tmp_path, mooc_home, run_mooc):
    assert run_mooc("install", str(published / _name("full"))).returncode == 0
    stick = tmp_path / "usb" / "courses"
    r = run_mooc("catalog", "export", str(stick))
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        f"exported 1 course in 3 packs to {stick} (3 copied, 0 already there); "
        f"on the other PCs: mooc catalog add {stick}\n"
    )
    for flavour in ("text", "novideo", "full"):
        assert _sha(stick / _name(flavour)) == _sha(published / _name(flavour))
    again = json.loads(run_mooc("catalog", "export", str(stick), "--json").stdout)
    assert again["copied"] == [] and len(again["already_there"]) == 3
    lab = _lab(tmp_path, "pc2")
    assert run_mooc("catalog", "add", str(stick), "--name", "usb", env=lab).returncode == 0
    assert run_mooc("install", "media-course", "--flavour", "novideo", env=lab).returncode == 0
    assert _flavour(run_mooc, lab) == "novideo"
    r = run_mooc("upgrade", "media-course", "--flavour", "full", "--json", env=lab)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["method"] == "local"  # a file: catalog: the full pack is right there
    assert _flavour(run_mooc, lab) == "full"


def test_export_with_nothing_installed_is_one_line(tmp_path, run_mooc):
    r = run_mooc("catalog", "export", str(tmp_path / "stick"))
    assert r.returncode != 0
    assert r.stderr == "mooc: error: no courses installed to export (the bundled demo is not exported)\n"
