"""Whether a learner may ask for a certificate, and what is missing if not: what
`Scores.certificate_status` (player/scores.py) answers. Its own module so that the start
of `mooc play`, which asks nothing of it, does not define it (~0.5 ms a dataclass).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CertificateStatus:
    """Whether the learner may ask for a certificate, and what is missing if not."""

    eligible: bool
    reasons: list[str]  # why not (empty when eligible), in English: --json and records keep these
    said: list[str] = field(default_factory=list)  # the same reasons in the reader's language, to show
