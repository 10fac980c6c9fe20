"""The provider's re-grading reads answers the way the learner typed them (issue 19),
against the real Ralph LRS: a French learner answers `1 234,5` in `mooc play --plain`,
syncs, and `mooc certificate issue` issues; attempts whose numeric response is held as
text are re-graded in the language they carry (the event's `language`, xAPI's
`context.language`), and one that carries none is read as before languages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Homes, RunMooc
from tests.support.ralph import RalphServer
from tests.test_certificate_issue import Provider, _post
from tests.test_local_numbers import write_numbers_pack

pytestmark = pytest.mark.lrs


def test_a_french_grouped_answer_earns_its_certificate_and_is_regraded_in_french(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    from packages.layout import Layout
    from player.events import Event
    from player.learners import Learners
    from player.progress import EventLog
    from sync.statements import Actor, encode, statements_for

    provider = Provider(tmp_path, run_mooc, ralph_lrs)
    packs = tmp_path / "packs"
    pack = write_numbers_pack(packs / "num", ralph_lrs.endpoint)
    toml = (pack / "course.toml").read_text(encoding="utf-8")
    toml = toml.replace(
        "available = true", f'available = true\nissuer = "{provider.did}"\nissuer_name = "École ouverte"'
    )
    (pack / "course.toml").write_text(toml, encoding="utf-8")
    assert run_mooc("install", str(pack)).returncode == 0
    ralph_lrs.login(run_mooc)

    # Awa studies in French and types the answer the French way
    assert run_mooc("learner", "add", "Awa Ndiaye", "--email", "awa.num@example.org").returncode == 0
    french = {"LANGUAGE": "fr"}
    played = run_mooc("play", "--plain", "num-101", "quiz", "--learner", "awa-ndiaye", input="1 234,5\n", env=french)
    assert played.returncode == 0 and "1/1" in played.stdout, played.stdout + played.stderr
    assert run_mooc("certificate", "request", "num-101", "--learner", "awa-ndiaye", env=french).returncode == 0
    run_mooc("consent", "allow", ralph_lrs.endpoint, "--learner", "awa-ndiaye")
    out = run_mooc("sync", "--learner", "awa-ndiaye")
    assert out.returncode == 0, out.stderr
    layout = Layout.default(mooc_home.home)
    awa = Learners(layout).get("awa-ndiaye")
    attempt = next(e for e in EventLog.for_course(layout, awa.id, "num-101").events() if e.type == "attempt")
    held = [s for s in ralph_lrs.all_statements() if s["id"] == attempt.id or s.get("context", {}).get("statement")]
    mine = [s for s in held if s["id"] == attempt.id or s["context"]["statement"]["id"] == attempt.id]
    assert len(mine) == 2 and all(s["context"]["language"] == "fr" for s in mine)  # the attempt and its answer
    assert ralph_lrs.validate(mine) == []

    # Attempts whose numeric response is held as text, re-graded in the language they carry
    # (written as another tool would: the engine stores the number it read)
    def posted(email: str, carries: dict[str, Any], typed: str) -> str:
        actor = Actor(email, "x")
        attempt = Event(
            "attempt",
            "num-101",
            "1.0.0",
            "quiz",
            {
                "attempt": 1,
                "score": 1.0,
                "questions": [{"id": "n", "type": "numeric", "statement_id": None, "response": typed, "points": 1.0}],
                **carries,
            },
        )
        sid = statements_for(attempt, actor, ralph_lrs.origin, None, None)[1]["id"]
        attempt.data["questions"][0]["statement_id"] = sid
        request = Event(
            "certificate_requested",
            "num-101",
            "1.0.0",
            data={"score": 1.0, "evidence": [sid], "learner_name": email, "learner_email": email},
        )
        statements = [*statements_for(attempt, actor, ralph_lrs.origin, None, None)]
        statements += statements_for(request, actor, ralph_lrs.origin, None, None)
        _post(ralph_lrs, [json.loads(encode(s)) for s in statements])
        return request.id

    in_french = posted("bintou.num@example.org", {"language": "fr"}, "1 234,5")
    in_english = posted("jo.num@example.org", {"language": "en"}, "1,234.5")
    without = posted("old.num@example.org", {}, "1 234,5")  # before languages: no groups

    run = provider.issue(packs)
    by_request = {o["request"]: o for o in run["outcomes"]}
    awa_outcome = [o for o in run["outcomes"] if "awa.num" in o["learner"]]
    assert [o["decision"] for o in awa_outcome] == ["issued"] and awa_outcome[0]["score"] == 1.0, run
    assert by_request[in_french]["decision"] == "issued", by_request[in_french]
    assert by_request[in_english]["decision"] == "issued", by_request[in_english]
    assert by_request[without]["decision"] == "refused"
    assert "the answers earn 0%, below the 50% needed" in by_request[without]["reason"]
