"""A flavour move up by prediction (packages/flavour_delta.py) against a real Range-capable
server: the bigger flavour's archive worked out from the installed one, so only the missing
entries (and their directory records) travel; a server whose answers do not fit the
prediction gets the generic delta instead, and the right pack, never a wrong one."""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from packages.delta import delta_download
from packages.delta_result import DeltaUnavailable
from packages.flavour_delta import predictor, read_old_archive
from packages.flavours import keeps, pack_file_name
from tests.support.static_server import StaticServer

DEMO = Path(__file__).resolve().parents[1] / "packages" / "demo_course"
MOVES = [("text", "novideo"), ("text", "full"), ("novideo", "full")]


@pytest.fixture(scope="module")
def www(tmp_path_factory) -> Path:
    from packages.building import build_flavours
    from tests.support.flavour_packs import media_course

    base = tmp_path_factory.mktemp("flavour-delta")
    build_flavours(DEMO, base / "www")
    src = media_course(base / "src", media_bytes=400_000, videos=(300_000, 200_000))
    build_flavours(src, base / "www")
    return base / "www"


def _pack(www: Path, course: str, flavour: str) -> Path:
    return www / pack_file_name(course, "1.0.0", flavour)


def _manifest(pack: Path) -> bytes:
    with zipfile.ZipFile(pack) as zf:
        return zf.read("mooc-manifest.json")


def _ideal(installed: Path, target: str) -> int:
    """The files the installed flavour lacks that TARGET keeps (the sum of their sizes)."""
    import json

    omitted = json.loads(_manifest(installed)).get("omitted", [])
    return sum(e["size"] for e in omitted if keeps(target, e["path"]))


def _move(srv: StaticServer, www: Path, course: str, move: tuple[str, str], dest: Path, **served):
    """Move COURSE up from MOVE[0] (its pack, as the installed copy rebuilds it) to MOVE[1]."""
    old, new = _pack(www, course, move[0]), _pack(www, course, served.get("new_name", move[1]))
    data = new.read_bytes()
    return delta_download(
        srv.url + new.name,
        dest,
        old,
        expected_size=len(data),
        expected_sha256=hashlib.sha256(data).hexdigest(),
        predicted=predictor(old, _manifest(old), move[1]),
    )


@pytest.mark.parametrize("course", ["mooc-demo", "media-course"])
@pytest.mark.parametrize("move", MOVES, ids=lambda m: f"{m[0]}-{m[1]}")
def test_only_the_missing_entries_travel(www, course, move, tmp_path):
    new = _pack(www, course, move[1])
    with StaticServer(www) as srv:
        result = _move(srv, www, course, move, tmp_path / "n.mooc")
        sent = srv.bytes_sent
        requests = len(srv.requests)
    assert result.method == "delta" and result.predicted, (result.reason, result.predicted_reason)
    assert (tmp_path / "n.mooc").read_bytes() == new.read_bytes()
    assert sent == result.bytes_fetched
    ideal = _ideal(_pack(www, course, move[0]), move[1])
    assert sent <= 1.02 * ideal, (sent, ideal)
    if ideal == 0:  # nothing lacking (the demo has no video): nothing on the wire at all
        assert (sent, requests) == (0, 0)
    else:  # the missing directory records, then one request per run of missing entries
        assert 2 <= requests <= 4
    assert not list(tmp_path.glob("*.part*"))


def _first_missing_offset(www: Path, course: str, move: tuple[str, str]) -> int:
    with zipfile.ZipFile(_pack(www, course, move[0])) as zf:
        have = set(zf.namelist())
    with zipfile.ZipFile(_pack(www, course, move[1])) as zf:
        return min(i.header_offset for i in zf.infolist() if i.filename not in have)


