"""`mooc report --lrs`: read the class's statements from the LRS, bounded.

The teacher's machine GETs /statements with the provider's credentials (`mooc
login`), one query per mooc verb except `answered` (an attempt's main statement
carries the whole attempt, its questions included, in the mooc event extension;
the per-question statements would only repeat it, 50 times for a 50-question quiz),
following `more` links. Every statement that carries a mooc event
(sync/statements.py `EXT_EVENT`) gives that event back, checked like a progress
line, and its agent (email or account id) says whose it is; the rest is ignored.

Everything from the LRS is hostile, so the reading is bounded: each answer at most
`MAX_PAGE_BYTES` (refused from its Content-Length, or cut off while reading), at most
`MAX_PAGES` pages and `MAX_STATEMENTS` statements, the whole reading within
`DEADLINE_S` seconds (each network read within the client's timeouts); a `more` link
to another origin, or one seen before, stops the reading with one line. Redirects are
never followed (sync/lrs_client.py). The LRS is only read: nothing is sent to it but
the queries.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urljoin, urlsplit

from packages.errors import MoocError
from packages.layout import Layout
from sync.endpoints import Endpoint, check_transport, normalise, sync_config
from sync.lrs_client import LRSClient, TransportError, _short

MAX_PAGE_BYTES = 64 * 1024 * 1024
MAX_PAGES = 20_000
MAX_STATEMENTS = 5_000_000
DEADLINE_S = 600.0
PAGE_SIZE = 500


class BoundedReader(LRSClient):
    """An LRSClient whose GETs are bounded in bytes and in time."""

    def __init__(self, endpoint: Endpoint, credentials: Any, *, deadline_s: float = DEADLINE_S,
                 max_page_bytes: int = MAX_PAGE_BYTES) -> None:
        super().__init__(endpoint, credentials)
        self.deadline = time.monotonic() + deadline_s
        self.deadline_s = deadline_s
        self.max_page_bytes = max_page_bytes

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise MoocError(f"{self.endpoint.host}: reading the class took longer than {self.deadline_s:.0f} s; "
                            "stopped (report on one course with --course, or try again)")
        return left

    def get_json(self, url: str, params: dict[str, str] | None = None) -> Any:
        """GET `url`: the decoded JSON of a 200 answer; MoocError for anything else."""
        import urllib3.exceptions

        from packages.datafile import DataError, loads_json

        left = self._left()
        self.counters.requests += 1
        host = self.endpoint.host
        try:
            resp = self._session.get(url, params=params, auth=self._auth(url), allow_redirects=False, stream=True,
                                     timeout=(min(self.timeout[0], left), min(self.timeout[1], left)))
        except self._requests.RequestException as err:
            raise MoocError(f"cannot reach {host}: {_short(err)}") from None
        with resp:
            status = resp.status_code
            if 300 <= status < 400:
                raise MoocError(f"{self.endpoint.url} answered with a redirect ({status}); mooc does not follow "
                                "redirects: give the final URL")
            if status in (401, 403):
                raise MoocError(f"{host} refused the credentials ({status}): log in with "
                                f"`mooc login {self.endpoint.url} --user NAME`")
            size = resp.headers.get("Content-Length", "")
            if size.isdigit() and int(size) > self.max_page_bytes:
                raise MoocError(f"{host}: an answer of {int(size)} bytes is over the {self.max_page_bytes} "
                                "bytes mooc reads; stopped")
            chunks: list[bytes] = []
            got = 0
            # read1: what one socket read brings (a server dripping a byte at a time
            # cannot keep a 1 MB read waiting past the deadline); urllib3 < 2 has read only.
            read = getattr(resp.raw, "read1", None) or resp.raw.read
            try:
                while chunk := read(64 * 1024, decode_content=True):
                    got += len(chunk)
                    if got > self.max_page_bytes:
                        raise MoocError(f"{host}: an answer longer than {self.max_page_bytes} bytes; stopped")
                    chunks.append(chunk)
                    self._left()
            except (self._requests.RequestException, urllib3.exceptions.HTTPError, OSError) as err:
                raise MoocError(f"cannot read the answer of {host}: {_short(err)}") from None
        body = b"".join(chunks)
        if status != 200:
            from packages.safe_text import one_line

            raise MoocError(f"{host} answered {status} to the query: "
                            f"{one_line(body[:300].decode('utf-8', 'replace')) or 'no detail'}")
        try:
            return loads_json(body)
        except DataError as err:
            raise MoocError(f"{host}: the answer to the query is not JSON ({err})") from None


def class_endpoints(layout: Layout, url: str | None, course_id: str | None) -> list[Endpoint]:
    """The LRS to read: URL, else the endpoint of COURSE, else of every installed course."""
    from packages.store import Store
    from sync.collect import endpoint_for

    if url:
        return [normalise(url, where="--lrs")]
    ids = [course_id] if course_id else sorted({c.id for c in Store(layout).list()})
    found: dict[str, Endpoint] = {}
    for cid in ids:
        endpoint = endpoint_for(layout, cid)
        if endpoint is not None:
            found.setdefault(endpoint.url, endpoint)
    if not found:
        raise MoocError("no installed course names an LRS endpoint: give its URL, `mooc report --lrs URL`")
    return list(found.values())


def verb_iris() -> list[str]:
    """Every verb a mooc event's statement uses (each once), without `answered`."""
    from sync.statements import VERBS

    out: list[str] = []
    for key, (iri, _display) in VERBS.items():
        if key != "answered" and iri not in out:
            out.append(iri)
    return out


