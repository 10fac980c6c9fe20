"""The three flavours of a pack (issue 22): their sizes, what each leaves out, and what
building them all costs next to building the full pack alone.

Run by hand:  .venv/bin/python tests/benchmarks/bench_flavours.py [--runs 3] [--media-mb 64]

Packs measured (each built by the real `mooc pack build --flavours all`):
  demo            packages/demo_course as it ships (small PNG images and a CSV: no video)
  demo+media      the demo plus a 300 kB video-like file, its transcript, a PDF, audio
                  and a photo (tests/support/flavoured.py, the flavour tests' course)
  bench           the 2,000-lesson / 10,000-question pack of bench_pack.py with
                  --media-mb of media (tests/support/genpack.py: incompressible
                  `.bin` blobs, which `text` leaves out and `novideo` keeps)
  bench-mixed     the same with its media named .mp4, .png, .pdf, .mp3 in turn

For each: the size of the text, novideo and full archives, what each leaves out (the
`omitted` list: what an upgrade to full must fetch, the ideal move), and
full - flavour (the archive bytes the move saves against that ideal).

Timing (median of --runs, real `mooc` subprocesses, bench only): `mooc pack build`
of the full pack alone (the baseline, measured in the same run) against
`--flavours all` (three archives; the media read and hashed once for the full pack,
the smaller ones reuse its digests) and `--flavour text` alone.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from packages.flavours import human_size  # noqa: E402
from tests.benchmarks.timing import both_ways, heading, timed  # noqa: E402
from tests.support.flavoured import DEMO, flavoured_course  # noqa: E402
from tests.support.genpack import generate_pack  # noqa: E402

MOOC = Path(sys.executable).with_name("mooc")


def mooc(*args: str) -> str:
    r = subprocess.run([str(MOOC), *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"mooc {' '.join(args)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout


def sizes(name: str, src: Path, out: Path) -> None:
    """Build the three flavours of `src` and print one row each."""
    packs = json.loads(mooc("pack", "build", str(src), "--flavours", "all", "-o", str(out), "--json"))["packs"]
    by = {p["flavour"]: p for p in packs}
    full = by["full"]["size"]
    for flavour in ("text", "novideo", "full"):
        p = by[flavour]
        left = sum(e["size"] for e in p["omitted"])
        saved = full - p["size"]
        n = len(p["omitted"])
        row = (
            f"  {name:12s} {flavour:8s} {p['size']:>13,d} B {human_size(p['size']):>8s}  "
            f"{p['size'] / full * 100:5.1f}% of full  leaves out {n:4d} file{'s' if n != 1 else ' '} "
            f"{human_size(left):>9s}"
        )
        if flavour != "full" and left:
            row += f"  full - {flavour} = {human_size(saved)} ({saved / left * 100:.1f}% of what it leaves out)"
        elif flavour != "full":
            row += f"  (nothing to leave out: the same files, its manifest {-saved} bytes longer)"
        print(row, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--lessons", type=int, default=2000)
    ap.add_argument("--questions", type=int, default=10000)
    ap.add_argument("--media-mb", type=int, default=64)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        bench = generate_pack(
            base / "bench", lessons=args.lessons, questions=args.questions, media_bytes=args.media_mb << 20
        )
        mixed = generate_pack(
            base / "mixed",
            lessons=args.lessons,
            questions=args.questions,
            media_bytes=args.media_mb << 20,
            media_suffixes=(".mp4", ".png", ".pdf", ".mp3"),
        )
        if not heading().startswith("pinned"):  # sizes do not depend on the cores: print them once
            print("sizes (mooc pack build --flavours all):")
            sizes("demo", DEMO, base / "out-demo")
            sizes("demo+media", flavoured_course(base / "demo-media"), base / "out-demo-media")
            sizes("bench", bench, base / "out-bench")
            sizes("bench-mixed", mixed, base / "out-mixed")

        out = base / "timed"
        full = timed(lambda: mooc("pack", "build", str(mixed), "-o", str(out / "full.mooc")), args.runs)
        every = timed(lambda: mooc("pack", "build", str(mixed), "--flavours", "all", "-o", str(out)), args.runs)
        text = timed(
            lambda: mooc("pack", "build", str(mixed), "--flavour", "text", "-o", str(out / "t.mooc")), args.runs
        )
        print(f"timing, bench-mixed ({args.lessons} lessons, {args.media_mb} MB media), median of {args.runs}:")
        print(f"  {'baseline: mooc pack build (full)':44s} {full.ms()}")
        for label, spread in (("mooc pack build --flavours all", every), ("mooc pack build --flavour text", text)):
            print(f"  {label:44s} {spread.ms()}  {spread.ratio(full):5.2f}x the full build")


if __name__ == "__main__":
    both_ways(main)
