"""`mooc import gift --into PACK`: a quiz file added to an existing pack source.

The quiz is written to quizzes/<id>.toml and an item for it is added at the end of
the named module in course.toml. The manifest is edited with tomlkit, which keeps
the author's comments and layout (order, inline tables, indentation); the result is
re-read and must equal the old manifest plus the item, or nothing is written. Both
files are replaced together or not at all, and nothing is written outside the pack
folder.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from packages.errors import MoocError
from packages.i18n import _
from packages.importers.pack_writer import dumps_toml, replace_together, slugify
from packages.safe_text import one_line

MAX_MANIFEST_BYTES = 20 * 1024 * 1024  # a course.toml: as large as a GIFT file may be


def add_to_pack(
    pack: Path, module: str, quiz: dict[str, Any], text: bytes, item_id: str | None, weight: float | None, force: bool
) -> Path:
    """Write quizzes/<id>.toml and add an item at the end of `module` in course.toml."""
    from packages.portable import tomllib

    manifest_path = pack / "course.toml"
    try:
        if manifest_path.stat().st_size > MAX_MANIFEST_BYTES:
            raise MoocError(_("{manifest_path}: too large for a course manifest").format(manifest_path=manifest_path))
        original = manifest_path.read_text(encoding="utf-8")
        manifest = tomllib.loads(original)
    except FileNotFoundError:
        raise MoocError(_("{pack}: no course.toml (is this a pack source folder?)").format(pack=pack)) from None
    except (OSError, UnicodeDecodeError) as err:
        raise MoocError(
            _("{manifest_path}: cannot read ({err})").format(manifest_path=manifest_path, err=err)
        ) from None
    except tomllib.TOMLDecodeError as err:
        raise MoocError(
            _("{manifest_path}: broken TOML ({err})").format(manifest_path=manifest_path, err=err)
        ) from None
    except RecursionError:
        raise MoocError(_("{manifest_path}: nested too deeply to edit").format(manifest_path=manifest_path)) from None
    modules = manifest.get("modules") or []
    target = next((m for m in modules if isinstance(m, dict) and m.get("id") == module), None)
    if target is None:
        known = ", ".join(str(m.get("id")) for m in modules if isinstance(m, dict)) or "none"
        raise MoocError(
            _("{manifest_path}: no module {module!r} (modules: {known})").format(
                manifest_path=manifest_path, module=one_line(module), known=one_line(known)
            )
        )
    used = {
        str(i.get("id"))
        for m in modules
        if isinstance(m, dict)
        for i in m.get("items", []) or []
        if isinstance(i, dict)
    }
    qid = item_id or slugify(quiz["title"], "quiz")
    if item_id is None:
        base, n = qid, 1
        while qid in used or (pack / "quizzes" / f"{qid}.toml").exists() and not force:
            n += 1
            qid = f"{base}-{n}"
    elif qid in used:
        raise MoocError(
            _("{manifest_path}: an item {qid!r} exists already (choose another --id)").format(
                manifest_path=manifest_path, qid=qid
            )
        )
    rel = f"quizzes/{qid}.toml"
    quiz_path = _inside(pack, rel)
    if quiz_path.exists() and not force:
        raise MoocError(_("{quiz_path}: already exists (use --force to overwrite it)").format(quiz_path=quiz_path))
    item: dict[str, Any] = {"id": qid, "kind": "quiz", "file": rel, "title": quiz["title"]}
    if weight is not None:
        item["weight"] = weight
    new_text = _with_item(original, manifest_path, module, item)
    expected = copy.deepcopy(manifest)
    next(m for m in expected["modules"] if isinstance(m, dict) and m.get("id") == module).setdefault(
        "items", []
    ).append(item)
    try:
        same = tomllib.loads(new_text) == expected
    except tomllib.TOMLDecodeError:
        same = False
    if not same:  # never rewrite the author's file in a way we did not mean to
        raise MoocError(
            _(
                "{manifest_path}: cannot add the item without changing the rest of the file; add it to module {module!r} by hand: {item}"
            ).format(manifest_path=manifest_path, module=one_line(module), item=one_line(dumps_toml(item)))
        )
    # Both files or neither: a full disk leaves course.toml and any existing quiz as they were.
    replace_together([(quiz_path, text), (manifest_path, new_text.encode("utf-8"))])
    return quiz_path


def _inside(pack: Path, rel: str) -> Path:
    """`pack/rel`, refused if it (or a symlinked folder on the way) ends up outside the pack."""
    path = pack / rel
    if path.is_symlink() or not path.parent.resolve().is_relative_to(pack.resolve()):
        raise MoocError(_("{path}: leaves the pack folder {pack} (a symbolic link?)").format(path=path, pack=pack))
    return path


def _with_item(original: str, manifest_path: Path, module: str, item: dict[str, Any]) -> str:
    """course.toml with `item` added at the end of the module's items, every comment and layout kept.

    tomlkit edits the document in place: an inline `items = [...]` array gets an inline
    table, `[[modules.items]]` tables get one more table (indented like the one before it).
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError
    from tomlkit.items import AoT, Array, InlineTable, Table

    try:
        doc = tomlkit.parse(original if original.endswith("\n") else original + "\n")  # tomlkit needs the end
    except (TOMLKitError, ValueError) as err:
        raise MoocError(
            _("{manifest_path}: cannot edit ({err})").format(manifest_path=manifest_path, err=one_line(str(err)))
        ) from None
    modules = doc.get("modules")
    target = next((m for m in modules or [] if isinstance(m, (Table, InlineTable)) and m.get("id") == module), None)
    if target is None:
        raise MoocError(
            _("{manifest_path}: no module {module!r} that can be edited").format(
                manifest_path=manifest_path, module=one_line(module)
            )
        )
    items = target.get("items")
    if isinstance(items, AoT):
        items.append(_table_after(items[-1] if len(items) else None, item))
    elif isinstance(items, Array):
        entry = tomlkit.inline_table()
        entry.update(item)
        items.append(entry)
    elif items is None and isinstance(target, InlineTable):
        entry = tomlkit.inline_table()
        entry.update(item)
        array = tomlkit.array()
        array.append(entry)
        target["items"] = array
    elif items is None:
        target.append("items", tomlkit.aot())
        target["items"].append(_table_after(None, item))
    else:
        raise MoocError(
            _("{manifest_path}: module {module!r}: items is not a list").format(
                manifest_path=manifest_path, module=one_line(module)
            )
        )
    return tomlkit.dumps(doc)


def _table_after(previous: Any, item: dict[str, Any]) -> Any:
    """A `[[modules.items]]` table for `item`, indented like `previous`; comments that
    trailed `previous` (they usually head what follows) move below the new table."""
    import tomlkit
    from tomlkit.items import Comment

    table = tomlkit.table()
    table.update(item)
    if previous is None:
        return table
    table.indent(len(previous.trivia.indent))
    body = previous.value.body
    keys = [i for i, (key, _) in enumerate(body) if key is not None]
    start = next(
        (i for i in range(keys[-1] + 1 if keys else 0, len(body)) if isinstance(body[i][1], Comment)), len(body)
    )
    moved = body[start:]
    if moved:
        del body[start:]
        table.add(tomlkit.nl())
        for _key, node in moved:
            indent = node.trivia.indent
            table.add(node)
            node.trivia.indent = indent
    return table
