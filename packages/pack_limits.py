"""The zip-bomb limits for untrusted archives, and the size and number parsing they use.

`Limits` bounds what a `.mooc` (or an imported archive) may unpack to: total size,
number of entries, compression ratio. The defaults are overridden by the
MOOC_MAX_PACK_SIZE / _ENTRIES / _RATIO variables or the `--max-*` options.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from packages.errors import MoocError
from packages.i18n import _

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    """Zip-bomb guards for untrusted archives. Override with env or `--max-*` options."""

    max_total_size: int = 2 * GiB  # sum of unpacked sizes
    max_entries: int = 100_000
    # unpacked/packed, for each entry above ratio_min_size and for the whole archive when
    # it unpacks to more than that (so many small entries cannot add up to a bomb)
    max_ratio: float = 200.0
    ratio_min_size: int = 1 * MiB

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """Defaults, overridden by MOOC_MAX_PACK_SIZE / _ENTRIES / _RATIO."""
        env = os.environ if environ is None else environ
        limits = cls()
        if env.get("MOOC_MAX_PACK_SIZE"):
            limits = limits.with_overrides(max_total_size=parse_size(env["MOOC_MAX_PACK_SIZE"], "MOOC_MAX_PACK_SIZE"))
        if env.get("MOOC_MAX_PACK_ENTRIES"):
            limits = limits.with_overrides(
                max_entries=_parse_int(env["MOOC_MAX_PACK_ENTRIES"], "MOOC_MAX_PACK_ENTRIES")
            )
        if env.get("MOOC_MAX_PACK_RATIO"):
            limits = limits.with_overrides(max_ratio=_parse_float(env["MOOC_MAX_PACK_RATIO"], "MOOC_MAX_PACK_RATIO"))
        return limits

    def with_overrides(
        self, *, max_total_size: int | None = None, max_entries: int | None = None, max_ratio: float | None = None
    ) -> Limits:
        return Limits(
            max_total_size=self.max_total_size if max_total_size is None else max_total_size,
            max_entries=self.max_entries if max_entries is None else max_entries,
            max_ratio=self.max_ratio if max_ratio is None else max_ratio,
            ratio_min_size=self.ratio_min_size,
        )


def parse_size(text: str, what: str = "size") -> int:
    """'2G', '500M', '64k' or plain bytes -> bytes (binary units)."""
    units = {
        "": 1,
        "B": 1,
        "K": KiB,
        "KB": KiB,
        "KIB": KiB,
        "M": MiB,
        "MB": MiB,
        "MIB": MiB,
        "G": GiB,
        "GB": GiB,
        "GIB": GiB,
        "T": 1024 * GiB,
        "TB": 1024 * GiB,
        "TIB": 1024 * GiB,
    }
    s = text.strip().upper()
    num = s.rstrip("KMGTIB")
    unit = s[len(num) :]
    try:
        value = float(num)
    except ValueError:
        value = -1.0
    if unit not in units or value < 0:
        raise MoocError(_("{what}: {text!r} is not a size (examples: 500M, 4G, 1048576)").format(what=what, text=text))
    return int(value * units[unit])


def _parse_int(text: str, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise MoocError(_("{what}: {text!r} is not a non-negative whole number").format(what=what, text=text))
    return value


def _parse_float(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise MoocError(_("{what}: {text!r} is not a positive number").format(what=what, text=text))
    return value
