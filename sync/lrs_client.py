"""A small xAPI client: POST/GET /statements with our rules on credentials and limits.

- every request carries ``X-Experience-API-Version: 1.0.3``;
- credentials are attached by us, and only to requests for the origin they were
  stored for (a `more` link to another host goes out without them);
- redirects are never followed (a redirect could carry a request, and its
  credentials, to another host): a 3xx is reported as an error to fix the endpoint;
- every answer is streamed and read up to `MAX_ANSWER_BYTES` (then `MalformedAnswer`);
- with the run's `Guard` (packages/netguard.py, sync/deadline.py), every socket is
  registered, so a request still running at the deadline is cut (which wakes a read
  blocked on a dripping server) and `TooSlow` raised: no LRS can hold a sync longer;
- network failures become `TransportError`, so the uploader can back off.

`requests` is imported here, never at CLI import time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from packages.errors import MoocError
from packages.i18n import _
from packages.netguard import Guard
from packages.safe_text import one_line
from sync import safe_json
from sync.credentials import Credentials
from sync.endpoints import Endpoint
from sync.statements import XAPI_VERSION

USER_AGENT = "mooc-sync (xAPI 1.0.3)"
# A page of `mooc sync --pull` (PULL_PAGE statements of a few kB) is well under 2 MB.
MAX_ANSWER_BYTES = 16 * 1024 * 1024
_CHUNK = 64 * 1024


class TransportError(Exception):
    """No usable answer: connection refused/reset, timeout, TLS failure."""


class MalformedAnswer(MoocError):
    """The LRS answered something that is not what xAPI says it answers."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def content_type(self) -> str:
        value = next((v for k, v in self.headers.items() if k.lower() == "content-type"), "")
        return one_line(value)[:60] or "none"

    def json(self) -> Any:
        """The decoded body; ValueError when it is not JSON, or nested absurdly deep."""
        return safe_json.loads(self.text)

    @property
    def detail(self) -> str:
        """What the LRS said, cleaned, on one line of at most 300 characters."""
        try:
            data = self.json()
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("detail"), (str, int, float)):
            return one_line(str(data["detail"]))[:300] or f"HTTP {self.status}"
        return one_line(self.text[:1000])[:300] or f"HTTP {self.status}"


@dataclass
class Counters:
    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


