"""The class: every learner a report knows, merged across PCs, with their events.

Sources (sync/class_sources.py) add what they hold: one learner's identity and
events at a time. The same person seen on two PCs (or in two files, or on the LRS)
becomes ONE `Person`: identities are merged when they share an account id or an
email address (case-insensitive), the two things that also make one xAPI agent.
Events are kept by id, so an event seen twice (the same export read twice, a
student who carried their history to another PC) counts once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter

from packages.i18n import _
from player.events import Event

_BY_TIME = attrgetter("time")  # stable: events of one millisecond stay in the order they were written


@dataclass
class Person:
    """One learner of the class, as every source together knows them."""

    name: str
    email: str | None
    account_ids: set[str] = field(default_factory=set)
    local_ids: set[str] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)
    courses: dict[str, dict[str, Event]] = field(default_factory=dict)  # course -> event id -> event

    @property
    def key(self) -> str:
        """A stable id for output: the email, else the (first) account id."""
        return self.email or min(self.account_ids, default="") or min(self.local_ids, default="?")

    def events(self, course_id: str) -> list[Event]:
        """This person's events in a course, each once, in time order."""
        return sorted(self.courses.get(course_id, {}).values(), key=_BY_TIME)

    def label(self) -> str:
        """What names the person besides their name: email, else account id."""
        if self.email:
            return self.email
        if self.account_ids:
            return _("account {id}").format(id=min(self.account_ids))
        return _("learner {id}").format(id=min(self.local_ids, default="?"))


@dataclass
class ClassData:
    people: list[Person] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # what was read: files, folders, the LRS
    problems: list[str] = field(default_factory=list)  # inputs skipped, one line each
    notes: list[str] = field(default_factory=list)  # what was worked around, one line each
    _by_key: dict[str, Person] = field(default_factory=dict, repr=False)

    def add(
        self,
        *,
        name: str | None,
        email: str | None,
        account_id: str | None,
        source: str,
        local_id: str | None = None,
        events: Iterable[Event] = (),
    ) -> Person:
        """Add what one source knows of one learner; returns the merged person."""
        keys = _keys(email, account_id)
        if not keys and local_id:
            keys = [f"local:{source}:{local_id}"]
        found: list[Person] = []
        for key in keys:
            person = self._by_key.get(key)
            if person is not None and all(person is not p for p in found):
                found.append(person)
        if found:
            person = found[0]
            for other in found[1:]:
                self._merge(person, other)
        else:
            person = Person(name or "", email)
            self.people.append(person)
        if name and not person.name:
            person.name = name
        if email and not person.email:
            person.email = email
        if account_id:
            person.account_ids.add(account_id)
        if local_id:
            person.local_ids.add(local_id)
        if source not in person.sources:
            person.sources.append(source)
        for key in _keys(person.email, None) + [f"acct:{a}" for a in person.account_ids] + keys:
            self._by_key[key] = person
        courses = person.courses
        for event in events:
            known = courses.get(event.course_id)
            if known is None:
                known = courses[event.course_id] = {}
            if event.id not in known:
                known[event.id] = event
        return person

    def _merge(self, keep: Person, other: Person) -> None:
        keep.name = keep.name or other.name
        keep.email = keep.email or other.email
        keep.account_ids |= other.account_ids
        keep.local_ids |= other.local_ids
        keep.sources += [s for s in other.sources if s not in keep.sources]
        for course, events in other.courses.items():
            mine = keep.courses.setdefault(course, {})
            for eid, event in events.items():
                mine.setdefault(eid, event)
        self.people = [p for p in self.people if p is not other]
        for key, person in list(self._by_key.items()):
            if person is other:
                self._by_key[key] = keep

    def course_ids(self) -> list[str]:
        return sorted({c for p in self.people for c in p.courses})

    def fold_unstarted_namesakes(self) -> None:
        """A learner with no record anywhere who has the name of another learner is that
        learner set up on another PC (a roster imported on each PC gives a student without
        an email one account id per PC): shown once, as the one with records."""
        by_name: dict[str, list[Person]] = {}
        for person in self.people:
            by_name.setdefault(person.name.casefold(), []).append(person)
        for group in by_name.values():
            if len(group) < 2 or not group[0].name:
                continue
            keep = [p for p in group if p.courses] or group[:1]
            for person in group:
                if all(person is not k for k in keep):
                    self.people = [p for p in self.people if p is not person]
                    for key, value in list(self._by_key.items()):
                        if value is person:
                            del self._by_key[key]

    def namesakes(self) -> list[str]:
        """A note per name held by several people: without an email or a shared account
        id, the same student on two PCs cannot be told from two students."""
        by_name: dict[str, list[Person]] = {}
        for person in self.people:
            by_name.setdefault(person.name.casefold(), []).append(person)
        return [
            f"several learners are named {group[0].name!r} ({len(group)}), with different ids and no shared email: "
            "they are counted apart (carry a learner between PCs with `mooc learner export`/`import`, "
            "or give them an email)"
            for group in by_name.values()
            if len(group) > 1 and group[0].name
        ]


def _keys(email: str | None, account_id: str | None) -> list[str]:
    keys = []
    if email:
        keys.append(f"mail:{email.strip().casefold()}")
    if account_id:
        keys.append(f"acct:{account_id}")
    return keys
