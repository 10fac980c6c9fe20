"""One unpacked Open edX export's files, read without trusting them.

`OlxExport` reads the export's XML, text and JSON within bounds (one file at most
MAX_HTML_BYTES, the whole import at most MAX_READ_BYTES), follows OLX pointers
(`<tag url_name="x"/>` -> tag/x.xml) with the course policy applied, and turns the
course's asset URLs into files of static/ to be copied to media/.
"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree.ElementTree import Element

from packages.errors import MoocError
from packages.i18n import _
from packages.importers.pack_writer import media_name
from packages.importers.report import ImportReport
from packages.importers.xml_safe import parse_xml_file

MAX_HTML_BYTES = 20 * 1024 * 1024  # one html/*.html file
# Everything one import may read: a file referenced by many pointers is read (and converted) each time.
MAX_READ_BYTES = 512 * 1024 * 1024


class OlxExport:
    """The files of one unpacked export: bounded reads, pointers followed, assets named for media/."""

    def __init__(self, root: Path, shown: str) -> None:
        self.root = root
        self.shown = shown
        self.report = ImportReport(source=shown, kind="olx")
        self.media: dict[str, Path] = {}  # media rel path -> source file
        self.media_by_source: dict[Path, str] = {}
        self.policy: dict[str, Any] = {}
        self.static = root / "static"
        self._static_index: dict[str, Path] | None = None
        self._media_next: dict[str, int] = {}  # media stem -> next suffix (no rescan per same-named file)
        self.bytes_read = 0

    # -- reading ------------------------------------------------------------------
    def _spend(self, path: Path, size: int) -> None:
        self.bytes_read += size
        if self.bytes_read > MAX_READ_BYTES:
            raise MoocError(
                _(
                    "{shown}: {path}: the import has read over {max_read_bytes} MiB of XML and text (files referenced over and over?); refused"
                ).format(shown=self.shown, path=self.rel(path), max_read_bytes=MAX_READ_BYTES >> 20)
            )

    def parse_file(self, path: Path, shown: str) -> Element:
        """Parse one XML file, counted against MAX_READ_BYTES."""
        try:
            self._spend(path, path.stat().st_size)
        except OSError as err:
            raise MoocError(_("{shown}: cannot read ({strerror})").format(shown=shown, strerror=err.strerror)) from None
        return parse_xml_file(path, shown)

    def read_text(self, path: Path, *, encoding: str = "utf-8", errors: str = "strict") -> str:
        """One text file (HTML, JSON, transcript): at most MAX_HTML_BYTES, counted against MAX_READ_BYTES."""
        try:
            size = path.stat().st_size
            if size > MAX_HTML_BYTES:
                raise MoocError(
                    _("{shown}: {path}: file too large ({size} bytes, limit {max_html_bytes})").format(
                        shown=self.shown, path=self.rel(path), size=size, max_html_bytes=MAX_HTML_BYTES
                    )
                )
            self._spend(path, size)
            return path.read_bytes().decode(encoding, errors)
        except OSError as err:
            raise MoocError(
                _("{shown}: {path}: cannot read ({strerror})").format(
                    shown=self.shown, path=self.rel(path), strerror=err.strerror
                )
            ) from None

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def load(self, tag: str, elem: Element, base: Path | None = None) -> Element:
        """Follow an OLX pointer (`<tag url_name="x"/>` -> tag/x.xml) or use the element inline."""
        base = base or self.root
        url_name = elem.get("url_name")
        if url_name and len(elem) == 0 and _safe_name(url_name):
            path = base / tag / f"{url_name}.xml"
            if path.is_file() and not path.is_symlink():
                loaded = self.parse_file(path, f"{self.shown}: {self.rel(path)}")
                for key, value in elem.attrib.items():
                    loaded.attrib.setdefault(key, value)
                loaded.attrib.setdefault("url_name", url_name)
                self._apply_policy(tag, loaded)
                return loaded
        self._apply_policy(tag, elem)
        return elem

    def _apply_policy(self, tag: str, elem: Element) -> None:
        extra = self.policy.get(f"{tag}/{elem.get('url_name', '')}")
        if isinstance(extra, dict):
            for key, value in extra.items():
                if isinstance(value, (str, int, float, bool)):
                    elem.attrib.setdefault(key, str(value).lower() if isinstance(value, bool) else str(value))

    def read_json(self, path: Path) -> Any:
        try:
            return json.loads(self.read_text(path))
        except UnicodeDecodeError as err:
            raise MoocError(
                _("{shown}: {path}: cannot read ({err})").format(shown=self.shown, path=self.rel(path), err=err)
            ) from None
        except (json.JSONDecodeError, RecursionError) as err:
            if isinstance(err, RecursionError):
                raise MoocError(
                    _("{shown}: {path}: JSON nested too deeply").format(shown=self.shown, path=self.rel(path))
                ) from None
            raise MoocError(
                _("{shown}: {path}: line {lineno}: broken JSON ({msg})").format(
                    shown=self.shown, path=self.rel(path), lineno=err.lineno, msg=err.msg
                )
            ) from None

    # -- assets -------------------------------------------------------------------------
    def resolve(self, url: str, kind: str) -> str | None:
        """Course asset URLs -> files copied to media/; other LMS-internal links -> text only."""
        url = url.strip()
        low = url.lower()
        if low.startswith(("http://", "https://", "mailto:")):
            return url
        name = None
        if low.startswith(("/static/", "static/")):
            name = url.split("static/", 1)[1]
        elif "type@asset+block@" in url:
            name = url.split("type@asset+block@", 1)[1]
        elif low.startswith("/c4x/") and "/asset/" in url:
            name = url.split("/asset/", 1)[1]
        if name is None:
            return None  # /jump_to_id/..., /course/..., relative LMS pages: not in the pack
        name = urllib.parse.unquote(name.split("?", 1)[0].split("#", 1)[0])
        rel = PurePosixPath(name)
        if name.startswith("/") or any(p in ("..", "") for p in rel.parts) or "\\" in name or "\x00" in name:
            self.report.changed("asset", url, "unsafe asset path ignored")
            return None
        path = self.static / rel
        if not path.is_file():  # Studio serves "a b.png" as a_b.png: match names that way too
            path = self.static_index().get(rel.as_posix().replace(" ", "_"), path)
        if not path.is_file() or path.is_symlink():
            self.report.changed("asset", url, "asset not found in static/; link kept as text")
            return None
        known = self.media_by_source.get(path)
        if known is None:
            stem = media_name(rel.name)
            base, dot, ext = stem.rpartition(".")
            n = self._media_next.get(stem, 1)
            while True:
                candidate = f"media/{stem}" if n == 1 else (f"media/{base}-{n}.{ext}" if dot else f"media/{stem}-{n}")
                if candidate not in self.media:
                    break
                n += 1
            self._media_next[stem] = n
            self.media[candidate] = path
            self.media_by_source[path] = candidate
            known = candidate
        return f"../{known}"

    def static_index(self) -> dict[str, Path]:
        if self._static_index is None:
            self._static_index = {}
            if self.static.is_dir():
                for i, path in enumerate(sorted(self.static.rglob("*"))):
                    if i > 50_000:
                        break
                    if path.is_file() and not path.is_symlink():
                        key = path.relative_to(self.static).as_posix().replace(" ", "_")
                        self._static_index.setdefault(key, path)
        return self._static_index


def _safe_name(name: str) -> bool:
    return (
        bool(name)
        and "/" not in name
        and "\\" not in name
        and ".." not in name
        and "\x00" not in name
        and len(name) < 256
    )
