"""The progress event log: format, reading damaged files, merging, machine-wide helpers."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from packages.errors import MoocError
from packages.layout import Layout
from player.events import Event
from player.progress import EventLog
from player.progress_files import iter_logs, purge_course


def _event(n: int = 0, **kw) -> Event:
    base = dict(
        type="time_spent", course_id="stats-101", course_version="1.0.0", item_id="l1", data={"seconds": float(n)}
    )
    base.update(kw)
    return Event(**base)


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    return Layout(tmp_path / "home", tmp_path / "system")


@pytest.fixture
def log(layout: Layout) -> EventLog:
    return EventLog.for_course(layout, "amina", "stats-101")


def test_from_dict_builds_the_event_the_constructor_builds() -> None:
    import dataclasses

    made = _event(3, id="e-1", time="2026-12-01T10:00:00.000Z")
    read = Event.from_dict(json.loads(json.dumps(made.to_dict())))
    assert read == made and repr(read) == repr(made)
    assert vars(read) == vars(made) and list(vars(read)) == [f.name for f in dataclasses.fields(Event)]
    assert read.data is not made.data
    with pytest.raises(dataclasses.FrozenInstanceError):
        read.type = "attempt"  # type: ignore[misc]
    bare = Event.from_dict({"id": 7, "type": "position", "time": "t", "course_id": "c", "course_version": "1"})
    assert (bare.id, bare.item_id, bare.data) == ("7", None, {})  # strings and defaults as before


def test_first_append_creates_header_and_compact_sorted_lines(log: EventLog, layout: Layout) -> None:
    assert log.events() == []
    ev = _event(1, data={"seconds": 2.5, "note": "café"})
    log.append(ev)
    assert log.path == layout.progress_file("amina", "stats-101")
    lines = log.path.read_bytes().decode("utf-8").splitlines()
    assert json.loads(lines[0]) == {
        "format": "mooc-progress",
        "version": 1,
        "learner": "amina",
        "course_id": "stats-101",
    }
    assert list(json.loads(lines[0])) == ["format", "version", "learner", "course_id"]
    assert lines[1] == json.dumps(ev.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert "café" in lines[1]
    assert log.events() == [ev]
    # no temporary files left next to the log
    assert sorted(p.name for p in log.path.parent.iterdir()) == ["stats-101.jsonl"]


def test_append_many_in_one_call_and_order_kept(log: EventLog) -> None:
    events = [_event(i) for i in range(10)]
    log.append(*events[:3])
    log.append(*events[3:])
    log.append()  # nothing to do, no error
    assert log.events() == events


def test_reopened_log_reads_the_same(log: EventLog, layout: Layout) -> None:
    events = [_event(i) for i in range(5)]
    log.append(*events)
    assert EventLog.for_course(layout, "amina", "stats-101").events() == events


def test_duplicate_ids_are_kept_once(log: EventLog) -> None:
    ev = _event(1)
    log.append(ev)
    log.append(ev, _event(2))
    got = log.events()
    assert [e.id for e in got].count(ev.id) == 1
    assert len(got) == 2


def test_merge_adds_only_unknown_ids(log: EventLog) -> None:
    a, b, c = _event(1), _event(2), _event(3)
    log.append(a, b)
    added = log.merge([b, c, c, a])
    assert added == [c]
    assert log.events() == [a, b, c]
    assert log.merge([a, b, c]) == []
    assert len(log.path.read_text().splitlines()) == 4  # header + 3, nothing rewritten


def test_torn_tail_is_ignored_then_repaired(log: EventLog) -> None:
    a, b = _event(1), _event(2)
    log.append(a)
    intact = log.path.read_bytes()
    with open(log.path, "ab") as f:  # a crash mid-write (power cut) leaves half a line
        f.write(b'{"course_id":"stats-101","course_ver')
    assert log.events() == [a]
    assert log.torn_tail is True
    assert log.problems == []
    log.append(b)
    raw = log.path.read_bytes()
    assert raw.startswith(intact)
    assert raw == intact + (json.dumps(b.to_dict(), sort_keys=True, separators=(",", ":")) + "\n").encode()
    assert log.events() == [a, b]
    assert log.torn_tail is False


def test_corrupt_middle_line_is_skipped_with_a_warning(log: EventLog) -> None:
    events = [_event(i) for i in range(4)]
    log.append(*events[:2])
    with open(log.path, "ab") as f:
        f.write(b"\x00\x00garbage{{{\n")
        f.write(b'{"id": "x", "type": "time_spent"}\n')  # JSON, but not an event
        f.write(b"[1, 2]\n")
    log.append(*events[2:])
    assert log.events() == events
    assert len(log.problems) == 3
    assert "line 4" in log.problems[0] and str(log.path) in log.problems[0]
    assert "line 5" in log.problems[1] and "line 6" in log.problems[2]


def test_damaged_lines_that_join_into_valid_json_are_still_caught(log: EventLog) -> None:
    a = _event(1)
    log.append(a)
    with open(log.path, "ab") as f:
        f.write(b'{"x": [1\n2]}\n')  # joined with "," these two lines would parse as one value
    b = _event(2)
    log.append(b)
    assert log.events() == [a, b]
    assert len(log.problems) == 2


def test_lost_header_keeps_events(log: EventLog) -> None:
    a = _event(1)
    log.path.parent.mkdir(parents=True)
    log.path.write_text(json.dumps(a.to_dict()) + "\n")
    assert log.events() == [a]
    assert "not a mooc-progress header" in log.problems[0]


def test_empty_file_gets_a_header_on_append(log: EventLog) -> None:
    log.path.parent.mkdir(parents=True)
    log.path.write_bytes(b"")
    assert log.events() == []
    a = _event(1)
    log.append(a)
    assert json.loads(log.path.read_text().splitlines()[0])["format"] == "mooc-progress"
    assert log.events() == [a]


def test_newer_format_version_is_refused_clearly(log: EventLog) -> None:
    log.path.parent.mkdir(parents=True)
    header = {"format": "mooc-progress", "version": 2, "learner": "amina", "course_id": "stats-101"}
    log.path.write_text(json.dumps(header) + "\n")
    before = log.path.read_bytes()
    with pytest.raises(MoocError, match="version 2 .*newer mooc"):
        log.events()
    with pytest.raises(MoocError, match="newer mooc"):
        log.append(_event(1))
    assert log.path.read_bytes() == before


@pytest.mark.parametrize(
    "learner,course", [("../evil", "stats-101"), ("amina", "../../x"), ("Amina", "c"), ("amina", ""), ("amina", "a/b")]
)
def test_unsafe_ids_never_become_paths(layout: Layout, learner: str, course: str) -> None:
    with pytest.raises(MoocError, match="invalid"):
        EventLog.for_course(layout, learner, course)


def test_iter_logs_and_purge_course(layout: Layout) -> None:
    for learner in ("amina", "bob"):
        for course in ("stats-101", "bio-1"):
            EventLog.for_course(layout, learner, course).append(_event(1, course_id=course))
    layout.learner_dir("carol").mkdir(parents=True)  # a learner without progress
    (layout.progress_dir("bob") / ".stats-101.jsonl.abc.tmp").write_text("stray temp file")
    found = list(iter_logs(layout))
    assert [(lr, c) for lr, c, _ in found] == [
        ("amina", "bio-1"),
        ("amina", "stats-101"),
        ("bob", "bio-1"),
        ("bob", "stats-101"),
    ]
    assert all(p == layout.progress_file(lr, c) for lr, c, p in found)

    removed = purge_course(layout, "stats-101")
    assert sorted(removed) == sorted(
        [layout.progress_file("amina", "stats-101"), layout.progress_file("bob", "stats-101")]
    )
    assert [(lr, c) for lr, c, _ in iter_logs(layout)] == [("amina", "bio-1"), ("bob", "bio-1")]
    assert purge_course(layout, "stats-101") == []
    # a log whose file was purged starts afresh
    log = EventLog.for_course(layout, "amina", "stats-101")
    log.append(_event(9))
    assert len(log.events()) == 1


def test_iter_logs_on_a_fresh_home_is_empty(layout: Layout) -> None:
    assert list(iter_logs(layout)) == []


def test_reading_5000_events_returns_them_all(log: EventLog) -> None:
    """Speed is measured in tests/benchmarks/bench_progress.py, not here."""
    events = [_event(i, data={"seconds": 1.0, "questions": [{"id": f"q{i}", "score": 1.0}]}) for i in range(5000)]
    log.append(events[0])
    # Bulk-write the rest (5,000 fsync'd appends would test the disk, not the reader).
    with open(log.path, "ab") as f:
        for ev in events[1:]:
            f.write((json.dumps(ev.to_dict(), sort_keys=True, separators=(",", ":")) + "\n").encode())
    fresh = EventLog(log.path, "amina", "stats-101")
    assert fresh.events() == events


def test_merge_writes_pulled_events_in_time_order(log: EventLog) -> None:
    local = _event(0, time="2025-03-01T10:00:00.000Z")
    log.append(local)
    late = _event(1, time="2025-03-03T10:00:00.000Z")
    early = _event(2, time="2025-03-02T10:00:00.000Z")
    assert log.merge([late, early]) == [early, late]
    assert log.events() == [local, early, late]


def test_append_waiting_on_a_purged_file_starts_a_new_one(log: EventLog) -> None:
    """purge_course removes the file while a writer waits for its lock: the writer
    must not write into the deleted file (its event would vanish)."""
    import fcntl
    import os
    import threading

    log.append(_event(0))
    fd = os.open(log.path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # hold the lock like purge_course does
    late = _event(1)
    writer = threading.Thread(target=log.append, args=(late,))
    writer.start()
    time.sleep(0.2)
    assert writer.is_alive()  # blocked on the lock
    os.unlink(log.path)
    os.close(fd)  # releases the lock
    writer.join(5)
    assert not writer.is_alive()
    fresh = EventLog(log.path, "amina", "stats-101")
    assert fresh.events() == [late]
    assert json.loads(log.path.read_text().splitlines()[0])["format"] == "mooc-progress"
