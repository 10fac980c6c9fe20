"""Start the Ralph LRS (ralph-malph 5.1.0) for the tests, with two bugs of its fs backend fixed.

Run with the Ralph virtualenv's python (scripts/install-ralph), NOT ours: Ralph's
exact pins clash with mooc's. Settings come from the environment (see
tests/support/ralph.py). Usage::

    .cache/ralph-venv/bin/python tests/support/ralph_launcher.py --port 8100

Why a launcher instead of `ralph runserver`: runserver always auto-reloads, and the
fs backend shipped in 5.1.0 has two bugs a real deployment (Elasticsearch, Mongo,
ClickHouse backends) does not have, which would make our tests fail for Ralph's sake:

1. writes use CREATE mode, so the SECOND POST of new statements to the same file
   answers 500: we switch the backend's default operation to APPEND;
2. the `verb=` / `activity=` query filters compare the pydantic IRI object with the
   statement's string and never match: we wrap the two filter builders to pass str().
"""

from __future__ import annotations

import argparse
import os
import sys

# This file sits next to tests/support/ralph.py, which would shadow the `ralph` package.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]


def patch_fs_backend() -> None:
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend

    FSLRSBackend.default_operation_type = BaseOperationType.APPEND

    verb_filter = FSLRSBackend._add_filter_by_verb
    activity_filter = FSLRSBackend._add_filter_by_activity

    def by_verb(filters: list, verb_id: object) -> None:
        verb_filter(filters, str(verb_id) if verb_id is not None else None)

    def by_activity(filters: list, object_id: object, related: object) -> None:
        activity_filter(filters, str(object_id) if object_id is not None else None, related)

    FSLRSBackend._add_filter_by_verb = staticmethod(by_verb)
    FSLRSBackend._add_filter_by_activity = staticmethod(by_activity)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    patch_fs_backend()
    import uvicorn
    from ralph.api import app

    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
