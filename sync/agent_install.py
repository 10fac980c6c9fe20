"""Install the sync agent the way each OS expects: for this account, or (the administrator) for every one.

| kind | this account | every account (`mooc lab agent everyone`) |
| --- | --- | --- |
| `systemd` (Linux with systemd) | ``$XDG_CONFIG_HOME/systemd/user/mooc-sync.service``, enabled by its ``default.target.wants`` link | ``/etc/systemd/user/``, same link |
| `xdg` (Linux without a user systemd) | ``$XDG_CONFIG_HOME/autostart/mooc-sync.desktop`` | ``/etc/xdg/autostart/`` |
| `launchd` (macOS) | ``~/Library/LaunchAgents/org.mooc.sync-agent.plist`` | ``/Library/LaunchAgents/`` |
| `schtasks` (Windows) | task "mooc sync agent" at this user's logon, from ``HOME/agent/mooc-sync-task.xml`` | at every user's logon, from ``SYSTEM/mooc-sync-task.xml`` |

The files are written first (sync/agent_files.py renders them); then, only when the
tool is there, the service manager is told (`systemctl --user daemon-reload` and
`start`, `launchctl bootstrap`, `schtasks /Create` and `/Run`; for an XDG entry, the
agent is started in the background). ``MOOC_AGENT_KIND`` forces the kind,
``MOOC_AGENT_NO_MANAGER=1`` writes the files and calls no manager (tests, images
prepared offline), ``MOOC_AGENT_SYSTEM_ROOT`` puts the every-account files under
another root than ``/``. The command is this Python running ``-m player sync
--watch``, with this data folder (``--home``) and ``MOOC_SYSTEM_HOME`` when set.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from packages.errors import MoocError
from packages.i18n import _
from packages.layout import Layout, make_dirs
from sync import agent_files as files

KINDS = ("systemd", "xdg", "launchd", "schtasks")
TASK_FILE = "mooc-sync-task.xml"


@dataclass
class Outcome:
    path: Path
    kind: str
    notes: list[str] = field(default_factory=list)  # what the service manager said, when it failed


def kind() -> str:
    forced = os.environ.get("MOOC_AGENT_KIND", "")
    if forced:
        if forced not in KINDS:
            raise MoocError(
                _("MOOC_AGENT_KIND={forced!r}: must be one of {kinds}").format(forced=forced, kinds=", ".join(KINDS))
            )
        return forced
    if sys.platform == "win32":
        return "schtasks"
    if sys.platform == "darwin":
        return "launchd"
    return "systemd" if shutil.which("systemctl") and os.path.isdir("/run/systemd/system") else "xdg"


def _config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def user_path(layout: Layout, how: str) -> Path:
    return {
        "systemd": lambda: _config_home() / "systemd" / "user" / files.UNIT_NAME,
        "xdg": lambda: _config_home() / "autostart" / files.DESKTOP_NAME,
        "launchd": lambda: Path.home() / "Library" / "LaunchAgents" / f"{files.LAUNCHD_LABEL}.plist",
        "schtasks": lambda: layout.agent_dir / TASK_FILE,
    }[how]()


def system_path(layout: Layout, how: str) -> Path:
    root = Path(os.environ.get("MOOC_AGENT_SYSTEM_ROOT") or "/")
    return {
        "systemd": lambda: root / "etc" / "systemd" / "user" / files.UNIT_NAME,
        "xdg": lambda: root / "etc" / "xdg" / "autostart" / files.DESKTOP_NAME,
        "launchd": lambda: root / "Library" / "LaunchAgents" / f"{files.LAUNCHD_LABEL}.plist",
        "schtasks": lambda: layout.system_home / TASK_FILE,
    }[how]()


def launch(layout: Layout, *, everyone: bool) -> files.Launch:
    python = Path(sys.executable)
    if sys.platform == "win32" and python.with_name("pythonw.exe").exists():
        python = python.with_name("pythonw.exe")  # no console window at logon
    argv = [str(python), "-m", "player", "sync", "--watch"]
    env: dict[str, str] = {}
    if everyone:  # each account's own default data folder
        return files.Launch(argv, env, None, Path(python.anchor or "/")).check()
    argv += ["--home", str(layout.home.resolve())]
    if os.environ.get("MOOC_SYSTEM_HOME"):
        env["MOOC_SYSTEM_HOME"] = str(layout.system_home.resolve())
    agent_dir = layout.agent_dir.resolve()
    return files.Launch(argv, env, agent_dir / "agent.log", agent_dir).check()


def render(layout: Layout, how: str, *, everyone: bool) -> bytes:
    spec = launch(layout, everyone=everyone)
    if how == "systemd":
        return files.systemd_unit(spec).encode("utf-8")
    if how == "xdg":
        return files.desktop_entry(spec).encode("utf-8")
    if how == "launchd":
        return files.launchd_plist(spec)
    import getpass

    user = None if everyone else os.environ.get("USERDOMAIN", "") + "\\" + getpass.getuser()
    return files.task_xml(spec, user.lstrip("\\") if user else None)


def installed(layout: Layout, *, everyone: bool = False) -> list[tuple[str, Path]]:
    """(kind, file) of each agent file present, for this account (or for every account)."""
    where = system_path if everyone else user_path
    return [(how, where(layout, how)) for how in KINDS if where(layout, how).is_file()]


def install(layout: Layout, *, everyone: bool = False) -> Outcome:
    from packages import fsutil

    how = kind()
    path = (system_path if everyone else user_path)(layout, how)
    data = render(layout, how, everyone=everyone)
    try:
        make_dirs(layout.agent_dir)  # the agent's working folder
        make_dirs(path.parent, 0o755 if everyone else 0o700)
        fsutil.write_atomic(path, data, 0o644)
        if how == "systemd":
            _enable_link(path)
    except OSError as err:
        raise MoocError(
            _("{path}: cannot install the sync agent: {value}").format(path=path, value=err.strerror or err)
        ) from None
    outcome = Outcome(path, how)
    if _managed():
        from sync.agent_manager import started

        spec = launch(layout, everyone=False)
        outcome.notes += started(layout, how, path, everyone=everyone, argv=spec.argv, cwd=spec.cwd)
    return outcome


def remove(layout: Layout, *, everyone: bool = False) -> list[Outcome]:
    """Stop and remove every agent file of this account (or every account's); what was removed."""
    out = []
    for how, path in installed(layout, everyone=everyone):
        outcome = Outcome(path, how)
        if _managed():
            from sync.agent_manager import stopped

            stopped(layout, how, path, everyone=everyone)
        try:
            if how == "systemd":
                (path.parent / "default.target.wants" / files.UNIT_NAME).unlink(missing_ok=True)
            path.unlink()
        except OSError as err:
            raise MoocError(
                _("{path}: cannot remove the sync agent: {value}").format(path=path, value=err.strerror or err)
            ) from None
        out.append(outcome)
    if out and _managed():
        from sync.agent_manager import reloaded

        reloaded([o.kind for o in out], everyone=everyone)
    return out


def enabled(path: Path) -> bool:
    """A systemd unit starts at login when its default.target.wants link is there."""
    return os.path.lexists(path.parent / "default.target.wants" / files.UNIT_NAME)


def _enable_link(unit: Path) -> None:
    """What `systemctl enable` does for WantedBy=default.target, done without a running manager."""
    wants = unit.parent / "default.target.wants"
    make_dirs(wants, 0o755)
    link = wants / files.UNIT_NAME
    if os.path.lexists(link):
        link.unlink()
    link.symlink_to(Path("..") / files.UNIT_NAME)


def _managed() -> bool:
    return os.environ.get("MOOC_AGENT_NO_MANAGER", "") in ("", "0")
