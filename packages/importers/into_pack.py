"""`mooc import gift --into PACK`: a quiz file added to an existing pack source.

The quiz is written to quizzes/<id>.toml and an item for it is added at the end of
the named module in course.toml, keeping the manifest's comments and layout where
it can; both files are replaced together or not at all, and nothing is written
outside the pack folder.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from packages.errors import MoocError
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
            raise MoocError(f"{manifest_path}: too large for a course manifest")
        original = manifest_path.read_text(encoding="utf-8")
        manifest = tomllib.loads(original)
    except FileNotFoundError:
        raise MoocError(f"{pack}: no course.toml (is this a pack source folder?)") from None
    except (OSError, UnicodeDecodeError) as err:
        raise MoocError(f"{manifest_path}: cannot read ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise MoocError(f"{manifest_path}: broken TOML ({err})") from None
    modules = manifest.get("modules") or []
    target = next((m for m in modules if isinstance(m, dict) and m.get("id") == module), None)
    if target is None:
        known = ", ".join(str(m.get("id")) for m in modules if isinstance(m, dict)) or "none"
        raise MoocError(f"{manifest_path}: no module {one_line(module)!r} (modules: {one_line(known)})")
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
        raise MoocError(f"{manifest_path}: an item {qid!r} exists already (choose another --id)")
    rel = f"quizzes/{qid}.toml"
    quiz_path = _inside(pack, rel)
    if quiz_path.exists() and not force:
        raise MoocError(f"{quiz_path}: already exists (use --force to overwrite it)")
    item: dict[str, Any] = {"id": qid, "kind": "quiz", "file": rel, "title": quiz["title"]}
    if weight is not None:
        item["weight"] = weight
    new_text = _insert_item(original, module, item)
    try:
        check = tomllib.loads(new_text)
        ok = any(
            m.get("id") == module and any(i.get("id") == qid for i in m.get("items", []))
            for m in check.get("modules", [])
        )
    except tomllib.TOMLDecodeError:
        ok = False
    if not ok:  # unusual layout: rewrite the whole manifest (comments are lost then)
        target.setdefault("items", []).append(item)
        new_text = dumps_toml(manifest)
    # Both files or neither: a full disk leaves course.toml and any existing quiz as they were.
    replace_together([(quiz_path, text), (manifest_path, new_text.encode("utf-8"))])
    return quiz_path


def _inside(pack: Path, rel: str) -> Path:
    """`pack/rel`, refused if it (or a symlinked folder on the way) ends up outside the pack."""
    path = pack / rel
    if path.is_symlink() or not path.parent.resolve().is_relative_to(pack.resolve()):
        raise MoocError(f"{path}: leaves the pack folder {pack} (a symbolic link?)")
    return path


def _insert_item(original: str, module: str, item: dict[str, Any]) -> str:
    """Insert `[[modules.items]]` at the end of the module's block, keeping comments and layout."""
    lines = original.split("\n")
    start = None
    for i, line in enumerate(lines):
        if line.strip() == "[[modules]]":
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith("["):
                if re.match(r'\s*id\s*=\s*["\']' + re.escape(module) + r'["\']\s*(#.*)?$', lines[j]):
                    start = i
                    break
                j += 1
            if start is not None:
                break
    if start is None:
        return original
    end = len(lines)
    for k in range(start + 1, len(lines)):
        head = lines[k].strip()
        if head.startswith("[") and not head.startswith("[[modules.items]]") and not head.startswith("[modules.items"):
            end = k
            break
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    body = dumps_toml(item)  # a flat table: one `key = value` line each
    indent = "  " if any(line.startswith("  [[modules.items]]") for line in lines) else ""
    entry = [f"{indent}[[modules.items]]"] + [
        f"{indent}{line}" if line else line for line in body.strip("\n").split("\n")
    ]
    return "\n".join(lines[:end] + [""] + entry + lines[end:])
