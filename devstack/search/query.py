"""Query layer: Lucene standard syntax (via luqum) and dismax → an engine-neutral clause tree.

The tree is evaluated by `index.Index`; nothing here knows how postings are stored. Field values
are analysed with the field's query-time chain, so `title:Floods` becomes the term `flood`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from luqum import tree as lt
from luqum.exceptions import ParseError
from luqum.parser import parser as luqum_parser

from .analysis import analyze
from .schema import (
    ANALYSED,
    BOOLEAN,
    DATE,
    FLOAT,
    INT,
    FieldDef,
    Schema,
    SchemaError,
    parse_date,
)

__all__ = [
    "QueryError",
    "Node",
    "MatchAll",
    "MatchNone",
    "Term",
    "Phrase",
    "Range",
    "Wildcard",
    "Exists",
    "Fuzzy",
    "Bool",
    "DisMax",
    "QueryBuilder",
    "date_math",
    "min_should_match",
    "fix_negative",
    "parse_qf",
]


class QueryError(ValueError):
    """A query Solr would reject with HTTP 400."""


# ---- the clause tree ---------------------------------------------------------------------------


@dataclass
class Node:
    boost: float = field(default=1.0, kw_only=True)


@dataclass
class MatchAll(Node):
    pass


@dataclass
class MatchNone(Node):
    pass


@dataclass
class Term(Node):
    field: str
    term: object  # str for string/text fields, typed value for numeric/date/boolean


@dataclass
class Phrase(Node):
    field: str
    terms: list[tuple[int, str]]
    slop: int = 0


@dataclass
class Range(Node):
    field: str
    low: object | None
    high: object | None
    include_low: bool = True
    include_high: bool = True


@dataclass
class Wildcard(Node):
    field: str
    pattern: re.Pattern[str]


@dataclass
class Fuzzy(Node):
    field: str
    term: str
    max_edits: int = 2


@dataclass
class Exists(Node):
    field: str


@dataclass
class Bool(Node):
    must: list[Node] = field(default_factory=list)
    should: list[Node] = field(default_factory=list)
    must_not: list[Node] = field(default_factory=list)
    min_should: int = 0


@dataclass
class DisMax(Node):
    clauses: list[Node]
    tie: float = 0.0


# ---- date math ---------------------------------------------------------------------------------

_UNITS = {
    "YEAR": "years",
    "YEARS": "years",
    "MONTH": "months",
    "MONTHS": "months",
    "DAY": "days",
    "DAYS": "days",
    "DATE": "days",
    "HOUR": "hours",
    "HOURS": "hours",
    "MINUTE": "minutes",
    "MINUTES": "minutes",
    "SECOND": "seconds",
    "SECONDS": "seconds",
    "MILLI": "ms",
    "MILLIS": "ms",
    "MILLISECOND": "ms",
    "MILLISECONDS": "ms",
}
_MATH_RE = re.compile(r"([+-]\d+|/)([A-Z]+)")


def date_math(expr: str, now: datetime | None = None) -> int:
    """`NOW`, `NOW-1YEAR/DAY`, `2024-01-01T00:00:00Z+1DAY` … → epoch milliseconds."""
    expr = expr.strip()
    if expr.upper().startswith("NOW"):
        base = now or datetime.now(timezone.utc)
        rest = expr[3:]
    else:
        m = re.match(r"^[^+/]*?Z", expr)
        if not m:
            raise QueryError(f"Invalid Date String:'{expr}'")
        try:
            base = datetime.fromtimestamp(parse_date(m.group(0)) / 1000, tz=timezone.utc)
        except SchemaError as exc:
            raise QueryError(str(exc)) from None
        rest = expr[m.end() :]
    pos = 0
    for m in _MATH_RE.finditer(rest.upper()):
        if m.start() != pos or m.group(2) not in _UNITS:
            raise QueryError(f"Invalid Date Math String:'{expr}'")
        pos = m.end()
        unit = _UNITS[m.group(2)]
        step = m.group(1)
        base = _round_down(base, unit) if step == "/" else _add(base, int(step), unit)
    if pos != len(rest):
        raise QueryError(f"Invalid Date Math String:'{expr}'")
    return int(base.timestamp() * 1000)


def _add(dt: datetime, n: int, unit: str) -> datetime:
    if unit in ("years", "months"):
        months = dt.month - 1 + n * (12 if unit == "years" else 1)
        year, month = dt.year + months // 12, months % 12 + 1
        day = min(
            dt.day,
            [
                31,
                29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ][month - 1],
        )
        return dt.replace(year=year, month=month, day=day)
    if unit == "ms":
        return dt + timedelta(milliseconds=n)
    return dt + timedelta(**{unit: n})


def _round_down(dt: datetime, unit: str) -> datetime:
    order = ["years", "months", "days", "hours", "minutes", "seconds", "ms"]
    keep = order.index(unit)
    repl: dict[str, int] = {}
    if keep < 1:
        repl["month"] = 1
    if keep < 2:
        repl["day"] = 1
    if keep < 3:
        repl["hour"] = 0
    if keep < 4:
        repl["minute"] = 0
    if keep < 5:
        repl["second"] = 0
    if keep < 6:
        repl["microsecond"] = 0
    else:
        repl["microsecond"] = dt.microsecond // 1000 * 1000
    return dt.replace(**repl)


# ---- minimum-should-match ----------------------------------------------------------------------


def min_should_match(spec: str | None, n: int) -> int:
    """Solr's `mm` (e.g. `2<-1 5<80%`) → the number of optional clauses that must match."""
    if not spec or n == 0:
        return 0
    spec = spec.strip()
    if "<" in spec:
        result = n  # at or below the first threshold every clause is required
        for part in spec.split():
            threshold, _, value = part.partition("<")
            try:
                if n > int(threshold):
                    result = _mm_value(value, n)
            except ValueError:
                raise QueryError(f"Invalid 'mm' value: {spec}") from None
        return max(0, min(n, result))
    try:
        return max(0, min(n, _mm_value(spec, n)))
    except ValueError:
        raise QueryError(f"Invalid 'mm' value: {spec}") from None


