"""A small xAPI client: POST/GET /statements with our rules on credentials.

- every request carries ``X-Experience-API-Version: 1.0.3``;
- credentials are attached by us, and only to requests for the origin they were
  stored for (a `more` link to another host goes out without them);
- redirects are never followed (a redirect could carry a request, and its
  credentials, to another host): a 3xx is reported as an error to fix the endpoint;
- network failures become `TransportError`, so the uploader can back off.

`requests` is imported here, never at CLI import time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from packages.errors import MoocError
from sync.credentials import Credentials
from sync.endpoints import Endpoint
from sync.statements import XAPI_VERSION

USER_AGENT = "mooc-sync (xAPI 1.0.3)"


class TransportError(Exception):
    """No usable answer: connection refused/reset, timeout, TLS failure."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        import json

        return json.loads(self.text)

    @property
    def detail(self) -> str:
        from packages.safe_text import one_line

        try:
            data = self.json()
            if isinstance(data, dict) and data.get("detail") is not None:
                return one_line(str(data["detail"]))[:300]
        except ValueError:
            pass
        return one_line(self.text)[:300] or f"HTTP {self.status}"


@dataclass
class Counters:
    requests: int = 0
    bytes_sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


class LRSClient:
    def __init__(self, endpoint: Endpoint, credentials: Credentials | None, *,
                 timeout: tuple[float, float] = (10.0, 60.0)) -> None:
        import requests

        self.endpoint = endpoint
        self.credentials = credentials
        self.timeout = timeout
        self.counters = Counters()
        self._requests = requests
        self._session = requests.Session()
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

    def _send(self, method: str, url: str, *, body: bytes | None = None,
              params: dict[str, str] | None = None) -> Answer:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        self.counters.requests += 1
        self.counters.bytes_sent += len(body or b"")
        try:
            resp = self._session.request(method, url, data=body, params=params, headers=headers,
                                         auth=self._auth(url), timeout=self.timeout, allow_redirects=False)
            text = resp.text
        except self._requests.exceptions.SSLError as err:
            raise TransportError(f"TLS error talking to {self.endpoint.host}: {_short(err)}") from None
        except self._requests.RequestException as err:
            raise TransportError(f"{self.endpoint.host}: {_short(err)}") from None
        self.counters.statuses[resp.status_code] = self.counters.statuses.get(resp.status_code, 0) + 1
        if 300 <= resp.status_code < 400:
            where = resp.headers.get("Location", "?")
            raise MoocError(
                f"{self.endpoint.url} answered with a redirect ({resp.status_code}) to {where}; mooc does not "
                "follow redirects with your records: set the final URL as the endpoint"
            )
        return Answer(resp.status_code, dict(resp.headers), text)

    def post_statements(self, body: bytes) -> Answer:
        return self._send("POST", self.endpoint.statements_url, body=body)

    def get_statement(self, statement_id: str) -> Answer:
        return self._send("GET", self.endpoint.statements_url, params={"statementId": statement_id})

    def query(self, params: dict[str, str]) -> Answer:
        return self._send("GET", self.endpoint.statements_url, params=params)

    def more(self, link: str) -> Answer:
        return self._send("GET", urljoin(self.endpoint.url, link))


def _short(err: Exception) -> str:
    from packages.safe_text import one_line

    text = str(err)
    for marker in ("Caused by ", "Read timed out", "Connection refused", "Connection reset", "Connection aborted"):
        if marker in text and marker != "Caused by ":
            return marker.lower()
    return one_line(text)[:200] or type(err).__name__


def statement_from_get(answer: Answer) -> dict[str, Any] | None:
    """GET ?statementId= answers the statement; some LRSs (Ralph) wrap it in a result."""
    data = answer.json()
    if isinstance(data, dict) and "statements" in data and "id" not in data:
        items = data.get("statements") or []
        return items[0] if items else None
    return data if isinstance(data, dict) else None
