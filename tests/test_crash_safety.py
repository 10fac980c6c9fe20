"""Progress survives what really happens: killed processes, concurrent writers, full disks.

Real processes are started (tests/support/progress_writer.py) and SIGKILLed at random
moments; real concurrent writers share one file. A full disk cannot be made here
(no tmpfs/loop mounts), so it is produced two honest ways: a real kernel limit
(RLIMIT_FSIZE in a subprocess, SIGXFSZ ignored, so write() really comes back short or
fails with EFBIG) and, for ENOSPC/EIO themselves, a monkeypatched os.write/os.fsync
that fails half-way (a fake, said so in the test).
"""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

from packages.errors import MoocError
from player.events import Event
from player.progress import EventLog

WRITER = Path(__file__).parent / "support" / "progress_writer.py"
HEADER = {"format": "mooc-progress", "version": 1, "learner": "tester", "course_id": "crash-course"}


def _start_writer(path: Path, tag: str, *, batch: int = 3, seconds: float = 60.0) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(path), tag, "0", "--batch", str(batch), "--seconds", str(seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    # Read "ready" byte by byte: readline() would buffer the first acknowledgements too,
    # and communicate() reads the pipe's descriptor, not that buffer, so they would be lost.
    ready = b""
    while not ready.endswith(b"\n"):
        byte = os.read(proc.stdout.fileno(), 1)
        if not byte:
            break
        ready += byte
    assert ready == b"ready\n", proc.stderr.read() if proc.stderr else ready
    return proc


def _acknowledged(tag: str, out: bytes) -> set[str]:
    """Event ids the writer reported after append returned (only complete lines count)."""
    lines = out.split(b"\n")[:-1]
    return {f"{tag}-{int(n)}" for n in lines}


def _check_file(path: Path, acked: set[str]) -> Counter[str]:
    """The file's raw lines: header intact, every line complete JSON, no duplicates,
    every acknowledged id present. Returns the id counts."""
    raw = path.read_bytes()
    # Append is one write(), but Linux may still cut a write short when SIGKILL arrives
    # between the pages it copies: the only tear allowed is an unacknowledged last line,
    # which readers ignore and the next writer cuts off (checked below and at the end).
    lines = raw.split(b"\n")
    torn = lines.pop()
    if torn:
        assert not any(f'"id":"{a}"'.encode() in torn for a in acked), "an acknowledged event is torn"
    assert json.loads(lines[0]) == HEADER
    ids: Counter[str] = Counter()
    for line in lines[1:]:
        obj = json.loads(line)  # raises on a corrupt line anywhere
        Event.from_dict(obj)
        ids[obj["id"]] += 1
    dupes = [i for i, c in ids.items() if c > 1]
    assert not dupes, f"duplicated events: {dupes[:5]}"
    missing = acked - set(ids)
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:5]}"
    log = EventLog(path, "tester", "crash-course")
    assert len(log.events()) == len(ids)
    assert log.problems == []
    assert log.torn_tail == bool(torn)
    return ids


@pytest.mark.slow
def test_sigkill_at_random_moments_never_loses_or_corrupts(tmp_path: Path) -> None:
    path = tmp_path / "learners" / "tester" / "progress" / "crash-course.jsonl"
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    acked: set[str] = set()
    rounds = 0
    deadline = time.monotonic() + 18.0
    while rounds < 200 and time.monotonic() < deadline:
        proc = _start_writer(path, f"r{rounds}")
        time.sleep(rng.uniform(0.0, 0.03))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        acked |= _acknowledged(f"r{rounds}", out)
        rounds += 1
        if rounds % 25 == 0:  # check along the way too, not only at the end
            _check_file(path, acked)
    # One last writer that ends normally: any torn tail is cut, the file ends whole.
    last = _start_writer(path, "end", seconds=0.2)
    out, err = last.communicate(timeout=30)
    assert last.returncode == 0, err.decode()
    acked |= _acknowledged("end", out)
    assert path.read_bytes().endswith(b"\n")
    ids = _check_file(path, acked)
    assert rounds >= 20, f"only {rounds} rounds ran (seed {seed})"
    assert len(acked) >= rounds, f"too few acknowledged events to mean anything ({len(acked)}, seed {seed})"
    assert len(ids) >= len(acked)


