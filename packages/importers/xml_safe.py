"""Parse untrusted XML without letting it reach the file system or blow up memory.

Why defusedxml and not the standard library alone: Python's own documentation
(xml.html#xml-vulnerabilities) states that `xml.etree` is not secure against
maliciously constructed data (entity expansion "billion laughs", quadratic blowup,
external entities / DTD retrieval depend on the expat version). defusedxml wraps
the same parser and refuses DTDs, entity declarations and external references
outright; OLX never needs any of them.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from packages.errors import MoocError
from packages.i18n import _

MAX_XML_BYTES = 20 * 1024 * 1024  # one OLX file; the demo course's largest is 10 kB
MAX_XML_DEPTH = 100  # elements inside elements; the demo course nests 9 deep


def parse_xml(data: bytes | str, name: str) -> Element:
    """Parse XML text; any problem becomes a MoocError naming `name` and the line."""
    if len(data) > MAX_XML_BYTES:
        raise MoocError(
            _("{name}: XML file too large ({n_data} bytes, limit {max_xml_bytes})").format(
                name=name, n_data=len(data), max_xml_bytes=MAX_XML_BYTES
            )
        )
    builder = _DepthLimitedBuilder()
    try:
        parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        parser.feed(data)
        return parser.close()
    except _TooDeep:
        raise MoocError(
            _(
                "{name}: line {line}: XML nested more than {max_xml_depth} elements deep (refused: no course needs that)"
            ).format(name=name, line=builder.line(parser), max_xml_depth=MAX_XML_DEPTH)
        ) from None
    except ParseError as err:
        line, col = getattr(err, "position", (0, 0))
        reason = str(err).split(":")[0]
        raise MoocError(
            _("{name}: line {line}, column {col}: broken XML ({reason})").format(
                name=name, line=line, col=col + 1, reason=reason
            )
        ) from None
    except DefusedXmlException as err:
        kind = type(err).__name__.replace("Forbidden", "").lower() or "construct"
        raise MoocError(
            _("{name}: refused XML {kind} declaration (DTDs and entities are not allowed)").format(name=name, kind=kind)
        ) from None


class _TooDeep(Exception):
    pass


class _DepthLimitedBuilder(TreeBuilder):
    """Builds the tree like ElementTree's own, but stops past MAX_XML_DEPTH open elements.

    Everything that walks OLX recursively (serialising HTML, copying elements, nested
    units) then stays far below Python's recursion limit.
    """

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise _TooDeep
        return super().start(tag, attrs)

    def end(self, tag: str) -> Element:
        self.depth -= 1
        return super().end(tag)

    @staticmethod
    def line(parser: object) -> int:
        return int(getattr(getattr(parser, "parser", None), "CurrentLineNumber", 0))


def parse_xml_file(path: Path, name: str | None = None) -> Element:
    """Parse one file; `name` is how the user should see it (relative to the source)."""
    shown = name or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_XML_BYTES:
            raise MoocError(
                _("{shown}: XML file too large ({size} bytes, limit {max_xml_bytes})").format(
                    shown=shown, size=size, max_xml_bytes=MAX_XML_BYTES
                )
            )
        data = path.read_bytes()
    except OSError as err:
        raise MoocError(_("{shown}: cannot read ({strerror})").format(shown=shown, strerror=err.strerror)) from None
    return parse_xml(data, shown)
