"""`mooc report --lrs`: read the class's statements from the LRS, bounded.

The teacher's machine GETs /statements with the provider's credentials (`mooc
login`), one query per mooc verb except `answered` (an attempt's main statement
carries the whole attempt, its questions included, in the mooc event extension;
the per-question statements would only repeat it, 50 times for a 50-question quiz),
following `more` links. Every statement that carries a mooc event
(sync/statements.py `EXT_EVENT`) gives that event back, checked like a progress
line, and its agent (email or account id) says whose it is; the rest is ignored.

It reads with the client and the rules `mooc sync --pull` reads with
(sync/lrs_client.py, sync/pull.py): each answer at most `MAX_PAGE_BYTES`, streamed
and cut there; the whole reading under one deadline (`MOOC_DEADLINE`, sync/deadline.py:
a request still running then is cut, a dripping server included); redirects never
followed; a `more` link off the LRS, or one seen before, stops it with one line; at
most `MAX_PAGES` pages and `MAX_STATEMENTS` statements. The LRS is only read.
"""

from __future__ import annotations

from typing import Any

from packages.errors import MoocError
from packages.i18n import _, ngettext
from packages.layout import Layout
from sync.endpoints import Endpoint, check_transport, normalise, sync_config

MAX_PAGE_BYTES = 64 * 1024 * 1024
MAX_PAGES = 20_000
MAX_STATEMENTS = 5_000_000
PAGE_SIZE = 500


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
        raise MoocError(_("no installed course names an LRS endpoint: give its URL, `mooc report --lrs URL`"))
    return list(found.values())


def verb_iris() -> list[str]:
    """Every verb a mooc event's statement uses (each once), without `answered`."""
    from sync.statements import VERBS

    out: list[str] = []
    for key, (iri, _display) in VERBS.items():
        if key != "answered" and iri not in out:
            out.append(iri)
    return out


def from_lrs(
    data: Any,
    layout: Layout,
    url: str | None,
    *,
    course_id: str | None = None,
    allow_insecure_http: bool = False,
    deadline_s: float | None = None,
    max_page_bytes: int = MAX_PAGE_BYTES,
    max_pages: int = MAX_PAGES,
) -> dict[str, int]:
    """Add the class the LRS holds to `data` (player/class_data.ClassData); returns
    statements read per endpoint."""
    from sync.credentials import lookup
    from sync.deadline import run_guard
    from sync.lrs_client import LRSClient, TransportError

    counts: dict[str, int] = {}
    with run_guard(deadline_s) as guard:
        for endpoint in class_endpoints(layout, url, course_id):
            creds = lookup(layout, endpoint)
            if creds is None:
                raise MoocError(
                    _(
                        "no credentials for {host}: reading the class needs the provider's; run `mooc login {url} --user NAME` first"
                    ).format(host=endpoint.host, url=endpoint.url)
                )
            check_transport(
                endpoint,
                allow_insecure_http
                or bool(sync_config(layout).get("allow_insecure_http"))
                or creds.allow_insecure_http,
            )
            client = LRSClient(endpoint, creds, guard=guard, max_bytes=max_page_bytes)
            try:
                counts[endpoint.url] = _read(data, client, endpoint, course_id, max_pages)
            except TransportError as err:
                raise MoocError(_("cannot reach {host}: {err}").format(host=endpoint.host, err=err)) from None
            finally:
                client.close()
    return counts


def _read(data: Any, client: Any, endpoint: Endpoint, course_id: str | None, max_pages: int) -> int:
    from sync.class_sources import event_and_agent
    from sync.lrs_client import MalformedAnswer
    from sync.pull import _more_of, _page_of
    from sync.statements import course_iri

    host = endpoint.host
    label = f"LRS {host}"
    read = skipped = pages = 0
    for verb in verb_iris():
        params = {"verb": verb, "limit": str(PAGE_SIZE)}
        if course_id:
            params.update(activity=course_iri(course_id), related_activities="true")
        seen: set[str] = set()
        answer = client.query(params)
        while True:
            pages += 1
            page = _page_of(answer, endpoint)
            for statement in page["statements"]:
                read += 1
                event, who = event_and_agent(statement)
                if event is None or who is None:
                    skipped += 1
                elif course_id is None or event.course_id == course_id:
                    data.add(name=None, email=who[0], account_id=who[1], source=label, events=[event])
            more = _more_of(page, host)
            if not more:
                break
            link = client.more_url(more)
            if link in seen:
                raise MalformedAnswer(
                    _("{host}: the LRS sent a 'more' link it had sent before; stopped there").format(host=host)
                )
            if pages >= max_pages or read >= MAX_STATEMENTS:
                raise MalformedAnswer(
                    ngettext(
                        "{host}: stopped after {pages} pages and {n} statement, the most a report reads (report on one course with --course)",
                        "{host}: stopped after {pages} pages and {n} statements, the most a report reads (report on one course with --course)",
                        read,
                    ).format(host=host, pages=pages, n=read)
                )
            seen.add(link)
            answer = client.more(link)
    data.sources.append(label)
    if skipped:
        data.notes.append(
            ngettext(
                "{label}: {n} statement carries no mooc event (other tools' statements); not counted",
                "{label}: {n} statements carry no mooc event (other tools' statements); not counted",
                skipped,
            ).format(label=label, n=skipped)
        )
    return read
