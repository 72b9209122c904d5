"""Solr function queries: enough for `{!frange}` filters and edismax's additive `bf` boost.

ckanext-spatial's bbox search (the solr-bbox backend) sends both: a function of the indexed
``minx``/``maxx``/``miny``/``maxy`` values giving the overlap ratio with the query box, as a
``{!frange l=0 u=1 incl=false}`` filter (only overlapping datasets) and as ``bf`` (better
overlap ranks higher). Functions evaluate to one float per document number, with Solr's value 0
for a document without the field.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .index import Index

_TOKEN_RE = re.compile(
    r"\s*(?:(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
    r"|(?P<name>[A-Za-z_][\w.]*)|(?P<punct>[(),]))"
)


def _n_ary(op: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Callable[..., np.ndarray]:
    def apply(*args: np.ndarray) -> np.ndarray:
        out = args[0]
        for arg in args[1:]:
            out = op(out, arg)
        return out

    return apply


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.divide(a, b)  # Solr's float division: x/0 is Infinity, 0/0 NaN


# name -> (function, minimum arguments, maximum arguments or None)
FUNCTIONS: dict[str, tuple[Callable[..., np.ndarray], int, int | None]] = {
    "add": (_n_ary(np.add), 1, None),
    "sum": (_n_ary(np.add), 1, None),
    "mul": (_n_ary(np.multiply), 1, None),
    "product": (_n_ary(np.multiply), 1, None),
    "sub": (np.subtract, 2, 2),
    "div": (_div, 2, 2),
    "max": (_n_ary(np.maximum), 1, None),
    "min": (_n_ary(np.minimum), 1, None),
    "abs": (np.abs, 1, 1),
    "sqrt": (np.sqrt, 1, 1),
}


class FunctionError(ValueError):
    pass


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Call | float | str, ...]


def parse(text: str) -> Call | float | str:
    """``div(mul(x,2),add(3,y))`` → a tree of :class:`Call`, constants and field names."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise FunctionError(f"Error parsing function query at {text[pos : pos + 20]!r}")
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    node, rest = _parse(tokens, 0)
    if rest != len(tokens):
        raise FunctionError(f"Unexpected text after the function query: {text!r}")
    return node


def _parse(tokens: list[tuple[str, str]], i: int) -> tuple[Call | float | str, int]:
    if i >= len(tokens):
        raise FunctionError("Incomplete function query")
    kind, value = tokens[i]
    if kind == "num":
        return float(value), i + 1
    if kind != "name":
        raise FunctionError(f"Unexpected {value!r} in function query")
    if i + 1 < len(tokens) and tokens[i + 1] == ("punct", "("):
        if value not in FUNCTIONS:
            raise FunctionError(f"Unknown function {value} in FunctionQuery")
        args: list[Call | float | str] = []
        i += 2
        while True:
            arg, i = _parse(tokens, i)
            args.append(arg)
            if i < len(tokens) and tokens[i] == ("punct", ","):
                i += 1
                continue
            if i < len(tokens) and tokens[i] == ("punct", ")"):
                break
            raise FunctionError(f"Missing ')' in function {value}")
        _, low, high = FUNCTIONS[value]
        if len(args) < low or (high is not None and len(args) > high):
            raise FunctionError(f"Wrong number of arguments to {value}: {len(args)}")
        return Call(value, tuple(args)), i + 1
    return value, i + 1


def field_values(idx: Index, name: str) -> np.ndarray:
    """The field's numeric value per document number; 0 where absent or not a number."""
    out = np.zeros(idx.next_docno)
    for d, doc in idx.docs.items():
        values = doc.get(name)
        if values:
            with contextlib.suppress(TypeError, ValueError):
                out[d] = float(values[0])
    return out


def evaluate(idx: Index, node: Call | float | str, known: Callable[[str], bool]) -> np.ndarray:
    if isinstance(node, float):
        return np.full(idx.next_docno, node)
    if isinstance(node, str):
        if not known(node):
            raise FunctionError(f'undefined field: "{node}"')
        return field_values(idx, node)
    function = FUNCTIONS[node.name][0]
    return function(*(evaluate(idx, arg, known) for arg in node.args))


def mask_bits(mask: np.ndarray) -> int:
    """A boolean array over document numbers as a bitmap (the inverse of ``bits_mask``)."""
    return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")


def frange(
    idx: Index, local: dict[str, str], text: str, known: Callable[[str], bool]
) -> np.ndarray:
    """``{!frange l=… u=… incl=… incu=…}f``: where ``f`` lies in the range (bounds included
    unless ``incl``/``incu`` is false; a missing bound is open)."""
    values = evaluate(idx, parse(local.get("v") or text), known)
    keep = np.ones(idx.next_docno, dtype=bool)
    with np.errstate(invalid="ignore"):
        if local.get("l") not in (None, ""):
            low = float(local["l"])
            keep &= values >= low if _flag(local, "incl") else values > low
        if local.get("u") not in (None, ""):
            high = float(local["u"])
            keep &= values <= high if _flag(local, "incu") else values < high
    return keep


def _flag(local: dict[str, str], name: str) -> bool:
    return (local.get(name) or "true").lower() != "false"


def boosts(spec: str) -> list[tuple[Call | float | str, float]]:
    """edismax's ``bf``: whitespace-separated functions, each with an optional ``^weight``."""
    out = []
    for part in spec.split():
        func, _, weight = part.partition("^")
        out.append((parse(func), float(weight) if weight else 1.0))
    return out