def from_lrs(data: Any, layout: Layout, url: str | None, *, course_id: str | None = None,
             allow_insecure_http: bool = False, deadline_s: float = DEADLINE_S,
             max_page_bytes: int = MAX_PAGE_BYTES, max_pages: int = MAX_PAGES) -> dict[str, int]:
    """Add the class the LRS holds to `data` (player/class_data.ClassData); returns
    statements read per endpoint."""
    from player.class_sources import event_and_agent
    from sync.credentials import lookup
    from sync.statements import course_iri

    counts: dict[str, int] = {}
    for endpoint in class_endpoints(layout, url, course_id):
        creds = lookup(layout, endpoint)
        if creds is None:
            raise MoocError(f"no credentials for {endpoint.host}: reading the class needs the provider's; "
                            f"run `mooc login {endpoint.url} --user NAME` first")
        check_transport(endpoint, allow_insecure_http or bool(sync_config(layout).get("allow_insecure_http"))
                        or creds.allow_insecure_http)
        reader = BoundedReader(endpoint, creds, deadline_s=deadline_s, max_page_bytes=max_page_bytes)
        label = f"LRS {endpoint.host}"
        read = skipped = pages = 0
        try:
            for verb in verb_iris():
                params = {"verb": verb, "limit": str(PAGE_SIZE)}
                if course_id:
                    params.update(activity=course_iri(course_id), related_activities="true")
                link: str | None = endpoint.statements_url
                seen: set[str] = set()
                query: dict[str, str] | None = params
                while link is not None:
                    pages += 1
                    if pages > max_pages:
                        raise MoocError(f"{endpoint.host}: too many pages of statements (over {max_pages}); stopped "
                                        "(report on one course with --course)")
                    page = reader.get_json(link, query)
                    statements = page.get("statements") if isinstance(page, dict) else None
                    if not isinstance(statements, list):
                        raise MoocError(f"{endpoint.host}: the answer to the query is not an xAPI result")
                    for statement in statements:
                        read += 1
                        event, who = event_and_agent(statement)
                        if event is None or who is None:
                            skipped += 1
                            continue
                        if course_id and event.course_id != course_id:
                            continue
                        data.add(name=None, email=who[0], account_id=who[1], source=label, events=[event])
                    if read > MAX_STATEMENTS:
                        raise MoocError(f"{endpoint.host}: too many statements (over {MAX_STATEMENTS}); stopped "
                                        "(report on one course with --course)")
                    more = page.get("more")
                    link, query = _next(endpoint, more, seen), None
        except TransportError as err:
            raise MoocError(f"cannot reach {endpoint.host}: {err}") from None
        finally:
            reader.close()
        counts[endpoint.url] = read
        data.sources.append(label)
        if skipped:
            data.notes.append(f"{label}: {skipped} statement{'s' if skipped != 1 else ''} carry no mooc event "
                              "(other tools' statements); not counted")
    return counts


def _next(endpoint: Endpoint, more: Any, seen: set[str]) -> str | None:
    """The URL of the next page, or None; a link elsewhere or seen before stops with one line."""
    if not more:
        return None
    if not isinstance(more, str) or len(more) > 4096:
        raise MoocError(f"{endpoint.host}: the answer's `more` link is not a link; stopped")
    url = urljoin(endpoint.url, more)
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != endpoint.origin:
        raise MoocError(f"{endpoint.host}: the answer's `more` link leads to another host; stopped")
    if url in seen:
        raise MoocError(f"{endpoint.host}: the answer's `more` link goes back to a page already read; stopped")
    seen.add(url)
    return url
