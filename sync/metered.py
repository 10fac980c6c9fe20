"""Is this connection metered (a phone's data plan), and what may the sync agent download on it?

Asked where the OS says it, once at start and again each time the network changes:

- Linux: NetworkManager's `Metered` property (over D-Bus with `busctl`, or
  `dbus-send`): 1 "yes" and 3 "guessed yes" are metered;
- Windows: the cost of the internet connection profile (PowerShell, WinRT
  `NetworkInformation`): "Fixed" or "Variable", roaming, or over the data limit;
- ``MOOC_METERED=1`` (or ``0``) says it where the OS does not (macOS), or overrides it.

Unknown counts as not metered. On a metered link the agent still sends records
(small) and reads the provider's answers to certificate requests, but caps what one
answer may weigh (`METERED_ANSWER_BYTES`) unless ``[sync] metered_downloads = true``
in config.toml allows large downloads there too (`answer_cap`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import Any

METERED_ANSWER_BYTES = 256 * 1024  # a certificate answer is a few kB; a page of them stays far below
ASK_SECONDS = 5.0

NM = ("org.freedesktop.NetworkManager", "/org/freedesktop/NetworkManager")
_POWERSHELL = (
    "[void][Windows.Networking.Connectivity.NetworkInformation,Windows.Networking.Connectivity,"
    "ContentType=WindowsRuntime];"
    "$p=[Windows.Networking.Connectivity.NetworkInformation]::GetInternetConnectionProfile();"
    'if($p){$c=$p.GetConnectionCost();"$($c.NetworkCostType) $($c.Roaming) $($c.OverDataLimit)"}'
)

Runner = Callable[[list[str]], str | None]


def is_metered(environ: dict[str, str] | None = None, run: Runner | None = None) -> bool | None:
    """True / False as the OS (or MOOC_METERED) says; None when nobody says."""
    env = os.environ if environ is None else environ
    forced = env.get("MOOC_METERED", "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    run = run or _run
    if sys.platform == "win32":
        return parse_windows_cost(run(["powershell", "-NoProfile", "-NonInteractive", "-Command", _POWERSHELL]))
    if sys.platform.startswith("linux"):
        if shutil.which("busctl"):
            answer = run(["busctl", "get-property", *NM, "org.freedesktop.NetworkManager", "Metered"])
        elif shutil.which("dbus-send"):
            answer = run(
                [
                    "dbus-send",
                    "--system",
                    "--print-reply",
                    f"--dest={NM[0]}",
                    NM[1],
                    "org.freedesktop.DBus.Properties.Get",
                    "string:org.freedesktop.NetworkManager",
                    "string:Metered",
                ]
            )
        else:
            return None
        return parse_nm_metered(answer)
    return None


def parse_nm_metered(answer: str | None) -> bool | None:
    """NetworkManager's NMMetered from `busctl` ("u 1") or `dbus-send` ("variant uint32 1")."""
    if not answer:
        return None
    words = answer.split()
    if not words or not words[-1].isdigit():
        return None
    value = int(words[-1])  # 0 unknown, 1 yes, 2 no, 3 guess yes, 4 guess no
    return {1: True, 3: True, 2: False, 4: False}.get(value)


def parse_windows_cost(answer: str | None) -> bool | None:
    """'<NetworkCostType> <Roaming> <OverDataLimit>' as the PowerShell line prints it."""
    if not answer:
        return None
    words = answer.split()
    if len(words) != 3:
        return None
    cost, roaming, over = words
    if cost not in ("Unknown", "Unrestricted", "Fixed", "Variable"):
        return None
    if cost == "Unknown" and roaming == "False" and over == "False":
        return None
    return cost in ("Fixed", "Variable") or roaming == "True" or over == "True"


def answer_cap(config: dict[str, Any], metered: bool | None, default: int) -> int:
    """The most one LRS answer may weigh for the agent's downloads on this link."""
    if metered and config.get("metered_downloads") is not True:
        return min(default, METERED_ANSWER_BYTES)
    return default


def _run(argv: list[str]) -> str | None:
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=ASK_SECONDS, stdin=subprocess.DEVNULL, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
