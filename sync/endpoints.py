"""Which LRS a course's records go to, and whether we may talk to it.

Precedence (a lab points everything at its own LRS): ``[sync.courses.<id>] endpoint``
in the user's config, then ``[sync] endpoint``, then the pack's ``[sync]
xapi_endpoint``. Plain http is refused except to loopback, unless the user allows it
(``--allow-insecure-http``, ``[sync] allow_insecure_http = true``, or at `mooc login`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from packages.errors import MoocError
from packages.i18n import _
from packages.layout import Layout
from packages.safe_text import one_line
from packages.urls import host_of

MAX_URL_CHARS = 2000


@dataclass(frozen=True)
class Endpoint:
    """A normalised xAPI endpoint URL (always ends with '/')."""

    url: str

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"

    @property
    def host(self) -> str:
        """What the learner approves: host[:port], lowercase."""
        return host_of(self.url)

    @property
    def statements_url(self) -> str:
        return self.url + "statements"

    @property
    def key(self) -> str:
        """Folder name under layout.sync_dir: readable host plus a hash of the full URL."""
        digest = hashlib.sha256(self.url.encode("utf-8")).hexdigest()[:12]
        return f"{re.sub(r'[^a-z0-9.-]+', '-', self.host)}-{digest}"

    @property
    def is_loopback(self) -> bool:
        return is_loopback(urlsplit(self.url).hostname or "")


def is_loopback(hostname: str) -> bool:
    if hostname in ("localhost",) or hostname.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(hostname.strip("[]")).is_loopback
    except ValueError:
        return False


def printable(text: str) -> bool:
    """No control, format (bidi), separator or unassigned character: text that can
    name a host or URL and never act on a terminal."""
    return all(unicodedata.category(c)[0] not in "CZ" for c in text)


def normalise(url: str, *, where: str | None = None) -> Endpoint:
    """The endpoint an http(s) URL names; MoocError (one line, the URL cleaned) for
    anything else: no scheme or host, credentials, a query, a bad port, or a character
    that is not printable (escape codes, bidi overrides, spaces)."""
    where = where if where is not None else _("endpoint")
    text = url.strip() if isinstance(url, str) else ""
    shown = repr(one_line(str(url))[:100])
    if len(text) > MAX_URL_CHARS:
        raise MoocError(
            _("{where}: not an http(s) URL of an xAPI endpoint (longer than {max_url_chars} characters)").format(
                where=where, max_url_chars=MAX_URL_CHARS
            )
        )
    if not printable(text):
        raise MoocError(
            _(
                "{where}: {shown} is not an http(s) URL of an xAPI endpoint (it holds control or invisible characters)"
            ).format(where=where, shown=shown)
        )
    try:
        parts = urlsplit(text)
        hostname = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise MoocError(
            _("{where}: {shown} is not an http(s) URL of an xAPI endpoint (bad host or port)").format(
                where=where, shown=shown
            )
        ) from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise MoocError(
            _("{where}: {shown} is not an http(s) URL of an xAPI endpoint").format(where=where, shown=shown)
        )
    if parts.username or parts.password:
        raise MoocError(_("{where}: put credentials in `mooc login`, not in the URL").format(where=where))
    if parts.query or parts.fragment:
        raise MoocError(
            _("{where}: an xAPI endpoint URL has no query or fragment: {shown}").format(where=where, shown=shown)
        )
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return Endpoint(f"{parts.scheme}://{parts.netloc.lower()}{path}")


def sync_config(layout: Layout) -> dict[str, Any]:
    from player.config import load_config

    section = load_config(layout).get("sync", {})
    return section if isinstance(section, dict) else {}


def course_prefix(course_id: str) -> str:
    """ "course C: ", what a problem of one course starts with (sync/collect.py takes it
    off again when it names the course itself)."""
    return _("course {course_id}: ").format(course_id=course_id)


def resolve(
    layout: Layout, course_id: str, pack_endpoint: str | None, config: dict[str, Any] | None = None
) -> Endpoint | None:
    """The endpoint for a course, or None when nothing names one (records stay local)."""
    cfg = sync_config(layout) if config is None else config
    courses = cfg.get("courses", {})
    course_cfg = courses.get(course_id, {}) if isinstance(courses, dict) else {}
    candidates = (
        (
            f"{layout.config_file}: [sync.courses.{course_id}] endpoint",
            course_cfg.get("endpoint") if isinstance(course_cfg, dict) else None,
        ),
        (f"{layout.config_file}: [sync] endpoint", cfg.get("endpoint")),
        (course_prefix(course_id) + "[sync] xapi_endpoint", pack_endpoint),
    )
    for where, value in candidates:
        if value:
            if not isinstance(value, str):
                raise MoocError(_("{where} must be a URL string").format(where=where))
            return normalise(value, where=where)
    return None


def wants_gzip(layout: Layout, endpoint: Endpoint, config: dict[str, Any] | None = None) -> bool:
    """Whether uploads to this endpoint are compressed: ``[sync] gzip_endpoints = [URL, ...]``
    (off by default: not every LRS reads gzip bodies; Ralph answers 500). MoocError naming
    the setting when it is not a list of endpoint URLs."""
    cfg = sync_config(layout) if config is None else config
    where = f"{layout.config_file}: [sync] gzip_endpoints"
    urls = cfg.get("gzip_endpoints", [])
    if not isinstance(urls, list):
        raise MoocError(_("{where} must be a list of endpoint URLs").format(where=where))
    return any(normalise(str(url), where=where) == endpoint for url in urls)


def check_transport(endpoint: Endpoint, allow_insecure: bool) -> None:
    """Learning records travel over https, except to this machine or when the user says so."""
    if endpoint.url.startswith("https://") or endpoint.is_loopback or allow_insecure:
        return
    raise MoocError(
        _(
            "refusing to send learning records to {host} over plain http; use an https endpoint, or allow it with --allow-insecure-http (or [sync] allow_insecure_http = true)"
        ).format(host=endpoint.host)
    )
