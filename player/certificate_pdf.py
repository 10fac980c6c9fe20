"""A printable one-page certificate (`mooc certificate export COURSE --pdf FILE`).

fpdf2 lays out an A4 landscape page: the learner's name, the course, the score and
date, the issuer, and a QR code (segno) holding the signed credential itself (the
compact VC-JWT), so a verifier scans it and runs `mooc certificate verify` on it,
offline, against the issuer id printed under it. Text comes from the verified
credential and is cleaned of control characters; names in any script print with a
Unicode TrueType font found on the machine (DejaVu Sans, Arial, Segoe UI, Noto),
else in Helvetica with what Latin-1 cannot show replaced by '?' (and the caller is
told).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from packages.i18n import _
from packages.safe_text import one_line

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts", "arial.ttf"),
    os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts", "segoeui.ttf"),
)
# Used for the letters the main font lacks (Chinese, Japanese, Korean names...).
FALLBACK_CANDIDATES = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts", "simsunb.ttf"),
)


def unicode_font() -> Path | None:
    override = os.environ.get("MOOC_PDF_FONT")
    for candidate in ((override,) if override else ()) + FONT_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def render(verified: Any, token: str, version: str) -> tuple[bytes, list[str]]:
    """(the PDF bytes, notes for the learner). `verified`: sync.credential.Verified."""
    import segno
    from fpdf import FPDF

    notes: list[str] = []
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_title(_("Certificate: {course}").format(course=one_line(verified.course_title)))
    font = unicode_font()
    if font is not None:
        pdf.add_font("body", "", str(font))
        family = "body"
        fallbacks = []
        for n, candidate in enumerate(c for c in FALLBACK_CANDIDATES if Path(c).is_file() and Path(c) != font):
            pdf.add_font(f"fallback{n}", "", candidate)
            fallbacks.append(f"fallback{n}")
        if fallbacks:
            pdf.set_fallback_fonts(fallbacks)

        def text(value: str) -> str:
            return one_line(value)
    else:
        family = "helvetica"
        notes.append(_("no Unicode font found (set MOOC_PDF_FONT to a .ttf file): letters Latin-1 lacks print as '?'"))

        def text(value: str) -> str:
            return one_line(value).encode("latin-1", "replace").decode("latin-1")

    width = pdf.w
    pdf.set_draw_color(60, 60, 60)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, width - 20, pdf.h - 20)

    def line(y: float, size: float, value: str, *, x: float = 20, w: float | None = None) -> None:
        pdf.set_xy(x, y)
        pdf.set_font(family, size=size)
        pdf.cell(w or width - 40, size * 0.5, text(value), align="C")

    line(24, 30, _("Certificate"))
    line(44, 13, _("This certifies that"))
    line(56, 26, verified.learner_name or verified.subject)
    line(74, 13, _("has passed the course"))
    line(85, 20, verified.course_title, w=width - 40)
    detail = _("{course} {version}  ·  score {score}  ·  issued {date}").format(
        course=verified.course_id, version=version, score=verified.score, date=day(verified.issued_at)
    )
    if verified.expires_at:
        detail += _("  ·  valid until {date}").format(date=day(verified.expires_at))
    line(100, 12, detail if font else detail.replace("·", "-"))
    line(
        112, 14, _("Issued by {issuer}").format(issuer=verified.issuer_name) if verified.issuer_name else _("Issued by")
    )

    qr = segno.make(token, error="l", micro=False)
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=4, border=2)
    side = 62.0
    pdf.image(buffer, x=width - 20 - side, y=pdf.h - 18 - side, w=side, h=side)
    pdf.set_font(family, size=8)
    pdf.set_xy(20, pdf.h - 44)
    pdf.multi_cell(
        width - 60 - side,
        4.2,
        align="L",
        text=text(
            _(
                "Scan the code: it holds the signed credential. Check it offline with `mooc certificate verify FILE` "
                "against the issuer id the course pack names: {issuer}. Subject: {subject}."
            ).format(issuer=verified.issuer, subject=verified.subject)
        ),
    )
    return _output(pdf, notes), notes


def day(when: Any) -> str:
    """ "04 December 2026", the month in the reader's language."""
    from packages.local_dates import long_date

    return long_date(when)


def _output(pdf: Any, notes: list[str]) -> bytes:
    """The PDF bytes; fpdf2's warning about letters no font has becomes a note."""
    import logging

    missing: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            missing.append(record.getMessage().split("glyphs: ", 1)[-1])

    logger = logging.getLogger("fpdf.output")
    handler, propagate = _Collect(logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        data = bytes(pdf.output())
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    if missing:
        notes.append(
            _(
                "no font on this computer has some letters of the certificate, left blank: {letters} "
                "(set MOOC_PDF_FONT to a .ttf that has them)"
            ).format(letters="; ".join(missing)[:200])
        )
    return data
