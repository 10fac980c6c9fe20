"""Pack flavours, the build side (issue 22): `mooc pack build --flavour/--flavours`, the
manifest's `flavour` and `omitted`, `mooc pack check` on flavoured packs, the installed
course's flavour, and rebuilding an installed flavoured pack byte for byte.

Through the real `mooc` command (run_mooc); the course is the demo course plus a
video-like file, its transcript, a PDF, audio and a photo (tests/support/flavoured.py).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from pathlib import Path

import pytest

from packages.flavours import human_size, keeps, kind_of, left_out_summary, pack_file_name
from tests.support import flavoured
from tests.support.flavoured import DEMO, TRANSCRIPT, VIDEO, flavoured_course


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return flavoured_course(tmp_path / "course")


def _manifest(pack: Path) -> dict:
    with zipfile.ZipFile(pack) as zf:
        return json.loads(zf.read("mooc-manifest.json"))


def _names(pack: Path) -> set[str]:
    with zipfile.ZipFile(pack) as zf:
        return {n for n in zf.namelist() if n != "mooc-manifest.json"}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- classification


def test_classification_of_the_contract() -> None:
    for path in ("media/a.MP4", "media/x/b.webm", "media/c.mkv", "media/d.mpeg"):
        assert kind_of(path) == "video"
        assert (keeps("text", path), keeps("novideo", path), keeps("full", path)) == (False, False, True)
    for path in ("media/a.png", "media/n.PDF", "media/s.mp3", "media/bundle.zip", "media/noext"):
        assert (keeps("text", path), keeps("novideo", path), keeps("full", path)) == (False, True, True)
    for path in ("media/t.vtt", "media/t.SRT", "media/d.csv", "media/d.json", "media/r.md", "media/r.txt"):
        assert keeps("text", path) and keeps("novideo", path)
    for path in ("course.toml", "lessons/a.md", "quizzes/q.toml", "lessons/clip.mp4", "README.md"):
        assert keeps("text", path), "only media/ is ever left out"
    assert [kind_of(p) for p in ("m/a.jpeg", "m/b.ogg", "m/c.pdf", "m/d.zip")] == ["image", "audio", "PDF", "file"]
    assert [human_size(n) for n in (0, 1, 999, 1000, 240_000, 1_400_000, 14_000_000, 14_499_999, 2_500_000_000)] == [
        "0 bytes",
        "1 byte",
        "999 bytes",
        "1.0 kB",
        "240 kB",
        "1.4 MB",
        "14 MB",
        "14 MB",
        "2.5 GB",
    ]
    assert pack_file_name("s", "1.0.0") == "s-1.0.0.mooc"
    assert pack_file_name("s", "1.0.0", "text") == "s-1.0.0.text.mooc"
    assert left_out_summary({}) == "nothing"
    assert left_out_summary({"media/v.mp4": 14_000_000, "media/a.png": 500, "media/b.png": 500}) == (
        "3 files, 14 MB: 2 images, 1 video"
    )


# --------------------------------------------------------------------------- build


def _reference_build(src: Path, out: Path) -> None:
    """The build as docs/format.md section 6 describes it (the format before flavours),
    written independently of packages/building.py."""
    files = sorted(p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file())
    entries = []
    with zipfile.ZipFile(out, "w") as zf:

        def info(name: str, method: int) -> zipfile.ZipInfo:
            i = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            i.create_system = 3
            i.external_attr = 0o100644 << 16
            i.compress_type = method
            for attr in ("compress_level", "_compresslevel"):
                try:
                    setattr(i, attr, 6)
                except AttributeError:
                    pass
            return i

        for rel in files:
            data = (src / rel).read_bytes()
            sample = data[: 256 * 1024]
            shrinks = len(sample) < 512 or len(zlib.compress(sample, 1)) < 0.9 * len(sample)
            zf.writestr(info(rel, zipfile.ZIP_DEFLATED if shrinks else zipfile.ZIP_STORED), data)
            entries.append({"path": rel, "sha256": _sha(data), "size": len(data)})
        course = {"id": "mooc-demo", "title": "Learning in the open: a short course on MOOCs", "version": "1.0.0"}
        manifest = {"course": course, "files": entries, "format": 1}
        raw = json.dumps(manifest, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
        zf.writestr(info("mooc-manifest.json", zipfile.ZIP_DEFLATED), raw.encode())


def test_full_flavour_is_the_build_of_before_byte_for_byte(run_mooc, course: Path, tmp_path: Path) -> None:
    for src, name in ((DEMO, "demo"), (course, "flavoured")):
        reference = tmp_path / f"{name}-reference.mooc"
        _reference_build(src, reference)
        plain = tmp_path / f"{name}-plain.mooc"
        full = tmp_path / f"{name}-full.mooc"
        assert run_mooc("pack", "build", str(src), "-o", str(plain)).returncode == 0
        r = run_mooc("pack", "build", str(src), "--flavour", "full", "-o", str(full))
        assert r.returncode == 0, r.stderr
        assert plain.read_bytes() == full.read_bytes() == reference.read_bytes(), name
        assert "flavour" not in _manifest(full) and "omitted" not in _manifest(full)
        digest = _sha(full.read_bytes())
        assert r.stdout.splitlines() == [
            f"built {full}",
            f"  size    {full.stat().st_size} bytes",
            f"  sha256  {digest}",
        ]


def test_flavours_all_writes_three_packs_named_by_the_contract(run_mooc, course: Path, tmp_path: Path) -> None:
    r = run_mooc("pack", "build", str(course), "--flavours", "all", "-o", "dist", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    dist = tmp_path / "dist"
    packs = {f: dist / pack_file_name("mooc-demo", "1.0.0", f) for f in ("text", "novideo", "full")}
    assert sorted(p.name for p in dist.iterdir()) == sorted(p.name for p in packs.values())  # no temp file left
    sizes = {f: p.stat().st_size for f, p in packs.items()}
    assert sizes["text"] < sizes["novideo"] < sizes["full"]
    for f, p in packs.items():
        assert f"built {Path('dist') / p.name}" in r.stdout
        assert f"  size    {sizes[f]} bytes" in r.stdout
    assert r.stdout.splitlines()[-1] == (
        f"3 flavours: text {human_size(sizes['text'])}, novideo {human_size(sizes['novideo'])}, "
        f"full {human_size(sizes['full'])}"
    )
    assert "flavour text, leaves out 10 files" in r.stdout and "1 video" in r.stdout
    assert "flavour novideo, leaves out 1 file, 300 kB: 1 video" in r.stdout

    src_files = {p.relative_to(course).as_posix() for p in course.rglob("*") if p.is_file()}
    for f, pack in packs.items():
        names = _names(pack)
        assert {n for n in names if not n.startswith("media/")} == {n for n in src_files if not n.startswith("media/")}
        assert {n for n in names if n.startswith("media/")} == flavoured.kept(f)
        manifest = _manifest(pack)
        assert [e["path"] for e in manifest["files"]] == sorted(names)
        if f == "full":
            assert "flavour" not in manifest
            continue
        assert manifest["flavour"] == f
        omitted = manifest["omitted"]
        assert [e["path"] for e in omitted] == sorted(src_files - names)
        for e in omitted:  # what an upgrade must fetch: the full pack's exact bytes
            data = (course / e["path"]).read_bytes()
            assert (e["size"], e["sha256"]) == (len(data), _sha(data))
        with zipfile.ZipFile(pack) as zf, zipfile.ZipFile(packs["full"]) as fz:
            for name in names:  # the same entries, compressed the same way: a delta copies them
                assert zf.getinfo(name).compress_type == fz.getinfo(name).compress_type
                assert zf.read(name) == fz.read(name)
    assert VIDEO not in _names(packs["novideo"]) and TRANSCRIPT in _names(packs["text"])

    # reproducible: each flavour alone, or all again, gives the same bytes
    again = tmp_path / "again"
    r = run_mooc("pack", "build", str(course), "--flavours", "text,novideo", "-o", str(again), "--json")
    data = json.loads(r.stdout)
    assert [p["flavour"] for p in data["packs"]] == ["text", "novideo"] and data["warnings"] == []
    for p in data["packs"]:
        assert Path(p["path"]).read_bytes() == packs[p["flavour"]].read_bytes()
        assert p["sha256"] == _sha(packs[p["flavour"]].read_bytes()) and p["size"] == sizes[p["flavour"]]
    one = tmp_path / "one.mooc"
    r = run_mooc("pack", "build", str(course), "--flavour", "text", "-o", str(one), "--json")
    data = json.loads(r.stdout)
    assert one.read_bytes() == packs["text"].read_bytes()
    assert data["flavour"] == "text" and [e["path"] for e in data["omitted"]] == [
        e["path"] for e in _manifest(one)["omitted"]
    ]
    r = run_mooc("pack", "build", str(course), "--flavour", "novideo", cwd=tmp_path)
    assert (
        r.returncode == 0 and (tmp_path / "mooc-demo-1.0.0.novideo.mooc").read_bytes() == packs["novideo"].read_bytes()
    )


def test_build_usage_errors_are_one_line(run_mooc, course: Path, tmp_path: Path) -> None:
    cases = [
        (("--flavours", "all", "-o", "x.mooc"), "--flavours writes one file per flavour: -o must name a folder"),
        (("--flavours", "text,huge"), "--flavours: unknown flavour 'huge' (choose text, novideo or full)"),
        (("--flavours", ","), "--flavours: name all, or flavours"),
        (("--flavour", "tiny"), "invalid choice: 'tiny'"),
        (("--flavour", "text", "--flavours", "all"), "not allowed with argument"),
    ]
    for extra, message in cases:
        r = run_mooc("pack", "build", str(course), *extra, cwd=tmp_path)
        assert r.returncode == 2, (extra, r.stdout, r.stderr)
        assert message in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert not list(tmp_path.glob("*.mooc"))


def test_a_quiz_file_under_media_is_never_left_out(run_mooc, course: Path, tmp_path: Path) -> None:
    toml = course / "course.toml"
    toml.write_text(toml.read_text().replace("quizzes/player-practice.toml", "media/practice.quiz"))
    (course / "quizzes/player-practice.toml").rename(course / "media/practice.quiz")
    assert run_mooc("pack", "build", str(course), "--flavour", "novideo", cwd=tmp_path).returncode == 0
    r = run_mooc("pack", "build", str(course), "--flavour", "text", cwd=tmp_path)
    assert r.returncode == 1 and len(r.stderr.splitlines()) == 1, r.stderr
    assert "media/practice.quiz: an item of the course, but a text pack leaves out" in r.stderr
    assert not (tmp_path / "mooc-demo-1.0.0.text.mooc").exists()


# --------------------------------------------------------------------------- check


def test_check_reports_the_flavour_and_what_it_left_out(run_mooc, course: Path, tmp_path: Path) -> None:
    assert run_mooc("pack", "build", str(course), "--flavours", "all", "-o", str(tmp_path)).returncode == 0
    text = tmp_path / "mooc-demo-1.0.0.text.mooc"
    r = run_mooc("pack", "check", str(text))
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].endswith("0 errors, 0 warnings"), r.stdout  # links to left-out media are not problems
    left_out = {e["path"]: e["size"] for e in _manifest(text)["omitted"]}
    assert set(left_out) == set(flavoured.kept("full") - flavoured.kept("text"))
    assert lines[1] == f"{text}: the text flavour: leaves out {left_out_summary(left_out)} (in the full pack)"
    assert "10 files" in lines[1] and "1 video" in lines[1] and "7 images" in lines[1]
    data = json.loads(run_mooc("pack", "check", str(text), "--json").stdout)
    assert data["ok"] and data["flavour"] == "text" and data["warnings"] == []
    assert [e["path"] for e in data["omitted"]] == [e["path"] for e in _manifest(text)["omitted"]]
    full = json.loads(run_mooc("pack", "check", str(tmp_path / "mooc-demo-1.0.0.mooc"), "--json").stdout)
    assert full["flavour"] == "full" and full["omitted"] == []

    # a pack missing a linked file it does NOT declare omitted still gets its warning
    (course / flavoured.PDF).unlink()
    r = run_mooc("pack", "check", str(course))
    assert "lessons/01-using-the-player.md" in r.stdout and "no such file in the pack" in r.stdout


# --------------------------------------------------------------------------- hostile manifests


def _with_manifest(src: Path, dest: Path, manifest: object) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            if info.filename != "mooc-manifest.json":
                zout.writestr(info, zin.read(info))
        raw = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
        zout.writestr("mooc-manifest.json", raw)
    return dest


HOSTILE = {
    "unknown flavour": (
        lambda m: {**m, "flavour": "tiny"},
        "'flavour' must be \"text\" or \"novideo\" (absent means full), not 'tiny'",
    ),
    "flavour full said aloud": (lambda m: {**m, "flavour": "full"}, "(absent means full), not 'full'"),
    "flavour not a string": (lambda m: {**m, "flavour": ["text"]}, "not ['text']"),
    "omitted without flavour": (
        lambda m: {k: v for k, v in m.items() if k != "flavour"},
        "'omitted' without a 'flavour'",
    ),
    "flavour without omitted": (
        lambda m: {k: v for k, v in m.items() if k != "omitted"},
        "'omitted' must be a list",
    ),
    "omitted not objects": (lambda m: {**m, "omitted": ["media/a.png"]}, "omitted[0] is not an object"),
    "omitted bad digest": (
        lambda m: {**m, "omitted": [{"path": "media/a.png", "size": 1, "sha256": "XYZ"}]},
        "omitted[0].sha256 must be 64 lowercase hex digits",
    ),
    "omitted negative size": (
        lambda m: {**m, "omitted": [{"path": "media/a.png", "size": -1, "sha256": "0" * 64}]},
        "omitted[0].size must be a non-negative integer",
    ),
    "omitted path leaves": (
        lambda m: {**m, "omitted": [{"path": "../etc/passwd", "size": 1, "sha256": "0" * 64}]},
        "omitted[0].path: path leaves the pack (..)",
    ),
    "omitted twice": (
        lambda m: {**m, "omitted": [m["omitted"][0], m["omitted"][0]]},
        "is listed twice",
    ),
    "files hold what the flavour leaves out": (
        lambda m: {**m, "files": [*m["files"], {"path": "media/extra.webm", "size": 1, "sha256": "0" * 64}]},
        "media/extra.webm: a text pack leaves this file out, but its 'files' list it",
    ),
    "omitted a lesson": (
        lambda m: {**m, "omitted": [{"path": "lessons/99-gone.md", "size": 1, "sha256": "0" * 64}]},
        "omitted lessons/99-gone.md: a text pack keeps this file, it cannot leave it out",
    ),
    "omitted a transcript it holds": (
        lambda m: {**m, "omitted": [{"path": TRANSCRIPT, "size": 1, "sha256": "0" * 64}]},
        f"{TRANSCRIPT} is both in 'files' and in 'omitted'",
    ),
    "novideo omitting an image": (
        lambda m: {**m, "flavour": "novideo", "omitted": [{"path": "media/a.png", "size": 1, "sha256": "0" * 64}]},
        "omitted media/a.png: a novideo pack keeps this file",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_flavour_manifests_get_one_line(run_mooc, course: Path, tmp_path: Path, case: str) -> None:
    text = tmp_path / "text.mooc"
    assert run_mooc("pack", "build", str(course), "--flavour", "text", "-o", str(text)).returncode == 0
    change, message = HOSTILE[case]
    bad = _with_manifest(text, tmp_path / "bad.mooc", change(_manifest(text)))
    for args in (("pack", "check", str(bad)), ("install", str(bad))):
        r = run_mooc(*args)
        assert r.returncode == 1, (case, args, r.stdout, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r.stderr
        assert "mooc-manifest.json" in r.stderr and message in r.stderr, r.stderr
    assert "mooc-demo" not in run_mooc("list").stdout.split("bundled")[-1]  # nothing was installed


# --------------------------------------------------------------------------- installed


def test_installed_flavour_is_listed_and_rebuilds_byte_for_byte(
    run_mooc, mooc_home, course: Path, tmp_path: Path
) -> None:
    from packages.building import build
    from packages.layout import Layout
    from packages.pack_cache import cached_pack
    from packages.store import Store

    dist = tmp_path / "dist"
    assert run_mooc("pack", "build", str(course), "--flavours", "all", "-o", str(dist)).returncode == 0
    packs = {f: dist / pack_file_name("mooc-demo", "1.0.0", f) for f in ("text", "novideo", "full")}
    layout = Layout(mooc_home.home, mooc_home.system)

    r = run_mooc("install", str(packs["novideo"]))
    assert r.returncode == 0, r.stderr
    listed = {c["id"]: c for c in json.loads(run_mooc("list", "--json").stdout)}
    assert listed["mooc-demo"]["flavour"] == "novideo" and listed["mooc-demo"]["origin"] == "user"
    row = [line for line in run_mooc("list").stdout.splitlines() if line.startswith("mooc-demo")]
    assert row[0].split()[:3] == ["mooc-demo", "1.0.0", "novideo"], row
    assert "flavour:   novideo (media left out: in the full pack)" in run_mooc("info", "mooc-demo").stdout
    installed = Store(layout).get("mooc-demo")
    assert installed.flavour == "novideo"

    # `mooc pack check` on the installed folder: valid, and says what it lacks
    r = run_mooc("pack", "check", str(installed.path))
    assert r.returncode == 0 and r.stdout.splitlines()[0].endswith("0 errors, 0 warnings"), r.stdout
    assert "the novideo flavour: leaves out 1 file, 300 kB: 1 video" in r.stdout

    # the delta machinery's old archive: the installed tree rebuilds to the very same bytes
    rebuilt = cached_pack(layout, installed)
    assert rebuilt.read_bytes() == packs["novideo"].read_bytes() and rebuilt.name == packs["novideo"].name
    # ... and a smaller flavour built from it is the one built from the source
    smaller = build(installed.path, tmp_path / "t.mooc", flavour="text")
    assert smaller.path.read_bytes() == packs["text"].read_bytes()
    # a bigger one cannot be: the video is not there
    r = run_mooc("pack", "build", str(installed.path), "--flavour", "full", "-o", str(tmp_path / "f.mooc"))
    assert r.returncode == 1 and len(r.stderr.splitlines()) == 1, r.stderr
    assert f"holds the novideo flavour, which lacks {VIDEO}: cannot build the full flavour" in r.stderr
    assert not (tmp_path / "f.mooc").exists()

    r = run_mooc("install", str(packs["text"]), "--force")
    assert r.returncode == 0, r.stderr
    installed = Store(layout).get("mooc-demo")
    assert installed.flavour == "text"
    assert cached_pack(layout, installed).read_bytes() == packs["text"].read_bytes()
    assert not rebuilt.exists()  # the replaced install's archive is pruned, flavoured name or not
    media = {p.relative_to(installed.path).as_posix() for p in (installed.path / "media").iterdir()}
    assert media == flavoured.kept("text")

    r = run_mooc("install", str(packs["full"]), "--force")
    assert r.returncode == 0, r.stderr
    assert json.loads(run_mooc("list", "--json").stdout)[0]["flavour"] == "full"


def test_a_damaged_flavour_in_current_json_is_a_damaged_summary(
    run_mooc, mooc_home, course: Path, tmp_path: Path
) -> None:
    pack = tmp_path / "t.mooc"
    assert run_mooc("pack", "build", str(course), "--flavour", "text", "-o", str(pack)).returncode == 0
    assert run_mooc("install", str(pack)).returncode == 0
    pointer = mooc_home.home / "courses" / "mooc-demo" / "current.json"
    data = json.loads(pointer.read_text())
    assert data["flavour"] == "text"
    data["flavour"] = "\x1b]0;pwned\x07"
    pointer.write_text(json.dumps(data))
    r = run_mooc("list")
    assert r.returncode == 0 and "\x1b" not in r.stdout + r.stderr
    assert "current.json: damaged; the course counts as not installed" in r.stderr
