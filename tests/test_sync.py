"""`mooc sync` end to end against a real LRS (Ralph on 127.0.0.1): consent first,
every statement stored exactly once, byte-identical resends, status, export/import,
pull onto a second machine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Homes, RunMooc
from tests.support.ralph import RalphServer, account_agent, study, write_pack

pytestmark = pytest.mark.lrs


def _setup(
    run_mooc: RunMooc,
    mooc_home: Homes,
    tmp_path: Path,
    ralph: RalphServer,
    *,
    email: str | None = None,
    endpoint: str | None = None,
    login: bool = True,
) -> str:
    """Install a course naming the LRS, add a learner, store credentials. Returns the learner's account id."""
    pack = write_pack(tmp_path / "pack", endpoint or ralph.endpoint)
    assert run_mooc("install", str(pack)).returncode == 0
    args = ["learner", "add", "Amina"] + (["--email", email] if email else [])
    assert run_mooc(*args).returncode == 0
    if login:
        out = ralph.login(run_mooc, endpoint=endpoint or ralph.endpoint)
        assert out.returncode == 0, out.stderr
    out = run_mooc("learner", "list", "--json")
    learners = json.loads(out.stdout)
    entry = learners[0] if isinstance(learners, list) else learners["learners"][0]
    return entry.get("account_id", "")


def _account_id(home: Path) -> str:
    from packages.layout import Layout
    from player.learners import Learners

    return Learners(Layout.default(home)).get("amina").account_id


