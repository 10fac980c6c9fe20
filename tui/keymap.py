"""Every key of the player, in one table, with the binding id users remap.

Screens build their `BINDINGS` from here, the help screen (`?`) and docs/tui.md
list them from here, and `[keys]` in config.toml remaps them by id through
`App.set_keymap`, so what the help says is always what the keys do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.binding import Binding, BindingType  # re-exported for screens

from packages.i18n import N_, _, pgettext


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
    Key("app.quit", "ctrl+q", "quit", N_("Quit"), N_("everywhere"), priority=True),
    Key("app.help", "question_mark", "help", N_("Help: every key"), N_("everywhere"), short=N_("Help")),
    Key("app.progress", "g", "progress", N_("Progress"), N_("everywhere")),
    Key("app.sync", "y", "sync_now", N_("Sync now"), N_("everywhere"), show=False),  # sync runs by itself
    Key("app.learner", "u", "switch_learner", N_("Switch learner"), N_("everywhere"), show=False),
    Key("app.class", "c", "class_report", N_("Class report"), N_("everywhere"), show=False),
    Key("app.palette", "ctrl+p", "command_palette", N_("Command palette"), N_("everywhere"), show=False),
    # library
    Key("library.open", "enter", "open_course", N_("Open course"), N_("library")),
    Key("library.down", "j", "cursor_down", N_("Down"), N_("library"), show=False),
    Key("library.up", "k", "cursor_up", N_("Up"), N_("library"), show=False),
    # course
    Key("course.next", "n", "next_item", N_("Next item (marks lesson done)"), N_("course"), short=N_("Next")),
    Key("course.previous", "p", "previous_item", N_("Previous item"), N_("course"), short=N_("Prev")),
    Key("course.done", "d", "mark_done", N_("Mark lesson done"), N_("course"), show=False),
    Key("course.search", "slash", "search", N_("Search lessons"), N_("course"), short=N_("Search")),
    Key("course.media", "o", "open_media", N_("Open links/media"), N_("course"), short=N_("Media")),
    Key("course.outline", "h", "focus_outline", N_("Focus outline"), N_("course"), show=False),
    Key("course.content", "l", "focus_content", N_("Focus content"), N_("course"), show=False),
    Key("course.back", "escape,q", "back", N_("Back to library"), N_("course"), short=N_("Back")),
    # outline and lesson text
    Key("lesson.down", "j,down", "scroll_down", N_("Scroll down"), N_("lesson text"), show=False),
    Key("lesson.up", "k,up", "scroll_up", N_("Scroll up"), N_("lesson text"), show=False),
    Key("lesson.page_down", "space,pagedown", "page_down", N_("Page down"), N_("lesson text"), show=False),
    Key("lesson.page_up", "b,pageup", "page_up", N_("Page up"), N_("lesson text"), show=False),
    Key("lesson.top", "home", "scroll_home", N_("Top"), N_("lesson text"), show=False),
    Key("lesson.bottom", "end,G", "scroll_end", N_("Bottom"), N_("lesson text"), show=False),
    Key("outline.down", "j", "cursor_down", N_("Down"), N_("outline"), show=False),
    Key("outline.up", "k", "cursor_up", N_("Up"), N_("outline"), show=False),
    # quiz
    Key("quiz.submit", "ctrl+s", "submit", N_("Submit answers"), N_("quiz"), priority=True, short=N_("Submit")),
    Key("quiz.hint", "h,f2", "hint", N_("Hint for this question"), N_("quiz"), short=N_("Hint")),
    Key("quiz.retry", "r", "retry", N_("New attempt (after a result)"), N_("quiz"), short=N_("Retry")),
    Key("quiz.back", "escape", "back", N_("Back to the course"), N_("quiz"), short=N_("Back")),
    Key("choice.down", "j,down", "cursor_down", N_("Next option"), N_("choices"), show=False),
    Key("choice.up", "k,up", "cursor_up", N_("Previous option"), N_("choices"), show=False),
    Key("choice.pick", "space,enter", "pick", N_("Choose this option"), N_("choices"), show=False),
    Key("order.move_up", "K,ctrl+up", "move_up", N_("Move item up"), N_("order question"), short=N_("Move up")),
    Key(
        "order.move_down", "J,ctrl+down", "move_down", N_("Move item down"), N_("order question"), short=N_("Move down")
    ),
    Key("order.down", "j,down", "cursor_down", N_("Next item"), N_("order question"), show=False),
    Key("order.up", "k,up", "cursor_up", N_("Previous item"), N_("order question"), show=False),
    # other screens
    Key("dialog.close", "escape", "close", N_("Close"), N_("dialogs")),
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
        return {}, [_('config.toml: [keys] must be a table of binding id = "key"')]
    for binding_id, value in table.items():
        if binding_id not in _BY_ID:
            problems.append(
                _("config.toml: [keys] {binding_id}: no such binding id (see `?` or `mooc docs tui`)").format(
                    binding_id=binding_id
                )
            )
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ",".join(value)
        if not isinstance(value, str) or not value.strip():
            problems.append(
                _('config.toml: [keys] {binding_id}: expected a key name such as "ctrl+n"').format(
                    binding_id=binding_id
                )
            )
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
        "space": pgettext("key", "Space"),
        "escape": pgettext("key", "Esc"),
        "enter": pgettext("key", "Enter"),
        "pagedown": pgettext("key", "PgDn"),
        "pageup": pgettext("key", "PgUp"),
        "home": pgettext("key", "Home"),
        "end": pgettext("key", "End"),
        "down": "↓",
        "up": "↑",
    }
    return " / ".join(names.get(part.strip(), part.strip()) for part in keys.split(","))


def key_bar_name(shown: str) -> str:
    """A key as Textual shows it in the key bar ("enter", "esc", "^s"), in the reader's
    language where the key has a name ("entrée", "échap")."""
    names = {
        "enter": pgettext("key bar", "enter"),
        "esc": pgettext("key bar", "esc"),
        "space": pgettext("key bar", "space"),
        "tab": pgettext("key bar", "tab"),
        "home": pgettext("key bar", "home"),
        "end": pgettext("key bar", "end"),
        "pageup": pgettext("key bar", "pgup"),
        "pagedown": pgettext("key bar", "pgdn"),
    }
    return "+".join(names.get(part, part) for part in shown.split("+"))
