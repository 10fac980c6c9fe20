"""A real xAPI LRS for the tests: Ralph 5.1.0 on 127.0.0.1, one per test session.

`ralph_lrs` (session fixture, registered in tests/conftest.py) installs Ralph into
.cache/ralph-venv with scripts/install-ralph when missing (CI runs that script first),
makes a user, starts the server through tests/support/ralph_launcher.py (which fixes
two bugs of Ralph's fs backend, see there) on a free port, and stops it at the end.

Ralph keeps statements in one JSON-lines file; tests share the server, so each test
uses its own learners (random account ids) and counts only its own statements
(`statements(agent=...)`), or reads the whole store with `all_statements()`.
`validate(statements)` runs Ralph's own strict model validation in its venv.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
RALPH_VENV = REPO / ".cache" / "ralph-venv"
RALPH_PYTHON = RALPH_VENV / "bin" / "python"
LAUNCHER = Path(__file__).with_name("ralph_launcher.py")
USER = "mooc-test"
PASSWORD = "s3cret-ralph-pw-7c1e"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_installed() -> None:
    if (RALPH_PYTHON).exists() and any(RALPH_VENV.glob(".mooc-ralph-*")):
        return
    subprocess.run([str(REPO / "scripts" / "install-ralph")], check=True, timeout=600)


@dataclass
class RalphServer:
    port: int
    data_dir: Path
    process: subprocess.Popen[bytes]
    user: str = USER
    password: str = PASSWORD

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        """The xAPI endpoint, as a course pack or `mooc login` would name it."""
        return f"{self.origin}/xAPI/"

    def login(self, run: Any, *before: Any, endpoint: str | None = None, **kwargs: Any) -> Any:
        """`mooc login ENDPOINT --user U --password-stdin` with this server's credentials,
        through RUN (run_mooc, or a helper taking its own leading arguments: BEFORE)."""
        args = ("login", endpoint or self.endpoint, "--user", self.user, "--password-stdin")
        return run(*before, *args, input=self.password + "\n", **kwargs)

    @property
    def store_file(self) -> Path:
        return self.data_dir / "fs_lrs.jsonl"

    def _get(self, url: str, params: dict[str, str] | None = None) -> Any:
        import requests

        resp = requests.get(
            url,
            params=params,
            auth=(self.user, self.password),
            timeout=30,
            headers={"X-Experience-API-Version": "1.0.3"},
        )
        resp.raise_for_status()
        return resp.json()

    def statements(self, **params: str) -> list[dict[str, Any]]:
        """Every statement matching the xAPI query parameters, following `more` links."""
        out: list[dict[str, Any]] = []
        query: dict[str, str] | None = {"limit": "500", **params}
        url = f"{self.endpoint}statements"
        while True:
            page = self._get(url, query)
            out.extend(page["statements"])
            more = page.get("more")
            if not more:
                return out
            url, query = self.origin + more, None

    def agent_statements(self, agent: dict[str, Any]) -> list[dict[str, Any]]:
        return self.statements(agent=json.dumps(agent))

    def get(self, statement_id: str) -> dict[str, Any] | None:
        import requests

        resp = requests.get(
            f"{self.endpoint}statements",
            params={"statementId": statement_id},
            auth=(self.user, self.password),
            timeout=30,
            headers={"X-Experience-API-Version": "1.0.3"},
        )
        if resp.status_code == 404:
            return None
        resp.raise_for_status()
        return resp.json()

    def all_statements(self) -> list[dict[str, Any]]:
        """The raw store file: every statement written, duplicates included if any."""
        if not self.store_file.exists():
            return []
        return [json.loads(line) for line in self.store_file.read_text().splitlines() if line.strip()]

    def validate(self, statements: list[dict[str, Any]]) -> list[str]:
        """Ralph's strict validation of each statement; returns the errors (empty = all valid)."""
        code = (
            "import json, sys\n"
            "from ralph.models.xapi.base.statements import BaseXapiStatement\n"
            "errors = []\n"
            "for n, s in enumerate(json.load(sys.stdin)):\n"
            "    try:\n"
            "        BaseXapiStatement.model_validate(s)\n"
            "    except Exception as err:\n"
            '        errors.append(f\'{n} {s.get("verb", {}).get("id")}: {err}\')\n'
            "json.dump(errors, sys.stdout)\n"
        )
        out = subprocess.run(
            [str(RALPH_PYTHON), "-c", code],
            input=json.dumps(statements),
            text=True,
            capture_output=True,
            timeout=120,
            env=_ralph_env(self.data_dir),
        )
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
        return json.loads(out.stdout)