@pytest.mark.parametrize("writers", [2, 4])
def test_concurrent_writers_lose_nothing(tmp_path: Path, writers: int) -> None:
    path = tmp_path / "crash-course.jsonl"
    procs = {f"w{i}": _start_writer(path, f"w{i}", batch=4, seconds=2.0) for i in range(writers)}
    acked: set[str] = set()
    for tag, proc in procs.items():
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
        got = _acknowledged(tag, out)
        assert got, f"writer {tag} acknowledged nothing"
        acked |= got
    ids = _check_file(path, acked)
    assert set(ids) == acked  # writers that ended normally: everything written was acknowledged


def test_concurrent_writers_killed_mid_run(tmp_path: Path) -> None:
    path = tmp_path / "crash-course.jsonl"
    procs = {f"k{i}": _start_writer(path, f"k{i}", batch=3) for i in range(4)}
    time.sleep(0.5)
    acked: set[str] = set()
    for tag, proc in procs.items():
        time.sleep(random.uniform(0.0, 0.1))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=10)
        acked |= _acknowledged(tag, out)
    assert acked
    _check_file(path, acked)


def _event(size: int = 0) -> Event:
    return Event(
        type="time_spent",
        course_id="crash-course",
        course_version="1.0.0",
        item_id="l1",
        data={"seconds": 1.0, "pad": "x" * size},
    )


def _seeded_log(tmp_path: Path) -> EventLog:
    log = EventLog(tmp_path / "crash-course.jsonl", "tester", "crash-course")
    log.append(_event(), _event(), _event())
    return log


FSIZE_SCRIPT = textwrap.dedent(
    """
    import resource, signal, sys
    from packages.errors import MoocError
    from player.events import Event
    from player.progress import EventLog

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # so write() fails with EFBIG / comes back short
    path, limit = sys.argv[1], int(sys.argv[2])
    log = EventLog(path, "tester", "crash-course")
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        log.append(Event(type="time_spent", course_id="crash-course", course_version="1.0.0",
                         data={"seconds": 1.0, "pad": "x" * 2000}))
    except MoocError as err:
        print(err)
        sys.exit(3)
    print("saved")
    """
)


@pytest.mark.parametrize("room", [0, 150])
def test_file_size_limit_real_kernel_leaves_file_unchanged(tmp_path: Path, room: int) -> None:
    """Real kernel limit: room=0 -> write() fails with EFBIG; room=150 -> a short write."""
    log = _seeded_log(tmp_path)
    before = log.path.read_bytes()
    proc = subprocess.run(
        [sys.executable, "-c", FSIZE_SCRIPT, str(log.path), str(len(before) + room)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "disk full" in proc.stdout and "progress not saved" in proc.stdout
    assert str(log.path) in proc.stdout
    assert len(proc.stdout.strip().splitlines()) == 1
    assert log.path.read_bytes() == before
    assert len(log.events()) == 3


def test_file_size_limit_when_creating_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "crash-course.jsonl"
    proc = subprocess.run(
        [sys.executable, "-c", FSIZE_SCRIPT, str(path), "20"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "disk full" in proc.stdout
    assert not path.exists()
    assert list(path.parent.iterdir()) == []  # no temporary file left behind


def test_enospc_half_written_is_cut_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """FAKE (ENOSPC cannot be produced here): os.write writes half the bytes, then fails."""
    log = _seeded_log(tmp_path)
    before = log.path.read_bytes()
    real_write = os.write

    def half_then_enospc(fd: int, data: bytes) -> int:
        real_write(fd, bytes(data)[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", half_then_enospc)
    with pytest.raises(MoocError, match="disk full.*progress not saved") as info:
        log.append(_event(500), _event(500))
    assert str(log.path) in str(info.value) and "\n" not in str(info.value)
    monkeypatch.undo()
    assert log.path.read_bytes() == before
    log.append(_event())  # the disk has room again: appending works
    assert len(log.events()) == 4


def test_fsync_eio_is_reported_and_cut_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """FAKE (a failing disk cannot be produced here): fsync reports EIO."""
    log = _seeded_log(tmp_path)
    before = log.path.read_bytes()

    def eio(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", eio)
    with pytest.raises(MoocError, match="progress not saved"):
        log.append(_event())
    monkeypatch.undo()
    assert log.path.read_bytes() == before
