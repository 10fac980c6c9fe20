"""The provider's reads and writes on one LRS while issuing certificates
(`mooc certificate issue`, sync/issuing.py): statements by id (cached), a request's
evidence prefetched with a few queries, paged queries following `more` (bounded),
and the answer statement posted. Each HTTP request is counted in the run's report.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from packages.errors import MoocError
from packages.i18n import _
from packages.layout import Layout
from sync.endpoints import Endpoint
from sync.regrade import Request
from sync.statements import VERBS, encode

PAGE_SIZE = 100
MAX_PAGES = 10_000


class Counts(Protocol):
    """What the LRS access counts (sync.issuing.IssueReport has these)."""

    http_requests: int
    statements_fetched: int


class IssuerLrs:
    """The provider's reads and writes on one LRS, each counted."""

    def __init__(self, layout: Layout, endpoint: Endpoint, creds: Any, report: Counts) -> None:
        self.layout, self.endpoint, self.creds, self.report = layout, endpoint, creds, report
        self.cache: dict[str, dict[str, Any] | None] = {}
        self.client: Any = None
        self.guard: Any = None

    def open_page(self) -> None:
        """A fresh deadline (and client) for the next page of work."""
        from sync.deadline import run_guard
        from sync.lrs_client import LRSClient

        self.close()
        self.guard = run_guard()
        self.guard.__enter__()
        self.client = LRSClient(self.endpoint, self.creds, guard=self.guard)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.guard is not None:
            self.guard.__exit__(None, None, None)
            self.guard = None

    def _call(self, request: Callable[[], Any]) -> Any:
        from sync.retry import Retry, Transient

        self.report.http_requests += 1
        try:
            return Retry(self.endpoint.host, guard=self.guard).call(request)
        except Transient as err:
            said = str(err)
            raise MoocError(
                _("cannot reach {said}").format(said=said)
                if said.startswith(self.endpoint.host)
                else _("cannot reach {host}: {err}").format(host=self.endpoint.host, err=said)
            ) from None

    def fetch(self, statement_id: str) -> dict[str, Any] | None:
        from sync.lrs_client import statement_from_get

        if statement_id in self.cache:
            return self.cache[statement_id]
        try:
            uuid.UUID(statement_id)
        except ValueError:
            self.cache[statement_id] = None
            return None
        answer = self._call(lambda: self.client.get_statement(statement_id))
        if answer.status == 404:
            found = None
        elif answer.status in (401, 403):
            raise MoocError(
                _(
                    "{host} refused the provider's credentials ({status}): log in with `mooc login {url} --user NAME`"
                ).format(host=self.endpoint.host, status=answer.status, url=self.endpoint.url)
            )
        elif answer.status != 200:
            raise MoocError(
                _("{host} answered {status} to a statement lookup: {detail}").format(
                    host=self.endpoint.host, status=answer.status, detail=answer.detail
                )
            )
        else:
            found = statement_from_get(answer, self.endpoint.host)
            self.report.statements_fetched += found is not None
        self.cache[statement_id] = found
        return found

    def prefetch(self, request: Request) -> None:
        """Read the learner's answers and attempts in this course with a few queries (a
        page holds hundreds) instead of one GET per evidence statement; `fetch` then
        finds them here. What the queries miss (another learner's, or none) is still
        looked up by id, so every check stays the same."""
        from sync.statements import course_iri

        self.cache = {}  # one request's statements at a time: memory stays flat over a thousand
        actor = request.actor
        agent = (
            {"objectType": "Agent", "mbox": actor["mbox"]}
            if actor.get("mbox")
            else {"objectType": "Agent", "account": actor.get("account")}
        )
        wanted = set(request.evidence)
        if not wanted:
            return
        for verb in ("answered", "passed", "failed"):
            params = {
                "agent": json.dumps(agent, separators=(",", ":")),
                "verb": VERBS[verb][0],
                "activity": course_iri(request.course_id),
                "related_activities": "true",
                "limit": str(PAGE_SIZE * 5),
            }
            for statements in self.pages(params):
                for st in statements:
                    if isinstance(st, dict) and isinstance(st.get("id"), str) and st["id"] not in self.cache:
                        self.cache[st["id"]] = st
                        self.report.statements_fetched += 1

    def pages(self, params: dict[str, str]) -> Any:
        """Each page's statements of a query, following `more` (bounded)."""
        from sync.lrs_client import MalformedAnswer
        from sync.pull import _more_of, _page_of

        seen: set[str] = set()
        answer = self._call(lambda: self.client.query(params))
        for _page in range(MAX_PAGES):
            page = _page_of(answer, self.endpoint)
            yield page["statements"]
            more = _more_of(page, self.endpoint.host)
            if not more:
                return
            link = self.client.more_url(more)
            if link in seen:
                raise MalformedAnswer(
                    _("{host}: the LRS sent a 'more' link it had sent before; stopped there").format(
                        host=self.endpoint.host
                    )
                )
            seen.add(link)
            answer = self._call(partial(self.client.more, link))
        raise MalformedAnswer(
            _("{host}: stopped after {max_pages} pages; run again to go on").format(
                host=self.endpoint.host, max_pages=MAX_PAGES
            )
        )

    def post(self, statement: dict[str, Any]) -> str:
        """ "posted", or "already there" when the LRS holds this id."""
        answer = self._call(lambda: self.client.post_statements(("[" + encode(statement) + "]").encode("utf-8")))
        if answer.status in (200, 204):
            return "posted"
        if answer.status == 409:
            return "already there"
        if answer.status in (401, 403):
            raise MoocError(
                _("{host} refused to store the answer ({status}): the provider's credentials need write access").format(
                    host=self.endpoint.host, status=answer.status
                )
            )
        raise MoocError(
            _("{host} answered {status} to the answer of request {id}: {detail}").format(
                host=self.endpoint.host,
                status=answer.status,
                id=statement["context"]["statement"]["id"],
                detail=answer.detail,
            )
        )