def _ralph_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RALPH_", "MOOC_"))}
    env.update(
        RALPH_RUNSERVER_BACKEND="fs",
        RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(data_dir),
        RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH=str(data_dir),
        RALPH_AUTH_FILE=str(data_dir / "auth.json"),
        RALPH_HISTORY_FILE=str(data_dir / "history.json"),
        RALPH_APP_DIR=str(data_dir / "app"),
        HOME=str(data_dir),
    )
    return env


def start_ralph(data_dir: Path, port: int | None = None) -> RalphServer:
    """Install if needed, create the test user, start the server, wait for its heartbeat."""
    ensure_installed()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = _ralph_env(data_dir)
    (data_dir / "auth.json").unlink(missing_ok=True)  # `ralph auth -w` refuses an existing user
    subprocess.run(
        [
            str(RALPH_VENV / "bin" / "ralph"),
            "auth",
            "-u",
            USER,
            "-p",
            PASSWORD,
            "-s",
            "all",
            "-M",
            "mailto:mooc-tests@example.org",
            "-w",
        ],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    port = port or free_port()
    log = open(data_dir / "server.log", "wb")
    proc = subprocess.Popen(
        [str(RALPH_PYTHON), str(LAUNCHER), "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=data_dir,
    )
    server = RalphServer(port, data_dir, proc)
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Ralph exited: {(data_dir / 'server.log').read_text()[-2000:]}")
        try:
            if requests.get(f"{server.origin}/__heartbeat__", timeout=1).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("Ralph did not answer within 60 s")


def stop_ralph(server: RalphServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def ralph_lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RalphServer]:
    server = start_ralph(tmp_path_factory.mktemp("ralph"))
    try:
        yield server
    finally:
        stop_ralph(server)


if __name__ == "__main__":  # manual use: python -m tests.support.ralph DIR
    srv = start_ralph(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/ralph-manual"))
    print(srv.endpoint, flush=True)
    try:
        srv.process.wait()
    except KeyboardInterrupt:
        stop_ralph(srv)


# ---------------------------------------------------------------------- course + study helpers


def write_pack(
    dest: Path, endpoint: str | None, course_id: str = "sync-101", *, quizzes: int = 1, certificate: bool = True
) -> Path:
    """A small valid pack: one lesson and QUIZZES graded quizzes of two questions each."""
    (dest / "lessons").mkdir(parents=True, exist_ok=True)
    (dest / "quizzes").mkdir(exist_ok=True)
    (dest / "lessons" / "intro.md").write_text("# Intro\n\nHello.\n")
    items = ['  [[modules.items]]\n  id = "intro"\n  kind = "lesson"\n  file = "lessons/intro.md"\n  title = "Intro"\n']
    for n in range(1, quizzes + 1):
        (dest / "quizzes" / f"quiz-{n}.toml").write_text(
            f'title = "Quiz {n}"\n\n[[questions]]\nid = "q1"\ntype = "single"\nprompt = "Pick B"\n'
            'choices = [ { text = "A" }, { text = "B", correct = true } ]\n\n'
            '[[questions]]\nid = "q2"\ntype = "truefalse"\nprompt = "True?"\nanswer = true\n'
        )
        items.append(
            f'  [[modules.items]]\n  id = "quiz-{n}"\n  kind = "quiz"\n  file = "quizzes/quiz-{n}.toml"\n'
            f'  title = "Quiz {n}"\n'
        )
    sync = f'[sync]\nxapi_endpoint = "{endpoint}"\n\n' if endpoint else ""
    (dest / "course.toml").write_text(
        f'format = 1\nid = "{course_id}"\nversion = "1.0.0"\ntitle = "Sync test course"\nlanguage = "en"\n'
        f'kind = "xmooc"\n\n[grading]\npass_threshold = 0.5\n\n[certificate]\navailable = {str(certificate).lower()}\n\n'
        f'{sync}[[modules]]\nid = "m1"\ntitle = "Module 1"\n\n' + "\n".join(items)
    )
    return dest


def study(home: Path, learner: str, course_id: str = "sync-101", *, right: bool = True, quizzes: int = 1) -> None:
    """Study the course through the real engine: open and complete the lesson, take each quiz."""
    from packages.layout import Layout
    from packages.store import Store
    from player.learners import Learners
    from player.progress import EventLog
    from player.session import CourseSession

    layout = Layout.default(home)
    who = Learners(layout).get(learner)
    course, source = Store(layout).load(course_id)
    session = CourseSession(course, source, EventLog.for_course(layout, who.id, course_id), who)
    session.open_item("intro")
    session.complete_lesson("intro")
    for n in range(1, quizzes + 1):
        attempt = session.start_attempt(f"quiz-{n}")
        attempt.answer("q1", 1 if right else 0)
        attempt.answer("q2", right)
        session.submit(attempt)


def account_agent(origin: str, account_id: str) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": origin, "name": account_id}}
