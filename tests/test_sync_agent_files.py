"""The sync agent's service files, installed, checked and removed without touching the system.

Each file is rendered for a Python and a data folder whose paths hold spaces (and the
characters each format treats specially), then read back by that format's rules: the
systemd unit by `systemd-analyze verify` (where the tool exists) and by its quoting
rules, the XDG entry by the desktop-entry Exec rules, the launchd plist by plistlib,
the Task Scheduler XML by an XML parser and the Windows command-line rules. The
`mooc sync --install-agent` / `--agent-status` / `--remove-agent` and `mooc lab agent`
commands run for real, with every path under the test's folder (XDG_CONFIG_HOME,
HOME, MOOC_AGENT_SYSTEM_ROOT) and no service manager called (MOOC_AGENT_NO_MANAGER).
"""

from __future__ import annotations

import json
import plistlib
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from packages.layout import Layout
from sync import agent_files, agent_install
from tests.conftest import Homes, RunMooc

ODD = 'x y/h%o$me "q" \\b'  # a space, a specifier, a variable, quotes, a backslash


@pytest.fixture
def spaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Layout, Path]:
    """A layout whose home holds ODD characters, and this Python reached through a path with spaces."""
    pydir = tmp_path / "Program Files" / "py dir"
    pydir.mkdir(parents=True)
    python = pydir / "python3"
    python.symlink_to(sys.executable)
    monkeypatch.setattr(sys, "executable", str(python))
    home = tmp_path / ODD
    home.mkdir(parents=True)
    monkeypatch.setenv("MOOC_SYSTEM_HOME", str(tmp_path / "sys tem"))
    return Layout(home=home, system_home=tmp_path / "sys tem"), python


def _expected(layout: Layout, python: Path) -> list[str]:
    return [str(python), "-m", "player", "sync", "--watch", "--home", str(layout.home.resolve())]


def _systemd_words(line: str) -> list[str]:
    """ExecStart= words: double-quoted with C escapes; %% and $$ stand for % and $ (a lone
    % is a specifier, a lone $ a variable: systemd would replace them)."""
    words = []
    for word in shlex.split(line):
        plain = word.replace("%%", "").replace("$$", "")
        assert "%" not in plain and "$" not in plain, f"{word!r} would be expanded by systemd"
        words.append(word.replace("%%", "%").replace("$$", "$"))
    return words


def test_systemd_unit_quotes_paths_with_spaces(spaced: tuple[Layout, Path], tmp_path: Path) -> None:
    layout, python = spaced
    unit = agent_install.render(layout, "systemd", everyone=False).decode()
    lines = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line)
    assert _systemd_words(lines["ExecStart"]) == _expected(layout, python)
    assert _systemd_words(lines["Environment"]) == [f"MOOC_SYSTEM_HOME={(tmp_path / 'sys tem').resolve()}"]
    assert lines["WantedBy"] == "default.target" and lines["Restart"] == "on-failure"
    assert lines["WorkingDirectory"].replace("%%", "%") == str(layout.agent_dir.resolve())  # no stranger's `player`
    layout.agent_dir.mkdir()
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here: the unit's quoting was checked, not systemd's verdict")
    path = tmp_path / "unit dir" / agent_files.UNIT_NAME
    path.parent.mkdir()
    path.write_text(unit)
    done = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # the check is real: a program that does not exist makes it fail
    path.write_text(unit.replace("python3", "no-such-python"))
    done = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "no-such-python" in done.stderr


def _desktop_words(value: str) -> list[str]:
    """Exec= of a desktop entry, by the spec: the string escapes first (\\\\ is \\), then
    the quoting rule (in double quotes, \\ escapes " ` $ and \\), then %% is %."""
    text, i = "", 0
    while i < len(value):  # string level: \\ -> \ (the only escape these files hold)
        if value.startswith("\\\\", i):
            text, i = text + "\\", i + 2
        else:
            text, i = text + value[i], i + 1
    words: list[str] = []
    word, quoted, escaped, started = "", False, False, False
    for c in text + " ":
        if escaped:
            assert c in '"`$\\', f"{c!r} may not be escaped"
            word, escaped = word + c, False
        elif quoted and c == "\\":
            escaped = True
        elif c == '"':
            quoted, started = not quoted, True
        elif c == " " and not quoted:
            if started:
                words.append(word.replace("%%", "%"))
            word, started = "", False
        else:
            word, started = word + c, True
    assert not quoted, "an unbalanced quote"
    return words


def test_desktop_entry_quotes_paths_with_spaces(spaced: tuple[Layout, Path], tmp_path: Path) -> None:
    layout, python = spaced
    entry = agent_install.render(layout, "xdg", everyone=False).decode()
    lines = dict(line.split("=", 1) for line in entry.splitlines() if "=" in line)
    words = _desktop_words(lines["Exec"])
    assert words[:2] == ["env", f"MOOC_SYSTEM_HOME={(tmp_path / 'sys tem').resolve()}"]
    assert words[2:] == _expected(layout, python)
    assert lines["Type"] == "Application" and "%" not in lines["Exec"].replace("%%", "")
    assert lines["Path"].replace("\\\\", "\\") == str(layout.agent_dir.resolve())
    if shutil.which("desktop-file-validate"):
        path = tmp_path / agent_files.DESKTOP_NAME
        path.write_text(entry)
        done = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr


def test_launchd_plist_is_well_formed(spaced: tuple[Layout, Path], tmp_path: Path) -> None:
    layout, python = spaced
    plist = plistlib.loads(agent_install.render(layout, "launchd", everyone=False))
    assert plist["Label"] == agent_files.LAUNCHD_LABEL
    assert plist["ProgramArguments"] == _expected(layout, python)
    assert plist["EnvironmentVariables"] == {"MOOC_SYSTEM_HOME": str((tmp_path / "sys tem").resolve())}
    assert plist["RunAtLoad"] is True and plist["KeepAlive"] == {"SuccessfulExit": False}
    assert plist["StandardOutPath"] == str(layout.agent_dir.resolve() / "agent.log")
    assert plist["WorkingDirectory"] == str(layout.agent_dir.resolve())


def _windows_argv(line: str) -> list[str]:
    """CommandLineToArgvW's rules (what Python on Windows applies to its command line)."""
    out: list[str] = []
    word, quoted, slashes, started = "", False, 0, False
    for c in line + " ":
        if c == "\\":
            slashes += 1
            continue
        if c == '"':
            word += "\\" * (slashes // 2)
            if slashes % 2:
                word += '"'
            else:
                quoted = not quoted
            slashes, started = 0, True
            continue
        word += "\\" * slashes
        slashes = 0
        if c in " \t" and not quoted:
            if started or word:
                out.append(word)
            word, started = "", False
        else:
            word += c
            started = True
    return out


@pytest.mark.parametrize("everyone", [False, True])
def test_task_scheduler_xml_is_well_formed(spaced: tuple[Layout, Path], everyone: bool) -> None:
    layout, python = spaced
    ns = {"t": agent_files.TASK_NS}
    data = agent_install.render(layout, "schtasks", everyone=everyone)
    assert data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff")  # UTF-16 with its BOM
    task = ET.fromstring(data)
    command = task.findtext("t:Actions/t:Exec/t:Command", namespaces=ns)
    arguments = task.findtext("t:Actions/t:Exec/t:Arguments", namespaces=ns)
    assert command == f'"{python}"'  # a path with spaces is quoted
    expected = _expected(layout, python) if not everyone else [str(python), "-m", "player", "sync", "--watch"]
    assert _windows_argv(f"{command} {arguments}") == expected
    assert task.find("t:Triggers/t:LogonTrigger", ns) is not None
    group = task.findtext("t:Principals/t:Principal/t:GroupId", namespaces=ns)
    assert (group == agent_files.USERS_GROUP) is everyone
    assert task.findtext("t:Settings/t:ExecutionTimeLimit", namespaces=ns) == "PT0S"
    folder = task.findtext("t:Actions/t:Exec/t:WorkingDirectory", namespaces=ns)
    assert folder == (str(layout.agent_dir.resolve()) if not everyone else "/")


def test_a_path_with_a_line_break_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from packages.errors import MoocError

    monkeypatch.delenv("MOOC_SYSTEM_HOME", raising=False)
    home = tmp_path / "a\nb"
    with pytest.raises(MoocError, match="control character"):
        agent_install.render(Layout(home=home, system_home=tmp_path), "systemd", everyone=False)


# ---------------------------------------------------------------------- the commands, for real


def _env(tmp_path: Path, kind: str) -> dict[str, str]:
    return {
        "XDG_CONFIG_HOME": str(tmp_path / "config dir"),
        "HOME": str(tmp_path / "user home"),
        "MOOC_AGENT_KIND": kind,
        "MOOC_AGENT_NO_MANAGER": "1",
        "MOOC_AGENT_SYSTEM_ROOT": str(tmp_path / "root dir"),
    }


@pytest.mark.parametrize("kind", ["systemd", "xdg", "launchd", "schtasks"])
def test_install_status_remove(kind: str, run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path) -> None:
    env = _env(tmp_path, kind)
    before = run_mooc("sync", "--agent-status", "--json", env=env)
    assert before.returncode == 0, before.stderr
    assert json.loads(before.stdout)["installed"] is False
    done = run_mooc("sync", "--install-agent", env=env)
    assert done.returncode == 0, done.stderr
    path = agent_install.user_path(Layout.default(mooc_home.home), kind) if kind == "schtasks" else None
    where = {
        "systemd": tmp_path / "config dir" / "systemd" / "user" / agent_files.UNIT_NAME,
        "xdg": tmp_path / "config dir" / "autostart" / agent_files.DESKTOP_NAME,
        "launchd": tmp_path / "user home" / "Library" / "LaunchAgents" / f"{agent_files.LAUNCHD_LABEL}.plist",
        "schtasks": path,
    }[kind]
    assert where is not None and where.is_file() and str(where) in done.stdout
    if kind == "systemd":  # enabled as `systemctl enable` would: the wants link
        link = where.parent / "default.target.wants" / agent_files.UNIT_NAME
        assert link.is_symlink() and link.resolve() == where.resolve()
    status = json.loads(run_mooc("sync", "--agent-status", "--json", env=env).stdout)
    assert status["installed"] is True and status["files"] == [{"kind": kind, "path": str(where), "enabled": True}]
    assert status["running"] is False and status["pending"] == 0 and status["last_success"] is None
    text = run_mooc("sync", "--agent-status", env=env).stdout
    assert f"installed: yes, for this account ({kind})" in text and "running: no" in text
    removed = run_mooc("sync", "--remove-agent", env=env)
    assert removed.returncode == 0 and str(where) in removed.stdout
    assert not where.exists() and not any(where.parent.glob("*.wants/*"))
    assert json.loads(run_mooc("sync", "--agent-status", "--json", env=env).stdout)["installed"] is False


def test_lab_installs_for_every_account_then_forbids(run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path) -> None:
    env = _env(tmp_path, "systemd")
    done = run_mooc("lab", "agent", "everyone", env=env)
    assert done.returncode == 0, done.stderr
    unit = tmp_path / "root dir" / "etc" / "systemd" / "user" / agent_files.UNIT_NAME
    assert unit.is_file() and (unit.parent / "default.target.wants" / agent_files.UNIT_NAME).is_symlink()
    assert "--home" not in unit.read_text()  # each account's own data folder
    status = json.loads(run_mooc("sync", "--agent-status", "--json", env=env).stdout)
    assert status["installed"] is True and status["policy"] == "everyone" and status["files"] == []
    mine = run_mooc("sync", "--install-agent", env=env)
    assert mine.returncode == 0 and "for every account" in mine.stdout
    assert not (tmp_path / "config dir" / "systemd").exists()  # nothing for this account alone

    forbid = run_mooc("lab", "agent", "forbid", env=env)
    assert forbid.returncode == 0 and not unit.exists()
    refused = run_mooc("sync", "--install-agent", env=env)
    assert refused.returncode != 0 and "turned the sync agent off" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    watch = run_mooc("sync", "--watch", env=env, timeout=30)
    assert watch.returncode == 0 and "turned the sync agent off" in watch.stdout
    assert json.loads(run_mooc("lab", "show", "--json").stdout)["agent"] == "forbidden"

    assert run_mooc("lab", "agent", "choice", env=env).returncode == 0
    assert run_mooc("sync", "--install-agent", env=env).returncode == 0
    assert (tmp_path / "config dir" / "systemd" / "user" / agent_files.UNIT_NAME).is_file()


def test_no_sync_env_stops_the_agent_at_once(run_mooc: RunMooc) -> None:
    done = run_mooc("sync", "--watch", env={"MOOC_NO_SYNC": "1"}, timeout=30)
    assert done.returncode == 0 and "MOOC_NO_SYNC" in done.stdout


def test_bad_pace_is_one_line(run_mooc: RunMooc) -> None:
    done = run_mooc("sync", "--watch", env={"MOOC_AGENT_PACE": "60,30"}, timeout=30)
    assert done.returncode != 0 and "MOOC_AGENT_PACE" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_unknown_agent_kind_is_one_line(run_mooc: RunMooc, tmp_path: Path) -> None:
    done = run_mooc("sync", "--install-agent", env={**_env(tmp_path, "upstart")}, timeout=30)
    assert done.returncode != 0 and "MOOC_AGENT_KIND" in done.stderr
    assert not (tmp_path / "config dir").exists()


def test_xdg_install_starts_the_agent_and_remove_stops_it(run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path) -> None:
    """Without a service manager to ask (an XDG autostart entry), installing starts the
    agent in the background, and removing it ends that process (SIGTERM to its pid)."""
    import time

    env = {k: v for k, v in _env(tmp_path, "xdg").items() if k != "MOOC_AGENT_NO_MANAGER"}
    env["MOOC_AGENT_PACE"] = "0.3,2.4,600,0.2"
    done = run_mooc("sync", "--install-agent", env=env)
    assert done.returncode == 0 and "started the agent now" in done.stdout, done.stdout + done.stderr
    try:
        deadline = time.monotonic() + 30
        status: dict[str, object] = {}
        while time.monotonic() < deadline:
            status = json.loads(run_mooc("sync", "--agent-status", "--json", env=env).stdout)
            if status["running"] and status["state"] == "waiting":
                break
            time.sleep(0.1)
        assert status["running"] is True and isinstance(status["pid"], int), status
        pid = status["pid"]
    finally:
        assert run_mooc("sync", "--remove-agent", env=env).returncode == 0  # never leave it running
    status = json.loads(run_mooc("sync", "--agent-status", "--json", env=env).stdout)
    assert status["running"] is False and status["installed"] is False
    state = json.loads(Layout.default(mooc_home.home).agent_state_file.read_text())
    assert state["pid"] == pid and state["state"] == "stopped"