def _mm_value(value: str, n: int) -> int:
    if value.endswith("%"):
        pct = int(value[:-1])
        calc = int(n * abs(pct) / 100)
        return n - calc if pct < 0 else calc
    v = int(value)
    return n + v if v < 0 else v


# ---- building ----------------------------------------------------------------------------------

_ESCAPE_RE = re.compile(r"\\(.)")
_OPS_RE = re.compile(r'"(?:\\.|[^"\\])*"|(?<!\S)(&&|\|\|)(?!\S)|(?<![\w\\])!(?=[\w"(])')


def _unescape(s: str) -> str:
    return _ESCAPE_RE.sub(r"\1", s)


def _normalise_ops(q: str) -> str:
    """luqum lacks Lucene's `&&`, `||` and `!` spellings; rewrite them outside quotes."""

    def repl(m: re.Match[str]) -> str:
        tok = m.group(0)
        return {"&&": "AND", "||": "OR", "!": "NOT "}.get(tok, tok)

    return _OPS_RE.sub(repl, q)


def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "*" else "." if c == "?" else re.escape(c))
        i += 1
    return re.compile("".join(out), re.S)


def _has_wildcard(raw: str) -> bool:
    return bool(re.search(r"(?<!\\)[*?]", raw))


class QueryBuilder:
    """Turns request parameters into clause trees for one schema."""

    def __init__(self, schema: Schema, now: datetime | None = None) -> None:
        self.schema = schema
        self.now = now
        # per-parse settings (a builder parses one request's queries, one at a time)
        self._df: str | None = "text"
        self._and = False
        self._qf: list[tuple[str, float]] | None = None
        self._tie = 0.0

    # -- Lucene standard syntax --

    def lucene(
        self,
        q: str,
        *,
        df: str | None = "text",
        default_and: bool = False,
        qf: list[tuple[str, float]] | None = None,
        tie: float = 0.0,
    ) -> Node:
        """Parse Lucene syntax. With `qf` (edismax), unfielded terms search those fields."""
        if "{!" in q:
            raise QueryError("Local parameters ({!...}) are only supported at the start of a query")
        q = q.strip()
        if not q:
            return MatchNone()
        try:
            ast = luqum_parser.parse(_normalise_ops(q))
        except (ParseError, TypeError, ValueError) as exc:
            raise QueryError(
                f"org.apache.solr.search.SyntaxError: Cannot parse '{q}': {exc}"
            ) from None
        self._df, self._and, self._qf, self._tie = df, default_and, qf, tie
        node = self._node(ast, None)
        return fix_negative(node)

    def _node(self, n: lt.Item, fname: str | None) -> Node:
        if isinstance(n, lt.SearchField):
            name = _unescape(n.name)
            if name == "*" and isinstance(n.expr, lt.Word) and n.expr.value == "*":
                return MatchAll()
            return self._node(n.expr, name)
        if isinstance(n, (lt.Group, lt.FieldGroup)):
            return self._node(n.expr, fname)
        if isinstance(n, lt.Boost):
            inner = self._node(n.expr, fname)
            inner.boost *= float(n.force if n.force is not None else 1)
            return inner
        if isinstance(n, (lt.AndOperation, lt.OrOperation, lt.UnknownOperation)):
            return self._bool(n, fname)
        if isinstance(n, (lt.Plus, lt.Prohibit, lt.Not)):
            return self._bool(lt.UnknownOperation(n), fname)
        if isinstance(n, lt.Range):
            return self._range(self._field(fname), n)
        if isinstance(n, lt.Proximity):
            node = self._value(fname, n.term)
            if isinstance(node, Phrase):
                node.slop = int(n.degree or 0)
            return node
        if isinstance(n, lt.Fuzzy):
            return self._fuzzy(fname, n)
        if isinstance(n, (lt.Word, lt.Phrase, lt.Regex)):
            return self._value(fname, n)
        raise QueryError(f"org.apache.solr.search.SyntaxError: unsupported syntax '{n}'")

    def _bool(self, n: lt.Item, fname: str | None) -> Node:
        """One level of clauses, with the classic Lucene parser's rules (QueryParserBase.addClause).

        luqum nests `a AND b OR c` by precedence; flattening restores the written sequence, and
        the rules below then give Lucene's reading (`+a +b c` with q.op=OR), quirks included.
        """
        seq: list[tuple[str | None, str | None, lt.Item]] = []
        _flatten(n, None, seq)
        occurs = _occurs([(conj, mod) for conj, mod, _ in seq], self._and)
        b = Bool()
        for occur, (_, _, child) in zip(occurs, seq, strict=True):
            getattr(b, occur).append(self._node(child, fname))
        if not b.must and not b.must_not and len(b.should) == 1:
            return b.should[0]
        if not b.should and not b.must_not and len(b.must) == 1:
            return b.must[0]
        return b

    def _fuzzy(self, fname: str | None, n: lt.Fuzzy) -> Node:
        """`term~` / `term~1`: Lucene's edit distance (a legacy similarity < 1 means 2 edits)."""
        degree = float(n.degree) if n.degree is not None else 2.0
        edits = 2 if degree < 1 else min(2, int(degree))
        node = self._value(fname, n.term)
        if isinstance(node, Term) and isinstance(node.term, str):
            return Fuzzy(node.field, node.term, edits, boost=node.boost)
        return node  # numbers, dates and multi-token values match exactly

    def _field(self, name: str | None) -> FieldDef:
        if name is None:
            name = self._df or "text"
        fd = self.schema.field(name)
        if fd is None:
            raise QueryError(f"undefined field {name}")
        return fd

    def _value(self, fname: str | None, n: lt.Item) -> Node:
        if fname is None and self._qf:
            subs = [self._value_in(self._field(f), n, boost) for f, boost in self._qf]
            subs = [s for s in subs if not isinstance(s, MatchNone)]
            return DisMax(subs, tie=self._tie) if subs else MatchNone()
        return self._value_in(self._field(fname), n, 1.0)

    def _value_in(self, fd: FieldDef, n: lt.Item, boost: float) -> Node:
        if isinstance(n, lt.Regex):
            try:
                return Wildcard(fd.name, re.compile(n.value[1:-1], re.S), boost=boost)
            except re.error as exc:
                raise QueryError(f"Invalid regular expression {n.value}: {exc}") from None
        if isinstance(n, lt.Phrase):
            node = self.field_phrase(fd, _unescape(n.value[1:-1]))
        else:
            raw = n.value
            if raw == "*":
                node = Exists(fd.name)
            elif _has_wildcard(raw) and fd.kind not in (INT, FLOAT, DATE):
                pat = raw.lower() if fd.kind in ANALYSED else raw
                node = Wildcard(fd.name, _wildcard_regex(pat))
            else:
                node = self.field_term(fd, _unescape(raw))
        node.boost *= boost
        return node

    def field_term(self, fd: FieldDef, value: str, default_and: bool | None = None) -> Node:
        """One unquoted value in field `fd`, analysed as Solr's query parser would."""
        if fd.kind in ANALYSED:
            tokens = analyze(fd.kind, value, index=False)
            if not tokens:
                return MatchNone()
            if len(tokens) == 1:
                return Term(fd.name, tokens[0][1])
            and_ = self._and if default_and is None else default_and
            terms: list[Node] = [Term(fd.name, t) for _, t in tokens]
            return Bool(must=terms) if and_ else Bool(should=terms)
        return Term(fd.name, self.typed(fd, value))

    def field_phrase(self, fd: FieldDef, text: str) -> Node:
        if fd.kind in ANALYSED:
            tokens = analyze(fd.kind, text, index=False)
            if not tokens:
                return MatchNone()
            if len(tokens) == 1:
                return Term(fd.name, tokens[0][1])
            return Phrase(fd.name, tokens)
        return Term(fd.name, self.typed(fd, text))

    def typed(self, fd: FieldDef, value: str) -> object:
        try:
            if fd.kind == INT:
                return int(value)
            if fd.kind == FLOAT:
                return float(value)
        except ValueError:
            raise QueryError(f"Invalid Number: {value}") from None
        if fd.kind == DATE:
            return date_math(value, self.now)
        if fd.kind == BOOLEAN:
            return value.strip().lower() == "true"
        return value

    def _range(self, fd: FieldDef, n: lt.Range) -> Node:
        lo, hi = _unescape(str(n.low)), _unescape(str(n.high))
        lo = lo[1:-1] if lo.startswith('"') and lo.endswith('"') else lo
        hi = hi[1:-1] if hi.startswith('"') and hi.endswith('"') else hi
        if lo == "*" and hi == "*":
            return Exists(fd.name)
        low = None if lo == "*" else self._bound(fd, lo)
        high = None if hi == "*" else self._bound(fd, hi)
        return Range(fd.name, low, high, bool(n.include_low), bool(n.include_high))

    def _bound(self, fd: FieldDef, v: str) -> object:
        if fd.kind in ANALYSED:
            toks = analyze(fd.kind, v, index=False)
            return toks[0][1] if toks else v.lower()
        return self.typed(fd, v)

    # -- dismax --

    def dismax(
        self,
        q: str,
        qf: list[tuple[str, float]],
        *,
        mm: str | None,
        tie: float,
        default_and: bool = True,
    ) -> Node:
        """Solr's dismax: bare words and "phrases", optional `+`/`-`; each across all `qf`."""
        if not qf:
            raise QueryError("dismax needs at least one field in 'qf'")
        # AND/OR/NOT stay operators in dismax (Solr escapes every other special character)
        seq: list[tuple[str | None, str | None, Node]] = []
        conj: str | None = None
        mod: str | None = None
        for prefix, text, quoted in _dismax_tokens(q):
            if not quoted and not prefix and text in ("AND", "OR"):
                conj = text
                continue
            if not quoted and not prefix and text == "NOT":
                mod = "NOT"
                continue
            subs: list[Node] = []
            for fname, boost in qf:
                fd = self._field(fname)
                node = self.field_phrase(fd, text) if quoted else self.field_term(fd, text, True)
                if not isinstance(node, MatchNone):
                    node.boost *= boost
                    subs.append(node)
            if subs:
                mod = mod or {"+": "REQ", "-": "NOT"}.get(prefix)
                seq.append((conj, mod, DisMax(subs, tie=tie)))
            conj = mod = None
        b = Bool()
        for occur, (_, _, clause) in zip(
            _occurs([(c, m) for c, m, _ in seq], False), seq, strict=True
        ):
            getattr(b, occur).append(clause)
        should = b.should
        b.should = should
        # without `mm`, Solr requires every optional clause unless q.op=OR
        default_mm = "100%" if default_and else "0%"
        b.min_should = min_should_match(mm if mm is not None else default_mm, len(should))
        if not b.must and not b.should and not b.must_not:
            return MatchNone()
        return fix_negative(b)


