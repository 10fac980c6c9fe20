"""Numbers written as arithmetic in OLX answers, evaluated without eval().

Studio's own numerical template writes answers like `9.3*10^7`, and Open edX
evaluates them. This is a tiny recursive-descent parser for exactly that: numbers
(with e-notation), `+ - * / ^` (`^` is a power, right-associative, above unary
minus: `-2^2` is -4), and parentheses. No names, no functions, no calls: anything
else is refused. The text is at most MAX_CHARS long and nests at most MAX_DEPTH
deep, so evaluating costs O(length); a result that is not a finite real number
(overflow, division by zero, a root of a negative number) is refused too.
"""

from __future__ import annotations

import math
import re

MAX_CHARS = 200
MAX_DEPTH = 32
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([-+*/^()]))")


class NotArithmetic(ValueError):
    """The text is not plain arithmetic mooc can evaluate (the message says why)."""


def evaluate(text: str) -> float:
    """The value of `text`, e.g. `9.3*10^7` -> 93000000.0; NotArithmetic if it cannot be evaluated safely."""
    if len(text) > MAX_CHARS:
        raise NotArithmetic(f"longer than {MAX_CHARS} characters")
    tokens: list[str] = []
    pos = 0
    stripped = text.rstrip()
    while pos < len(stripped):
        m = _TOKEN.match(stripped, pos)
        if m is None:
            raise NotArithmetic(f"{stripped[pos:].strip()[:20]!r} is not a number or + - * / ^ ( )")
        tokens.append(m.group(1) or m.group(2))
        pos = m.end()
    if not tokens:
        raise NotArithmetic("empty")
    parser = _Parser(tokens)
    try:
        value = parser.expression(0)
    except OverflowError:
        raise NotArithmetic("too large to compute") from None
    except ZeroDivisionError:
        raise NotArithmetic("divides by zero") from None
    if parser.pos != len(tokens):
        raise NotArithmetic(f"unexpected {tokens[parser.pos]!r}")
    if isinstance(value, complex) or not math.isfinite(value):
        raise NotArithmetic("not a finite real number")
    return float(value)


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise NotArithmetic("ends too early")
        self.pos += 1
        return token

    def expression(self, depth: int) -> float:
        value = self.term(depth)
        while self.peek() in ("+", "-"):
            value = value + self.term(depth) if self.take() == "+" else value - self.term(depth)
        return value

    def term(self, depth: int) -> float:
        value = self.unary(depth)
        while self.peek() in ("*", "/"):
            value = value * self.unary(depth) if self.take() == "*" else value / self.unary(depth)
        return value

    def unary(self, depth: int) -> float:
        if self.peek() in ("+", "-"):
            if depth >= MAX_DEPTH:
                raise NotArithmetic(f"nested more than {MAX_DEPTH} deep")
            sign = self.take()
            value = self.unary(depth + 1)
            return -value if sign == "-" else value
        return self.power(depth)

    def power(self, depth: int) -> float:
        base = self.atom(depth)
        if self.peek() == "^":
            if depth >= MAX_DEPTH:
                raise NotArithmetic(f"nested more than {MAX_DEPTH} deep")
            self.take()
            exponent = self.unary(depth + 1)  # right-associative; 10^-3 allowed
            result = base**exponent
            if isinstance(result, complex):
                raise NotArithmetic("not a finite real number")
            return result
        return base

    def atom(self, depth: int) -> float:
        token = self.take()
        if token == "(":
            if depth >= MAX_DEPTH:
                raise NotArithmetic(f"nested more than {MAX_DEPTH} deep")
            value = self.expression(depth + 1)
            if self.take() != ")":
                raise NotArithmetic("a '(' is not closed")
            return value
        if token in "+-*/^)":
            raise NotArithmetic(f"unexpected {token!r}")
        return float(token)
