"""Getting a catalog document from where it lives: an http(s) URL, a `file:` URL or a
folder (`normalize_location` turns any address into a URL). The bytes are bounded in
size (MOOC_MAX_CATALOG_SIZE) and time (netguard), redirects are checked, and a folder
of bare .mooc files with no catalog.json (a USB stick) is listed as it is. Parsing the
bytes is `catalog.parse_catalog`'s job.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from packages.catalog import CATALOG_NAME, _short
from packages.errors import MoocError
from packages.i18n import _


def normalize_location(location: str) -> str:
    """A catalog address as a URL: http(s) as is; a path or file: URL -> file: URL of catalog.json."""
    if re.match(r"^https?://", location, re.IGNORECASE):
        return location
    if location.lower().startswith("file:"):
        path = Path(url2pathname(unquote(urlsplit(location).path)))
    elif "://" in location:
        raise MoocError(
            _("{location}: unsupported catalog address (use http(s)://, file: or a folder)").format(location=location)
        )
    else:
        path = Path(location).expanduser()
    path = path.resolve()
    if path.is_dir():
        path = path / CATALOG_NAME
    return path.as_uri()


def _catalog_json_beside(url: str) -> str | None:
    """For an http(s) address that does not name a .json file: the catalog.json in it."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or parts.path.lower().endswith(".json"):
        return None
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return parts._replace(path=path + CATALOG_NAME, query="", fragment="").geturl()


def fetch_catalog_bytes(url: str, *, label: str | None = None, limits: Any = None) -> bytes:
    """Read a catalog document from http(s) or file:, bounded in size (MOOC_MAX_CATALOG_SIZE)
    and time (MOOC_DEADLINE, MOOC_MIN_RATE), redirects checked. Errors start with LABEL
    (default "catalog URL")."""
    from packages.netguard import Guard, NetLimits, TooSlow

    label = label or _("catalog {url}").format(url=url)
    limits = limits or NetLimits.from_env()
    if url.startswith("file:"):
        path = Path(url2pathname(unquote(urlsplit(url).path)))
        try:
            return _read_capped(path, limits.max_catalog_size, label)
        except FileNotFoundError:
            packs = sorted(path.parent.glob("*.mooc")) if path.name == CATALOG_NAME else []
            if packs:  # a USB stick with bare .mooc files: list them as they are
                from packages.catalog_publish import catalog_document, catalog_for_packs

                return catalog_document(catalog_for_packs(packs, str(path.parent)))
            raise MoocError(_("{label}: no such file").format(label=label)) from None
    with Guard(label, limits, deadline=limits.deadline) as guard:
        try:
            return _fetch_http(url, label, guard, limits)
        except TooSlow as err:
            raise MoocError(str(err)) from None


def _fetch_http(url: str, label: str, guard: Any, limits: Any) -> bytes:
    import requests

    from packages.http_get import DownloadError, make_session, open_url, read_body

    session = make_session(guard)
    session.headers["Accept-Encoding"] = "gzip, deflate"  # decoded by read_body, bounded
    try:
        response = open_url(
            session,
            url,
            timeout=guard.timeout(limits.connect_timeout, limits.read_timeout),
            headers={"Accept": "application/json"},
        )
        with response:
            if response.status_code != 200:
                raise MoocError(
                    _("{label}: the server answered HTTP {status_code}").format(
                        label=label, status_code=response.status_code
                    )
                )
            return read_body(response, limits.max_catalog_size, guard, what=label, limit_name="MOOC_MAX_CATALOG_SIZE")
    except DownloadError as err:  # open_url's (a refused redirect) name the URL alone
        text = str(err)
        raise MoocError(text if text.startswith(label) else _("catalog {text}").format(text=text)) from None
    except requests.exceptions.RequestException as err:
        guard.check()  # a connection the watchdog cut: say why
        raise MoocError(_("{label}: cannot fetch: {err}").format(label=label, err=_short(err))) from None
    finally:
        session.close()


def _read_capped(path: Path, cap: int, where: str) -> bytes:
    """A local file's bytes, at most CAP; a FIFO, device or folder is refused without blocking."""
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise
    except OSError as err:
        raise MoocError(
            _("{where}: cannot read: {strerror}").format(where=where, strerror=err.strerror or err)
        ) from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise MoocError(_("{where}: not a regular file").format(where=where))
        try:
            data = fh.read(cap + 1)
        except OSError as err:
            raise MoocError(
                _("{where}: cannot read: {strerror}").format(where=where, strerror=err.strerror or err)
            ) from None
    if len(data) > cap:
        raise MoocError(
            _("{where}: larger than {cap} bytes (the limit, MOOC_MAX_CATALOG_SIZE)").format(where=where, cap=cap)
        )
    return data
