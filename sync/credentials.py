"""LRS credentials: stored per origin in a file only the user can read, or from env.

``layout.credentials_file`` (TOML, mode 0600, written atomically)::

    [[lrs]]
    origin = "https://lrs.example.org"       # scheme://host[:port]: the ONLY place they go
    user = "lab-3"                            # Basic auth ...
    password = "..."
    # token = "..."                           # ... or a Bearer token
    allow_insecure_http = false               # set by `mooc login --allow-insecure-http`

Environment variables (win over the file; for scripts and CI):
``MOOC_LRS_USER`` + ``MOOC_LRS_PASSWORD`` (Basic) or ``MOOC_LRS_TOKEN`` (Bearer), sent
only to ``MOOC_LRS_ENDPOINT``'s origin when that is set, else to every endpoint the
learner approved. Secrets are never printed, logged or put into statements: `Secret`
hides its value from repr/str, and the HTTP client attaches them itself, only for
requests to the origin they belong to.
"""

from __future__ import annotations

import base64
import os
import stat
from dataclasses import dataclass, field
from typing import Any

from packages.errors import MoocError
from packages.i18n import _
from packages.layout import Layout
from sync.endpoints import Endpoint, normalise


@dataclass(frozen=True)
class Credentials:
    origin: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    allow_insecure_http: bool = False
    source: str = "file"  # "file" or "environment"

    def header(self) -> str:
        if self.token:
            return f"Bearer {self.token}"
        raw = f"{self.user or ''}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def describe(self) -> str:
        kind = "token" if self.token else f"user {self.user}"
        return f"{kind} ({'from the environment' if self.source == 'environment' else 'stored'})"

    def secrets(self) -> list[str]:
        return [s for s in (self.password, self.token) if s]


def fingerprint(creds: Credentials | None) -> str:
    """A short digest naming these credentials (never the secret itself), to remember
    which ones an LRS refused: "none" when there are none."""
    if creds is None:
        return "none"
    import hashlib

    return hashlib.sha256(f"mooc-credentials\n{creds.origin}\n{creds.header()}".encode()).hexdigest()[:16]


def _read(layout: Layout) -> list[dict[str, Any]]:
    from player.config import read_toml

    path = layout.credentials_file
    raw = read_toml(path)
    entries = raw.get("lrs", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise MoocError(_("{path}: 'lrs' must be an array of tables ([[lrs]])").format(path=path))
    for n, entry in enumerate(entries, start=1):
        for key in ("origin", "user", "password", "token"):
            if key in entry and not isinstance(entry[key], str):
                raise MoocError(
                    _("{path}: [[lrs]] number {n}: '{key}' must be a string").format(path=path, n=n, key=key)
                )
        if not isinstance(entry.get("allow_insecure_http", False), bool):
            raise MoocError(
                _("{path}: [[lrs]] number {n}: 'allow_insecure_http' must be true or false").format(path=path, n=n)
            )
    if entries:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            mode = 0
        if mode & 0o077:
            raise MoocError(
                _("{path}: readable by other users (mode {mode:o}); run `chmod 600 {path}`").format(
                    path=path, mode=mode
                )
            )
    return entries


def _write(layout: Layout, entries: list[dict[str, Any]]) -> None:
    import tomli_w

    from player.config import write_atomic

    write_atomic(layout.credentials_file, tomli_w.dumps({"lrs": entries}).encode("utf-8"), mode=0o600)


def lookup(layout: Layout, endpoint: Endpoint) -> Credentials | None:
    env = from_environment(endpoint)
    if env is not None:
        return env
    for entry in _read(layout):
        if entry.get("origin") == endpoint.origin:
            return Credentials(
                origin=endpoint.origin,
                user=entry.get("user"),
                password=entry.get("password"),
                token=entry.get("token"),
                allow_insecure_http=bool(entry.get("allow_insecure_http", False)),
            )
    return None


def from_environment(endpoint: Endpoint) -> Credentials | None:
    token = os.environ.get("MOOC_LRS_TOKEN")
    user = os.environ.get("MOOC_LRS_USER")
    password = os.environ.get("MOOC_LRS_PASSWORD")
    if not token and not (user and password is not None):
        return None
    only = os.environ.get("MOOC_LRS_ENDPOINT")
    if only and normalise(only, where="MOOC_LRS_ENDPOINT").origin != endpoint.origin:
        return None
    return Credentials(
        endpoint.origin,
        user=None if token else user,
        password=None if token else password,
        token=token or None,
        source="environment",
    )


def store(
    layout: Layout,
    endpoint: Endpoint,
    *,
    user: str | None = None,
    password: str | None = None,
    token: str | None = None,
    allow_insecure_http: bool = False,
) -> Credentials:
    from player.config import locked

    if token:
        entry: dict[str, Any] = {"origin": endpoint.origin, "token": token}
    else:
        if not user:
            raise MoocError(_("give a user name with --user (or a token with --token-stdin)"))
        if ":" in user:
            raise MoocError(_("an LRS user name cannot contain ':' (HTTP Basic authentication)"))
        entry = {"origin": endpoint.origin, "user": user, "password": password or ""}
    if allow_insecure_http:
        entry["allow_insecure_http"] = True
    with locked(layout.credentials_file):
        entries = [e for e in _read(layout) if e.get("origin") != endpoint.origin]
        _write(layout, [*entries, entry])
    return lookup_stored(layout, endpoint)  # type: ignore[return-value]


def lookup_stored(layout: Layout, endpoint: Endpoint) -> Credentials | None:
    for entry in _read(layout):
        if entry.get("origin") == endpoint.origin:
            return Credentials(
                endpoint.origin,
                entry.get("user"),
                entry.get("password"),
                entry.get("token"),
                bool(entry.get("allow_insecure_http", False)),
            )
    return None


def forget(layout: Layout, endpoint: Endpoint) -> bool:
    from player.config import locked

    with locked(layout.credentials_file):
        entries = _read(layout)
        kept = [e for e in entries if e.get("origin") != endpoint.origin]
        if len(kept) == len(entries):
            return False
        _write(layout, kept)
    return True


def stored_origins(layout: Layout) -> list[str]:
    return [str(e.get("origin")) for e in _read(layout)]
