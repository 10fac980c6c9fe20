"""Benchmark: upload 10,000 pending statements to a real LRS (Ralph) on loopback.

Run by hand (needs scripts/install-ralph; takes a few minutes)::

    .venv/bin/python tests/benchmarks/bench_sync.py [--statements 10000] [--kills 30]

Prints, each against a baseline measured in the same run:
0. bytes per statement as generated (no LRS needed: `--only bytes`), uncompressed
   and gzipped per batch (the `gzip` endpoint setting, docs/sync.md);
1. clean upload at several batch sizes (baseline: 50 statements per POST): time,
   requests, bytes per statement;
2. the default batch size through a fault proxy that drops 20 % of answers (the
   request reached the LRS, the answer is lost), vs the clean run;
3. `mooc sync` killed with SIGKILL mid-upload many times, then a final sync:
   statements lost and duplicated (goal: 0 and 0).
Each configuration gets a fresh Ralph (its fs backend slows down as its file grows).
Each part runs --runs times: min/median/max of each figure, then the same pinned to
one core (tests/benchmarks/timing.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from packages.layout import Layout  # noqa: E402
from player.config import update_config  # noqa: E402
from player.events import Event  # noqa: E402
from player.learners import Learners  # noqa: E402
from player.progress import EventLog  # noqa: E402
from sync import credentials  # noqa: E402
from sync.consent import Consent  # noqa: E402
from sync.endpoints import normalise  # noqa: E402
from sync.uploader import BATCH_STATEMENTS, Options, sync_all  # noqa: E402
from tests.benchmarks.timing import Spread, both_ways, heading  # noqa: E402
from tests.support.fault_proxy import FaultProxy  # noqa: E402
from tests.support.ralph import RalphServer, account_agent, start_ralph, stop_ralph  # noqa: E402


def make_machine(home: Path, endpoint: str, ralph: RalphServer | None, statements: int) -> tuple[Layout, str, int]:
    """A learner with events worth `statements` statements: half quiz answers (attempts of
    4 questions = 5 statements each), half lesson events."""
    layout = Layout.default(home)
    learner = Learners(layout).add("Bench Learner")
    update_config(layout, lambda c: c.setdefault("sync", {}).update(endpoint=endpoint))
    if ralph is not None:
        credentials.store(layout, normalise(endpoint), user=ralph.user, password=ralph.password)
    Consent(layout, learner.id).allow(endpoint)
    log = EventLog.for_course(layout, learner.id, "bench-course")
    events: list[Event] = [Event("enrolled", "bench-course", "1.0.0", None, {"registration": str(uuid.uuid4())})]
    total = 1
    n = 0
    while total < statements:
        n += 1
        if n % 2 and statements - total >= 5:
            qs = [
                {
                    "id": f"q{k}",
                    "type": "single",
                    "statement_id": str(uuid.uuid4()),
                    "response": k % 3,
                    "score": 1.0 if k % 2 else 0.0,
                    "earned": 1.0 if k % 2 else 0.0,
                    "points": 1.0,
                    "correct": bool(k % 2),
                }
                for k in range(4)
            ]
            events.append(
                Event(
                    "attempt",
                    "bench-course",
                    "1.0.0",
                    f"quiz-{n % 20}",
                    {
                        "attempt": 1,
                        "score": 0.5,
                        "earned": 2.0,
                        "total": 4.0,
                        "passed": False,
                        "duration_s": 61.5,
                        "threshold": 0.7,
                        "questions": qs,
                    },
                )
            )
            total += 5
        else:
            kind = ("lesson_opened", "time_spent", "lesson_completed", "position")[n % 4]
            data = (
                {"seconds": 42.0}
                if kind == "time_spent"
                else {"duration_s": 300.0}
                if kind == "lesson_completed"
                else {}
            )
            events.append(Event(kind, "bench-course", "1.0.0", f"lesson-{n % 50}", data))
            total += 1
    for i in range(0, len(events), 1000):
        log.append(*events[i : i + 1000])
    return layout, learner.account_id, total


def check(ralph: RalphServer, origin: str, account: str, expected: int) -> tuple[int, int]:
    """(lost, duplicated) as the LRS sees it: by query and in its raw store file."""
    stored = ralph.agent_statements(account_agent(origin, account))
    ids = [s["id"] for s in stored]
    raw = [s["id"] for s in ralph.all_statements()]
    duplicated = (len(ids) - len(set(ids))) + (len(raw) - len(set(raw)))
    return max(0, expected - len(set(ids))), duplicated


def run_upload(tmp: Path, statements: int, batch: int, drop_rate: float = 0.0, run: int = 0) -> dict[str, float]:
    ralph = start_ralph(tmp / f"ralph-{batch}-{drop_rate}-{run}")
    try:
        with FaultProxy(("127.0.0.1", ralph.port)) as proxy:
            endpoint = f"{proxy.url}xAPI/"
            layout, account, total = make_machine(tmp / f"home-{batch}-{drop_rate}-{run}", endpoint, ralph, statements)
            t0 = time.perf_counter()
            from sync.collect import collect

            collect(layout)
            t_collect = time.perf_counter() - t0
            proxy.reset_counters()
            proxy.drop_rate = drop_rate
            requests = rounds = 0
            sent = 0
            t1 = time.perf_counter()
            while True:
                rounds += 1
                result = sync_all(layout, Options(batch_statements=batch, sleep=lambda s: time.sleep(min(s, 0.2))))[0]
                requests += result.requests
                sent += result.bytes_sent
                if result.pending == 0 or rounds > 200:
                    break
            elapsed = time.perf_counter() - t1
            proxy.drop_rate = 0.0
            lost, dup = check(ralph, f"http://127.0.0.1:{proxy.port}", account, total)
            return {
                "batch": batch,
                "statements": total,
                "collect_s": t_collect,
                "upload_s": elapsed,
                "requests": requests,
                "rounds": rounds,
                "bytes_per_statement": sent / total,
                "drops": proxy.drops,
                "lost": lost,
                "duplicated": dup,
            }
    finally:
        stop_ralph(ralph)


def run_bytes(tmp: Path, statements: int, run: int = 0) -> dict[str, float]:
    """Bytes per statement as generated into the outbox (what is POSTed), and what gzip
    (level 6, as sync/lrs_client.py sends it) makes of each batch. No LRS needed."""
    import gzip

    from sync.collect import collect
    from sync.outbox import all_outboxes
    from sync.uploader import BATCH_BYTES, batches, body_of

    layout, _account, total = make_machine(tmp / f"home-bytes-{run}", "https://lrs.example.org/xapi/", None, statements)
    collect(layout)
    entries = all_outboxes(layout)[0].pending()
    plain = packed = 0
    for batch in batches(entries, BATCH_STATEMENTS, BATCH_BYTES):
        body = body_of(batch)
        plain += len(body)
        packed += len(gzip.compress(body, compresslevel=6))
    kinds: dict[str, list[int]] = {}
    for e in entries:
        kinds.setdefault("answered" if e.id != e.event else e.type, []).append(len((e.body or "").encode()))
    return {
        "statements": total,
        "bytes_per_statement": plain / total,
        "gzip_per_statement": packed / total,
        "gzip_ratio": packed / plain,
        "by_kind": {k: sum(v) / len(v) for k, v in sorted(kinds.items())},
    }


def run_kills(tmp: Path, statements: int, kills: int, run: int = 0) -> dict[str, float]:
    ralph = start_ralph(tmp / f"ralph-kills-{run}")
    mooc = Path(sys.executable).with_name("mooc")
    try:
        with FaultProxy(("127.0.0.1", ralph.port)) as proxy:
            proxy.rate = 5_000  # a slow link (answers ~1.6 s per batch), so kills land mid-upload
            endpoint = f"{proxy.url}xAPI/"
            home = tmp / f"home-kills-{run}"
            layout, account, total = make_machine(home, endpoint, ralph, statements)
            env = dict(os.environ, MOOC_HOME=str(home), MOOC_SYSTEM_HOME=str(tmp / "sys"))
            rng = random.Random(5 + run)
            done = 0
            t0 = time.perf_counter()
            acks = layout.sync_dir
            while done < kills:
                if sum(len(p.read_bytes().splitlines()) for p in acks.glob("*/acks.jsonl")) >= total:
                    break  # all uploaded before we could kill that often
                proc = subprocess.Popen(
                    [str(mooc), "sync"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
                time.sleep(rng.uniform(0.3, 1.5))
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    done += 1
                proc.wait()
            proxy.rate = None
            final = subprocess.run([str(mooc), "sync", "--json"], env=env, capture_output=True, text=True)
            pending = json.loads(final.stdout)["endpoints"][0]["pending"]
            lost, dup = check(ralph, f"http://127.0.0.1:{proxy.port}", account, total)
            return {
                "statements": total,
                "kills": done,
                "seconds": time.perf_counter() - t0,
                "pending_after_final": pending,
                "lost": lost,
                "duplicated": dup,
            }
    finally:
        stop_ralph(ralph)


def spread(runs: list[dict], key: str, digits: int = 0, scale: float = 1.0) -> str:
    """'median (min low, max high)' of one figure over the runs."""
    s = Spread.of([float(r[key]) * scale for r in runs])
    return f"{s.median:.{digits}f} (min {s.low:.{digits}f}, max {s.high:.{digits}f})"


def seconds(runs: list[dict], key: str) -> Spread:
    return Spread.of([float(r[key]) for r in runs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--batches", default="50,200,500")
    parser.add_argument("--runs", type=int, default=3, help="runs of each part, each on a fresh Ralph (default 3)")
    parser.add_argument("--only", choices=["bytes", "upload", "faults", "kills"], help="run one part")
    args = parser.parse_args()
    runs = range(args.runs)
    print(f"min/median/max of {args.runs} runs [{heading()}]")
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmpdir:
        tmp = Path(tmpdir)
        sizes = [run_bytes(tmp, args.statements, run) for run in runs]
        print(
            f"0. bytes per statement, {sizes[0]['statements']} statements as generated: "
            f"{spread(sizes, 'bytes_per_statement')} B uncompressed, {spread(sizes, 'gzip_per_statement')} B gzipped "
            f"per batch (ratio {spread(sizes, 'gzip_ratio', 3)})"
        )
        kinds: dict[str, list[float]] = {}
        for size in sizes:
            for kind, value in size["by_kind"].items():  # type: ignore[union-attr]
                kinds.setdefault(kind, []).append(value)
        print("   by kind (medians): " + ", ".join(f"{k} {Spread.of(v).median:.0f} B" for k, v in kinds.items()))
        if args.only == "bytes":
            return
        if args.only == "kills":
            args.batches = str(BATCH_STATEMENTS)
        print(f"1. clean upload of {args.statements} statements to Ralph on loopback")
        by_batch = {
            int(b): [run_upload(tmp, args.statements, int(b), run=run) for run in runs] for b in args.batches.split(",")
        }
        base_batch, base = next(iter(by_batch.items()))
        for batch, results in by_batch.items():
            up = seconds(results, "upload_s")
            print(
                f"   batch {batch:>4}: upload {up.ms()} ({results[0]['statements'] / up.median:7.0f} st/s), "
                f"{spread(results, 'requests')} requests, {spread(results, 'bytes_per_statement')} B/statement, "
                f"generate {seconds(results, 'collect_s').ms()}; time vs batch {base_batch} (medians): "
                f"{up.ratio(seconds(base, 'upload_s')):.2f}x; lost {spread(results, 'lost')}, "
                f"duplicated {spread(results, 'duplicated')}"
            )
        clean = by_batch.get(BATCH_STATEMENTS, list(by_batch.values())[-1])
        if args.only == "upload":
            return
        print(f"2. batch {BATCH_STATEMENTS} with 20 % of answers dropped (fault proxy)")
        faulty = [run_upload(tmp, args.statements, BATCH_STATEMENTS, drop_rate=0.2, run=run) for run in runs]
        up = seconds(faulty, "upload_s")
        print(
            f"   {up.ms()}, {spread(faulty, 'requests')} requests in {spread(faulty, 'rounds')} rounds, "
            f"{spread(faulty, 'drops')} answers dropped; time vs clean (medians): "
            f"{up.ratio(seconds(clean, 'upload_s')):.2f}x; lost {spread(faulty, 'lost')}, "
            f"duplicated {spread(faulty, 'duplicated')}"
        )
        print(f"3. `mooc sync` killed with SIGKILL {args.kills} times mid-upload, then a final sync")
        kills = [run_kills(tmp, min(args.statements, 5000), args.kills, run) for run in runs]
        print(
            f"   {kills[0]['statements']} statements, {spread(kills, 'kills')} kills in "
            f"{seconds(kills, 'seconds').ms()}: pending after final sync {spread(kills, 'pending_after_final')}, "
            f"lost {spread(kills, 'lost')}, duplicated {spread(kills, 'duplicated')} (goal 0 and 0)"
        )


if __name__ == "__main__":
    both_ways(main)
