"""Hostile and damaged LOCAL files: what mooc finds in its data folder or is handed.

Every file mooc reads may be damaged or planted: JSON or TOML nested 100,000 deep, a
progress line of the wrong shape (say merged by a hostile `sync --pull`), a log that
is a symbolic link to a file elsewhere, folders created under a umask of 000, course
text holding escape sequences and bidi overrides, lesson links of any scheme. Each
test runs the real `mooc` command (or the real engine) and checks the one-line error
naming the file, the exit code, and that what was stored before is intact.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import MOOC_BIN, Homes, RunMooc
from tests.support.pilot_wait import until_screen
from tests.support.ralph import study, write_pack

NESTED_JSON = b"[" * 100_000 + b"]" * 100_000
NESTED_TOML = b"a = " + b"[" * 100_000 + b"]" * 100_000 + b"\n"
ENDPOINT = "http://127.0.0.1:9/xapi/"  # never contacted: nothing here syncs
HOSTILE = "Evil \x1b[31mred\x1b[0m \x1b]0;pwned\x07 \u202egnp.exe\u202c \u2066iso\u2069 \u200f\u061c\x9b31m end"
BAD_CHARS = ("\x1b", "\x07", "\x9b", "\u202e", "\u202c", "\u2066", "\u2069", "\u200f", "\u061c")


def one_error_line(stderr: str) -> str:
    """The single `mooc: error:` line of a failed command (and nothing like a traceback)."""
    assert "Traceback" not in stderr and "RecursionError" not in stderr, stderr[-2000:]
    errors = [line for line in stderr.splitlines() if line.startswith("mooc: error:")]
    assert len(errors) == 1, stderr[-2000:]
    return errors[0]


def snapshot(home: Path) -> dict[str, bytes]:
    """Every regular file under the data folder (locks aside), by relative path."""
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file() and not p.is_symlink() and not p.name.endswith(".lock")
    }


@pytest.fixture
def studied(run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path) -> Path:
    """A data folder with an installed course, one learner who studied it (lesson done,
    quiz passed), an approved LRS host and an outbox: the files mooc reads."""
    assert run_mooc("install", str(write_pack(tmp_path / "pack", ENDPOINT))).returncode == 0
    assert run_mooc("learner", "add", "Amina").returncode == 0
    study(mooc_home.home, "amina")
    assert run_mooc("consent", "allow", "127.0.0.1:9").returncode == 0
    assert run_mooc("sync", "--export", str(tmp_path / "export.json")).returncode == 0
    return mooc_home.home


def progress_log(home: Path) -> Path:
    return home / "learners" / "amina" / "progress" / "sync-101.jsonl"


def outbox_dir(home: Path) -> Path:
    (folder,) = (home / "sync").iterdir()
    return folder


# ------------------------------------------------------------------ 1. nested JSON / TOML


@dataclass(frozen=True)
class Planted:
    """A file of the data folder replaced by nesting, the command that reads it, and
    what it must say."""

    name: str
    path: Callable[[Path], Path]
    content: bytes
    args: tuple[str, ...]
    message: str


PLANTED = [
    Planted("config", lambda h: h / "config.toml", NESTED_TOML, ("progress",), "invalid TOML (nested too deeply)"),
    Planted("learners", lambda h: h / "learners.toml", NESTED_TOML, ("progress",), "invalid TOML (nested too deeply)"),
    Planted(
        "credentials",
        lambda h: h / "credentials.toml",
        NESTED_TOML,
        ("logout", ENDPOINT),
        "invalid TOML (nested too deeply)",
    ),
    Planted(
        "consent",
        lambda h: h / "learners" / "amina" / "sync-consent.toml",
        NESTED_TOML,
        ("consent", "list"),
        "invalid TOML (nested too deeply)",
    ),
    Planted(
        "catalog list",
        lambda h: h / "catalogs" / "catalogs.json",
        NESTED_JSON,
        ("search", "stats"),
        "not valid JSON (nested too deeply)",
    ),
    Planted(
        "catalog cache",
        lambda h: h / "catalogs" / "local.catalog.json",
        NESTED_JSON,
        ("search", "stats"),
        "not valid JSON (nested too deeply); run `mooc catalog refresh`",
    ),
    Planted(
        "huge config",
        lambda h: h / "config.toml",
        b"#" * (2 * 1024 * 1024),
        ("progress",),
        "too large (2097152 bytes; at most 1048576 are read): not a file mooc wrote; move it away",
    ),
]


@pytest.mark.parametrize("planted", PLANTED, ids=[p.name for p in PLANTED])
def test_nested_settings_file_is_one_line_naming_it(studied: Path, run_mooc: RunMooc, planted: Planted) -> None:
    target = planted.path(studied)
    target.parent.mkdir(parents=True, exist_ok=True)
    if planted.name == "catalog cache":  # the list names the catalog whose cache is damaged
        (studied / "catalogs" / "catalogs.json").write_text(
            json.dumps({"catalogs": [{"name": "local", "url": "file:///nowhere/catalog.json"}]})
        )
    target.write_bytes(planted.content)
    target.chmod(0o600)
    before = snapshot(studied)

    out = run_mooc(*planted.args, timeout=60)

    assert out.returncode == 1, out.stderr[-500:]
    assert one_error_line(out.stderr) == f"mooc: error: {target}: {planted.message}"
    assert snapshot(studied) == before  # the damaged file and all other data as they were


def test_nested_course_files_are_one_line_at_load(run_mooc: RunMooc, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "pack", None)
    (pack / "quizzes" / "quiz-1.toml").write_bytes(NESTED_TOML)
    out = run_mooc("play", "--plain", str(pack), input="q\n", timeout=60)
    assert out.returncode == 1
    assert one_error_line(out.stderr) == f"mooc: error: {pack}: 1 error: quizzes/quiz-1.toml: TOML nested too deeply"

    (pack / "course.toml").write_bytes(NESTED_TOML)
    out = run_mooc("install", str(pack), timeout=60)
    assert out.returncode == 1
    assert one_error_line(out.stderr) == f"mooc: error: {pack}: 1 error: course.toml: TOML nested too deeply"


def test_nested_sync_export_file_is_one_line(studied: Path, run_mooc: RunMooc, tmp_path: Path) -> None:
    export = tmp_path / "stick.json"
    export.write_bytes(NESTED_JSON)
    before = snapshot(studied)
    out = run_mooc("sync", "--import", str(export), timeout=60)
    assert out.returncode == 1
    assert one_error_line(out.stderr).startswith(
        f"mooc: error: {export}: not a mooc sync export (not valid JSON (nested too deeply))"
    )
    assert snapshot(studied) == before


def test_nested_outbox_and_acks_lines_are_skipped_with_a_warning(studied: Path, run_mooc: RunMooc) -> None:
    folder = outbox_dir(studied)
    bad_line = (folder / "outbox.jsonl").read_bytes().count(b"\n") + 1
    with open(folder / "outbox.jsonl", "ab") as fh:
        fh.write(NESTED_JSON + b"\n")
    (folder / "acks.jsonl").write_bytes(b'{"id": "x", "state": "stored"}\n' + NESTED_JSON + b"\n")
    (folder / "status.json").write_bytes(NESTED_JSON)  # informative only: counts as empty
    before = snapshot(studied)

    out = run_mooc("sync", "--status", timeout=60)

    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert "pending: 10 (amina: 10)" in out.stdout  # the good lines still count
    assert (
        f"mooc: warning: {folder / 'outbox.jsonl'}: line {bad_line}: damaged (not valid JSON (nested too "
        "deeply)); skipped; the file is left as it is"
    ) in out.stderr
    assert f"mooc: warning: {folder / 'acks.jsonl'}: line 2: damaged" in out.stderr
    assert snapshot(studied) == before


def test_nested_store_pointer_counts_as_not_installed(studied: Path, run_mooc: RunMooc) -> None:
    pointer = studied / "courses" / "sync-101" / "current.json"
    pointer.write_bytes(NESTED_JSON)
    before = snapshot(studied)
    out = run_mooc("list", timeout=60)
    assert out.returncode == 0 and "Traceback" not in out.stderr
    assert (
        f"mooc: warning: {pointer}: not valid JSON (nested too deeply); the course counts as not installed"
        in out.stderr
    )
    assert "sync-101" not in out.stdout
    assert snapshot(studied) == before


def test_store_pointer_naming_a_folder_outside_is_refused(studied: Path, run_mooc: RunMooc) -> None:
    pointer = studied / "courses" / "sync-101" / "current.json"
    data = json.loads(pointer.read_text())
    for bad in ("../../../../etc", "/etc", "..", "a\\..\\..\\b"):
        pointer.write_text(json.dumps({**data, "dir": bad}))
        out = run_mooc("play", "--plain", "sync-101", input="q\n", timeout=60)
        assert out.returncode == 1, bad
        assert "no course" in one_error_line(out.stderr) and "sync-101" in out.stderr
        assert f"mooc: warning: {pointer}: damaged; the course counts as not installed" in out.stderr
    pointer.write_text(json.dumps({**data, "id": "other-course"}))
    out = run_mooc("list")
    assert f"{pointer}: names course 'other-course', not 'sync-101'" in out.stderr


# ------------------------------------------------------------------ 1b. damaged progress lines


def test_damaged_progress_lines_never_stop_the_course(studied: Path, run_mooc: RunMooc) -> None:
    log = progress_log(studied)
    good = log.read_bytes()
    damage = NESTED_JSON + b"\n" + b"\xff\xfe not utf-8\n" + b'{"half": \n'
    log.write_bytes(good + damage)

    progress = run_mooc("progress", "--json", timeout=60)
    assert progress.returncode == 0, progress.stderr
    (course,) = json.loads(progress.stdout)["courses"]
    assert course["lessons_done"] == 1 and course["passed"] is True  # the good lines all count
    warnings = [line for line in progress.stderr.splitlines() if line.startswith("mooc: warning:")]
    first_bad = good.count(b"\n") + 1
    assert warnings == [
        f"mooc: warning: {log}: 3 lines skipped (line {first_bad}: damaged "
        "(not valid JSON (nested too deeply)), ...); the rest of the progress counts, "
        "and the file is left as it is"
    ]

    play = run_mooc("play", "--plain", "sync-101", input="n\nq\n", timeout=60)
    assert play.returncode == 0, play.stderr
    assert "Course: Sync test course" in play.stdout and "Traceback" not in play.stderr
    after = log.read_bytes()
    assert after.startswith(good + damage)  # the damaged bytes are kept; new events follow them
    assert len(after) > len(good + damage)


def test_event_of_the_wrong_shape_no_longer_breaks_certificate_request(studied: Path, run_mooc: RunMooc) -> None:
    log = progress_log(studied)
    events = [json.loads(line) for line in log.read_text().splitlines()[1:]]
    attempt = next(e for e in events if e["type"] == "attempt")
    hostile = [  # as a hostile `sync --pull` or a damaged file could leave them
        {**attempt, "id": "7b0e8c4e-0000-4000-8000-000000000001", "data": {**attempt["data"], "questions": "xx"}},
        {**attempt, "id": "7b0e8c4e-0000-4000-8000-000000000002", "data": {"score": "high"}},
        {**attempt, "id": "7b0e8c4e-0000-4000-8000-000000000003", "data": [1, 2]},
        {**attempt, "id": "7b0e8c4e-0000-4000-8000-000000000004", "time": "yesterday"},
        {
            **attempt,
            "id": "7b0e8c4e-0000-4000-8000-000000000005",
            "data": {**attempt["data"], "questions": [{"id": "q1", "response": [[[1]]]}]},
        },
        {**attempt, "id": "7b0e8c4e-0000-4000-8000-000000000006", "data": {"score": float("nan")}},
        {
            "type": "certificate_requested",
            "id": "7b0e8c4e-0000-4000-8000-000000000007",
            "time": attempt["time"],
            "course_id": "sync-101",
            "course_version": "1.0.0",
            "item_id": None,
            "data": {"evidence": 3},
        },
    ]
    with open(log, "a", encoding="utf-8") as fh:
        for e in hostile:
            fh.write(json.dumps(e) + "\n")
    damaged = log.read_bytes()

    out = run_mooc("certificate", "request", "sync-101", "--json", timeout=60)

    assert out.returncode == 0, out.stderr
    request = json.loads(out.stdout)
    assert request["created"] is True and request["score"] == 1.0 and request["evidence"] == 2
    assert (
        f"{log}: 7 lines skipped (line {len(events) + 2}: not a valid event ('data.questions' must be a list)"
        in out.stderr
    )
    assert log.read_bytes().startswith(damaged)  # kept, and the request appended after them
    status = run_mooc("certificate", "status", "--json")
    assert status.returncode == 0 and [r["course"] for r in json.loads(status.stdout)["requests"]] == ["sync-101"]


# ------------------------------------------------------------------ 3. links and ownership


def _run_bounded(run_mooc: RunMooc, *args: str) -> subprocess.CompletedProcess[str]:
    return run_mooc(*args, input="n\nq\n", timeout=30)  # a loop would hit the timeout and fail the test


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_symlinked_progress_log_is_refused_and_its_target_untouched(
    studied: Path, run_mooc: RunMooc, tmp_path: Path
) -> None:
    log = progress_log(studied)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious data\nwith a last line and no newline")  # a "torn tail" to cut
    victim_before = victim.read_bytes()
    log.unlink()
    log.symlink_to(victim)

    for args in (("play", "--plain", "sync-101"), ("certificate", "request", "sync-101")):
        out = _run_bounded(run_mooc, *args)
        assert out.returncode == 1
        assert one_error_line(out.stderr) == (
            f"mooc: error: {log}: is a symbolic link; mooc does not follow "
            "links in its data folder (replace the link with the file itself)"
        )
    out = run_mooc("progress", timeout=30)  # the other courses still list; the link is named
    assert out.returncode == 0 and f"mooc: warning: {log}: is a symbolic link" in out.stderr
    assert victim.read_bytes() == victim_before and log.is_symlink()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_dangling_progress_log_link_ends_at_once(studied: Path, run_mooc: RunMooc, tmp_path: Path) -> None:
    log = progress_log(studied)
    log.unlink()
    nowhere = tmp_path / "nowhere.jsonl"
    log.symlink_to(nowhere)
    out = _run_bounded(run_mooc, "play", "--plain", "sync-101")
    assert out.returncode == 1 and one_error_line(out.stderr).startswith(f"mooc: error: {log}: is a symbolic link")
    assert not nowhere.exists() and log.is_symlink()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_linked_progress_folder_is_refused(studied: Path, run_mooc: RunMooc, tmp_path: Path) -> None:
    progress = progress_log(studied).parent
    elsewhere = tmp_path / "elsewhere"
    progress.rename(elsewhere)
    progress.symlink_to(elsewhere)
    before = snapshot(elsewhere)
    out = _run_bounded(run_mooc, "play", "--plain", "sync-101")
    assert out.returncode == 1
    assert one_error_line(out.stderr).startswith(f"mooc: error: {progress}: is a symbolic link")
    assert snapshot(elsewhere) == before


def test_fifo_and_folder_in_place_of_a_settings_file(studied: Path, run_mooc: RunMooc) -> None:
    config = studied / "config.toml"
    os.mkfifo(config)  # opening a FIFO for reading would wait for a writer forever
    out = run_mooc("progress", timeout=30)
    assert out.returncode == 1
    assert one_error_line(out.stderr) == f"mooc: error: {config}: not a regular file; mooc reads only plain files here"
    config.unlink()
    config.mkdir()
    out = run_mooc("progress", timeout=30)
    assert out.returncode == 1 and one_error_line(out.stderr).startswith(f"mooc: error: {config}: not a regular file")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give a file away")
def test_a_data_file_of_another_user_is_refused(studied: Path, run_mooc: RunMooc) -> None:
    config = studied / "config.toml"
    config.write_text('[learners]\ndefault = "planted"\n')
    os.chown(config, 65534, 65534)  # planted by someone else (nobody)
    log = progress_log(studied)
    before = log.read_bytes()
    out = run_mooc("progress", timeout=60)
    assert out.returncode == 1
    assert one_error_line(out.stderr) == (
        f"mooc: error: {config}: owned by another user (uid 65534); "
        "mooc reads only its own files here (fix the owner or remove the file)"
    )
    config.unlink()
    os.chown(log, 65534, 65534)
    out = run_mooc("play", "--plain", "sync-101", input="q\n", timeout=60)
    assert out.returncode == 1 and one_error_line(out.stderr).startswith(f"mooc: error: {log}: owned by another user")
    assert log.read_bytes() == before


# ------------------------------------------------------------------ 3b. umask 000


def _umask_000(home: Path, system: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MOOC_HOME=str(home), MOOC_SYSTEM_HOME=str(system), COLUMNS="120")
    return subprocess.run(
        ["sh", "-c", 'umask 000 && exec "$0" "$@"', str(MOOC_BIN), *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_umask_000_never_makes_data_folders_writable_by_others(tmp_path: Path) -> None:
    home, system = tmp_path / "fresh-home", tmp_path / "fresh-system"
    pack = write_pack(tmp_path / "pack", ENDPOINT)
    shelf = tmp_path / "shelf"  # a USB stick with a bare .mooc: a catalog of one
    for args, input in (
        (("install", str(pack)), None),
        (("learner", "add", "Amina"), None),
        (("play", "--plain", "sync-101"), "\nn\nq\n"),
        (("consent", "allow", "127.0.0.1:9"), None),
        (("sync", "--export", str(tmp_path / "out" / "x.json")), None),
        (("pack", "build", str(pack), "-o", str(shelf / "sync-101.mooc")), None),
        (("catalog", "add", str(shelf)), None),
        (("learner", "use", "Amina"), None),
        (("install", "--system", str(pack)), None),
    ):
        out = _umask_000(home, system, *args, input=input)
        assert out.returncode == 0, (args, out.stderr)
    assert progress_log(home).is_file() and (home / "catalogs").is_dir()  # the commands really wrote

    made = [home, *home.rglob("*")]
    for p in made:
        mode = stat.S_IMODE(os.lstat(p).st_mode)
        assert not mode & 0o022, f"{p} is writable by others ({mode:o})"
    for private in (
        home,
        home / "learners",
        home / "learners" / "amina",
        progress_log(home).parent,
        home / "sync",
        outbox_dir(home),
        home / "catalogs",
    ):
        assert stat.S_IMODE(private.stat().st_mode) == 0o700, private
    for private in (
        progress_log(home),
        home / "learners.toml",
        home / "config.toml",
        home / "catalogs" / "catalogs.json",
    ):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600, private
    for p in [system, *system.rglob("*")]:  # the system store: readable by all, writable by none
        mode = stat.S_IMODE(os.lstat(p).st_mode)
        assert not mode & 0o022 and mode & 0o004, f"{p} ({mode:o})"
        if p.is_dir():
            assert mode == 0o755, f"{p} ({mode:o})"


def test_umask_000_in_process_engine_makes_private_folders(tmp_path: Path) -> None:
    """The engine alone (no `mooc` main to tighten the umask) still makes 0700 folders."""
    from packages.layout import Layout
    from player.events import Event
    from player.progress import EventLog
    from sync import jsonl

    layout = Layout(tmp_path / "home", tmp_path / "system")
    old = os.umask(0)
    try:
        EventLog.for_course(layout, "amina", "c1").append(Event("position", "c1", "1.0", "l1"))
        jsonl.append(layout.sync_endpoint_dir("k") / "outbox.jsonl", [{"event": "e"}])
    finally:
        os.umask(old)
    for folder in (
        layout.home,
        layout.learners_dir,
        layout.learner_dir("amina"),
        layout.progress_dir("amina"),
        layout.sync_dir,
        layout.sync_endpoint_dir("k"),
    ):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


# ------------------------------------------------------------------ 4. escapes and bidi


def test_json_outputs_decode_to_clean_text(run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "pack", None)
    toml = (pack / "course.toml").read_text()
    (pack / "course.toml").write_text(
        toml.replace('title = "Sync test course"', f"title = {json.dumps(HOSTILE)}", 1).replace(
            'title = "Quiz 1"', f"title = {json.dumps(HOSTILE)}"
        )
    )
    assert run_mooc("install", str(pack)).returncode == 0
    assert run_mooc("play", "--plain", "sync-101", input="\nn\nq\n").returncode == 0
    assert run_mooc("catalog", "add", str(pack.parent), "--name", "local").returncode in (0, 1)
    (mooc_home.home / "catalogs").mkdir(exist_ok=True)
    (mooc_home.home / "catalogs" / "catalogs.json").write_text(
        json.dumps({"catalogs": [{"name": "local", "url": (tmp_path / "cat.json").as_uri()}]})
    )
    (tmp_path / "cat.json").write_text(
        json.dumps(
            {
                "format": 1,
                "courses": [
                    {
                        "id": "evil",
                        "version": "1.0.0",
                        "title": HOSTILE,
                        "summary": HOSTILE,
                        "url": "evil.mooc",
                        "size": 10,
                        "sha256": "a" * 64,
                    }
                ],
            }
        )
    )
    assert run_mooc("catalog", "refresh").returncode == 0

    for args in (
        ("progress", "--json"),
        ("search", "evil", "--json"),
        ("list", "--json"),
        ("info", "sync-101", "--json"),
    ):
        out = run_mooc(*args)
        assert out.returncode == 0, (args, out.stderr)
        decoded = json.dumps(json.loads(out.stdout), ensure_ascii=False)
        for raw in (out.stdout, decoded):
            assert not any(c in raw for c in BAD_CHARS), (args, [c for c in BAD_CHARS if c in raw])
        assert "Evil red" in decoded and "gnp.exe" in decoded, args  # the text is shown, only cleaned

    table = run_mooc("progress", "sync-101")
    assert table.returncode == 0 and not any(c in table.stdout for c in BAD_CHARS)


def test_safe_text_removes_every_bidi_control() -> None:
    from packages.safe_text import clean, clean_data, one_line

    controls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    assert clean(f"a{controls}b") == "ab" and one_line("x\u202e y") == "x y"
    assert clean("مرحبا שלום") == "مرحبا שלום"  # right-to-left text itself stays
    assert clean_data({"k\u202e": ["v\x1b[2J", 1, None, {"t": "\u2066x"}]}) == {"k": ["v", 1, None, {"t": "x"}]}


def test_dumps_clean_is_the_cleaned_document_encoded() -> None:
    """--json output checks the encoded text first and cleans only when it must: the
    result is exactly json.dumps(clean_data(...)) for every character clean() removes,
    every one it keeps around them, and backslashes that look like an escaped control."""
    import json

    from packages.safe_text import clean_data, dumps_clean

    every = [chr(c) for c in range(0x00, 0xA0)] + [chr(c) for c in range(0x2000, 0x2070)] + ["\u061c", "é", "😀"]
    lookalikes = ["\\u001b", "\\r", "\\b", "\\f", "\\u0009", "\\n", "a\\", "\\\\", '"\\u0000"']
    cases: list[object] = [{"plain": ["text", 1, 2.5, None, True]}, [], {}, "", 0]
    for text in [*every, *lookalikes, "\x1b[31mred\x1b[0m", "\x1b]8;;http://x\x07link\x1b]8;;\x07", "\x9b2J"]:
        cases += [text, {text: 1}, {"k": [f"a{text}b", {"n": text}]}, (text, text)]
    for value in cases:
        for indent in (None, 2):
            separators = (",", ":") if indent is None else None
            wanted = json.dumps(clean_data(value), ensure_ascii=False, indent=indent, separators=separators)
            assert dumps_clean(value, indent=indent) == wanted, repr(value)


# ------------------------------------------------------------------ 5. lesson links


@pytest.fixture
def course_folder(tmp_path: Path) -> Path:
    pack = write_pack(tmp_path / "course", None)
    (pack / "media").mkdir()
    (pack / "media" / "chart.png").write_bytes(b"\x89PNG")
    (tmp_path / "secret.txt").write_text("outside the course")
    (pack / "media" / "escape.png").symlink_to(tmp_path / "secret.txt")
    return pack


REFUSED = [
    ("javascript:alert(1)", "only http(s) links and files of the course are opened, not javascript:"),
    ("JavaScript:alert(1)", "not javascript:"),
    ("file:/etc/passwd", "not file:"),
    ("file:///etc/passwd", "not file:"),
    ("data:text/html,<script>x</script>", "not data:"),
    ("smb://host/share", "not smb:"),
    ("mailto:a@b.org", "not mailto:"),
    ("-flag", "looks like a command-line option"),
    ("--help", "looks like a command-line option"),
    ("../../secret.txt", "leaves the pack"),
    ("../../../../../../etc/passwd", "leaves the pack"),
    ("../media/escape.png", "leaves the pack"),  # a link in the course pointing outside it
    ("/etc/passwd", "is not a relative path inside the pack"),
    ("http://", "names no host"),
    ("https://example.org/\x1b]0;x\x07", "spaces or control characters"),
    ("https://example.org/a b", "spaces or control characters"),
    ("#section", "points inside the lesson"),
]


@pytest.mark.parametrize("link,why", REFUSED, ids=[r[0][:24] for r in REFUSED])
def test_lesson_links_refused(course_folder: Path, link: str, why: str) -> None:
    from packages.errors import MoocError
    from player import media

    with pytest.raises(MoocError) as err:
        media.plan(course_folder, "lessons/intro.md", link)
    message = str(err.value)
    assert message.startswith("lessons/intro.md: ") and why in message and "\n" not in message
    assert not any(c in message for c in BAD_CHARS)


def test_lesson_links_allowed(course_folder: Path) -> None:
    from player import media

    web = media.plan(course_folder, "lessons/intro.md", "https://example.org/page?q=1#top")
    assert web == media.Target("https://example.org/page?q=1#top", is_file=False)
    local = media.plan(course_folder, "lessons/intro.md", "../media/chart.png")
    assert local.is_file and local.value == str((course_folder / "media" / "chart.png").resolve())


def _fake_opener(tmp_path: Path, code: int = 0) -> tuple[Path, Path]:
    """A real program standing in for xdg-open: records its arguments, exits with `code`."""
    record = tmp_path / "argv.json"
    script = tmp_path / "opener.py"
    script.write_text(f"import json, sys\njson.dump(sys.argv[1:], open({str(record)!r}, 'w'))\nsys.exit({code})\n")
    wrapper = tmp_path / "opener"
    wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} {script} "$@"\n')
    wrapper.chmod(0o755)
    return wrapper, record


def test_opener_gets_one_checked_argument_and_failures_are_said(
    course_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from packages.errors import MoocError
    from player import media

    opener, record = _fake_opener(tmp_path)
    monkeypatch.setenv("MOOC_OPENER", str(opener))
    target = media.plan(course_folder, "lessons/intro.md", "../media/chart.png")
    said = media.open_target(target, wait=30)
    assert json.loads(record.read_text()) == [target.value] and said == "Opened chart.png with opener."

    (tmp_path / "failing").mkdir()
    failing, _ = _fake_opener(tmp_path / "failing", code=3)
    monkeypatch.setenv("MOOC_OPENER", str(failing))
    with pytest.raises(MoocError) as err:
        media.open_target(media.plan(course_folder, "lessons/intro.md", "https://example.org/"), wait=30)
    assert str(err.value) == (
        "opener could not open the link (exit status 3: no application for it?); the link is https://example.org/"
    )

    monkeypatch.delenv("MOOC_OPENER")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no xdg-open, no gio
    monkeypatch.setattr(sys, "platform", "linux")
    with pytest.raises(MoocError) as err:
        media.open_target(target)
    assert str(err.value) == f"no program to open it here (install xdg-utils); the file is {target.value}"


def test_viewer_commands_end_options_where_the_opener_reads_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from player import media

    monkeypatch.delenv("MOOC_OPENER", raising=False)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert media.viewer_command() == ["open", "--"]
    monkeypatch.setattr(sys, "platform", "linux")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gio").write_text("#!/bin/sh\n")
    (bin_dir / "gio").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert media.viewer_command() == [str(bin_dir / "gio"), "open", "--"]


async def test_tui_refuses_a_javascript_link_and_opens_nothing(
    mooc_home: Homes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from packages.install import install
    from packages.layout import Layout
    from tui.app import MoocApp

    pack = write_pack(tmp_path / "pack", None)
    (pack / "lessons" / "intro.md").write_text(
        "# Intro\n\n[Click me](javascript:alert(1))\n\n[Spec](https://example.org/spec)\n"
    )
    layout = Layout.default(mooc_home.home)
    install(layout, str(pack), quiet=True)
    from player.learners import Learners

    Learners(layout).add("Amina")  # not the first start: nobody to ask for
    opener, record = _fake_opener(tmp_path)
    monkeypatch.setenv("MOOC_OPENER", str(opener))
    app = MoocApp(layout=layout, course_id="sync-101", item_id="intro")
    async with app.run_test(size=(100, 30)) as pilot:
        await until_screen(pilot, "CourseScreen")
        await pilot.press("o")
        await pilot.pause(0.2)
        await pilot.press("enter")  # the javascript: link
        await pilot.pause(0.2)
        messages = [str(n.message) for n in app._notifications]
        assert any("not javascript:" in m for m in messages), messages
        assert not record.exists()
        await pilot.press("o")
        await pilot.pause(0.2)
        await pilot.press("down", "enter")  # the https link: handed over as one argument
        for _ in range(100):
            if record.exists():
                break
            await pilot.pause(0.05)
    assert json.loads(record.read_text()) == ["https://example.org/spec"]


# ------------------------------------------------------------------ 6. learners


def test_two_learners_with_one_id_are_refused(run_mooc: RunMooc, mooc_home: Homes) -> None:
    assert run_mooc("learner", "add", "Amina").returncode == 0
    registry = mooc_home.home / "learners.toml"
    text = registry.read_text()
    entry = text[text.index("[[learners]]") :]
    registry.write_text(text + "\n" + entry.replace('name = "Amina"', 'name = "Impostor"'))
    before = registry.read_bytes()
    out = run_mooc("progress")
    assert out.returncode == 1
    assert one_error_line(out.stderr) == (
        f"mooc: error: {registry}: learner 2: id 'amina' is already learner 1's; "
        f"each learner needs their own (edit {registry})"
    )
    assert registry.read_bytes() == before


# ------------------------------------------------------------------ 2. the event schema


def test_every_event_the_engine_writes_fits_the_schema(tmp_path: Path) -> None:
    """The schema is what the engine reads; every event it writes must pass it, so a
    shape change in the engine (player/session.py and its parts) that the schema does
    not follow fails here."""
    from types import SimpleNamespace

    from packages.layout import Layout
    from packages.loading import load_course
    from packages.source import open_source
    from player.event_schema import DATA, event_problem
    from player.events import EVENT_TYPES, Event
    from player.progress import EventLog
    from player.session import CourseSession

    assert set(DATA) == EVENT_TYPES  # one registry: each event type has its data shape
    xmooc = write_pack(tmp_path / "x", None)
    quiz = xmooc / "quizzes" / "quiz-1.toml"
    quiz.write_text(quiz.read_text().replace('prompt = "Pick B"', 'prompt = "Pick B"\nhint = "Not A."'))
    cmooc = write_pack(tmp_path / "c", None, course_id="c-101")
    (cmooc / "course.toml").write_text((cmooc / "course.toml").read_text().replace('"xmooc"', '"cmooc"'))
    written: list[Event] = []
    for pack in (xmooc, cmooc):
        source = open_source(pack)
        course = load_course(source)
        session = CourseSession(course, source, written, SimpleNamespace(id="amina", name="Amina"))
        session.open_item("intro")
        session.add_active_time("intro", 12.5)
        session.complete_lesson("intro")
        if course.kind == "cmooc":
            session.self_assess("m1", 4)
            continue
        attempt = session.start_attempt("quiz-1")
        attempt.show_hint("q1")
        attempt.answer("q1", 1)
        attempt.answer("q2", True)
        session.submit(attempt)
        evidence = session.evidence()
        written.append(
            Event(
                "certificate_requested",
                course.id,
                course.version,
                data={
                    "score": session.course_score(),
                    "threshold": course.pass_threshold,
                    "quizzes": evidence["quizzes"],
                    "evidence": evidence["evidence"],
                    "learner_name": "Amina",
                    "learner_email": None,
                },
            )
        )
        # the provider's answers, shaped as sync/issuing.py writes them and pull merges them
        request = written[-1].id
        written.append(
            Event(
                "certificate_issued",
                course.id,
                course.version,
                data={"request": request, "credential": "eyJhbGciOiJFZERTQSJ9.e30.c2ln"},
            )
        )
        written.append(
            Event(
                "certificate_refused",
                course.id,
                course.version,
                data={"request": request, "reason": "the answers earn 40%, below the 50% needed"},
            )
        )
    assert {e.type for e in written} == EVENT_TYPES
    assert [(e.type, event_problem(e.to_dict())) for e in written] == [(e.type, None) for e in written]

    log = EventLog.for_course(Layout(tmp_path / "home", tmp_path / "sys"), "amina", "sync-101")
    log.append(*written)
    assert log.events() == written and log.problems == []
