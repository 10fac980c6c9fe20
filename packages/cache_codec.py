"""Model dataclasses as plain JSON values, and back again with every type checked.

The course cache (packages/course_cache.py) stores a parsed course this way. Plain data
cannot run code: nothing in it names a class or a function. Decoding builds only the
dataclasses the annotations of the class it is asked for lead to, field by field in
declaration order, and checks each value against its field's annotation (`str`, `float`,
`X | None`, `tuple[X, ...]`, `Literal[...]`, another dataclass); anything else is a
`ValueError`, which the cache reads as "parse the pack again".

A dataclass is the list of its init fields' values; a tuple is a list. A question (the
one annotation with several classes behind it, `Question`) is `[type name, fields]`, with
the pack format's type names (`single`, `numeric`, ...).
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

Decoder = Callable[[Any], Any]
Builder = Callable[[dict[str, Any]], Any]


class Deferred:
    """What `Question` means in packages.model's annotations here (it is named there for
    type checkers only). A field whose annotation mentions it is handed over undecoded:
    the course cache decodes a quiz's questions itself, when the quiz is first used."""


def encode(value: Any, hooks: Mapping[type, Callable[[Any], Any]] | None = None) -> Any:
    """`value` as JSON-ready lists, strings, numbers, booleans and None.

    `hooks` encode instances of the given dataclasses their own way.
    """
    if isinstance(value, (str, int, float, type(None))):  # bool is an int
        return value
    if isinstance(value, (tuple, list)):
        return [encode(v, hooks) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for cls, hook in (hooks or {}).items():
            if isinstance(value, cls):
                return hook(value)
        fields = [encode(getattr(value, f.name), hooks) for f in dataclasses.fields(value) if f.init]
        tag = _tag_of(value)
        return fields if tag is None else [tag, fields]
    raise TypeError(f"cannot encode a {type(value).__name__}")


def decoder(hint: Any, build: Mapping[type, Builder] | None = None) -> Decoder:
    """A function that turns `encode(x)` back into an `x` equal to it, for an `x` that
    `hint` (a dataclass, or an annotation like `tuple[Question, ...]`) describes.

    `build` makes the given dataclasses from their decoded fields (a dict by field name)
    instead of the class itself. Pass the same mapping object each time: decoders are
    compiled once per mapping.
    """
    compiler = _COMPILERS.get(id(build))
    if compiler is None or compiler.source is not build:
        compiler = _COMPILERS[id(build)] = _Compiler(build)
    return compiler.compile(hint)


def _fail(expected: str, value: Any) -> typing.NoReturn:
    raise ValueError(f"expected {expected}, found {type(value).__name__}")


def _exact(kind: type) -> Decoder:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            _fail(kind.__name__, value)
        return value

    return check


def _float(value: Any) -> float:
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    _fail("a number", value)


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        _fail("a list", value)
    return value


# Annotations whose values JSON gives back as exactly that type (a float field is always
# written from a float, so it reads back as one).
_PLAIN = (str, bool, int, float)


def _raw(value: Any) -> Any:
    return value


def _optional_of(hint: Any) -> Any:
    """X for an `X | None` annotation; None for any other (other unions cannot be cached)."""
    if typing.get_origin(hint) not in (types.UnionType, typing.Union):
        return None
    others = [a for a in typing.get_args(hint) if a is not type(None)]
    if len(others) != 1 or len(typing.get_args(hint)) != 2:
        raise TypeError(f"only `X | None` unions can be cached, not {hint}")
    return others[0]


def _mentions_deferred(hint: Any) -> bool:
    return hint is Deferred or any(_mentions_deferred(a) for a in typing.get_args(hint))


class _Compiler:
    """Decoders for annotations, each compiled once."""

    def __init__(self, build: Mapping[type, Builder] | None) -> None:
        self.source = build  # held, so that its id() stays its own
        self.build = dict(build or {})
        self.memo: dict[Any, Decoder] = {}

    def compile(self, hint: Any) -> Decoder:
        found = self.memo.get(hint)
        if found is None:
            found = self.memo[hint] = self._compile(hint)
        return found

    def _compile(self, hint: Any) -> Decoder:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if hint in (str, bool, int):
            return _exact(hint)
        if hint is float:
            return _float
        if _mentions_deferred(hint):
            return _raw
        if origin is typing.Literal:
            allowed = frozenset(args)

            def literal(value: Any) -> Any:
                if type(value) is not str or value not in allowed:
                    _fail(f"one of {sorted(allowed)}", value)
                return value

            return literal
        optional = _optional_of(hint)
        if optional is not None:
            inner = self.compile(optional)
            return lambda value: None if value is None else inner(value)
        if origin is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                item = self.compile(args[0])
                return lambda value: tuple(map(item, _list(value)))
            parts = [self.compile(a) for a in args]

            def fixed(value: Any) -> tuple[Any, ...]:
                if len(_list(value)) != len(parts):
                    _fail(f"a list of {len(parts)}", value)
                return tuple([part(v) for part, v in zip(parts, value)])

            return fixed
        if isinstance(hint, type):
            variants = _variants_of(hint)
            if variants is not None:
                return self._variants(hint, variants)
            if dataclasses.is_dataclass(hint):
                return self._dataclass(hint)
        raise TypeError(f"a field of type {hint} cannot be cached")

    def _dataclass(self, cls: type) -> Decoder:
        # packages.model names `Question` for type checkers only: it is not defined at run time.
        known = vars(sys.modules[cls.__module__])
        hints = typing.get_type_hints(cls, localns=None if "Question" in known else {"Question": Deferred})
        names: list[str] = []
        plain: list[int] = []  # fields of one exact JSON type (str, bool, int, float): checked in one go
        plain_types: list[type] = []
        converted: list[tuple[int, Decoder, bool]] = []  # (index, decoder, None allowed)
        for f in dataclasses.fields(cls):
            if f.init:
                hint = hints[f.name]
                if hint in _PLAIN:
                    plain.append(len(names))
                    plain_types.append(hint)
                else:
                    optional = _optional_of(hint)  # `X | None`: None checked inline (lessons have no quiz)
                    converted.append(
                        (len(names), self.compile(hint if optional is None else optional), optional is not None)
                    )
                names.append(f.name)
        return _decode_fields(cls, names, dict(zip(plain, plain_types)), converted, self.build.get(cls))

    def _variants(self, base: type, classes: dict[str, type]) -> Decoder:
        def decode(value: Any) -> Any:
            if type(value) is not list or len(value) != 2 or type(value[0]) is not str or value[0] not in classes:
                _fail(f"[type, fields] of a {base.__name__}", value)
            return self.compile(classes[value[0]])(value[1])

        return decode


_COMPILERS: dict[int, _Compiler] = {}


def _decode_fields(
    cls: type,
    names: list[str],
    plain: dict[int, type],
    converted: list[tuple[int, Decoder, bool]],
    build: Builder | None,
) -> Decoder:
    """The decoder of dataclass `cls`, written out for its fields and compiled once: a big
    course decodes thousands of items, and a loop over each item's fields cost twice as
    much. Only names of our own dataclass fields and indexes go into the source; the
    values it checks are locals, never code.

    `plain`: index -> the exact JSON type of that field; `converted`: (index, decoder,
    None allowed). Dataclasses without __post_init__ and without a `build` are filled in
    directly (as pickle did): several times faster than __init__.
    """
    size = len(names)
    fields = [f"a{i}" for i in range(size)]
    lines = [
        "def decode(value):",
        f"    if type(value) is not list or len(value) != {size}:",
        "        _fail(SHAPE, value)",
    ]
    if size:
        lines.append(f"    [{', '.join(fields)}] = value")
    if plain:
        wrong = " or ".join(f"type(a{i}) is not t{i}" for i in plain)
        lines += [f"    if {wrong}:", "        _fail(TYPES, value)"]
    for index, _convert, optional in converted:
        if optional:
            lines.append(f"    if a{index} is not None:")
            lines.append(f"        a{index} = c{index}(a{index})")
        else:
            lines.append(f"    a{index} = c{index}(a{index})")
    given = "{" + ", ".join(f"{name!r}: a{i}" for i, name in enumerate(names)) + "}"
    if build is not None:
        lines.append(f"    return build({given})")
    elif hasattr(cls, "__post_init__"):
        lines.append(f"    return cls(**{given})")
    else:
        lines += ["    obj = new(cls)", f"    obj.__dict__.update({given})", "    return obj"]
    scope: dict[str, Any] = {
        "_fail": _fail,
        "SHAPE": f"the {size} fields of {cls.__name__}",
        "TYPES": f"the field types of {cls.__name__}",
        "build": build,
        "cls": cls,
        "new": object.__new__,
        **{f"t{i}": kind for i, kind in plain.items()},
        **{f"c{i}": convert for i, convert, _ in converted},
    }
    exec("\n".join(lines), scope)  # our own source: field names and indexes only
    decode: Decoder = scope["decode"]
    return decode


# Annotations with several dataclasses behind them: the question types. Their modules are
# imported only by data that holds questions: `mooc play` defines the question types only
# when a quiz is opened.
_QUESTIONS_PACKAGE = "packages.question_kinds."


def _variants_of(cls: type) -> dict[str, type] | None:
    """The classes, by type name, that a `cls` field may hold; None if only `cls` itself."""
    if not cls.__module__.startswith(_QUESTIONS_PACKAGE):
        return None
    from packages.questions import QUESTION_CLASSES, Question

    return QUESTION_CLASSES if cls is Question else None


def _tag_of(value: Any) -> str | None:
    if not type(value).__module__.startswith(_QUESTIONS_PACKAGE):
        return None
    from packages.questions import Question

    return value.type if isinstance(value, Question) else None
