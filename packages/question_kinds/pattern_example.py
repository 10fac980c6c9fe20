"""One short answer an answer pattern accepts, to show as the right answer of a `text`
question graded by `pattern` ("[0-9]+" -> "0") instead of the regular expression itself."""

from __future__ import annotations

EXAMPLE_MAX = 60  # characters: an example answer longer than this is not shown


def example_of(pattern: str) -> str | None:
    """A short answer that `pattern` accepts, to show instead of the regular expression
    itself ("[0-9]+" -> "0"); None when the pattern is too complex to build one from
    (lookarounds, backreferences...). Checked against the pattern before it is used."""
    import re

    from packages.portable import re_parser

    try:
        example = _build(re_parser().parse(pattern), 0)
        compiled = re.compile(pattern)
    except Exception:  # any surprise in a pack's pattern: no example, never a crash
        return None
    if example is None or len(example) > EXAMPLE_MAX or not compiled.fullmatch(example.strip()):
        return None
    return example.strip() or None


def _build(parsed: object, depth: int) -> str | None:
    from packages.portable import re_constants

    c = re_constants()
    if depth > 20:
        return None
    out: list[str] = []
    for op, arg in parsed:  # type: ignore[attr-defined]
        if op is c.LITERAL:
            out.append(chr(arg))
        elif op is c.ANY:
            out.append("a")
        elif op is c.IN:
            part = _first_of_class(arg, c)
            if part is None:
                return None
            out.append(part)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            low, high, item = arg
            one = _build(item, depth + 1)
            if one is None:
                return None
            # the fewest repeats the pattern allows, but an optional part (`?`) once:
            # "ctrl[+-]?s" reads better as "ctrl+s" than as "ctrls"
            out.append(one * (1 if (low, high) == (0, 1) else low))
        elif op is c.SUBPATTERN:
            one = _build(arg[-1], depth + 1)
            if one is None:
                return None
            out.append(one)
        elif op is c.BRANCH:
            one = _build(arg[1][0], depth + 1)
            if one is None:
                return None
            out.append(one)
        elif op is c.AT:
            continue
        else:
            return None
        if sum(len(o) for o in out) > EXAMPLE_MAX:
            return None
    return "".join(out)


def _first_of_class(items: list[tuple[object, object]], c: object) -> str | None:
    for op, arg in items:
        if op is c.NEGATE:  # type: ignore[attr-defined]
            return None
        if op is c.LITERAL:  # type: ignore[attr-defined]
            return chr(arg)  # type: ignore[arg-type]
        if op is c.RANGE:  # type: ignore[attr-defined]
            return chr(arg[0])  # type: ignore[index]
        if op is c.CATEGORY:  # type: ignore[attr-defined]
            name = str(arg)
            if "DIGIT" in name and "NOT" not in name:
                return "0"
            if "WORD" in name and "NOT" not in name:
                return "a"
            if "SPACE" in name and "NOT" not in name:
                return " "
            return None
    return None
