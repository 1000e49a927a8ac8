"""A small logical language over option names, and Y/N/- patterns.

Expressions name options and combine them with ``not``, ``and``, ``or``,
``implies``, ``iff`` and parentheses; ``if A then B`` is ``A implies B``.
Symbols are accepted too: ``!``/``~``, ``&``/``&&``, ``|``/``||``,
``->``/``=>``, ``<->``/``<=>``.  Precedence, tightest first: not, and, or,
implies (right-associative), iff.

Where the caller allows *quantities* (scenario predicates: the forecast
outcome of each negotiable issue), a comparison of a quantity with a number
is an operand too: ``territory >= 60``, ``sanctions < 40`` (operators ``<``,
``<=``, ``>``, ``>=``, ``==``, ``!=``).

A *pattern* is a string of ``Y``, ``N`` and ``-`` with one character per
option, option 1 first: ``"Y-N"`` matches every state in which option 1 is
taken and option 3 is not.

States are integer codes: bit ``i`` is set when option ``i + 1`` is taken
(option 1 weighs 1), as in the GMCR literature.  Expressions evaluate on a
NumPy array of codes at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Expr",
    "ExprError",
    "Pattern",
    "is_pattern",
    "parse",
    "parse_pattern",
]


class ExprError(ValueError):
    """An expression or pattern that cannot be read.

    ``column`` is the 1-based position in the text where reading failed.
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class Expr:
    """A parsed expression: an operator and its operands, or an option."""

    op: str  # "var", "const", "cmp", "not", "and", "or", "implies", "iff"
    args: tuple[Expr, ...] = ()
    index: int = -1  # option index for "var", quantity index for "cmp"
    name: str = ""  # option name for "var", quantity name for "cmp"
    value: bool = False  # for "const"
    compare: str = ""  # for "cmp": one of < <= > >= == !=
    number: float = 0.0  # for "cmp"

    def options(self) -> frozenset[int]:
        """Indices (0-based) of the options the expression mentions."""
        if self.op == "var":
            return frozenset({self.index})
        out: frozenset[int] = frozenset()
        for a in self.args:
            out |= a.options()
        return out

    def quantities(self) -> frozenset[int]:
        """Indices of the quantities the expression compares."""
        if self.op == "cmp":
            return frozenset({self.index})
        out: frozenset[int] = frozenset()
        for a in self.args:
            out |= a.quantities()
        return out

    def evaluate(self, codes: np.ndarray, values: Sequence[np.ndarray] | None = None) -> np.ndarray:
        """Truth value in each state of ``codes`` (an unsigned integer array).

        ``values[q]`` is quantity ``q`` (an array that broadcasts with
        ``codes``), needed when the expression compares quantities.
        """
        codes = np.asarray(codes, dtype=np.uint64)
        if self.op == "var":
            return ((codes >> np.uint64(self.index)) & np.uint64(1)).astype(bool)
        if self.op == "const":
            return np.full(codes.shape, self.value, dtype=bool)
        if self.op == "cmp":
            if values is None:
                raise ValueError(f"{self.name!r} needs a value to compare")
            x = np.asarray(values[self.index])
            res = _COMPARE[self.compare](x, self.number)
            return np.broadcast_to(res, np.broadcast_shapes(res.shape, codes.shape))
        vals = [a.evaluate(codes, values) for a in self.args]
        if self.op == "not":
            return ~vals[0]
        if self.op == "and":
            return vals[0] & vals[1]
        if self.op == "or":
            return vals[0] | vals[1]
        if self.op == "implies":
            return ~vals[0] | vals[1]
        if self.op == "iff":
            return vals[0] == vals[1]
        raise AssertionError(self.op)  # pragma: no cover

    def __str__(self) -> str:
        return self._fmt(0)

    def _fmt(self, outer: int) -> str:
        p = _PREC[self.op]
        if self.op == "var":
            s = self.name
        elif self.op == "cmp":
            s = f"{self.name} {self.compare} {self.number:g}"
        elif self.op == "const":
            s = "true" if self.value else "false"
        elif self.op == "not":
            s = "not " + self.args[0]._fmt(p)
        else:
            # implies is right-associative: the left operand needs brackets
            # at equal precedence, the right one does not.
            left = self.args[0]._fmt(p + 1 if self.op in ("implies", "iff") else p)
            right = self.args[1]._fmt(p)
            s = f"{left} {self.op} {right}"
        return f"({s})" if p < outer else s


