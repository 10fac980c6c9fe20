"""The one check of an http(s) URL that comes from outside (a pack's course.toml), and
the host a URL names (`host_of`, what consent and the lab policy compare).

Strict on purpose: what passes here is a URL every HTTP library reads the same way, so
a pack cannot point two parsers at two different hosts, smuggle a header or a terminal
escape, or carry a password.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from packages.i18n import _

MAX_URL_LENGTH = 2048
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def http_url_problem(url: str, *, allow_query: bool = True) -> str | None:
    """Why `url` is not a plain absolute http(s) URL, or None when it is.

    Refused: anything but printable ASCII (control characters, spaces, escapes, non-ASCII:
    write an international host in its xn-- form and percent-encode the path), a
    backslash, a length over MAX_URL_LENGTH, a scheme other than http or https, no host or
    a malformed one, a user name or password, a bad port, a fragment, and with
    `allow_query=False` a query.
    """
    if len(url) > MAX_URL_LENGTH:
        return _("longer than {max_url_length} characters").format(max_url_length=MAX_URL_LENGTH)
    bad = next((c for c in url if not "\x21" <= c <= "\x7e"), None)
    if bad is not None:
        what = (
            _("a space")
            if bad == " "
            else _("a control character")
            if ord(bad) < 0x20 or ord(bad) == 0x7F
            else _("a non-ASCII character (write the host as xn--..., percent-encode the rest)")
            if bad.isprintable()
            else _("an invisible or control character")
        )
        return _("contains {what}").format(what=what)
    if "\\" in url:
        return _("contains a backslash")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        return _("not a URL ({err})").format(err=err)
    if parts.scheme not in ("http", "https") or not url.lower().startswith(("http://", "https://")):
        return _("not an http or https URL")
    if "@" in parts.netloc:
        return _("has a user name or password in it (credentials belong in `mooc login`)")
    host = parts.hostname or ""
    if not host:
        return _("has no host")
    if not _valid_host(host, bracketed=parts.netloc.startswith("[")):
        return _("has a malformed host {host!r}").format(host=host)
    if port == 0:
        return _("has port 0")
    if parts.netloc.endswith(":"):
        return _("has an empty port")
    if parts.fragment or url.endswith("#"):
        return _("has a fragment (#...)")
    if not allow_query and (parts.query or "?" in url):
        return _("has a query (?...)")
    return None


def _valid_host(host: str, *, bracketed: bool) -> bool:
    if bracketed:
        try:
            return ipaddress.ip_address(host).version == 6
        except ValueError:
            return False
    name = host[:-1] if host.endswith(".") else host
    return len(name) <= 253 and all(_HOST_LABEL.match(label) for label in name.split("."))


def host_of(url: str) -> str:
    """The host a URL (or a bare host) names, lowercased, with its port unless the scheme's
    default: what consent and the lab policy compare ("" when it cannot be read)."""
    try:
        parts = urlsplit(url if "://" in url else f"https://{url}")
        host = (parts.hostname or "").lower()
    except ValueError:  # e.g. an unbalanced '[' in the host
        return ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"https": 443, "http": 80}.get(parts.scheme)
    return f"{host}:{port}" if port and port != default else host
