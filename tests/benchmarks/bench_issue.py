"""Benchmark: `mooc certificate issue` against only GETting the evidence it reads.

Run by hand (needs scripts/install-ralph)::

    .venv/bin/python tests/benchmarks/bench_issue.py [--requests 1000] [--attempts 5] [--sample 50] [--runs 1]

Posts REQUESTS certificate requests to a fresh Ralph LRS, each from its own learner
who took the two 2-question graded quizzes ATTEMPTS times each (20 evidence
statements per request at the default 5), built through the real engine and mapped
by sync/statements.py. Then, in the same run:

1. baseline: GET every evidence statement by id with `requests` (one session, the
   provider's credentials), as any tool reading the evidence must;
2. `mooc certificate issue --json` as a subprocess (it reads the answered index and
   the requests, GETs each evidence statement and each attempt once, re-grades,
   signs and posts one answer per request).

Prints time, HTTP requests and statements read per second of each, and the ratio.
Goal: <= 2. Each of --runs runs starts from a fresh Ralph (issuing answers the
requests: a second run on the same LRS would have nothing to do); min/median/max of
each figure, then the same pinned to one core (tests/benchmarks/timing.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from tests.benchmarks.timing import Spread, both_ways, heading  # noqa: E402

MOOC = Path(sys.executable).with_name("mooc")


def _statements(course, source, n: int, attempts: int, origin: str) -> tuple[list[dict], list[str]]:
    from player.events import Event
    from player.session import CourseSession
    from sync.statements import Actor, encode, statements_for

    out: list[dict] = []
    evidence_all: list[str] = []
    for i in range(n):
        events: list[Event] = []
        who = SimpleNamespace(id=f"l{i}", name=f"Learner {i}", email=f"learner{i}@example.org", account_id=f"a{i}")
        session = CourseSession(course, source, events, who)
        for quiz in ("quiz-1", "quiz-2"):
            for _ in range(attempts):
                attempt = session.start_attempt(quiz)
                attempt.answer("q1", 1)
                attempt.answer("q2", True)
                session.submit(attempt)
        evidence = session.evidence()
        events.append(
            Event(
                "certificate_requested",
                course.id,
                course.version,
                data={
                    "score": round(session.course_score(), 6),
                    "threshold": course.pass_threshold,
                    "quizzes": evidence["quizzes"],
                    "evidence": evidence["evidence"],
                    "learner_name": who.name,
                    "learner_email": who.email,
                },
            )
        )
        evidence_all += evidence["evidence"]
        actor = Actor(who.email, who.account_id)
        for e in events:
            out += [json.loads(encode(s)) for s in statements_for(e, actor, origin, None, None)]
    return out, evidence_all


def one_run(args: argparse.Namespace) -> dict[str, float]:
    """Setup on a fresh Ralph, the baseline, then `mooc certificate issue`."""
    import requests

    from packages.loading import load_course
    from packages.source import open_source
    from sync.credential import generate_key
    from tests.support.ralph import start_ralph, stop_ralph, write_pack

    work = Path(tempfile.mkdtemp(prefix="bench-issue-"))
    lrs = start_ralph(work / "ralph")
    try:
        key = work / "issuer.pem"
        did = generate_key(key)
        pack = write_pack(work / "pack", lrs.endpoint, "bench-cert", quizzes=2)
        toml = (pack / "course.toml").read_text()
        (pack / "course.toml").write_text(toml.replace("available = true", f'available = true\nissuer = "{did}"'))
        source = open_source(pack)
        course = load_course(source)
        t = time.perf_counter()
        statements, evidence = _statements(course, source, args.requests, args.attempts, lrs.origin)
        session = requests.Session()
        session.auth = (lrs.user, lrs.password)
        session.headers["X-Experience-API-Version"] = "1.0.3"
        for start in range(0, len(statements), 500):
            r = session.post(f"{lrs.endpoint}statements", json=statements[start : start + 500], timeout=120)
            r.raise_for_status()
        print(
            f"setup: {args.requests} requests, {len(evidence)} evidence statements, {len(statements)} statements "
            f"posted in {time.perf_counter() - t:.1f} s"
        )

        t = time.perf_counter()
        sampled = evidence[:: args.sample]
        for sid in sampled:
            r = session.get(f"{lrs.endpoint}statements", params={"statementId": sid}, timeout=60)
            r.raise_for_status()
            r.json()
        base = (time.perf_counter() - t) * len(evidence) / len(sampled)

        home = work / "provider"
        env = {
            **os.environ,
            "MOOC_HOME": str(home),
            "MOOC_SYSTEM_HOME": str(work / "sys"),
            "MOOC_LRS_ENDPOINT": lrs.endpoint,
            "MOOC_LRS_USER": lrs.user,
            "MOOC_LRS_PASSWORD": lrs.password,
            "MOOC_DEADLINE": "3600",
        }
        t = time.perf_counter()
        run = subprocess.run(
            [
                str(MOOC),
                "certificate",
                "issue",
                "--lrs",
                lrs.endpoint,
                "--key",
                str(key),
                "--packs",
                str(pack),
                "--json",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=7200,
        )
        took = time.perf_counter() - t
        if run.returncode != 0:
            raise SystemExit(run.stderr)
        report = json.loads(run.stdout)
        return {
            "evidence": len(evidence),
            "sampled": len(sampled),
            "base": base,
            "took": took,
            "http_requests": report["http_requests"],
            "statements_fetched": report["statements_fetched"],
            "issued": report["issued"],
            "refused": report["refused"],
        }
    finally:
        stop_ralph(lrs)
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--attempts", type=int, default=5)
    parser.add_argument(
        "--sample",
        type=int,
        default=1,
        help="baseline: GET every Nth evidence statement and multiply the time by N (Ralph's fs "
        "backend reads its whole file for each GET, so the full baseline of a big run takes hours)",
    )
    parser.add_argument("--runs", type=int, default=1, help="runs, each on a fresh Ralph (default 1: a run takes long)")
    args = parser.parse_args()
    runs = [one_run(args) for _ in range(args.runs)]

    def figure(key: str, digits: int = 0) -> str:
        s = Spread.of([float(r[key]) for r in runs])
        return f"{s.median:.{digits}f} (min {s.low:.{digits}f}, max {s.high:.{digits}f})"

    base, took = Spread.of([r["base"] for r in runs]), Spread.of([r["took"] for r in runs])
    evidence, sampled = runs[0]["evidence"], runs[0]["sampled"]
    how = f"measured on {sampled:.0f} of them (1 in {args.sample}), scaled" if args.sample > 1 else "measured"
    print(f"min/median/max of {args.runs} run(s) [{heading()}]")
    print(
        f"baseline GET of every evidence statement: {base.ms()} ({how}), {evidence:.0f} requests, "
        f"{evidence / base.median:.1f} statements/s"
    )
    print(
        f"mooc certificate issue: {took.ms()}, {figure('http_requests')} HTTP requests, "
        f"{figure('statements_fetched')} statements read ({runs[0]['statements_fetched'] / took.median:.0f}/s), "
        f"{figure('issued')} issued, {figure('refused')} refused"
    )
    print(f"ratio issue / baseline (medians): {took.ratio(base):.2f} (goal <= 2)")


if __name__ == "__main__":
    both_ways(main)
