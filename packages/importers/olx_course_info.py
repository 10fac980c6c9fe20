"""The pages around an Open edX course's outline -> lessons at the start of the first module.

Open edX shows more than the outline: the course overview (about page), course
updates, the handouts sidebar, PDF textbooks and custom pages (static tabs). Each
one with content becomes a lesson, in that order, at the start of the first
module; their links and images are copied to media/ like any lesson's. An empty
page counts as found and needs no lesson. The short description stays the pack's
`summary`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from packages.errors import MoocError
from packages.importers.html_markdown import html_to_markdown
from packages.importers.markdown_escape import escape
from packages.importers.olx_export import _safe_name
from packages.importers.olx_visibility import OlxVisibility

# about/*.html shown on the about page besides the overview (the rest are settings or the summary)
ABOUT_PAGES = {
    "description": "Description",
    "subtitle": "Subtitle",
    "duration": "Duration",
    "effort": "Effort",
    "prerequisites": "Prerequisites",
    "about_sidebar_html": "More about this course",
    "video": "Introduction video",
}


class OlxCourseInfo(OlxVisibility):
    """Lessons for the course's overview, updates, handouts, textbooks and custom pages."""

    course_policy: dict[str, Any]

    def course_info(self, course: Element) -> list[dict[str, Any]]:
        """The items (lessons) to put first in the first module."""
        pages = [
            ("About this course", self.about(), "about/overview.html"),
            ("Course updates", self.updates(), "info/updates"),
            ("Course handouts", self.page(self.root / "info" / "handouts.html", "handouts"), "info/handouts.html"),
        ]
        pages += self.textbooks(course) + self.static_tabs()
        return [self.info_lesson(title, body, source) for title, body, source in pages if body]

    def info_lesson(self, title: str, body: str, source: str) -> dict[str, Any]:
        lesson_id = self.ids.new(title, "info")
        path = f"lessons/{lesson_id}.md"
        self.lessons[path] = f"# {escape(title)}\n\n{body.strip()}\n"
        self.report.produced["lessons"] += 1
        self.report.placed[source] = path
        return {"id": lesson_id, "kind": "lesson", "file": path, "title": title}

    def page(self, path: Path, kind: str) -> str:
        """One HTML page as Markdown ("" when it is missing or holds nothing to show)."""
        if not path.is_file() or path.is_symlink():
            return ""
        self.report.found[kind] += 1
        text = html_to_markdown(self.read_text(path, errors="replace"), self.resolve).strip()
        if not text:
            self.report.found[f"{kind} (empty)"] += 1
        return text

    def about(self) -> str:
        about = self.root / "about"
        parts = [self.page(about / "overview.html", "course overview")]
        for name, heading in ABOUT_PAGES.items():
            text = self.page(about / f"{name}.html", f"about: {name}")
            if text:
                parts.append(f"## {heading}\n\n{text}")
        enabled = about / "entrance_exam_enabled.html"
        if enabled.is_file() and self.read_text(enabled, errors="replace").strip().lower() == "true":
            self.report.changed("entrance exam", "about/entrance_exam_enabled.html", "mooc does not require it first")
        return "\n\n".join(p for p in parts if p)

    def updates(self) -> str:
        """Course updates (news): info/updates.items.json, else the older info/updates.html."""
        items_path = self.root / "info" / "updates.items.json"
        if not items_path.is_file() or items_path.is_symlink():
            return self.page(self.root / "info" / "updates.html", "course updates")
        try:
            data = self.read_json(items_path)
        except MoocError as err:  # a broken page around the outline is not worth refusing the course for
            self.report.missing("course updates", "info/updates.items.json", f"cannot be read: {err}")
            return ""
        sections = []
        for update in data if isinstance(data, list) else []:
            if not isinstance(update, dict) or update.get("status") == "deleted":
                continue
            text = html_to_markdown(str(update.get("content") or ""), self.resolve).strip()
            if text:
                date = " ".join(str(update.get("date") or "Update").split())
                sections.append(f"## {escape(date)}\n\n{text}")
        self.report.found["course updates"] += 1
        if not sections:
            self.report.found["course updates (empty)"] += 1
        return "\n\n".join(sections)

    def textbooks(self, course: Element) -> list[tuple[str, str, str]]:
        """PDF textbooks (policy `pdf_textbooks`: files copied to media/) and older linked textbooks."""
        out = []
        books = self.course_policy.get("pdf_textbooks") or course.get("pdf_textbooks") or []
        if isinstance(books, str):
            try:
                books = json.loads(books)
            except (json.JSONDecodeError, RecursionError):
                books = []
        for book in books if isinstance(books, list) else []:
            if not isinstance(book, dict):
                continue
            title = " ".join(str(book.get("tab_title") or "Textbook").split())
            raw_chapters = book.get("chapters")
            chapters = raw_chapters if isinstance(raw_chapters, list) else []
            if book.get("url"):
                chapters = [{"title": title, "url": book["url"]}, *chapters]
            lines = [self.chapter_link(c, title) for c in chapters if isinstance(c, dict)]
            self.report.found["pdf textbook"] += 1
            if lines:
                out.append((f"Textbook: {title}", "\n".join(lines), f"pdf_textbooks: {title}"))
        for book in course.findall("textbook"):
            title = " ".join((book.get("title") or "Textbook").split())
            target = self.resolve(book.get("book_url") or "", "link")
            link = f"[{escape(title)}]({target})" if target else escape(title)
            self.report.found["textbook"] += 1
            out.append((f"Textbook: {title}", f"- {link} (opens outside mooc)", f"textbook: {title}"))
        return out

    def chapter_link(self, chapter: dict[str, Any], book: str) -> str:
        title = " ".join(str(chapter.get("title") or "Chapter").split())
        target = self.resolve(str(chapter.get("url") or ""), "link")
        if target is None:
            self.report.missing(
                "pdf_textbooks", f"textbook {book!r}", f"chapter {title!r}: its file is not in the export"
            )
            return f"- {escape(title)} (not in the export)"
        return f"- [{escape(title)}]({target})"

    def static_tabs(self) -> list[tuple[str, str, str]]:
        """Custom pages: the policy's `static_tab` tabs, each tabs/<url_slug>.html."""
        tabs = self.course_policy.get("tabs")
        out = []
        for tab in tabs if isinstance(tabs, list) else []:
            if not isinstance(tab, dict) or tab.get("type") != "static_tab":
                continue
            self.report.found["custom page (static tab)"] += 1
            slug, name = str(tab.get("url_slug") or ""), " ".join(str(tab.get("name") or "Page").split())
            if tab.get("course_staff_only"):
                self.report.missing("static_tab", name, "a custom page for staff only; left out", slug)
                continue
            path = self.root / "tabs" / f"{slug}.html"
            text = self.page(path, "custom page (static tab)") if _safe_name(slug) else ""
            if text:
                out.append((name, text, f"tabs/{slug}.html"))
            elif not path.is_file():
                self.report.missing("static_tab", name, f"tabs/{slug}.html is not in the export", slug)
        return out
