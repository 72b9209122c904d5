"""Index management and query evaluation: an in-memory inverted index over prepared documents.

Postings are Python-int bitmaps keyed by document number (fast AND/OR/NOT and facet counts by
popcount); analysed fields also keep term positions for BM25 and phrase queries. `text_ngram`
fields are evaluated by substring search over the stored value, which is exactly what an
NGram(2..10) index answers, without holding millions of gram postings.

Document numbers only grow (a replaced document gets a new number, as in Lucene), so ties in every
sort fall back to index order. Not thread-safe by itself: `core.Core` wraps it in a lock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from .analysis import analyze
from .query import (
    Bool,
    DisMax,
    Exists,
    Fuzzy,
    MatchAll,
    MatchNone,
    Node,
    Phrase,
    QueryError,
    Range,
    Term,
    Wildcard,
)
from .schema import ANALYSED, TEXT_NGRAM, FieldDef, Schema

__all__ = ["Index", "Result", "iter_bits", "bits_mask"]

K1, B = 1.2, 0.75
POSITION_GAP = 100  # positionIncrementGap between the values of a multi-valued text field

# bit positions set in each byte value, for fast bitmap → document numbers
_BYTE_BITS = [tuple(i for i in range(8) if b >> i & 1) for b in range(256)]


def iter_bits(bits: int) -> Iterator[int]:
    """Document numbers set in a bitmap, ascending."""
    if not bits:
        return
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    for i, byte in enumerate(data):
        if byte:
            base = i * 8
            for b in _BYTE_BITS[byte]:
                yield base + b


def bits_mask(bits: int, n: int) -> np.ndarray:
    """A bitmap as a boolean array of length `n`."""
    nbytes = (n + 7) // 8
    raw = np.frombuffer((bits & ((1 << n) - 1)).to_bytes(nbytes, "little"), dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little")[:n].astype(bool)


@dataclass
class Result:
    """Matching documents; `scores` is a dense array over document numbers (None: all `const`)."""

    bits: int
    scores: np.ndarray | None = None
    const: float = 1.0

    def dense(self, n: int) -> np.ndarray:
        if self.scores is not None:
            return self.scores
        return bits_mask(self.bits, n) * self.const


class FieldIndex:
    """Postings of one concrete field."""

    __slots__ = ("fd", "bits", "positions", "lengths", "total_len", "present", "arrays", "norms")

    def __init__(self, fd: FieldDef) -> None:
        self.fd = fd
        self.bits: dict[object, int] = {}
        self.positions: dict[object, dict[int, list[int]]] = {}
        self.lengths: dict[int, int] = {}
        self.total_len = 0
        self.present = 0
        self.arrays: dict[object, tuple[np.ndarray, np.ndarray]] = {}  # term → (docnos, tf)
        self.norms: tuple[int, np.ndarray] | None = None  # (generation, BM25 length norms)

    @property
    def analysed(self) -> bool:
        return self.fd.kind in ANALYSED and self.fd.kind != TEXT_NGRAM


class Index:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.fields: dict[str, FieldIndex] = {}
        self.docs: dict[int, dict[str, list[object]]] = {}  # docno → prepared document
        self.raw: dict[int, dict] = {}  # docno → the document as received (persisted form)
        self.by_key: dict[str, int] = {}
        self.key_of: dict[int, str] = {}
        self.live = 0
        self.next_docno = 0
        self.generation = 0
        self._sort_cache: dict[
            str, tuple[int, np.ndarray, np.ndarray]
        ] = {}  # bumped on every change; keys the filter cache

    # ---- writing ----

    def add(self, key: str, raw: dict, prepared: dict[str, list[object]]) -> None:
        old = self.by_key.get(key)
        if old is not None:
            self._remove(old, key)
        d = self.next_docno
        self.next_docno += 1
        self.docs[d] = prepared
        self.raw[d] = raw
        self.by_key[key] = d
        self.key_of[d] = key
        bit = 1 << d
        self.live |= bit
        for name, values in prepared.items():
            fd = self.schema.field(name)
            if fd is None or not fd.indexed:
                continue
            fi = self.fields.get(name)
            if fi is None:
                fi = self.fields[name] = FieldIndex(fd)
            fi.present |= bit
            if fd.kind == TEXT_NGRAM:
                continue
            if fi.analysed:
                pos_base = 0
                length = 0
                seen: dict[object, list[int]] = {}  # term → positions in this document
                for v in values:
                    tokens = analyze(fd.kind, str(v), index=True)
                    for p, t in tokens:
                        plist = seen.get(t)
                        if plist is None:
                            seen[t] = [pos_base + p]
                        else:
                            plist.append(pos_base + p)
                    if tokens:
                        pos_base += tokens[-1][0] + 1 + POSITION_GAP
                    length += len(tokens)
                fi.lengths[d] = length
                fi.total_len += length
                positions, arrays = fi.positions, fi.arrays
                for t, plist in seen.items():
                    docs = positions.get(t)
                    if docs is None:
                        positions[t] = {d: plist}
                    else:
                        docs[d] = plist
                    arrays.pop(t, None)
                terms: Iterable[object] = seen.keys()
            else:
                terms = set(values)
            fbits = fi.bits
            for t in terms:
                fbits[t] = fbits.get(t, 0) | bit
        self.generation += 1

    def delete_keys(self, keys: Iterable[str]) -> int:
        n = 0
        for key in keys:
            d = self.by_key.get(key)
            if d is not None:
                self._remove(d, key)
                n += 1
        self.generation += 1
        return n

    def delete_bits(self, bits: int) -> list[str]:
        keys = [self.key_of[d] for d in iter_bits(bits & self.live)]
        self.delete_keys(keys)
        return keys

    def _remove(self, d: int, key: str) -> None:
        prepared = self.docs.pop(d)
        self.raw.pop(d, None)
        mask = ~(1 << d)
        self.live &= mask
        for name in prepared:
            fi = self.fields.get(name)
            if fi is None:
                continue
            fi.present &= mask
            if fi.analysed:
                for t in {
                    t for v in prepared[name] for _, t in analyze(fi.fd.kind, str(v), index=True)
                }:
                    fi.arrays.pop(t, None)
                    self._drop(fi, t, mask)
                    plist = fi.positions.get(t)
                    if plist is not None:
                        plist.pop(d, None)
                        if not plist:
                            del fi.positions[t]
                fi.total_len -= fi.lengths.pop(d, 0)
            elif fi.fd.kind != TEXT_NGRAM:
                for t in set(prepared[name]):
                    self._drop(fi, t, mask)
        del self.by_key[key]
        del self.key_of[d]

    @staticmethod
    def _drop(fi: FieldIndex, term: object, mask: int) -> None:
        b = fi.bits.get(term)
        if b is not None:
            b &= mask
            if b:
                fi.bits[term] = b
            else:
                del fi.bits[term]

    @property
    def num_docs(self) -> int:
        return len(self.docs)

    # ---- evaluation ----

    def evaluate(self, node: Node, scoring: bool) -> Result:
        r = self._eval(node, scoring)
        r.bits &= self.live
        return r

    def _eval(self, node: Node, scoring: bool) -> Result:
        if isinstance(node, MatchAll):
            return Result(self.live, None, node.boost)
        if isinstance(node, MatchNone):
            return Result(0)
        if isinstance(node, Bool):
            return self._bool(node, scoring)
        if isinstance(node, DisMax):
            return self._dismax(node, scoring)
        fi = self.fields.get(node.field)  # type: ignore[attr-defined]
        if fi is None:
            return Result(0)
        if isinstance(node, Term):
            return self._term(fi, node, scoring)
        if isinstance(node, Exists):
            return Result(fi.present, None, node.boost)
        if isinstance(node, Range):
            return Result(self._range(fi, node), None, node.boost)
        if isinstance(node, Fuzzy):
            return Result(self._fuzzy(fi, node), None, node.boost)
        if isinstance(node, Wildcard):
            return Result(self._wildcard(fi, node), None, node.boost)
        if isinstance(node, Phrase):
            return self._phrase(fi, node, scoring)
        raise QueryError(f"unsupported query node {type(node).__name__}")

    def _term(self, fi: FieldIndex, node: Term, scoring: bool) -> Result:
        if fi.fd.kind == TEXT_NGRAM:
            t = str(node.term)
            if not 2 <= len(t) <= 10:
                return Result(0)
            bits = 0
            for d in iter_bits(fi.present):
                if any(t in str(v).lower() for v in self.docs[d].get(fi.fd.name, ())):
                    bits |= 1 << d
            return Result(bits, None, node.boost)
        bits = fi.bits.get(node.term, 0)
        if not scoring or not bits:
            return Result(bits, None, node.boost)
        df = bits.bit_count()
        n = fi.present.bit_count()
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        if not fi.analysed:
            return Result(bits, None, node.boost * idf)
        docnos, tf = self._postings(fi, node.term)
        scores = np.zeros(self.next_docno)
        norms = self._norms(fi)
        scores[docnos] = node.boost * idf * tf * (K1 + 1) / (tf + norms[docnos])
        return Result(bits, scores)

    def _postings(self, fi: FieldIndex, term: object) -> tuple[np.ndarray, np.ndarray]:
        cached = fi.arrays.get(term)
        if cached is None:
            plist = fi.positions.get(term, {})
            cached = (
                np.fromiter(plist.keys(), dtype=np.int64, count=len(plist)),
                np.fromiter((len(p) for p in plist.values()), dtype=np.float64, count=len(plist)),
            )
            fi.arrays[term] = cached
        return cached

    def _norms(self, fi: FieldIndex) -> np.ndarray:
        """BM25's per-document length normalisation, recomputed once per index generation."""
        if fi.norms is None or fi.norms[0] != self.generation:
            lengths = np.ones(self.next_docno)
            if fi.lengths:
                keys = np.fromiter(fi.lengths.keys(), dtype=np.int64, count=len(fi.lengths))
                vals = np.fromiter(fi.lengths.values(), dtype=np.float64, count=len(fi.lengths))
                lengths[keys] = vals
            avg = fi.total_len / max(1, len(fi.lengths)) or 1.0
            fi.norms = (self.generation, K1 * (1 - B + B * lengths / avg))
        return fi.norms[1]

    def _phrase(self, fi: FieldIndex, node: Phrase, scoring: bool) -> Result:
        if not fi.analysed:
            return Result(0)
        cand = self.live
        for _, t in node.terms:
            cand &= fi.bits.get(t, 0)
            if not cand:
                return Result(0)
        bits = 0
        for d in iter_bits(cand):
            plists = [(rel, fi.positions[t][d]) for rel, t in node.terms]
            first_rel, first = plists[0]
            for start in first:
                base = start - first_rel
                if all(
                    any(abs(p - (base + rel)) <= node.slop for p in pl) for rel, pl in plists[1:]
                ):
                    bits |= 1 << d
                    break
        if not scoring or not bits:
            return Result(bits, None, node.boost)
        total = np.zeros(self.next_docno)
        for _, t in node.terms:
            total += self._term(fi, Term(fi.fd.name, t, boost=node.boost), True).dense(
                self.next_docno
            )
        return Result(bits, total * bits_mask(bits, self.next_docno))

    def _range(self, fi: FieldIndex, node: Range) -> int:
        bits = 0
        lo, hi = node.low, node.high
        for term, b in fi.bits.items():
            try:
                if lo is not None and (term < lo or (term == lo and not node.include_low)):  # type: ignore[operator]
                    continue
                if hi is not None and (term > hi or (term == hi and not node.include_high)):  # type: ignore[operator]
                    continue
            except TypeError:
                continue
            bits |= b
        return bits

    def _wildcard(self, fi: FieldIndex, node: Wildcard) -> int:
        if fi.fd.kind == TEXT_NGRAM:
            return 0
        bits = 0
        for term, b in fi.bits.items():
            if isinstance(term, str) and node.pattern.fullmatch(term):
                bits |= b
        return bits

    def _fuzzy(self, fi: FieldIndex, node: Fuzzy) -> int:
        bits = 0
        for term, b in fi.bits.items():
            if isinstance(term, str) and _within_edits(node.term, term, node.max_edits):
                bits |= b
        return bits

    def _bool(self, node: Bool, scoring: bool) -> Result:
        must = [self._eval(n, scoring) for n in node.must]
        should = [self._eval(n, scoring) for n in node.should]
        bits = self.live
        for r in must:
            bits &= r.bits
        for n in node.must_not:
            bits &= ~self._eval(n, False).bits
        if should:
            if node.min_should > 1:
                bits &= _at_least(should, node.min_should)
            elif not must or node.min_should == 1:
                any_bits = 0
                for r in should:
                    any_bits |= r.bits
                bits &= any_bits
        elif not must:
            bits = 0
        if not scoring:
            return Result(bits)
        return self._combine(must + should, bits, node.boost, None)

    def _dismax(self, node: DisMax, scoring: bool) -> Result:
        subs = [self._eval(n, scoring) for n in node.clauses]
        bits = 0
        for r in subs:
            bits |= r.bits
        if not scoring:
            return Result(bits)
        return self._combine(subs, bits, node.boost, node.tie)

    def _combine(self, results: list[Result], bits: int, boost: float, tie: float | None) -> Result:
        """Score the documents in `bits`: sum of clause scores, or dismax (max + tie × others)."""
        if all(r.scores is None and r.bits & bits == bits for r in results):
            consts = [r.const for r in results] or [1.0]
            best = max(consts)
            total = sum(consts) if tie is None else best + tie * (sum(consts) - best)
            return Result(bits, None, boost * total)
        n = self.next_docno
        arrays = [r.dense(n) for r in results if r.bits & bits]
        if not arrays:
            return Result(bits, None, 0.0)
        summed = np.sum(arrays, axis=0) if len(arrays) > 1 else arrays[0]
        if tie is not None and len(arrays) > 1:
            best = np.max(arrays, axis=0)
            summed = best + tie * (summed - best)
        return Result(bits, boost * summed * bits_mask(bits, n))

    # ---- sort keys ----

    def sort_key(self, name: str, numeric: bool) -> tuple[np.ndarray, np.ndarray]:
        """(key, present) arrays over document numbers for sorting on single-valued `name`.

        Strings are ranked (their order among the field's distinct values); cached per generation.
        """
        cached = self._sort_cache.get(name)
        if cached is not None and cached[0] == self.generation:
            return cached[1], cached[2]
        n = self.next_docno
        present = np.zeros(n, dtype=bool)
        pairs = [(d, vals[0]) for d, doc in self.docs.items() if (vals := doc.get(name))]
        key = np.zeros(n)
        if pairs:
            docnos = np.fromiter((d for d, _ in pairs), dtype=np.int64, count=len(pairs))
            present[docnos] = True
            values = [v for _, v in pairs]
            if numeric and all(isinstance(v, (int, float)) for v in values):
                key[docnos] = np.array(values, dtype=np.float64)
            else:
                strs = [str(v) for v in values]
                ranks = {v: i for i, v in enumerate(sorted(set(strs)))}
                key[docnos] = np.fromiter((ranks[v] for v in strs), dtype=np.float64)
        self._sort_cache[name] = (self.generation, key, present)
        return key, present

    # ---- facets and sorting ----

    def facet(
        self,
        name: str,
        bits: int,
        *,
        limit: int,
        mincount: int,
        sort: str,
        offset: int,
        prefix: str | None,
        fmt,  # noqa: ANN001 - value formatter
    ) -> list[object]:
        fi = self.fields.get(name)
        counts: dict[object, int] = {}
        if fi is not None and fi.fd.kind != TEXT_NGRAM:
            matched = bits.bit_count()
            if not fi.analysed and matched * 4 < len(fi.bits):
                for d in iter_bits(bits & fi.present):
                    for v in set(self.docs[d].get(name, ())):
                        counts[v] = counts.get(v, 0) + 1
                if mincount == 0:
                    for t in fi.bits:
                        counts.setdefault(t, 0)
            else:
                for t, b in fi.bits.items():
                    c = (b & bits).bit_count()
                    if c or mincount == 0:
                        counts[t] = c
        items = [(t, c) for t, c in counts.items() if c >= mincount]
        if prefix:
            items = [(t, c) for t, c in items if str(fmt(t)).startswith(prefix)]
        items.sort(key=lambda tc: _sortable(tc[0]))
        if sort != "index":
            items.sort(key=lambda tc: -tc[1])
        items = items[offset:] if limit < 0 else items[offset : offset + limit]
        flat: list[object] = []
        for t, c in items:
            flat += [fmt(t), c]
        return flat


def _sortable(v: object) -> tuple[int, object]:
    return (0, v) if isinstance(v, (int, float)) else (1, str(v))


def _at_least(results: list[Result], k: int) -> int:
    """Documents matched by at least `k` of the results (bitwise counting)."""
    # counters[i] holds docs seen ≥ i+1 times
    counters = [0] * k
    for r in results:
        for i in range(k - 1, 0, -1):
            counters[i] |= counters[i - 1] & r.bits
        counters[0] |= r.bits
    return counters[k - 1]


def _within_edits(a: str, b: str, k: int) -> bool:
    """Optimal-string-alignment distance(a, b) ≤ k (Lucene's fuzzy counts transpositions)."""
    if abs(len(a) - len(b)) > k:
        return False
    if a == b:
        return True
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > k:
            return False
        prev2, prev = prev, cur
    return prev[-1] <= k