@pytest.mark.parametrize("course", ["mooc-demo", "media-course"])
def test_other_bytes_for_the_missing_entries_fall_back_to_the_generic_delta(www, course, tmp_path):
    move = ("text", "full")
    with StaticServer(www) as srv:
        srv.corrupt_when, srv.corrupt_count = f"bytes={_first_missing_offset(www, course, move)}-", 1
        result = _move(srv, www, course, move, tmp_path / "n.mooc")
        assert srv.corrupt_count == 0  # the lie was told
    assert not result.predicted and "SHA-256" in result.predicted_reason
    assert result.method == "delta" and not result.reason
    assert (tmp_path / "n.mooc").read_bytes() == _pack(www, course, "full").read_bytes()
    assert not list(tmp_path.glob("*.part*"))


def test_a_directory_record_that_is_not_the_predicted_one_costs_no_media(www, tmp_path):
    """The first ranged GET is the missing entries' directory records: flipped bytes there
    are seen before any media is fetched."""
    move = ("text", "full")
    with StaticServer(www) as srv:
        srv.corrupt_when, srv.corrupt_count = "bytes=", 1
        result = _move(srv, www, "media-course", move, tmp_path / "n.mooc")
        first = srv.requests[0][2]["range"]
    assert not result.predicted and "directory record" in result.predicted_reason, result.predicted_reason
    assert result.method == "delta"
    assert (tmp_path / "n.mooc").read_bytes() == _pack(www, "media-course", "full").read_bytes()
    start, end = (int(x) for x in first.removeprefix("bytes=").split("-"))
    assert end - start < 1000  # a few records, not media


def test_a_server_ignoring_range_gets_a_full_download(www, tmp_path):
    with StaticServer(www) as srv:
        srv.ranges = False
        result = _move(srv, www, "media-course", ("text", "full"), tmp_path / "n.mooc")
    assert result.method == "full" and "ignores Range" in result.predicted_reason
    assert (tmp_path / "n.mooc").read_bytes() == _pack(www, "media-course", "full").read_bytes()


def test_a_short_answer_is_resumed_within_the_prediction(www, tmp_path):
    with StaticServer(www) as srv:
        srv.short_body = 50_000  # every answer breaks off: each range is asked again from where it broke
        result = _move(srv, www, "media-course", ("text", "novideo"), tmp_path / "n.mooc")
    assert result.predicted and result.retries >= 1
    assert (tmp_path / "n.mooc").read_bytes() == _pack(www, "media-course", "novideo").read_bytes()


def test_a_target_that_is_not_the_predicted_archive(www, tmp_path):
    """The catalog's full pack holds a file the installed text flavour does not list (not
    the same build): the sizes do not add up, the generic delta makes the right pack."""
    from packages.building import build
    from tests.support.flavour_packs import media_course

    src = media_course(tmp_path / "src", media_bytes=400_000, videos=(300_000, 200_000))
    (src / "media" / "extra.png").write_bytes(bytes(range(256)) * 40)
    other = tmp_path / "www"
    other.mkdir()
    shutil.copy(_pack(www, "media-course", "text"), other)
    build(src, other / pack_file_name("media-course", "1.0.0"))
    with StaticServer(other) as srv:
        result = _move(srv, other, "media-course", ("text", "full"), tmp_path / "n.mooc")
    # seen in the directory records, before any media travelled (not at the final SHA-256)
    assert not result.predicted and "predicted" in result.predicted_reason, result.predicted_reason
    assert "SHA-256" not in result.predicted_reason
    assert result.method == "delta"
    assert (tmp_path / "n.mooc").read_bytes() == _pack(other, "media-course", "full").read_bytes()


@pytest.mark.parametrize(
    ("how", "says"),
    [
        ("comment", "end record"),
        ("extra", "fields this prediction does not know"),
        ("unsorted", "order"),
    ],
)
def test_an_installed_archive_the_model_does_not_know_is_refused(tmp_path, how, says):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        names = ["b.txt", "a.txt"] if how == "unsorted" else ["a.txt", "b.txt"]
        for name in [*names, "mooc-manifest.json"]:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            if how == "extra":
                info.extra = b"\x99\x99\x02\x00ab"
            zf.writestr(info, b"{}")
        if how == "comment":
            zf.comment = b"hello"
    path = tmp_path / "old.mooc"
    path.write_bytes(buf.getvalue())
    with pytest.raises(DeltaUnavailable, match=says):
        read_old_archive(path)