_PREC = {"iff": 1, "implies": 2, "or": 3, "and": 4, "not": 5, "var": 6, "const": 6, "cmp": 6}
_COMPARE = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


@dataclass(frozen=True)
class Pattern:
    """A Y/N/- pattern: states whose bits under ``care`` equal ``value``."""

    text: str
    care: int
    value: int

    def evaluate(self, codes: np.ndarray, values: Sequence[np.ndarray] | None = None) -> np.ndarray:
        codes = np.asarray(codes, dtype=np.uint64)
        return (codes & np.uint64(self.care)) == np.uint64(self.value)

    def quantities(self) -> frozenset[int]:
        return frozenset()

    def options(self) -> frozenset[int]:
        return frozenset(i for i in range(len(self.text)) if self.text[i] != "-")

    def __str__(self) -> str:
        return self.text


_PATTERN_RE = re.compile(r"^[YN\-]+$")


def is_pattern(text: str) -> bool:
    """Whether ``text`` looks like a Y/N/- pattern (not an expression)."""
    return bool(_PATTERN_RE.match(text.strip()))


def parse_pattern(text: str, n_options: int) -> Pattern:
    """Read a Y/N/- pattern of exactly ``n_options`` characters."""
    t = text.strip()
    if not _PATTERN_RE.match(t):
        bad = next((i for i, c in enumerate(t) if c not in "YN-"), 0)
        raise ExprError(f"pattern {text!r} may contain only Y, N and -", column=bad + 1)
    if len(t) != n_options:
        raise ExprError(
            f"pattern {text!r} has {len(t)} characters but the conflict has "
            f"{n_options} options: give one Y/N/- per option, option 1 first"
        )
    care = value = 0
    for i, c in enumerate(t):
        if c != "-":
            care |= 1 << i
            if c == "Y":
                value |= 1 << i
    return Pattern(t, care, value)


_TOKEN = re.compile(
    r"\s*(?:(<->|<=>|->|=>|&&|\|\||<=|>=|==|!=|[()!~&|<>])|([A-Za-z_][A-Za-z0-9_]*)"
    r"|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))"
)
_WORD_OPS = {
    "not": "not",
    "and": "and",
    "or": "or",
    "implies": "implies",
    "iff": "iff",
    "if": "if",
    "then": "then",
    "true": "true",
    "false": "false",
}
_SYM_OPS = {
    "!": "not",
    "~": "not",
    "&": "and",
    "&&": "and",
    "|": "or",
    "||": "or",
    "->": "implies",
    "=>": "implies",
    "<->": "iff",
    "<=>": "iff",
    "(": "(",
    ")": ")",
    "<": "cmp",
    "<=": "cmp",
    ">": "cmp",
    ">=": "cmp",
    "==": "cmp",
    "!=": "cmp",
}


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    """Tokens as (kind, text, column); kind is an operator name or 'name'."""
    out: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            col = pos + len(text[pos:]) - len(text[pos:].lstrip()) + 1
            raise ExprError(f"unexpected character {text[col - 1]!r} in {text!r}", column=col)
        sym, word, num = m.group(1), m.group(2), m.group(3)
        col = m.start(1 if sym else 2 if word else 3) + 1
        if sym:
            out.append((_SYM_OPS[sym], sym, col))
        elif num is not None:
            out.append(("number", num, col))
        else:
            low = word.lower()
            out.append((_WORD_OPS.get(low, "name"), word, col))
        pos = m.end()
    out.append(("end", "", len(text) + 1))
    return out