class LRSClient:
    def __init__(
        self,
        endpoint: Endpoint,
        credentials: Credentials | None,
        *,
        timeout: tuple[float, float] = (10.0, 60.0),
        guard: Guard | None = None,
        max_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        import requests

        from packages.http_get import make_session

        self.endpoint = endpoint
        self.credentials = credentials
        self.timeout = timeout
        self.guard = guard
        self.max_bytes = max_bytes
        self.counters = Counters()
        self._requests = requests
        self._session = make_session(guard)  # proxies from the environment; sockets registered with the guard
        self._session.headers.update({"X-Experience-API-Version": XAPI_VERSION, "User-Agent": USER_AGENT})

    def close(self) -> None:
        self._session.close()

    def _auth(self, url: str) -> Any:
        """An auth hook for requests: always set (so no ~/.netrc is consulted), and it
        adds our Authorization header only when the URL's origin is the stored one."""
        creds = self.credentials
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"

        def hook(request: Any) -> Any:
            request.headers.pop("Authorization", None)
            if creds is not None and origin == creds.origin:
                request.headers["Authorization"] = creds.header()
            return request

        return hook

    def _send(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        params: dict[str, str] | None = None,
        encoding: str | None = None,
    ) -> Answer:
        host = self.endpoint.host
        guard = self.guard
        timeout = self.timeout
        if guard is not None:
            guard.check()
            timeout = guard.timeout(*timeout)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if encoding:
            headers["Content-Encoding"] = encoding
        self.counters.requests += 1
        self.counters.bytes_sent += len(body or b"")
        try:
            resp = self._session.request(
                method,
                url,
                data=body,
                params=params,
                headers=headers,
                auth=self._auth(url),
                timeout=timeout,
                allow_redirects=False,
                stream=True,
            )
            try:
                raw = self._read(resp)
            finally:
                resp.close()
        except self._requests.exceptions.SSLError as err:
            if guard is not None:
                guard.check()  # a connection the watchdog cut: say why
            raise TransportError(_("TLS error talking to {host}: {err}").format(host=host, err=_short(err))) from None
        except (self._requests.RequestException, OSError) + _http_errors() as err:
            if guard is not None:
                guard.check()
            raise TransportError(f"{host}: {_short(err)}") from None
        if guard is not None:
            guard.check()  # a body cut short by the watchdog may look complete
        self.counters.statuses[resp.status_code] = self.counters.statuses.get(resp.status_code, 0) + 1
        if 300 <= resp.status_code < 400:
            where = one_line(resp.headers.get("Location", "?"))[:200]
            raise MoocError(
                _(
                    "{url} answered with a redirect ({status_code}) to {where}; mooc does not follow redirects with your records: set the final URL as the endpoint"
                ).format(url=self.endpoint.url, status_code=resp.status_code, where=where)
            )
        return Answer(resp.status_code, dict(resp.headers), raw.decode("utf-8", "replace"))

    def _read(self, resp: Any) -> bytes:
        """The whole body, or MalformedAnswer once it passes max_bytes (nothing more is read)."""
        limit = self.max_bytes
        too_large = MalformedAnswer(
            (
                _("{host}: the answer is larger than {size}: not an xAPI answer; stopped reading it")
                if limit >= MAX_ANSWER_BYTES
                else _("{host}: the answer is larger than {size}: more than this link allows; stopped reading it")
            ).format(host=self.endpoint.host, size=_size(limit))
        )
        try:
            declared = int(resp.headers.get("Content-Length") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_content(_CHUNK):
            size += len(chunk)
            self.counters.bytes_received += len(chunk)
            if self.guard is not None:
                self.guard.feed(len(chunk))
            if size > limit:
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)

    def post_statements(self, body: bytes, *, gzip: bool = False) -> Answer:
        """POST a batch; with `gzip`, compressed (`Content-Encoding: gzip`, for LRSs that
        accept it: docs/sync.md `gzip_endpoints`)."""
        if gzip:
            import gzip as gz

            return self._send("POST", self.endpoint.statements_url, body=gz.compress(body, 6, mtime=0), encoding="gzip")
        return self._send("POST", self.endpoint.statements_url, body=body)

    def get_statement(self, statement_id: str) -> Answer:
        return self._send("GET", self.endpoint.statements_url, params={"statementId": statement_id})

    def query(self, params: dict[str, str]) -> Answer:
        return self._send("GET", self.endpoint.statements_url, params=params)

    def more_url(self, link: str) -> str:
        """The absolute URL of a `more` link; MalformedAnswer if it leaves the endpoint's origin
        (the learner approved this host, not another one)."""
        try:
            url = urljoin(self.endpoint.url, link)
            parts = urlsplit(url)
            origin = f"{parts.scheme}://{parts.netloc}"
        except ValueError:
            origin = url = ""
        if origin != self.endpoint.origin:
            raise MalformedAnswer(
                _("{host}: the 'more' link {value!r} leads off this LRS; stopped following it").format(
                    host=self.endpoint.host, value=one_line(link)[:100]
                )
            )
        return url

    def more(self, url: str) -> Answer:
        return self._send("GET", url)


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} kB"


def _http_errors() -> tuple[type[Exception], ...]:
    """What http.client and urllib3 raise on a broken answer when requests does not wrap it."""
    import http.client

    import urllib3.exceptions

    return (http.client.HTTPException, urllib3.exceptions.HTTPError)


def _short(err: Exception) -> str:
    text = str(err)
    for marker in ("Read timed out", "Connection refused", "Connection reset", "Connection aborted"):
        if marker in text:
            return marker.lower()
    return one_line(text)[:200] or type(err).__name__


def statement_from_get(answer: Answer, host: str) -> dict[str, Any] | None:
    """GET ?statementId= answers the statement; some LRSs (Ralph) wrap it in a result.
    None: the LRS does not hold it. MalformedAnswer: the answer is not a statement."""
    try:
        data = answer.json()
    except ValueError as err:
        raise MalformedAnswer(
            _("{host}: the answer to a statement lookup is not JSON ({err}; content type {content_type})").format(
                host=host, err=err, content_type=answer.content_type
            )
        ) from None
    if isinstance(data, dict) and "statements" in data and "id" not in data:
        items = data.get("statements")
        if not isinstance(items, list):
            raise MalformedAnswer(_("{host}: 'statements' in the answer to a lookup is not a list").format(host=host))
        data = items[0] if items else None
        if data is None:
            return None
    if not isinstance(data, dict):
        raise MalformedAnswer(_("{host}: the answer to a statement lookup is not a statement").format(host=host))
    return data