def test_nothing_is_sent_before_consent_then_everything_once(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    from tests.support.fault_proxy import FaultProxy

    with FaultProxy(("127.0.0.1", ralph_lrs.port)) as proxy:
        endpoint = f"{proxy.url}xAPI/"
        _setup(run_mooc, mooc_home, tmp_path, ralph_lrs, endpoint=endpoint)
        study(mooc_home.home, "amina")
        proxy.reset_counters()
        out = run_mooc("sync")
        assert out.returncode == 0, out.stderr
        assert proxy.connections == 0  # no request at all before the learner approved the host
        host = f"127.0.0.1:{proxy.port}"
        assert f"mooc consent allow {host}" in out.stdout
        status = json.loads(run_mooc("sync", "--status", "--json").stdout)["endpoints"][0]
        assert status["pending"] == 0 and status["waiting_consent"]["amina"] > 0

        assert run_mooc("consent", "allow", host).returncode == 0
        out = run_mooc("sync", "--json")
        assert out.returncode == 0, out.stderr
        result = json.loads(out.stdout)["endpoints"][0]
        assert result["pending"] == 0 and result["rejected"] == [] and result["error"] is None
        sent = result["stored"]
        # enrolled, opened, completed, position/time..., attempt + 2 answers, course completed/passed
        assert sent >= 7
        agent = account_agent(f"http://127.0.0.1:{proxy.port}", _account_id(mooc_home.home))
        stored = ralph_lrs.agent_statements(agent)
        assert len(stored) == sent == len({s["id"] for s in stored})
        verbs = {s["verb"]["id"].rsplit("/", 1)[-1] for s in stored}
        assert {"registered", "experienced", "completed", "passed", "answered"} <= verbs
        for s in stored:
            assert s["context"]["extensions"]["urn:mooc:extension:course-version"] == "1.0.0"
            assert s["context"]["registration"]

        # A second sync sends nothing; a revoked host gets nothing new.
        proxy.reset_counters()
        again = json.loads(run_mooc("sync", "--json").stdout)["endpoints"][0]
        assert again["stored"] == 0 and again["requests"] == 0
        assert run_mooc("consent", "revoke", host).returncode == 0
        study(mooc_home.home, "amina")
        proxy.reset_counters()
        run_mooc("sync")
        assert proxy.connections == 0
        listing = run_mooc("consent", "list").stdout
        assert "waiting" in listing and host in listing


def test_lost_acknowledgements_resend_identical_bytes_and_store_nothing_twice(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    _setup(run_mooc, mooc_home, tmp_path, ralph_lrs, email="amina.resend@example.org")
    study(mooc_home.home, "amina")
    assert run_mooc("consent", "allow", ralph_lrs.endpoint).returncode == 0
    first = json.loads(run_mooc("sync", "--json").stdout)["endpoints"][0]
    assert first["stored"] > 0 and first["pending"] == 0
    # Forget every acknowledgement, as if the process died after the LRS answered.
    acks = next((mooc_home.home / "sync").glob("*/acks.jsonl"))
    acks.unlink()
    second = json.loads(run_mooc("sync", "--json").stdout)["endpoints"][0]
    assert second["stored"] == first["stored"] and second["conflicts"] == [] and second["rejected"] == []
    agent = {"objectType": "Agent", "mbox": "mailto:amina.resend@example.org"}
    stored = ralph_lrs.agent_statements(agent)
    assert len(stored) == first["stored"]
    raw_ids = [s["id"] for s in ralph_lrs.all_statements()]
    assert all(raw_ids.count(s["id"]) == 1 for s in stored)


def test_status_shows_last_success_and_errors(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    _setup(run_mooc, mooc_home, tmp_path, ralph_lrs, login=False)
    study(mooc_home.home, "amina")
    run_mooc("consent", "allow", ralph_lrs.endpoint)
    out = run_mooc("sync")
    assert out.returncode == 1
    assert "mooc login" in out.stderr and "401" in out.stderr
    text = run_mooc("sync", "--status").stdout
    assert "last error" in text and "pending:" in text and "last success: never" in text
    ralph_lrs.login(run_mooc)
    assert run_mooc("sync").returncode == 0
    status = json.loads(run_mooc("sync", "--status", "--json").stdout)["endpoints"][0]
    assert status["pending"] == 0 and status["last_success"] and status["last_error"] is None


def test_export_import_round_trip_is_idempotent(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    # The lab PC: no credentials, the LRS unreachable for it; the learner approved the host.
    _setup(run_mooc, mooc_home, tmp_path, ralph_lrs, email="amina.usb@example.org", login=False)
    study(mooc_home.home, "amina")
    run_mooc("consent", "allow", ralph_lrs.endpoint)
    stick = tmp_path / "usb" / "lab.json"
    stick.parent.mkdir()
    out = run_mooc("sync", "--export", str(stick), "--json")
    assert out.returncode == 0, out.stderr
    exported = sum(json.loads(out.stdout)["statements"].values())
    assert exported > 0
    again = tmp_path / "usb" / "lab2.json"
    run_mooc("sync", "--export", str(again))
    assert json.loads(again.read_text())["endpoints"] == json.loads(stick.read_text())["endpoints"]

    # The staff-room PC: another data folder with credentials, no learners of its own.
    office = {"MOOC_HOME": str(tmp_path / "office")}
    login = ralph_lrs.login(run_mooc, env=office)
    assert login.returncode == 0
    out = run_mooc("sync", "--import", str(stick), "--json", env=office)
    assert out.returncode == 0, out.stdout + out.stderr
    result = json.loads(out.stdout)
    assert sum(result["imported"].values()) == exported
    assert result["endpoints"][0]["stored"] == exported
    out = run_mooc("sync", "--import", str(stick), "--json", env=office)
    assert sum(json.loads(out.stdout)["imported"].values()) == 0
    agent = {"objectType": "Agent", "mbox": "mailto:amina.usb@example.org"}
    assert len(ralph_lrs.agent_statements(agent)) == exported

    # The lab PC comes online later: it sends the same statements, the LRS stores none twice.
    ralph_lrs.login(run_mooc)
    assert run_mooc("sync").returncode == 0
    assert len(ralph_lrs.agent_statements(agent)) == exported


@pytest.mark.parametrize("damage", ["truncate", "edit", "not-json", "wrong-format", "future"])
def test_import_rejects_damaged_files(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer, damage: str
) -> None:
    _setup(run_mooc, mooc_home, tmp_path, ralph_lrs, login=False)
    study(mooc_home.home, "amina")
    run_mooc("consent", "allow", ralph_lrs.endpoint)
    path = tmp_path / "lab.json"
    run_mooc("sync", "--export", str(path))
    text = path.read_text()
    if damage == "truncate":
        path.write_text(text[: len(text) // 2])
    elif damage == "edit":
        path.write_text(text.replace('\\"success\\":true', '\\"success\\":false', 1))
    elif damage == "not-json":
        path.write_bytes(b"\x00\x01binary")
    elif damage == "wrong-format":
        path.write_text(json.dumps({"format": "something-else"}))
    else:
        doc = json.loads(text)
        doc["version"] = 99
        path.write_text(json.dumps(doc))
    out = run_mooc("sync", "--import", str(path), env={"MOOC_HOME": str(tmp_path / "office")})
    assert out.returncode == 1
    assert out.stderr.startswith("mooc: error: ") and str(path) in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "office" / "sync").exists() or not list(
        (tmp_path / "office" / "sync").glob("*/outbox.jsonl")
    )


def test_pull_rebuilds_progress_on_another_machine(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    _setup(run_mooc, mooc_home, tmp_path, ralph_lrs, email="amina.pull@example.org")
    study(mooc_home.home, "amina", right=False)
    study(mooc_home.home, "amina", right=True)
    run_mooc("consent", "allow", ralph_lrs.endpoint)
    assert run_mooc("sync").returncode == 0
    before = json.loads(run_mooc("progress", "--json").stdout)

    second = {"MOOC_HOME": str(tmp_path / "pc2")}
    pack = tmp_path / "pack"
    assert run_mooc("install", str(pack), env=second).returncode == 0
    run_mooc("learner", "add", "Amina", "--email", "amina.pull@example.org", env=second)
    ralph_lrs.login(run_mooc, env=second)
    refused = run_mooc("sync", "--pull", env=second)
    assert refused.returncode == 1 and "mooc consent allow" in refused.stderr
    run_mooc("consent", "allow", ralph_lrs.endpoint, env=second)
    out = run_mooc("sync", "--pull", "sync-101", "--json", env=second)
    assert out.returncode == 0, out.stderr
    after = json.loads(run_mooc("progress", "--json", env=second).stdout)
    assert after == before
    # Pulled events are never sent back, and pulling twice adds nothing.
    result = json.loads(run_mooc("sync", "--json", env=second).stdout)["endpoints"][0]
    assert result["stored"] == 0 and result["pending"] == 0
    again = json.loads(run_mooc("sync", "--pull", "--json", env=second).stdout)
    assert sum(sum(e["added"].values()) for e in again["endpoints"]) == 0


def _pending(run_mooc: RunMooc, env: dict[str, str] | None = None) -> dict[str, int]:
    """learner -> statements generated on that PC (approved or not)."""
    rows = json.loads(run_mooc("sync", "--status", "--json", env=env).stdout)["endpoints"]
    out: dict[str, int] = {}
    for row in rows:
        for bucket in (row["pending_by_learner"], row["waiting_consent"]):
            for learner, n in bucket.items():
                out[learner] = out.get(learner, 0) + n
    return out


def test_usb_stick_collects_a_whole_lab_in_one_file(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    """Two lab PCs export to the same file in turn: nothing is overwritten, what waits
    for a learner's approval is named (exit 1), and the staff-room PC uploads every
    record of both PCs to Ralph exactly once."""
    stick = tmp_path / "usb" / "lab.json"
    stick.parent.mkdir()
    # PC 1: Amina approved the host; Bilal has not yet.
    _setup(run_mooc, mooc_home, tmp_path, ralph_lrs, email="amina.pc1@example.org", login=False)
    assert run_mooc("learner", "add", "Bilal", "--email", "bilal.pc1@example.org").returncode == 0
    study(mooc_home.home, "amina")
    study(mooc_home.home, "bilal", right=False)
    run_mooc("consent", "allow", ralph_lrs.endpoint, "--learner", "amina")
    pc1 = _pending(run_mooc)
    out = run_mooc("sync", "--export", str(stick))
    assert out.returncode == 1, out.stdout + out.stderr
    host = f"127.0.0.1:{ralph_lrs.port}"
    assert (
        f"mooc: warning: {pc1['bilal']} records of learner bilal wait for their approval of {host} "
        f"(`mooc consent allow {host} --learner bilal`), so they were not exported"
    ) in out.stderr
    assert f"added {pc1['amina']} pending records to {stick}" in out.stdout
    # Bilal approves; the same command adds his records to the same file, keeping Amina's.
    run_mooc("consent", "allow", ralph_lrs.endpoint, "--learner", "bilal")
    out = run_mooc("sync", "--export", str(stick), "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["merged"] and doc["complete"] and doc["total"] == pc1["amina"] + pc1["bilal"]
    assert sum(doc["statements"].values()) == pc1["bilal"]

    # PC 2: another data folder, another Amina; the same file name on the stick.
    pc2_env = {"MOOC_HOME": str(tmp_path / "pc2")}
    assert run_mooc("install", str(tmp_path / "pack"), env=pc2_env).returncode == 0
    assert run_mooc("learner", "add", "Amina", "--email", "amina.pc2@example.org", env=pc2_env).returncode == 0
    study(tmp_path / "pc2", "amina", right=False)
    run_mooc("consent", "allow", ralph_lrs.endpoint, env=pc2_env)
    pc2 = _pending(run_mooc, pc2_env)
    out = run_mooc("sync", "--export", str(stick), env=pc2_env)
    assert out.returncode == 0, out.stderr
    assert f"added {pc2['amina']} pending records to {stick}, kept with the records already in it" in out.stdout
    # Exporting again adds nothing (deduplicated by statement id).
    before = json.loads(stick.read_text())["endpoints"]
    out = run_mooc("sync", "--export", str(stick), "--json", env=pc2_env)
    assert json.loads(out.stdout)["statements"] == {}
    assert json.loads(stick.read_text())["endpoints"] == before

    # A file that is not a mooc export is refused and left as it is.
    notes = tmp_path / "usb" / "notes.json"
    notes.write_text('{"shopping": ["chalk"]}\n')
    out = run_mooc("sync", "--export", str(notes), env=pc2_env)
    assert out.returncode == 1
    assert out.stderr.startswith(f"mooc: error: {notes}: not a mooc sync export")
    assert "left as it is: export to another file" in out.stderr and "Traceback" not in out.stderr
    assert notes.read_text() == '{"shopping": ["chalk"]}\n'

    # The staff-room PC imports the stick: every record of both PCs, each once.
    office = {"MOOC_HOME": str(tmp_path / "office")}
    assert ralph_lrs.login(run_mooc, env=office).returncode == 0
    out = run_mooc("sync", "--import", str(stick), "--json", env=office)
    assert out.returncode == 0, out.stdout + out.stderr
    expected = {
        "amina.pc1@example.org": pc1["amina"],
        "bilal.pc1@example.org": pc1["bilal"],
        "amina.pc2@example.org": pc2["amina"],
    }
    assert sum(json.loads(out.stdout)["imported"].values()) == sum(expected.values())
    for email, n in expected.items():
        ids = [s["id"] for s in ralph_lrs.agent_statements({"objectType": "Agent", "mbox": f"mailto:{email}"})]
        assert len(ids) == len(set(ids)) == n, email
    raw = [s["id"] for s in ralph_lrs.all_statements()]
    assert len(raw) == len(set(raw))


def test_pull_retries_dropped_connections_like_uploads(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    """PC 2 pulls through a link that cuts the first answers mid-way: the pull tries again
    (the upload's retry rules) and rebuilds the same progress; past the retries it stops
    with one line and changes nothing."""
    from tests.support.fault_proxy import FaultProxy

    _setup(run_mooc, mooc_home, tmp_path, ralph_lrs, email="amina.pullretry@example.org")
    study(mooc_home.home, "amina")
    run_mooc("consent", "allow", ralph_lrs.endpoint)
    assert run_mooc("sync").returncode == 0
    before = json.loads(run_mooc("progress", "--json").stdout)

    with FaultProxy(("127.0.0.1", ralph_lrs.port)) as proxy:
        endpoint = f"{proxy.url}xAPI/"
        second = {"MOOC_HOME": str(tmp_path / "pc2")}
        assert run_mooc("install", str(write_pack(tmp_path / "pack2", endpoint)), env=second).returncode == 0
        run_mooc("learner", "add", "Amina", "--email", "amina.pullretry@example.org", env=second)
        ralph_lrs.login(run_mooc, endpoint=endpoint, env=second)
        run_mooc("consent", "allow", endpoint, env=second)
        # Every connection cut after 300 bytes of the answer: 1 try + 5 retries, then one line.
        proxy.drop_after, proxy.drop_count = 300, None
        out = run_mooc("sync", "--pull", env=second)
        assert out.returncode == 1 and proxy.connections == 6, (proxy.connections, out.stderr)
        assert out.stderr.startswith(f"mooc: error: cannot reach 127.0.0.1:{proxy.port}: ")
        assert "Traceback" not in out.stderr
        assert json.loads(run_mooc("progress", "--json", env=second).stdout) != before
        # Only the next two connections cut: the pull tries again and gets everything.
        proxy.reset_counters()
        proxy.drop_after, proxy.drop_count = 300, 2
        out = run_mooc("sync", "--pull", "--json", env=second)
        assert out.returncode == 0, out.stderr
        assert proxy.connections >= 3 and proxy.drops == 2
    assert json.loads(run_mooc("progress", "--json", env=second).stdout) == before


def _gzip_front(ralph: RalphServer, seen: list[tuple[str, int, int]]) -> object:
    """An LRS that reads gzip bodies: a front on 127.0.0.1 that decompresses (at most
    16 MB) and hands every request to Ralph. `seen` gets (encoding, bytes on the wire,
    bytes decompressed) per POST."""
    import zlib

    import requests

    from tests.support.hostile_lrs import HostileLRS

    def behave(req: object) -> None:
        body = req.body  # type: ignore[attr-defined]
        encoding = req.headers.get("content-encoding", "")  # type: ignore[attr-defined]
        if encoding == "gzip":
            inflate = zlib.decompressobj(wbits=31)
            plain = inflate.decompress(body, 16 * 1024 * 1024)
            if inflate.unconsumed_tail:
                return req.answer(413, {"detail": "too large"})  # type: ignore[attr-defined]
        else:
            plain = body
        if req.method == "POST":  # type: ignore[attr-defined]
            seen.append((encoding, len(body), len(plain)))
        headers = {
            k: v
            for k, v in req.headers.items()  # type: ignore[attr-defined]
            if k in ("authorization", "x-experience-api-version", "content-type")
        }
        resp = requests.request(
            req.method,
            ralph.origin + req.target,
            data=plain or None,  # type: ignore[attr-defined]
            headers=headers,
            timeout=30,
        )
        req.answer(
            resp.status_code,
            resp.content,  # type: ignore[attr-defined]
            {"Content-Type": resp.headers.get("Content-Type", "application/json")},
        )

    return HostileLRS(behave)


def test_compressed_uploads_to_an_lrs_that_reads_gzip(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    """`[sync] gzip_endpoints`: batches go gzip-compressed, the LRS stores each statement
    once, and far fewer bytes cross the link."""
    seen: list[tuple[str, int, int]] = []
    with _gzip_front(ralph_lrs, seen) as front:  # type: ignore[attr-defined]
        _setup(run_mooc, mooc_home, tmp_path, ralph_lrs, email="amina.gzip@example.org", endpoint=front.endpoint)
        for right in (False, True, False, False, True):
            study(mooc_home.home, "amina", right=right)
        run_mooc("consent", "allow", front.endpoint)
        (mooc_home.home / "config.toml").write_text(f'[sync]\ngzip_endpoints = ["{front.endpoint}"]\n')
        out = run_mooc("sync", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)["endpoints"][0]
    assert result["pending"] == 0 and result["warning"] is None and result["stored"] > 20
    assert seen and all(encoding == "gzip" for encoding, _, _ in seen)
    wire, plain = sum(s[1] for s in seen), sum(s[2] for s in seen)
    assert result["bytes_sent"] == wire and wire < plain / 4, (wire, plain)
    stored = ralph_lrs.agent_statements({"objectType": "Agent", "mbox": "mailto:amina.gzip@example.org"})
    assert len(stored) == len({s["id"] for s in stored}) == result["stored"]


def test_compressed_uploads_to_ralph_fall_back_with_one_warning(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    """Ralph answers 500 to a gzip body: one probe, then plain uploads; everything is
    stored once and one line says to fix the setting."""
    from tests.support.fault_proxy import FaultProxy

    with FaultProxy(("127.0.0.1", ralph_lrs.port)) as proxy:
        endpoint = f"{proxy.url}xAPI/"
        _setup(run_mooc, mooc_home, tmp_path, ralph_lrs, email="amina.nogzip@example.org", endpoint=endpoint)
        study(mooc_home.home, "amina")
        run_mooc("consent", "allow", endpoint)
        (mooc_home.home / "config.toml").write_text(f'[sync]\ngzip_endpoints = ["{endpoint}"]\n')
        out = run_mooc("sync")
        assert out.returncode == 0, out.stderr
        assert proxy.connections == 2  # the compressed probe, then the batch uncompressed
        host = f"127.0.0.1:{proxy.port}"
    assert out.stderr == (
        f"mooc: warning: {host} answered 500 to a compressed upload and "
        f"accepted it uncompressed: remove {endpoint} from [sync] gzip_endpoints in config.toml\n"
    )
    stored = ralph_lrs.agent_statements({"objectType": "Agent", "mbox": "mailto:amina.nogzip@example.org"})
    assert len(stored) == len({s["id"] for s in stored}) > 5
    assert "pending: 0" in run_mooc("sync", "--status").stdout
