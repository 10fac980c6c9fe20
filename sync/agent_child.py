"""Run one job of the sync agent in a child process, and stop it when the agent stops.

The child is `python -m player sync --agent-round KIND --home HOME` (KIND: `survey`,
`send`, `send+answers`, see sync/agent_work.py); it prints its result as one JSON
line on stdout; its warnings go to the agent's stderr (the journal, or the agent's
log). The agent's verdict on the link travels in ``MOOC_METERED`` (sync/metered.py).
A stop request sends it SIGTERM (it ends its round after the batch in flight); one
that has not ended `GRACE_SECONDS` later is killed: what was not acknowledged stays
pending, and is sent once by the next round (sync/uploader.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from typing import Any

from packages.i18n import _
from packages.layout import Layout

GRACE_SECONDS = 5.0
ROUND_LIMIT_SECONDS = 300.0  # a round stops itself at 120 s (sync/deadline.py); this is the backstop


class Child:
    def __init__(self, layout: Layout, stop: threading.Event) -> None:
        self.layout = layout
        self.stop_event = stop
        self._proc: subprocess.Popen[str] | None = None

    def command(self, kind: str) -> list[str]:
        return [sys.executable, "-m", "player", "sync", "--agent-round", kind, "--home", str(self.layout.home)]

    def run(self, kind: str, metered: bool | None) -> dict[str, Any] | None:
        """The child's JSON result, or None when it failed or was stopped."""
        env = dict(os.environ, MOOC_METERED="1" if metered else "0")
        try:
            proc = subprocess.Popen(
                self.command(kind),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
                cwd=self.layout.agent_dir,  # `-m player` looks in the working folder first: never a stranger's
            )
        except OSError as err:
            print(
                _("mooc: warning: sync agent: cannot start its worker: {err}").format(err=err),
                file=sys.stderr,
                flush=True,
            )
            return None
        self._proc = proc
        try:
            out, _err = proc.communicate(timeout=ROUND_LIMIT_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return None
        finally:
            self._proc = None
        if proc.returncode != 0 or self.stop_event.is_set():
            return None
        try:
            result = json.loads(out.strip().splitlines()[-1]) if out.strip() else None
        except ValueError:
            return None
        return result if isinstance(result, dict) else None

    def stop(self) -> None:
        """Ask the running child to end (safe in a signal handler); killed after GRACE_SECONDS."""
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        try:
            proc.terminate()
        except OSError:
            return
        timer = threading.Timer(GRACE_SECONDS, _kill, args=(proc,))
        timer.daemon = True
        timer.start()


def _kill(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        try:
            proc.kill()
        except OSError:
            pass