def _occurs(seq: list[tuple[str | None, str | None]], and_op: bool) -> list[str]:
    """Occurrence of each (conjunction, modifier) clause, as Lucene's QueryParserBase.addClause."""
    occurs: list[str] = []
    for conj, mod in seq:
        if occurs and occurs[-1] != "must_not":
            if conj == "AND":
                occurs[-1] = "must"
            elif conj == "OR" and and_op:
                occurs[-1] = "should"
        prohibited = mod == "NOT"
        if and_op:
            required = not prohibited and conj != "OR"
        else:
            required = mod == "REQ" or (conj == "AND" and not prohibited)
        occurs.append("must_not" if prohibited else "must" if required else "should")
    return occurs


def _flatten(
    n: lt.Item, conj: str | None, out: list[tuple[str | None, str | None, lt.Item]]
) -> None:
    """Un-nest luqum's operations into (conjunction, modifier, clause) in written order."""
    if isinstance(n, (lt.AndOperation, lt.OrOperation, lt.UnknownOperation)):
        op = (
            "AND"
            if isinstance(n, lt.AndOperation)
            else "OR"
            if isinstance(n, lt.OrOperation)
            else None
        )
        for i, child in enumerate(n.children):
            _flatten(child, conj if i == 0 else op, out)
        return
    mod = None
    while isinstance(n, (lt.Plus, lt.Prohibit, lt.Not)):
        mod = "REQ" if isinstance(n, lt.Plus) else "NOT"
        n = n.a
    out.append((conj, mod, n))