class _Parser:
    def __init__(
        self, text: str, names: Mapping[str, int], quantities: Mapping[str, int] | None = None
    ) -> None:
        self.text = text
        self.names = names
        self.allow_quantities = quantities is not None
        self.quantities = quantities or {}
        self.toks = _tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str, int]:
        return self.toks[self.i]

    def take(self, kind: str) -> tuple[str, str, int]:
        tok = self.peek()
        if tok[0] != kind:
            want = {"end": "the end", ")": "')'", "then": "'then'"}.get(kind, kind)
            got = "the end" if tok[0] == "end" else repr(tok[1])
            raise ExprError(f"expected {want} but found {got} in {self.text!r}", column=tok[2])
        self.i += 1
        return tok

    def parse(self) -> Expr:
        if self.peek()[0] == "end":
            raise ExprError("empty expression: name at least one option", column=1)
        e = self.iff()
        self.take("end")
        return e

    def iff(self) -> Expr:
        e = self.implies()
        while self.peek()[0] == "iff":
            self.i += 1
            e = Expr("iff", (e, self.implies()))
        return e

    def implies(self) -> Expr:
        e = self.disj()
        if self.peek()[0] == "implies":
            self.i += 1
            return Expr("implies", (e, self.implies()))
        return e

    def disj(self) -> Expr:
        e = self.conj()
        while self.peek()[0] == "or":
            self.i += 1
            e = Expr("or", (e, self.conj()))
        return e

    def conj(self) -> Expr:
        e = self.unary()
        while self.peek()[0] == "and":
            self.i += 1
            e = Expr("and", (e, self.unary()))
        return e

    def unary(self) -> Expr:
        kind, word, col = self.peek()
        if kind == "not":
            self.i += 1
            return Expr("not", (self.unary(),))
        if kind == "(":
            self.i += 1
            e = self.iff()
            self.take(")")
            return e
        if kind == "if":
            self.i += 1
            cond = self.iff()
            self.take("then")
            return Expr("implies", (cond, self.iff()))
        if kind in ("true", "false"):
            self.i += 1
            return Expr("const", value=kind == "true")
        if kind == "name" and word in self.quantities and word not in self.names:
            self.i += 1
            op = self.peek()
            if op[0] != "cmp":
                raise ExprError(
                    f"{word!r} is a number: compare it, e.g. '{word} >= 50', in {self.text!r}", column=col
                )
            self.i += 1
            num = self.peek()
            if num[0] != "number":
                got = "the end" if num[0] == "end" else repr(num[1])
                raise ExprError(f"expected a number after {op[1]!r} but found {got} in {self.text!r}", num[2])
            self.i += 1
            return Expr("cmp", index=self.quantities[word], name=word, compare=op[1], number=float(num[1]))
        if kind == "name":
            self.i += 1
            if word not in self.names:
                known = {**self.names, **self.quantities}
                hint = _closest(word, known)
                extra = f"; did you mean {hint!r}?" if hint else ""
                what = "option or issue" if self.allow_quantities else "option"
                raise ExprError(f"unknown {what} {word!r} in {self.text!r}{extra}", column=col)
            return Expr("var", index=self.names[word], name=word)
        got = "the end" if kind == "end" else repr(word)
        raise ExprError(
            f"expected an option name, 'not' or '(' but found {got} in {self.text!r}",
            column=col,
        )


def _closest(word: str, names: Mapping[str, int]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, list(names), n=1, cutoff=0.6)
    return found[0] if found else None


def parse(text: str, names: Mapping[str, int], quantities: Mapping[str, int] | None = None) -> Expr:
    """Parse ``text`` with option ``names`` mapped to 0-based option indices.

    >>> e = parse("a and not (b or c)", {"a": 0, "b": 1, "c": 2})
    >>> str(e)
    'a and not (b or c)'
    >>> e.evaluate(np.array([0b001, 0b011], dtype=np.uint64)).tolist()
    [True, False]

    ``quantities`` maps names of numbers that may be compared:

    >>> e = parse("a and x >= 50", {"a": 0}, {"x": 0})
    >>> e.evaluate(np.array([1, 1], dtype=np.uint64), [np.array([40.0, 60.0])]).tolist()
    [False, True]
    """
    if not isinstance(text, str):
        raise ExprError(f"an expression must be text, not {type(text).__name__}")
    return _Parser(text, names, quantities).parse()


def parse_condition(
    text: str, names: Mapping[str, int], n_options: int, quantities: Mapping[str, int] | None = None
) -> Expr | Pattern:
    """An expression, or a Y/N/- pattern when the text is one."""
    if is_pattern(text) and text.strip() not in names:
        return parse_pattern(text, n_options)
    return parse(text, names, quantities)
