"""Certificate requests: refused clearly when not eligible; otherwise one request
with the evidence, sent through the real LRS and shown as queued then sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Homes, RunMooc
from tests.support.ralph import RalphServer, study, write_pack

pytestmark = pytest.mark.lrs


def test_certificate_request_flow_end_to_end(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    run_mooc("install", str(write_pack(tmp_path / "pack", ralph_lrs.endpoint, quizzes=2)))
    run_mooc("learner", "add", "Amina Diallo", "--email", "amina.cert@example.org")

    out = run_mooc("certificate", "request", "sync-101")
    assert out.returncode == 1 and out.stderr.startswith("mooc: error: sync-101: no certificate yet")
    assert "not attempted yet" in out.stderr

    study(mooc_home.home, "amina-diallo", right=False, quizzes=2)
    out = run_mooc("certificate", "request", "sync-101")
    assert out.returncode == 1 and "below the 50% needed" in out.stderr

    study(mooc_home.home, "amina-diallo", right=True, quizzes=2)
    out = run_mooc("certificate", "request", "sync-101", "--json")
    assert out.returncode == 0, out.stderr
    req = json.loads(out.stdout)
    assert req["created"] and req["score"] == 1.0 and req["evidence"] == 8  # 2 quizzes x 2 attempts x 2 answers
    again = json.loads(run_mooc("certificate", "request", "sync-101", "--json").stdout)
    assert not again["created"] and again["statement_id"] == req["statement_id"]

    status = json.loads(run_mooc("certificate", "status", "--json").stdout)["requests"]
    assert [r["state"] for r in status] == ["waiting for approval"]
    run_mooc("consent", "allow", ralph_lrs.endpoint)
    assert json.loads(run_mooc("certificate", "status", "--json").stdout)["requests"][0]["state"] == "queued"
    ralph_lrs.login(run_mooc)
    assert run_mooc("sync").returncode == 0
    assert "sync-101 1.0.0: sent" in run_mooc("certificate", "status").stdout

    stored = ralph_lrs.get(req["statement_id"])
    statement = stored["statements"][0] if "statements" in stored else stored
    assert statement["verb"]["id"] == "urn:mooc:verb:requested-certificate"
    assert statement["actor"] == {"objectType": "Agent", "mbox": "mailto:amina.cert@example.org"}
    ext = statement["result"]["extensions"]
    assert ext["urn:mooc:extension:quiz-scores"] == {"quiz-1": 1.0, "quiz-2": 1.0}
    assert ext["urn:mooc:extension:threshold"] == 0.5
    event = statement["context"]["extensions"]["urn:mooc:extension:event"]
    assert event["data"]["learner_name"] == "Amina Diallo"
    # The evidence names statements the LRS holds: the provider can re-grade every answer.
    evidence = ext["urn:mooc:extension:evidence"]
    for sid in evidence:
        held = ralph_lrs.get(sid)
        answer = held["statements"][0] if "statements" in held else held
        assert answer["verb"]["id"].endswith("/answered") and "response" in answer["result"]


def test_certificate_refused_for_a_course_without_one(run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path) -> None:
    run_mooc("install", str(write_pack(tmp_path / "pack", None, certificate=False)))
    run_mooc("learner", "add", "Amina")
    study(mooc_home.home, "amina")
    out = run_mooc("certificate", "request", "sync-101")
    assert out.returncode == 1 and "offers no certificate" in out.stderr
    out = run_mooc("certificate", "request", "no-such-course")
    assert out.returncode == 1 and out.stderr.startswith("mooc: error:")
    assert "no certificate requested yet" in run_mooc("certificate", "status").stdout
