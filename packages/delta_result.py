"""What a delta update reports and how it says no: `DeltaResult` (how it went: delta
or full, the bytes and requests it took, what it reused, why it fell back) and
`DeltaUnavailable` (delta is impossible or unsafe here; a full download follows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from packages.download import DownloadStats


class DeltaUnavailable(Exception):
    """Delta is impossible or unsafe here; the caller falls back to a full download."""


@dataclass
class DeltaResult:
    method: str  # "delta" or "full"
    bytes_fetched: int = 0
    requests: int = 0
    retries: int = 0  # answers that broke off and were asked again
    resumed_from: int = 0  # bytes of the rebuilt archive an earlier run had written
    plan_bytes: int = 0  # what the delta fetches in all: directory, manifest, changed entries
    entries_total: int = 0
    entries_reused: int = 0
    bytes_reused: int = 0
    reason: str = ""  # why it fell back, if it did
    predicted: bool = False  # the new archive's layout was worked out here (packages/flavour_delta.py)
    predicted_reason: str = ""  # why a predicted layout did not hold (the generic delta followed)
    download: DownloadStats = field(default_factory=DownloadStats)


def bytes_left(pieces: list[tuple[str, int, int]], have: int) -> int:
    """How many bytes of a plan's pieces ((kind, source, length), in file order) still
    come from the network when the first HAVE bytes are rebuilt already (at most)."""
    left, position = 0, 0
    for kind, _source, length in pieces:
        if kind == "net":
            left += max(0, position + length - max(position, have))
        position += length
    return left
