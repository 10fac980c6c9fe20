"""The course screen: the outline beside the open lesson (or a quiz's front page).

The outline is a `Tree` of modules and items with a status mark each; a locked
item shows why it is locked instead of opening. Lessons render through
`LessonView` (lazy, any length). Active time is measured from the learner's own
key and mouse events (`ActivityClock`) and recorded when they leave the item.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, Static, Tree
from textual.widgets.tree import TreeNode

from packages.errors import MoocError
from packages.safe_text import clean, one_line
from tui import keymap
from tui.lesson_blocks import find_links
from tui.symbols import marks
from tui.widgets.key_bar import KeyBar
from tui.widgets.lesson_view import LessonView


class Outline(Tree[str]):
    """Modules and items; node data is the item id (None for a module)."""

    BINDINGS = keymap.scope("outline")


class Lesson(LessonView):
    BINDINGS = keymap.scope("lesson text")


class CourseScreen(Screen[None]):
    BINDINGS = keymap.scope("course")

    def __init__(self, session: Any, item_id: str | None = None) -> None:
        super().__init__()
        from player.session import ActivityClock

        self.session = session
        self.start_item = item_id
        self.current: str | None = None
        self.clock = ActivityClock()
        self.nodes: dict[str, TreeNode[str]] = {}
        self._unfilled: dict[Any, Any] = {}  # tree node id -> Module whose items are not added yet
        self._shown: dict[str, tuple[str, float | None]] = {}  # item id -> (status, best) on screen
        self._resumed_once = False

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        from tui.app import StatusBar

        yield StatusBar()
        with Horizontal(id="course-body"):
            yield Outline(Text(one_line(self.session.course.title)), id="outline")
            with Vertical(id="content"):
                yield Static(id="item-title")
                with ContentSwitcher(initial="lesson", id="switcher"):
                    yield Lesson(id="lesson")  # the panel joins it when first needed
        yield KeyBar()

    def on_mount(self) -> None:
        tree = self.query_one(Outline)
        tree.show_root = False
        tree.guide_depth = 2
        self.build_outline()
        target = self.start_item or self.session.resume_item()
        self.open(target, focus_content=False)
        tree.focus()
        self.call_after_refresh(self._cursor_to_current)  # the tree has no lines before its first layout
        self.call_after_refresh(self.app.mark_ready)  # type: ignore[attr-defined]

    def _cursor_to_current(self) -> None:
        node = self.nodes.get(self.current or "")
        if node is not None:
            self.query_one(Outline).move_cursor(node)

    def build_outline(self) -> None:
        tree = self.query_one(Outline)
        tree.clear()
        self.nodes.clear()
        self._shown.clear()
        self._unfilled.clear()
        course = self.session.course
        # A big course opens with only the current module expanded: fewer lines to lay out.
        expand_all = sum(len(m.items) for m in course.modules) <= 300
        target = course.module_of(self.start_item or self.session.resume_item())
        for module in course.modules:
            expand = expand_all or module is target
            view = self.session.module_view(module, items=expand)
            node = tree.root.add(self._module_label(view), data=None, expand=expand)
            if expand:
                self._fill_module(node, view.items)
            else:  # filled when first expanded: a 2,000-lesson outline opens at once
                self._unfilled[node.id] = module

    def _fill_module(self, node: "TreeNode[str]", item_views: Any) -> None:
        for item_view in item_views:
            self.nodes[item_view.id] = node.add_leaf(self._item_label(item_view), data=item_view.id)
            self._shown[item_view.id] = (item_view.status, item_view.best_score)

    def _fill_module_of(self, node: "TreeNode[str]") -> None:
        module = self._unfilled.pop(node.id, None)
        if module is not None:
            self._fill_module(node, self.session.module_view(module).items)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        self._fill_module_of(event.node)

    def refresh_outline(self) -> None:
        """Update every mark (a passed quiz can unlock the next module)."""
        tree = self.query_one(Outline)
        for module_node, module in zip(tree.root.children, self.session.course.modules):
            view = self.session.module_view(module, items=module_node.id not in self._unfilled)
            module_node.set_label(self._module_label(view))
            for item_view in view.items:
                self._update_node(item_view)

    def _update_node(self, item_view: Any) -> None:
        node = self.nodes.get(item_view.id)
        key = (item_view.status, item_view.best_score)
        if node is not None and self._shown.get(item_view.id) != key:
            node.set_label(self._item_label(item_view))
            self._shown[item_view.id] = key

    def _module_label(self, view: Any) -> Text:
        label = Text(one_line(view.module.title), style="bold")
        if view.locked:
            label = Text(f"{marks()['locked']} ") + label
            label.stylize("dim")
        return label

    def _item_label(self, view: Any) -> Text:
        mark = marks()[view.status]
        label = Text(f"{mark} ")
        label.append(one_line(view.item.title))
        if view.item.kind == "quiz" and view.best_score is not None:
            label.append(f" {view.best_score * 100:.0f}%")
        if view.status == "locked":
            label.stylize("dim")
        elif view.status == "failed":
            label.stylize("red", 0, len(mark))
        elif view.status in ("done", "passed"):
            label.stylize("green", 0, len(mark))
        return label

    # ---------------------------------------------------------------- opening
    def open(self, item_id: str, *, focus_content: bool = True) -> None:
        self.flush_time()
        session = self.session
        item = session.course.item(item_id)
        self.current = item_id
        tree = self.query_one(Outline)
        if item_id not in self.nodes:
            module = session.course.module_of(item_id)
            for module_node in tree.root.children:
                if self._unfilled.get(module_node.id) is module:
                    self._fill_module_of(module_node)
        node = self.nodes.get(item_id)
        if node is not None and tree.cursor_node is not node:
            if node.parent is not None and not node.parent.is_expanded:
                node.parent.expand()
            tree.move_cursor(node)
        title = self.query_one("#item-title", Static)
        kind = "Lesson" if item.kind == "lesson" else "Quiz"
        title.update(Text(f"{kind}: ") + Text(one_line(item.title), style="bold"))
        reason = session.item_lock(item_id)
        if reason:
            self._show_panel(Text(f"{marks()['locked']} Locked: {one_line(reason)}"), button=False)
            return
        try:
            session.open_item(item_id)
            if item.kind == "lesson":
                lesson = self.query_one(Lesson)
                lesson.show(session.lesson_text(item_id))
                self.query_one(ContentSwitcher).current = "lesson"
                if focus_content:
                    lesson.focus()
            else:
                self.show_quiz_front(item_id, focus=focus_content)
        except MoocError as err:
            self._show_panel(Text(one_line(str(err))), button=False)
        self.refresh_item(item_id)

    def show_quiz_front(self, item_id: str, *, focus: bool = True) -> None:
        summary = self.session.quiz_summary(item_id)
        quiz = summary.item.quiz
        text = Text()
        text.append(one_line(quiz.title), style="bold")
        text.append(f"\n\n{len(quiz.questions)} questions · pass mark {summary.threshold * 100:.0f}%")
        if summary.item.weight == 0:
            text.append(" · practice (does not count)")
        text.append(f"\nAttempts used: {summary.attempts_used}")
        text.append(f" · left: {'unlimited' if summary.attempts_left is None else summary.attempts_left}")
        if summary.best_score is not None:
            verdict = "passed" if summary.passed else "not passed yet"
            text.append(f"\nBest score: {summary.best_score * 100:.0f}% ({verdict})")
        can_start = summary.attempts_left != 0
        if not can_start:
            text.append("\n\nNo attempts left.")
        else:
            text.append("\n\nPress Enter to start. Answer with the keyboard; ctrl+s submits.")
        self._show_panel(text, button=can_start, focus=focus)

    def _panel(self) -> tuple[Static, Button]:
        """The quiz front page (or a lock notice) and its button, mounted when first
        shown: a course that opens on a lesson saves their styling at start."""
        try:
            return self.query_one("#panel-text", Static), self.query_one("#start-quiz", Button)
        except NoMatches:
            text = Static(id="panel-text")
            start = Button("Start the quiz", id="start-quiz", variant="primary")
            panel = VerticalScroll(text, start, id="panel")
            panel.display = False
            self.query_one(ContentSwitcher).mount(panel)
            return text, start

    def _show_panel(self, text: Text, *, button: bool, focus: bool = True) -> None:
        text_widget, start = self._panel()
        text_widget.update(text)
        start.display = button
        self.query_one(ContentSwitcher).current = "panel"
        if button and focus:
            self.call_after_refresh(start.focus)  # a panel mounted just now takes focus only once it is laid out

    def refresh_item(self, item_id: str) -> None:
        self._update_node(self.session.status(item_id))

    # ---------------------------------------------------------------- time
    def flush_time(self) -> None:
        """Record the active time spent on the current item (idle gaps are not counted)."""
        if self.current is None:
            self.clock.take()
            return
        seconds = self.clock.take()
        if seconds >= 1.0:
            try:
                self.session.add_active_time(self.current, seconds)
            except MoocError as err:
                self.app.say(str(err), error=True)  # type: ignore[attr-defined]

    def on_key(self) -> None:
        self.clock.touch()

    def on_mouse_down(self) -> None:
        self.clock.touch()

    def on_mouse_scroll_down(self) -> None:
        self.clock.touch()

    def on_mouse_scroll_up(self) -> None:
        self.clock.touch()

    def on_screen_suspend(self) -> None:
        self.flush_time()

    def on_screen_resume(self) -> None:
        self.clock.take()  # time on another screen is counted there
        if not self._resumed_once:  # the first show is not a return from elsewhere
            self._resumed_once = True
            return
        self.app.session = self.session  # type: ignore[attr-defined]
        self.app.update_status()  # type: ignore[attr-defined]
        if self.current is not None:
            self.refresh_outline()
            if self.session.course.item(self.current).kind == "quiz" and not self.session.item_lock(self.current):
                self.show_quiz_front(self.current)

    # ---------------------------------------------------------------- events
    @on(Tree.NodeSelected, "#outline")
    def _node_selected(self, event: Tree.NodeSelected[str]) -> None:
        item_id = event.node.data
        if item_id is None:
            return
        if item_id == self.current and self.session.course.item(item_id).kind == "quiz" \
                and not self.session.item_lock(item_id) and self.session.attempts_left(item_id) != 0:
            self.start_quiz(item_id)  # Enter on the open quiz starts it
            return
        self.open(item_id)

    @on(Button.Pressed, "#start-quiz")
    def _start_quiz(self) -> None:
        if self.current is not None:
            self.start_quiz(self.current)

    def start_quiz(self, item_id: str) -> None:
        from tui.screens.quiz import QuizScreen

        try:
            screen = QuizScreen(self.session, item_id)
        except MoocError as err:
            self.app.say(str(err), error=True)  # type: ignore[attr-defined]
            return
        self.app.push_screen(screen)

    # ---------------------------------------------------------------- actions
    def action_next_item(self) -> None:
        if self.current is None:
            return
        self._complete_current(quiet=True)
        nxt = self.session.next_item(self.current)
        if nxt is None:
            self.app.say("This is the last item of the course. Press g to see your progress.")  # type: ignore[attr-defined]
            return
        self.open(nxt)

    def action_previous_item(self) -> None:
        if self.current is None:
            return
        prev = self.session.previous_item(self.current)
        if prev is None:
            self.app.say("This is the first item of the course.")  # type: ignore[attr-defined]
            return
        self.open(prev)

    def action_mark_done(self) -> None:
        if self.current is None:
            return
        if self.session.course.item(self.current).kind != "lesson":
            self.app.say("A quiz is done when you pass it.")  # type: ignore[attr-defined]
            return
        self._complete_current(quiet=False)

    def _complete_current(self, *, quiet: bool) -> None:
        item_id = self.current
        if item_id is None or self.session.course.item(item_id).kind != "lesson" or self.session.item_lock(item_id):
            return
        self.flush_time()
        try:
            recorded = self.session.complete_lesson(item_id)
        except MoocError as err:
            self.app.say(str(err), error=True)  # type: ignore[attr-defined]
            return
        self.refresh_outline()
        if not quiet:
            self.app.say("Lesson marked done." if recorded else "This lesson was already done.")  # type: ignore[attr-defined]

    def action_search(self) -> None:
        from tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(self.session), self._search_done)

    def _search_done(self, hit: tuple[str, int] | None) -> None:
        if hit is None:
            return
        item_id, line_no = hit
        if self.current != item_id or self.query_one(ContentSwitcher).current != "lesson":
            self.open(item_id)
        lesson = self.query_one(Lesson)
        lesson.focus()
        lesson.scroll_to_source_line(line_no)

    def action_open_media(self) -> None:
        from tui.screens.media import MediaScreen

        if self.current is None or self.session.course.item(self.current).kind != "lesson":
            self.app.say("Open a lesson first: links and media belong to lessons.")  # type: ignore[attr-defined]
            return
        links = find_links(self.query_one(Lesson).text)
        if not links:
            self.app.say("This lesson has no links or media.")  # type: ignore[attr-defined]
            return
        self.app.push_screen(MediaScreen(links), self._open_link)

    def _open_link(self, link: Any) -> None:
        from pathlib import Path

        from tui import media

        if link is None or self.current is None:
            return
        item = self.session.course.item(self.current)
        try:
            if link.is_local:
                root = getattr(self.session.source, "root", None)
                if root is None:
                    raise MoocError(f"{item.file}: this pack is not unpacked; cannot open {clean(link.target)}")
                path = media.resolve(Path(root), item.file, link.target)
                media.open_path(path)
                self.app.say(f"Opened {path.name} with the system viewer.")  # type: ignore[attr-defined]
            else:
                media.open_path(one_line(link.target))
                self.app.say(f"Opened {one_line(link.target)} in the browser.")  # type: ignore[attr-defined]
        except MoocError as err:
            self.app.say(str(err), error=True)  # type: ignore[attr-defined]

    def action_focus_outline(self) -> None:
        self.query_one(Outline).focus()

    def action_focus_content(self) -> None:
        if self.query_one(ContentSwitcher).current == "lesson":
            self.query_one(Lesson).focus()
        else:
            self._panel()[1].focus()

    def action_back(self) -> None:
        self.flush_time()
        self.current = None
        self.app.back_to_library()  # type: ignore[attr-defined]