def _dismax_tokens(q: str) -> list[tuple[str, str, bool]]:
    """Split a dismax query into (prefix, text, quoted); unbalanced quotes are treated as text."""
    out = []
    for m in re.finditer(r'([+-]?)(?:"([^"]*)"|(\S+))', q):
        prefix, phrase, word = m.group(1), m.group(2), m.group(3)
        if phrase is not None:
            out.append((prefix, phrase, True))
        elif word is not None:
            out.append((prefix, word.replace('"', ""), False))
    return out


def fix_negative(node: Node) -> Node:
    """Solr adds `*:*` to a purely negative *top-level* query so it means "all except …".

    A nested purely negative group (`+(-a)`) still matches nothing, as in Solr's standard parser.
    """
    if isinstance(node, Bool) and node.must_not and not node.must and not node.should:
        node.must.append(MatchAll(boost=0.0))
    return node


def parse_qf(spec: str | None) -> list[tuple[str, float]]:
    """`name^4 title^4 text` → [("name", 4.0), ("title", 4.0), ("text", 1.0)]."""
    out = []
    for part in (spec or "").replace(",", " ").split():
        name, _, boost = part.partition("^")
        try:
            out.append((name, float(boost) if boost else 1.0))
        except ValueError:
            raise QueryError(f"Invalid boost in qf: {part}") from None
    return out
