"""Time `import_olx` on the demo course against a baseline measured in the same run.

Baseline: parsing every XML file of the export with defusedxml and copying static/
(the I/O floor any importer pays). Min/median/max of N runs each, then the same pinned
to one core (tests/benchmarks/timing.py). Run by hand:
    .venv/bin/python tests/benchmarks/bench_import.py [COURSE_DIR] [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from packages.importers.olx import import_olx  # noqa: E402
from packages.importers.xml_safe import parse_xml_file  # noqa: E402
from tests.benchmarks.timing import both_ways, heading, timed  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("course", nargs="?", type=Path, default=REPO.parent / "shared/corpus/olx/openedx-demo-course")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    course = args.course
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:

        def baseline() -> None:
            for path in course.rglob("*.xml"):
                parse_xml_file(path)
            shutil.rmtree(work / "copy", ignore_errors=True)
            shutil.copytree(course / "static", work / "copy")

        counter = iter(range(10**6))

        def full() -> None:
            import_olx(course, work / f"out-{next(counter)}")

        base = timed(baseline, args.runs)
        imp = timed(full, args.runs)
        print(f"min/median/max of {args.runs} runs [{heading()}]")
        print(f"baseline (parse all XML + copy static/): {base.ms()}")
        print(f"import_olx demo course:                  {imp.ms()}")
        print(f"ratio import/baseline (medians):         {imp.ratio(base):.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    both_ways(main)
