"""Tell the OS's service manager about the sync agent's file: start it now, stop it, forget it.

Called by sync/agent_install.py after it wrote (or before it removes) the file, and
only when ``MOOC_AGENT_NO_MANAGER`` is not set. Each command runs only when its tool
is there (`run_tool`); what a tool refused comes back as one
line for the learner, never an exception: the file is in place and takes effect at
the next login. Where nothing starts the agent now (an XDG autostart entry, or a
systemd user manager that is not reachable), it is started in the background here.
Stopping also ends this account's running agent (its pid is in state.json, its lock
says it runs: sync/agent_state.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from packages.i18n import _
from packages.layout import Layout
from sync import agent_files as files
from sync import agent_state

TASK_EVERYONE = f"{files.TASK_NAME} (every account)"


def _gui() -> str:
    from packages.portable import my_uid

    return f"gui/{my_uid()}"  # launchd's domain of this user's session (macOS only)


def started(layout: Layout, how: str, path: Path, *, everyone: bool, argv: list[str], cwd: Path) -> list[str]:
    if everyone:
        if how == "schtasks":
            return _said(run_tool(["schtasks", "/Create", "/TN", TASK_EVERYONE, "/XML", str(path), "/F"]))
        return []  # each account's session starts it at its next login
    notes: list[str] = []
    if how == "systemd":
        notes += _said(run_tool(["systemctl", "--user", "daemon-reload"]))
        notes += _said(run_tool(["systemctl", "--user", "start", files.UNIT_NAME]))
        if notes:  # no user manager to talk to: run it now; the unit starts it at the next login
            notes += start_in_background(layout, argv, cwd)
    elif how == "launchd":
        refused = run_tool(["launchctl", "bootstrap", _gui(), str(path)])
        if refused:
            notes += _said(run_tool(["launchctl", "load", "-w", str(path)]))
    elif how == "schtasks":
        notes += _said(run_tool(["schtasks", "/Create", "/TN", files.TASK_NAME, "/XML", str(path), "/F"]))
        notes += _said(run_tool(["schtasks", "/Run", "/TN", files.TASK_NAME]))
    else:
        notes += start_in_background(layout, argv, cwd)
    return notes


def stopped(layout: Layout, how: str, path: Path, *, everyone: bool) -> None:
    """Stop what the file started (whatever a manager answers, this account's agent is ended)."""
    if everyone:
        if how == "schtasks":
            run_tool(["schtasks", "/Delete", "/TN", TASK_EVERYONE, "/F"])
        return  # each account's agent sees the policy and stops (sync/agent_loop.py)
    if how == "systemd":
        run_tool(["systemctl", "--user", "stop", files.UNIT_NAME])
    elif how == "launchd":
        if run_tool(["launchctl", "bootout", f"{_gui()}/{files.LAUNCHD_LABEL}"]):
            run_tool(["launchctl", "unload", "-w", str(path)])
    elif how == "schtasks":
        run_tool(["schtasks", "/End", "/TN", files.TASK_NAME])
        run_tool(["schtasks", "/Delete", "/TN", files.TASK_NAME, "/F"])
    stop_running(layout)


def reloaded(kinds: list[str], *, everyone: bool) -> None:
    if "systemd" in kinds and not everyone:
        run_tool(["systemctl", "--user", "daemon-reload"])


def start_in_background(layout: Layout, argv: list[str], cwd: Path) -> list[str]:
    """Start the agent's command ARGV for this data folder, detached from this terminal."""
    if agent_state.running(layout):
        return []
    options: dict[str, object] = {}
    if sys.platform == "win32":
        options["creationflags"] = getattr(subprocess, "DETACHED_PROCESS", 0) | getattr(
            subprocess, "CREATE_NEW_PROCESS_GROUP", 0
        )
    else:
        options["start_new_session"] = True
    try:
        subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, **options
        )  # type: ignore[call-overload]
    except OSError as err:
        return [_("could not start the agent now ({err}); it starts at your next login").format(err=err)]
    return [_("started the agent now; from the next login on, the session starts it")]


def stop_running(layout: Layout, wait: float = 10.0) -> bool:
    """End this data folder's running agent (SIGTERM to the pid it wrote); whether it is gone."""
    if not agent_state.running(layout):
        return True
    pid = agent_state.read(layout).get("pid")
    if not isinstance(pid, int) or pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return not agent_state.running(layout)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if not agent_state.running(layout):
            return True
        time.sleep(0.1)
    return False


def _said(note: str | None) -> list[str]:
    return [note] if note else []


def run_tool(argv: list[str]) -> str | None:
    """Run a service manager's command when the tool exists; its complaint (one line), or None."""
    if shutil.which(argv[0]) is None:
        return None
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as err:
        return f"{' '.join(argv)}: {err}"
    if done.returncode == 0:
        return None
    said = (done.stderr or done.stdout).strip().splitlines()
    return f"{' '.join(argv)}: {said[0] if said else f'exit status {done.returncode}'}"
