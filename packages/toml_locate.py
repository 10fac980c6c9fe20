"""Where a key path like `modules[1].items[2].file` sits in TOML text: its line and column.

A problem found in a pack names the key it is about; this finds that key's line in the
file's text (best effort: TOML parsers do not keep positions), so `mooc pack check`
can point the author at it.
"""

from __future__ import annotations

import re

_PATH_TOKEN = re.compile(r"([A-Za-z0-9_-]+)(?:\[(\d+)\])?")


def locate_key(text: str, key_path: str) -> tuple[int, int] | None:
    """Line and column of `key_path` (like `modules[1].items[2].file`) in TOML text, best effort.

    Follows [[array]] headers by index and then looks for `key =` inside the block;
    for inline tables it stops at the deepest part it could find.
    """
    lines = text.split("\n")
    lo, hi = 0, len(lines)
    prefix = ""
    best: tuple[int, int] | None = None
    tokens = [_PATH_TOKEN.fullmatch(t) for t in key_path.split(".")]
    if not all(tokens):
        return None
    for n, m in enumerate(tokens):
        assert m is not None
        name, index = m.group(1), m.group(2)
        header = prefix + name
        if index is not None:
            pat = re.compile(r"^\s*\[\[\s*" + re.escape(header) + r"\s*\]\]")
            hits = [i for i in range(lo, hi) if pat.match(lines[i])]
            if int(index) < len(hits):
                start = hits[int(index)]
                best = (start + 1, 1)
                end = hi
                for i in range(start + 1, hi):
                    s = lines[i].lstrip()
                    if s.startswith("["):
                        inner = s.strip("[ ").split("]")[0].strip()
                        if not inner.startswith(header + "."):
                            end = i
                            break
                lo, hi = start + 1, end
                prefix = header + "."
                continue
        # a table header `[a.b]`, or a plain key `name =` before the block's first header
        last = n == len(tokens) - 1
        if not last:
            table_pat = re.compile(r"^\s*\[\s*" + re.escape(header) + r"\s*\]")
            hit = next((i for i in range(lo, hi) if table_pat.match(lines[i])), None)
            if hit is not None:
                best = (hit + 1, 1)
                lo = hit + 1
                prefix = header + "."
                continue
        pat = re.compile(r"^(\s*)" + re.escape(name) + r"\s*=")
        for i in range(lo, hi):
            if lines[i].lstrip().startswith("["):
                break
            km = pat.match(lines[i])
            if km:
                return (i + 1, len(km.group(1)) + 1)
        return best
    return best
