"""Every key of the player, in one table, with the binding id users remap.

Screens build their `BINDINGS` from here, the help screen (`?`) and docs/tui.md
list them from here, and `[keys]` in config.toml remaps them by id through
`App.set_keymap`, so what the help says is always what the keys do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.binding import Binding, BindingType  # re-exported for screens


@dataclass(frozen=True)
class Key:
    id: str
    keys: str  # Textual key string; several keys separated by commas
    action: str
    description: str
    scope: str  # where it works: "everywhere", "library", "course", "quiz", ...
    show: bool = True  # shown in the footer
    priority: bool = False
    short: str = ""  # footer label when the description is too long for 80 columns


KEYS: tuple[Key, ...] = (
    # everywhere
    Key("app.quit", "ctrl+q", "quit", "Quit", "everywhere", priority=True),
    Key("app.help", "question_mark", "help", "Help: every key", "everywhere", short="Help"),
    Key("app.progress", "g", "progress", "Progress", "everywhere"),
    Key("app.sync", "y", "sync_now", "Sync now", "everywhere", show=False),  # sync runs by itself
    Key("app.learner", "u", "switch_learner", "Switch learner", "everywhere", show=False),
    Key("app.class", "c", "class_report", "Class report", "everywhere", show=False),
    Key("app.palette", "ctrl+p", "command_palette", "Command palette", "everywhere", show=False),
    # library
    Key("library.open", "enter", "open_course", "Open course", "library"),
    Key("library.down", "j", "cursor_down", "Down", "library", show=False),
    Key("library.up", "k", "cursor_up", "Up", "library", show=False),
    # course
    Key("course.next", "n", "next_item", "Next item (marks lesson done)", "course", short="Next"),
    Key("course.previous", "p", "previous_item", "Previous item", "course", short="Prev"),
    Key("course.done", "d", "mark_done", "Mark lesson done", "course", show=False),
    Key("course.search", "slash", "search", "Search lessons", "course", short="Search"),
    Key("course.media", "o", "open_media", "Open links/media", "course", short="Media"),
    Key("course.outline", "h", "focus_outline", "Focus outline", "course", show=False),
    Key("course.content", "l", "focus_content", "Focus content", "course", show=False),
    Key("course.back", "escape,q", "back", "Back to library", "course", short="Back"),
    # outline and lesson text
    Key("lesson.down", "j,down", "scroll_down", "Scroll down", "lesson text", show=False),
    Key("lesson.up", "k,up", "scroll_up", "Scroll up", "lesson text", show=False),
    Key("lesson.page_down", "space,pagedown", "page_down", "Page down", "lesson text", show=False),
    Key("lesson.page_up", "b,pageup", "page_up", "Page up", "lesson text", show=False),
    Key("lesson.top", "home", "scroll_home", "Top", "lesson text", show=False),
    Key("lesson.bottom", "end,G", "scroll_end", "Bottom", "lesson text", show=False),
    Key("outline.down", "j", "cursor_down", "Down", "outline", show=False),
    Key("outline.up", "k", "cursor_up", "Up", "outline", show=False),
    # quiz
    Key("quiz.submit", "ctrl+s", "submit", "Submit answers", "quiz", priority=True, short="Submit"),
    Key("quiz.hint", "h,f2", "hint", "Hint for this question", "quiz", short="Hint"),
    Key("quiz.retry", "r", "retry", "New attempt (after a result)", "quiz", short="Retry"),
    Key("quiz.back", "escape", "back", "Back to the course", "quiz", short="Back"),
    Key("choice.down", "j,down", "cursor_down", "Next option", "choices", show=False),
    Key("choice.up", "k,up", "cursor_up", "Previous option", "choices", show=False),
    Key("choice.pick", "space,enter", "pick", "Choose this option", "choices", show=False),
    Key("order.move_up", "K,ctrl+up", "move_up", "Move item up", "order question", short="Move up"),
    Key("order.move_down", "J,ctrl+down", "move_down", "Move item down", "order question", short="Move down"),
    Key("order.down", "j,down", "cursor_down", "Next item", "order question", show=False),
    Key("order.up", "k,up", "cursor_up", "Previous item", "order question", show=False),
    # other screens
    Key("dialog.close", "escape", "close", "Close", "dialogs"),
)

_BY_ID = {k.id: k for k in KEYS}


def bindings(*ids: str) -> list[BindingType]:
    """Textual Bindings, with ids, for the given key ids (in that order)."""
    out: list[BindingType] = []
    for key_id in ids:
        k = _BY_ID[key_id]
        out.append(
            Binding(
                k.keys,
                k.action,
                k.short or k.description,
                show=k.show,
                priority=k.priority,
                id=k.id,
                tooltip=k.description,
            )
        )
    return out


def scope(name: str) -> list[BindingType]:
    return bindings(*(k.id for k in KEYS if k.scope == name))


def keymap_from_config(config: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The `[keys]` table as a keymap, plus one-line problems for bad entries."""
    table = config.get("keys") or {}
    problems: list[str] = []
    keymap: dict[str, str] = {}
    if not isinstance(table, dict):
        return {}, ['config.toml: [keys] must be a table of binding id = "key"']
    for binding_id, value in table.items():
        if binding_id not in _BY_ID:
            problems.append(f"config.toml: [keys] {binding_id}: no such binding id (see `?` or `mooc docs tui`)")
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ",".join(value)
        if not isinstance(value, str) or not value.strip():
            problems.append(f'config.toml: [keys] {binding_id}: expected a key name such as "ctrl+n"')
            continue
        keymap[binding_id] = value.strip()
    return keymap, problems


def effective_keys(keymap: dict[str, str]) -> list[tuple[Key, str]]:
    """Every key with the key string in force after remapping."""
    return [(k, keymap.get(k.id, k.keys)) for k in KEYS]


def display(keys: str) -> str:
    """Human form of a Textual key string: 'question_mark' -> '?'."""
    names = {
        "question_mark": "?",
        "slash": "/",
        "space": "Space",
        "escape": "Esc",
        "enter": "Enter",
        "pagedown": "PgDn",
        "pageup": "PgUp",
        "home": "Home",
        "end": "End",
        "down": "↓",
        "up": "↑",
    }
    return " / ".join(names.get(part.strip(), part.strip()) for part in keys.split(","))
