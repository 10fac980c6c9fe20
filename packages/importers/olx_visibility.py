"""Who sees what in an Open edX course: staff-only and cohort content, content experiments.

A pack has one audience: every learner sees every item. So content Open edX shows
to fewer people is left out and reported, never shown to everyone:

- `visible_to_staff_only` (a section, subsection, unit or component: often an
  answer key or notes for the course team);
- `group_access` (content for some cohorts or enrolment tracks only), named with
  the group names of the course's `user_partitions`.

A content experiment (`split_test`, an A/B test) shows each learner the content of
one group: the content of its first group (the lowest group id) comes across, the
experiment and every other group's content are reported.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element

from packages.importers.olx_components import OlxComponents

STAFF_ONLY = "visible to staff only in Open edX (often an answer key or notes for the course team); left out"


def partitions_of(raw: Any) -> dict[str, tuple[str, dict[str, str]]]:
    """`user_partitions` (a list, or its JSON text) -> partition id -> (name, group id -> group name)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):
            return {}
    out: dict[str, tuple[str, dict[str, str]]] = {}
    for partition in raw if isinstance(raw, list) else []:
        if isinstance(partition, dict) and "id" in partition:
            raw_groups = partition.get("groups")
            groups = raw_groups if isinstance(raw_groups, list) else []
            names = {str(g.get("id")): str(g.get("name", g.get("id"))) for g in groups if isinstance(g, dict)}
            out[str(partition["id"])] = (str(partition.get("name", partition["id"])), names)
    return out


class OlxVisibility(OlxComponents):
    """Decides what the course's learners would not all see; `OlxImporter` asks before importing anything."""

    partitions: dict[str, tuple[str, dict[str, str]]]

    def left_out(self, elem: Element, where: str) -> bool:
        """True (and reported) when Open edX shows `elem` to staff or some cohorts only."""
        reason = self.restriction(elem)
        if reason is None:
            return False
        title = " ".join((elem.get("display_name") or "").split())
        self.report.found[f"left out ({'staff only' if reason == STAFF_ONLY else 'group access'})"] += 1
        self.report.missing(elem.tag, f"{where} › {title}" if title else where, reason, elem.get("url_name", ""))
        return True

    def restriction(self, elem: Element) -> str | None:
        if (elem.get("visible_to_staff_only") or "").strip().lower() == "true":
            return STAFF_ONLY
        raw = elem.get("group_access")
        if not raw:
            return None
        try:
            access = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):
            return f"restricted to some learners (group_access {raw[:60]!r} cannot be read); left out"
        if not isinstance(access, dict):
            return None
        named = []
        for partition_id, group_ids in access.items():
            if not isinstance(group_ids, list) or not group_ids:
                continue  # an empty list restricts nothing
            partition, groups = self.partitions.get(str(partition_id), (f"partition {partition_id}", {}))
            shown = ", ".join(repr(groups.get(str(g), str(g))) for g in group_ids[:10])
            named.append(f"{partition}: {shown}")
        if not named:
            return None
        return f"shown only to some learners in Open edX ({'; '.join(named)}); left out"

    def split_test(self, block: Element, where: str) -> list[Element]:
        """The children of a content experiment's default group (reported), to import in its place."""
        url_name = block.get("url_name", "")
        title = " ".join((block.get("display_name") or "content experiment").split())
        self.report.found["split_test"] += 1
        children = [c for c in block if isinstance(c.tag, str)]
        by_child = {c.get("url_name", ""): c for c in children}
        try:
            mapping = json.loads(block.get("group_id_to_child") or "{}")
        except (json.JSONDecodeError, RecursionError):
            mapping = {}
        groups: list[tuple[str, Element]] = []  # (group id, child) in group id order
        if isinstance(mapping, dict):
            for group_id, usage in sorted(mapping.items(), key=lambda kv: _number(kv[0])):
                child = by_child.get(str(usage).rsplit("@", 1)[-1])
                if child is not None:
                    groups.append((str(group_id), child))
        if not groups:
            groups = [(str(n), c) for n, c in enumerate(children)]
        if not groups:
            self.report.missing("split_test", where, f"content experiment {title!r} with no group", url_name)
            return []
        _kind, names = self.partitions.get(str(block.get("user_partition_id", "")), ("", {}))
        label = {gid: repr(names.get(gid, f"group {gid}")) for gid, _ in groups}
        (first_id, first), others = groups[0], groups[1:]
        left = ", ".join(label[gid] for gid, _ in others) or "none"
        self.report.changed(
            "split_test",
            where,
            f"content experiment {title!r}: Open edX shows each learner one group's content; mooc shows "
            f"everyone group {label[first_id]} (the first); left out: {left}",
            url_name,
        )
        for gid, child in others:
            self.report.missing(
                child.tag,
                where,
                f"content of group {label[gid]} of the content experiment {title!r}; left out",
                child.get("url_name", ""),
            )
        return [first]


def _number(text: str) -> tuple[int, str]:
    return (int(text), "") if text.lstrip("-").isdigit() else (1 << 62, text)
