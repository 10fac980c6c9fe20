"""The grammars of mooc's names, each written once (docs/format.md, "Identifiers and
versions"), and the one version order.

- `ID_RE`: a pack identifier: course, module, item and question ids, and catalog
  names: a lowercase letter or digit, then up to 63 of `a-z 0-9 . _ -`. Ids also name
  folders, so nothing else is allowed.
- `LEARNER_ID_RE`: a learner id on one machine (made from a name by
  player/learners.py): `a-z 0-9 -`, up to 64.
- `SEMVER_RE`: a pack version, Semantic Versioning 2.0.0 exactly (`1.2.0`,
  `1.2.0-rc.1+build.5`; not `v1`, `1.2` or `01.2.0`). The loader, the catalog, the store
  and `mooc serve` accept the same versions.
- `version_key` / `compare_versions`: SemVer precedence (build metadata ignored); a
  string that is not a version sorts below every version, by its text, so a damaged
  record can never shadow a good one.
"""

from __future__ import annotations

import re
from typing import Any

ID_PATTERN = r"[a-z0-9][a-z0-9._-]{0,63}"
ID_RE = re.compile(rf"^{ID_PATTERN}$")
LEARNER_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_NUMBER = r"(0|[1-9]\d*)"
_PRE_PART = r"(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
SEMVER_PATTERN = (
    rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}"
    rf"(?:-({_PRE_PART}(?:\.{_PRE_PART})*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
SEMVER_RE = re.compile(rf"^{SEMVER_PATTERN}$")
# A course's language: a BCP 47-like tag (`en`, `pt-BR`, `zh-Hant-TW`), at most 35
# characters (RFC 5646's advice for the tags software must store).
LANG_RE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
MAX_LANGUAGE_TAG = 35


def is_id(value: object) -> bool:
    return isinstance(value, str) and ID_RE.match(value) is not None


def is_language(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_LANGUAGE_TAG and LANG_RE.match(value) is not None


def language_matches(tag: str, wanted: str) -> bool:
    """Whether a course in `tag` is one in `wanted`: `fr` finds fr and fr-CA, `fr-CA` only fr-CA."""
    tag, wanted = tag.casefold(), wanted.casefold()
    return tag == wanted or tag.startswith(wanted + "-")


def is_version(value: object) -> bool:
    return isinstance(value, str) and SEMVER_RE.match(value) is not None


def version_key(version: str) -> tuple[Any, ...]:
    """Sort key: 1.2.0-rc.1 < 1.2.0 < 1.10.0; build metadata ignored; non-versions first."""
    m = SEMVER_RE.match(version)
    if not m:
        return (0, (), (), version)
    nums = tuple(int(g) for g in m.group(1, 2, 3))
    pre = m.group(4)
    if pre is None:
        pre_key: tuple[Any, ...] = ((1,),)  # a release sorts after all its pre-releases
    else:
        pre_key = ((0,), *((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")))
    return (1, nums, pre_key, "")


def compare_versions(a: str, b: str) -> int:
    ka, kb = version_key(a), version_key(b)
    return (ka > kb) - (ka < kb)
