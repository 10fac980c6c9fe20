"""Time `import_olx` on the demo course against a baseline measured in the same run.

Baseline: parsing every XML file of the export with defusedxml and copying static/
(the I/O floor any importer pays). Run by hand:
    .venv/bin/python tests/benchmarks/bench_import.py [COURSE_DIR]
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from packages.importers.olx import import_olx  # noqa: E402
from packages.importers.xml_safe import parse_xml_file  # noqa: E402


def _median(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    course = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared/corpus/olx/openedx-demo-course"
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

        base = _median(baseline)
        imp = _median(full)
        print(f"baseline (parse all XML + copy static/): {base * 1000:.0f} ms")
        print(f"import_olx demo course:                  {imp * 1000:.0f} ms")
        print(f"ratio import/baseline:                   {imp / base:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
