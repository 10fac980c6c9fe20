"""The files that start the sync agent at login, one per OS, each quoted by its own rules.

- a systemd user unit (Linux with systemd): ``ExecStart=`` words in double quotes, with
  C escapes for ``\\`` and ``"``, ``%%`` for ``%`` (specifiers) and ``$$`` for ``$``;
- an XDG autostart entry (Linux desktops without a user systemd): ``Exec=`` arguments
  in double quotes with ``\\`` ``"`` ``$`` and backquote escaped, then the file's own
  string escaping (so a backslash is four), ``%%`` for ``%`` (field codes);
- a launchd agent (macOS): a property list, whose argument array needs no quoting;
- a Task Scheduler task (Windows): XML (escaped by the XML writer) whose arguments
  are one Windows command line (`subprocess.list2cmdline`), the program quoted.

All are pure functions of a `Launch` (the command, its environment), so tests check
them without installing anything (sync/agent_install.py writes and registers them).
A path holding a line break or another control character cannot be written safely
in any of them: `Launch.check` refuses it with one line.
"""

from __future__ import annotations

import plistlib
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from packages.errors import MoocError
from packages.i18n import _

UNIT_NAME = "mooc-sync.service"
DESKTOP_NAME = "mooc-sync.desktop"
LAUNCHD_LABEL = "org.mooc.sync-agent"
TASK_NAME = "mooc sync agent"
DESCRIPTION = "mooc sync agent: sends learning records whenever a connection appears"
TASK_NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"
USERS_GROUP = "S-1-5-32-545"  # BUILTIN\Users: every account of the PC


@dataclass(frozen=True)
class Launch:
    argv: list[str]  # the program and its arguments
    env: dict[str, str] = field(default_factory=dict)
    log: Path | None = None  # where launchd writes the agent's output
    # The working folder: never one that could hold a `player` package of someone else's
    # (`python -m player` looks in the working folder first): the agent's own folder, or /.
    cwd: Path = Path("/")

    def check(self) -> Launch:
        for text in [*self.argv, *self.env, *self.env.values(), str(self.log or ""), str(self.cwd)]:
            if any(ord(c) < 32 or ord(c) == 127 for c in text):
                raise MoocError(
                    _("{text!r}: a path with a control character cannot go in a service file").format(text=text)
                )
        return self


# ---------------------------------------------------------------------- systemd


def systemd_word(arg: str) -> str:
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$") + '"'


def systemd_unit(launch: Launch) -> str:
    env = "".join(
        '\nEnvironment="' + f"{k}={v}".replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%") + '"'
        for k, v in sorted(launch.env.items())
    )
    return (
        "[Unit]\n"
        f"Description={DESCRIPTION}\n\n"
        "[Service]\n"
        "Type=simple\n"
        f"WorkingDirectory={str(launch.cwd).replace('%', '%%')}\n"
        f"ExecStart={' '.join(systemd_word(a) for a in launch.argv)}{env}\n"
        "Restart=on-failure\n"
        "RestartSec=60\n"
        "Nice=10\n"
        "IOSchedulingClass=idle\n\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


# ---------------------------------------------------------------------- XDG autostart


def desktop_word(arg: str) -> str:
    quoted = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
    return quoted.replace("\\", "\\\\").replace("%", "%%")


def desktop_entry(launch: Launch) -> str:
    words = [*(["env", *(f"{k}={v}" for k, v in sorted(launch.env.items()))] if launch.env else []), *launch.argv]
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=mooc sync agent\n"
        f"Comment={DESCRIPTION}\n"
        f"Exec={' '.join(desktop_word(w) for w in words)}\n"
        f"Path={str(launch.cwd).replace(chr(92), chr(92) * 2)}\n"
        "Terminal=false\n"
        "NoDisplay=true\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


# ---------------------------------------------------------------------- launchd


def launchd_plist(launch: Launch) -> bytes:
    plist: dict[str, object] = {
        "Label": LAUNCHD_LABEL,
        "ProgramArguments": list(launch.argv),
        "WorkingDirectory": str(launch.cwd),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},  # started again after a crash, not after a clean stop
        "ProcessType": "Background",
        "LowPriorityIO": True,
        "Nice": 10,
    }
    if launch.env:
        plist["EnvironmentVariables"] = dict(launch.env)
    if launch.log is not None:
        plist["StandardOutPath"] = plist["StandardErrorPath"] = str(launch.log)
    return plistlib.dumps(plist)


# ---------------------------------------------------------------------- Task Scheduler


def windows_command(argv: list[str]) -> tuple[str, str]:
    """(Command, Arguments) of a task: the program quoted when it holds a space, the rest one command line."""
    program = argv[0]
    return (f'"{program}"' if " " in program else program), subprocess.list2cmdline(argv[1:])


def task_xml(launch: Launch, user: str | None) -> bytes:
    """The task, UTF-16 as `schtasks /Create /XML` reads it; `user` None: at the logon of every account."""
    ET.register_namespace("", TASK_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{TASK_NS}}}{tag}", attrs)
        element.text = text
        return element

    task = ET.Element(f"{{{TASK_NS}}}Task", {"version": "1.2"})
    sub(sub(task, "RegistrationInfo"), "Description", DESCRIPTION)
    trigger = sub(sub(task, "Triggers"), "LogonTrigger")
    sub(trigger, "Enabled", "true")
    principal = sub(sub(task, "Principals"), "Principal", id="Author")
    if user is None:
        sub(principal, "GroupId", USERS_GROUP)
    else:
        sub(trigger, "UserId", user)
        sub(principal, "UserId", user)
        sub(principal, "LogonType", "InteractiveToken")
    sub(principal, "RunLevel", "LeastPrivilege")
    settings = sub(task, "Settings")
    for tag, value in (
        ("MultipleInstancesPolicy", "IgnoreNew"),
        ("DisallowStartIfOnBatteries", "false"),
        ("StopIfGoingOnBatteries", "false"),
        ("ExecutionTimeLimit", "PT0S"),
        ("Priority", "7"),
        ("StartWhenAvailable", "true"),
    ):
        sub(settings, tag, value)
    restart = sub(settings, "RestartOnFailure")
    sub(restart, "Interval", "PT5M")
    sub(restart, "Count", "3")
    command, arguments = windows_command(launch.argv)
    exec_ = sub(sub(task, "Actions", Context="Author"), "Exec")
    sub(exec_, "Command", command)
    sub(exec_, "Arguments", arguments)
    sub(exec_, "WorkingDirectory", str(launch.cwd))
    ET.indent(task)
    body = ET.tostring(task, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-16"?>\n' + body + "\n").encode("utf-16")
