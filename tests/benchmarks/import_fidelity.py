"""Print what came across when the corpus is imported: issue 15's "done means" tables.

For the Open edX demo course and every GIFT file of the corpus: the table of what
came across (exact / changed and reported / missing and reported / silently lost,
which must be 0) and the report's entries by kind. Run by hand:
    .venv/bin/python tests/benchmarks/import_fidelity.py [CORPUS_DIR]
(default: $MOOC_CORPUS, else ../shared/corpus). Exit status 1 if anything was silently lost.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from packages.importers.gift import import_gift  # noqa: E402
from packages.importers.olx import import_olx  # noqa: E402
from tests.support.import_fidelity import entries_by_kind, gift_fidelity, olx_fidelity  # noqa: E402


def main() -> int:
    default = os.environ.get("MOOC_CORPUS") or str(REPO.parent / "shared" / "corpus")
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else default)
    lost = 0
    with tempfile.TemporaryDirectory(prefix="fidelity-") as work:
        for course in sorted((corpus / "olx").iterdir()):
            if not (course / "course.xml").is_file():
                continue
            pack = Path(work) / course.name
            report = import_olx(course, pack)
            fidelity = olx_fidelity(course, report, pack)
            print(f"## {course.name}\n\n{fidelity.markdown()}\n\n{entries_by_kind(report)}\n")
            lost += len(fidelity.lost)
        for gift in sorted((corpus / "gift").glob("*.gift*")):
            out = Path(work) / f"{gift.name}.toml"
            report, _ = import_gift(gift, output=out)
            fidelity = gift_fidelity(gift, report, out)
            print(f"## {gift.name}\n\n{fidelity.markdown()}\n\n{entries_by_kind(report)}\n")
            lost += len(fidelity.lost)
    print(f"silently lost: {lost}")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
