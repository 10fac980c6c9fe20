"""Credentials stay secret and go only where they belong; plain http is refused."""

from __future__ import annotations

import http.server
import json
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from packages.errors import MoocError
from sync.endpoints import check_transport, normalise
from tests.conftest import Homes, RunMooc
from tests.support.ralph import RalphServer, study, write_pack

SECRET = "pw-Zq8-never-print-me"


def _all_text(home: Path) -> str:
    """Everything mooc wrote under the data folder except the credentials file."""
    parts = []
    for path in home.rglob("*"):
        if path.is_file() and path.name != "credentials.toml":
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


@pytest.mark.lrs
def test_credentials_file_is_private_and_secrets_are_never_printed(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    pack = write_pack(tmp_path / "pack", ralph_lrs.endpoint)
    run_mooc("install", str(pack))
    run_mooc("learner", "add", "Amina")
    outputs = []
    # A wrong password first (its value must not leak either), then the right one.
    outputs.append(
        run_mooc("login", ralph_lrs.endpoint, "--user", ralph_lrs.user, "--password-stdin", input=SECRET + "\n")
    )
    cred = mooc_home.home / "credentials.toml"
    assert stat.S_IMODE(cred.stat().st_mode) == 0o600
    assert SECRET in cred.read_text()
    study(mooc_home.home, "amina")
    run_mooc("consent", "allow", ralph_lrs.endpoint)
    outputs += [
        run_mooc("sync"),
        run_mooc("sync", "--json"),
        run_mooc("sync", "--status"),
        run_mooc("sync", "--status", "--json"),
    ]
    assert outputs[1].returncode == 1 and "401" in outputs[1].stderr
    outputs.append(ralph_lrs.login(run_mooc))
    assert stat.S_IMODE(cred.stat().st_mode) == 0o600
    outputs += [run_mooc("sync"), run_mooc("sync", "--status", "--json"), run_mooc("certificate", "status")]
    assert outputs[-3].returncode == 0, outputs[-3].stderr
    for out in outputs:
        for secret in (SECRET, ralph_lrs.password):
            assert secret not in out.stdout and secret not in out.stderr
    for secret in (SECRET, ralph_lrs.password):
        assert secret not in _all_text(mooc_home.home)  # not in outbox, acks, status, logs
        assert secret not in ralph_lrs.store_file.read_text()  # not in any statement


@pytest.mark.lrs
def test_environment_credentials_limited_to_their_endpoint(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    pack = write_pack(tmp_path / "pack", ralph_lrs.endpoint)
    run_mooc("install", str(pack))
    run_mooc("learner", "add", "Amina")
    study(mooc_home.home, "amina")
    run_mooc("consent", "allow", ralph_lrs.endpoint)
    env = {
        "MOOC_LRS_USER": ralph_lrs.user,
        "MOOC_LRS_PASSWORD": ralph_lrs.password,
        "MOOC_LRS_ENDPOINT": "https://elsewhere.example.org/xapi/",
    }
    assert run_mooc("sync", env=env).returncode == 1  # not for this endpoint: not sent
    env["MOOC_LRS_ENDPOINT"] = ralph_lrs.endpoint
    out = run_mooc("sync", env=env)
    assert out.returncode == 0, out.stderr
    assert ralph_lrs.password not in out.stdout + out.stderr


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []
    location = ""

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()} | {"path": self.path})
        if type(self).location:
            self.send_response(307)
            self.send_header("Location", type(self).location)
        else:
            self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"[]")

    do_GET = do_POST = do_PUT = _any

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def two_servers() -> Iterator[tuple[int, int, type, type]]:
    class Redirector(_Recorder):
        seen: list[dict[str, str]] = []

    class Elsewhere(_Recorder):
        seen: list[dict[str, str]] = []
        location = ""

    servers = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), cls) for cls in (Redirector, Elsewhere)]
    for srv in servers:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    Redirector.location = f"http://127.0.0.1:{servers[1].server_address[1]}/xAPI/statements"
    try:
        yield servers[0].server_address[1], servers[1].server_address[1], Redirector, Elsewhere
    finally:
        for srv in servers:
            srv.shutdown()
            srv.server_close()


def test_no_credentials_cross_a_redirect(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, two_servers: tuple[int, int, type, type]
) -> None:
    port, other_port, redirector, elsewhere = two_servers
    endpoint = f"http://127.0.0.1:{port}/xAPI/"
    run_mooc("install", str(write_pack(tmp_path / "pack", endpoint)))
    run_mooc("learner", "add", "Amina")
    study(mooc_home.home, "amina")
    run_mooc("consent", "allow", endpoint)
    run_mooc("login", endpoint, "--user", "u", "--password-stdin", input=SECRET + "\n")
    out = run_mooc("sync")
    assert out.returncode == 1
    assert "redirect" in out.stderr and SECRET not in out.stderr + out.stdout
    assert redirector.seen and redirector.seen[0]["authorization"].startswith("Basic ")
    assert redirector.seen[0]["x-experience-api-version"] == "1.0.3"
    assert elsewhere.seen == []  # the redirect was not followed, with or without credentials
    status = json.loads(run_mooc("sync", "--status", "--json").stdout)["endpoints"][0]
    assert status["pending"] > 0 and "redirect" in status["last_error"]


def test_plain_http_is_refused_except_loopback_or_when_allowed(run_mooc: RunMooc) -> None:
    with pytest.raises(MoocError, match="allow-insecure-http"):
        check_transport(normalise("http://lrs.example.org/xapi"), False)
    check_transport(normalise("http://lrs.example.org/xapi"), True)
    check_transport(normalise("http://127.0.0.1:8000/xapi"), False)
    check_transport(normalise("http://localhost:8000/xapi"), False)
    check_transport(normalise("http://[::1]:8000/xapi"), False)
    check_transport(normalise("https://lrs.example.org/xapi"), False)
    out = run_mooc("login", "http://lrs.example.org/xapi/", "--user", "u", "--password-stdin", input="x\n")
    assert out.returncode == 1 and "--allow-insecure-http" in out.stderr
    out = run_mooc(
        "login", "http://lrs.example.org/xapi/", "--user", "u", "--password-stdin", "--allow-insecure-http", input="x\n"
    )
    assert out.returncode == 0
    for bad in ("ftp://x.example.org/", "https://u:p@x.example.org/xapi", "not a url"):
        out = run_mooc("login", bad, "--user", "u", "--password-stdin", input="x\n")
        assert out.returncode == 1 and out.stderr.startswith("mooc: error:") and "p@" not in out.stderr
