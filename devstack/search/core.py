"""One Solr core: request parameters → query trees → index → Solr-shaped responses.

Holds the schema, the index, the optional document store and the readers–writer lock. Searches
run concurrently; updates are exclusive and visible as soon as the request returns (every commit
parameter is accepted and has nothing left to do).
"""

from __future__ import annotations

import fnmatch
import json
import logging
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import numpy as np

from . import functions
from .index import Index, bits_mask
from .query import (
    Bool,
    MatchAll,
    MatchNone,
    Node,
    QueryBuilder,
    QueryError,
    fix_negative,
    parse_qf,
)
from .schema import DATE, FLOAT, INT, FieldDef, Schema, SchemaError, format_date
from .store import DocStore

__all__ = ["Core", "SolrError", "MAX_ROWS"]

log = logging.getLogger("devstack.search")

MAX_ROWS = 1_000_000  # larger `rows` values are refused rather than risking memory
_FILTER_CACHE_SIZE = 512

Params = dict[str, list[str]]

_LOCAL_RE = re.compile(r"^\s*\{!([^}]*)\}(.*)$", re.S)
_PAIR_RE = re.compile(r"""([\w.]+)(?:=(?:'([^']*)'|"([^"]*)"|(\S+)))?""")


def _local_pairs(inner: str) -> list[tuple[str, str]]:
    """`bool must=bees q.op=AND` → [("type", "bool"), ("must", "bees"), ("q.op", "AND")]."""
    pairs = []
    for i, m in enumerate(_PAIR_RE.finditer(inner)):
        key, value = m.group(1), next((g for g in m.groups()[1:] if g is not None), None)
        if value is None:
            if i == 0:
                pairs.append(("type", key))
            continue
        pairs.append((key, value))
    return pairs


class SolrError(Exception):
    """An error answered as Solr does: HTTP `code` and `{"error": {"msg": …}}`."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg


class RWLock:
    """Many readers or one writer; writers are not starved by a stream of readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


def _one(params: Params, name: str, default: str | None = None) -> str | None:
    vals = params.get(name)
    return vals[-1] if vals else default


def _int(params: Params, name: str, default: int) -> int:
    raw = _one(params, name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SolrError(
            400, f"Invalid integer for parameter '{name}': For input string: \"{raw}\""
        ) from None


class Core:
    def __init__(self, name: str, schema: Schema, store: DocStore | None = None) -> None:
        self.name = name
        self.schema = schema
        self.store = store
        self.index = Index(schema)
        self.lock = RWLock()
        self._filters: dict[tuple[str, ...], int] = {}
        self._filters_gen = -1
        self._filters_lock = threading.Lock()
        if store is not None:
            for key, raw in store.load():
                try:
                    self.index.add(key, raw, schema.prepare(raw, _now_ms()))
                except SchemaError as exc:  # e.g. stored under an older schema
                    log.warning("core %s: stored document %s not loaded: %s", name, key, exc)
            store.renumber(list(self.index.by_key.items()))

    # ---- select ----

    def select(self, params: Params) -> dict[str, Any]:
        started = time.perf_counter()
        rows = _int(params, "rows", 10)
        start = _int(params, "start", 0)
        if rows < 0:
            raise SolrError(400, "'rows' parameter cannot be negative")
        if start < 0:
            raise SolrError(400, "'start' parameter cannot be negative")
        if rows > MAX_ROWS or start > MAX_ROWS:
            raise SolrError(400, f"'rows' and 'start' must not exceed {MAX_ROWS}")
        wt = _one(params, "wt", "json")
        if wt not in ("json", None, ""):
            raise SolrError(400, f"Unsupported response writer wt={wt}; only json is supported")
        for unsupported in ("boost", "bq"):
            if _one(params, unsupported):
                raise SolrError(
                    400, f"The '{unsupported}' parameter is not supported by this search service"
                )
        sort_spec = self._parse_sort(_one(params, "sort") or "score desc")
        fl = self._parse_fl(params.get("fl") or ["*"])
        builder = QueryBuilder(self.schema)
        q_node = self._main_query(builder, params)
        fq_params = [f for f in params.get("fq", []) if f.strip()]
        need_score = any(f == "score" for f, _ in sort_spec) or "score" in fl
        bf = self._boost_functions(params)
        with self.lock.read():
            idx = self.index
            result = idx.evaluate(q_node, need_score)
            bits = result.bits
            for fq in fq_params:
                bits &= self._filter(builder, fq, params)
            total = bits.bit_count()
            scores = result.dense(idx.next_docno) if need_score else None
            if scores is not None and bf:
                scores = scores + self._boost(idx, bf)
            ordered = self._sorted(idx, bits, scores, sort_spec, start + rows)
            page = ordered[start : start + rows]
            docs = [self._doc(idx, d, fl, scores) for d in page]
            facets = self._facets(idx, params, bits)
            max_score = (
                float(scores[bits_mask(bits, idx.next_docno)].max())
                if scores is not None and bits
                else 0.0
            )
        body: dict[str, Any] = {
            "responseHeader": {
                "zkConnected": None,
                "status": 0,
                "QTime": int((time.perf_counter() - started) * 1000),
                "params": {k: (v[0] if len(v) == 1 else v) for k, v in params.items()},
            },
            "response": {"numFound": total, "start": start, "numFoundExact": True, "docs": docs},
        }
        if "score" in fl:
            body["response"]["maxScore"] = max_score
        if facets is not None:
            body["facet_counts"] = {
                "facet_queries": {},
                "facet_fields": facets,
                "facet_ranges": {},
                "facet_intervals": {},
                "facet_heatmaps": {},
            }
        return body

    def _main_query(self, builder: QueryBuilder, params: Params) -> Node:
        q = _one(params, "q")
        def_type = (_one(params, "defType") or "lucene").lower()
        if q is None or not q.strip():
            alt = _one(params, "q.alt")
            if alt:
                return self._parse(builder, alt, "lucene", params)
            return MatchAll() if def_type == "lucene" and q is None else MatchNone()
        return self._parse(builder, q, def_type, params)

    def _parse(self, builder: QueryBuilder, text: str, def_type: str, params: Params) -> Node:
        """Parse `text` with parser `def_type`; `{!type k=v …}` local params override both."""
        local = _LOCAL_RE.match(text)
        if local:
            pairs = _local_pairs(local.group(1))
            lp: Params = {}
            for k, v in pairs:
                lp.setdefault(k, []).append(v)
            def_type = (_one(lp, "type") or def_type).lower()
            text = _one(lp, "v") or local.group(2)
            params = {**params, **lp}
            if def_type == "bool":
                sub = {
                    k: [self._parse(builder, v, "lucene", params) for v in lp.get(k, [])]
                    for k in ("must", "should", "must_not", "filter")
                }
                return fix_negative(
                    Bool(
                        must=sub["must"] + sub["filter"],
                        should=sub["should"],
                        must_not=sub["must_not"],
                    )
                )
        default_and = (_one(params, "q.op", "OR") or "OR").upper() == "AND"
        df = _one(params, "df", "text")
        try:
            tie = float(_one(params, "tie", "0") or 0)
            if def_type == "dismax":
                qf = parse_qf(_one(params, "qf")) or [(df or "text", 1.0)]
                dismax_and = (_one(params, "q.op") or "AND").upper() == "AND"
                return builder.dismax(
                    text, qf, mm=_one(params, "mm"), tie=tie, default_and=dismax_and
                )
            if def_type == "edismax":
                qf = parse_qf(_one(params, "qf")) or [(df or "text", 1.0)]
                return builder.lucene(text, df=df, default_and=default_and, qf=qf, tie=tie)
            if def_type in ("lucene", "standard"):
                return builder.lucene(text, df=df, default_and=default_and)
        except (QueryError, ValueError) as exc:
            raise SolrError(400, str(exc)) from None
        raise SolrError(400, f"Unknown query parser '{def_type}'")

    def _boost_functions(self, params: Params) -> list[tuple[Any, float]]:
        """``bf``, which (as in Solr) only the dismax and edismax parsers apply."""
        spec = _one(params, "bf")
        if not spec or (_one(params, "defType") or "lucene").lower() not in ("dismax", "edismax"):
            return []
        try:
            return functions.boosts(spec)
        except (functions.FunctionError, ValueError) as exc:
            raise SolrError(400, f"bf: {exc}") from None

    def _boost(self, idx: Index, bf: list[tuple[Any, float]]) -> np.ndarray:
        """The additive boost of every document: the weighted sum of the ``bf`` functions."""
        total = np.zeros(idx.next_docno)
        for func, weight in bf:
            values = functions.evaluate(idx, func, self._known)
            total += weight * np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
        return total

    def _known(self, name: str) -> bool:
        return self.schema.field(name) is not None

    def _frange(self, fq: str) -> int | None:
        """The documents of a ``{!frange …}`` filter, or None when ``fq`` is not one."""
        local = _LOCAL_RE.match(fq)
        if not local:
            return None
        pairs = _local_pairs(local.group(1))
        if not pairs or pairs[0] != ("type", "frange"):
            return None
        idx = self.index
        try:
            keep = functions.frange(idx, dict(pairs), local.group(2), self._known)
        except (functions.FunctionError, ValueError) as exc:
            raise SolrError(400, f"frange: {exc}") from None
        live = idx.evaluate(MatchAll(), False).bits
        return functions.mask_bits(keep) & live

    def _filter(self, builder: QueryBuilder, fq: str, params: Params) -> int:
        """A filter query's documents, cached until the next write (filters are never scored)."""
        key = (fq, *(_one(params, p) or "" for p in ("df", "q.op", "qf", "mm", "tie")))
        gen = self.index.generation
        with self._filters_lock:
            if self._filters_gen != gen:
                self._filters.clear()
                self._filters_gen = gen
            cached = self._filters.get(key)
        if cached is not None and "NOW" not in fq:
            return cached
        bits = self._frange(fq)
        if bits is None:
            node = self._parse(builder, fq, "lucene", params)
            bits = self.index.evaluate(node, False).bits
        with self._filters_lock:
            if self._filters_gen == gen and len(self._filters) < _FILTER_CACHE_SIZE:
                self._filters[key] = bits
        return bits

    # ---- sort / fl / facets ----

    def _parse_sort(self, spec: str) -> list[tuple[str, bool]]:
        out: list[tuple[str, bool]] = []
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            bits = part.split()
            if len(bits) != 2 or bits[1].lower() not in ("asc", "desc"):
                raise SolrError(
                    400, f"Can't determine a Sort Order (asc or desc) in sort spec '{part}'"
                )
            name, desc = bits[0], bits[1].lower() == "desc"
            if name != "score":
                fd = self.schema.field(name)
                if fd is None:
                    raise SolrError(400, f"sort param field can't be found: {name}")
                if fd.multi:
                    raise SolrError(
                        400, f"can not sort on multivalued field: {name} of type: {fd.kind}"
                    )
                if not fd.indexed:
                    raise SolrError(
                        400, f"can not sort on a field w/o docValues unless it is indexed: {name}"
                    )
            out.append((name, desc))
        return out

    def _sorted(
        self,
        idx: Index,
        bits: int,
        scores: np.ndarray | None,
        spec: list[tuple[str, bool]],
        need: int,
    ) -> list[int]:
        """Document numbers of the first `need` matches in `spec` order (ties: index order)."""
        if need <= 0 or not bits:
            return []
        cand = np.flatnonzero(bits_mask(bits, idx.next_docno))
        keys: list[np.ndarray] = []  # most significant first
        for name, desc in spec:
            if name == "score":
                k = scores[cand] if scores is not None else np.zeros(len(cand))
                keys.append(-k if desc else k)
                continue
            fd = self.schema.field(name)
            assert fd is not None
            numeric = fd.kind in (INT, FLOAT, DATE)
            key, present = idx.sort_key(name, numeric)
            k, p = key[cand], present[cand]
            # StrField/BoolField have sortMissingLast; point fields put missing values lowest
            missing = 1 if not numeric else (1 if desc else -1)
            keys.append(np.where(p, 0, missing))
            keys.append(-k if desc else k)
        order = np.lexsort(keys[::-1])  # stable, so equal keys keep index order
        return cand[order[:need]].tolist()

    def _parse_fl(self, fl_params: list[str]) -> set[str]:
        fields: set[str] = set()
        for fl in fl_params:
            fields.update(p for p in fl.replace(",", " ").split() if p)
        return fields or {"*"}

    def _doc(self, idx: Index, d: int, fl: set[str], scores: np.ndarray | None) -> dict[str, Any]:
        prepared = idx.docs[d]
        out: dict[str, Any] = {}
        globs = [f for f in fl if "*" in f or "?" in f]
        if globs:
            names = [
                n for n in prepared if n in fl or any(fnmatch.fnmatchcase(n, g) for g in globs)
            ]
        else:
            names = [n for n in fl if n in prepared]
        for name in names:
            values = prepared[name]
            fd = self.schema.field(name)
            if fd is None or not fd.stored:
                continue
            vals = [_output(fd, v) for v in values]
            out[name] = vals if fd.multi else vals[0]
        if "score" in fl:
            out["score"] = float(scores[d]) if scores is not None else 1.0
        return out

    def _facets(self, idx: Index, params: Params, bits: int) -> dict[str, list[Any]] | None:
        if (_one(params, "facet", "false") or "").lower() not in ("true", "on", "yes"):
            return None
        out: dict[str, list[Any]] = {}
        for name in params.get("facet.field", []):
            name = name.strip()
            if not name or name in out:
                continue
            fd = self.schema.field(name)
            if fd is None:
                raise SolrError(400, f"undefined field {name}")

            def p(key: str, default: str, name: str = name) -> str:
                return (
                    _one(params, f"f.{name}.facet.{key}") or _one(params, f"facet.{key}") or default
                )

            try:
                limit = int(p("limit", "100"))
                mincount = int(p("mincount", "0"))
                offset = int(p("offset", "0"))
            except ValueError as exc:
                raise SolrError(400, f"Invalid facet parameter: {exc}") from None
            sort = p("sort", "count" if limit > 0 else "index").lower()
            out[name] = idx.facet(
                name,
                bits,
                limit=limit,
                mincount=mincount,
                sort=sort,
                offset=offset,
                prefix=_one(params, f"f.{name}.facet.prefix") or _one(params, "facet.prefix"),
                fmt=lambda v, fd=fd: _output(fd, v),
            )
        return out

    # ---- update ----

    def update(self, body: bytes, content_type: str, params: Params) -> dict[str, Any]:
        started = time.perf_counter()
        text = body.decode("utf-8", errors="replace").strip()
        if text:
            ctype = content_type.split(";")[0].strip().lower()
            if ctype.endswith("json") or (not ctype.endswith("xml") and text[:1] in "[{"):
                self._update_json(text)
            else:
                self._update_xml(text)
        return {
            "responseHeader": {"status": 0, "QTime": int((time.perf_counter() - started) * 1000)}
        }

    def _update_json(self, text: str) -> None:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SolrError(400, f"Cannot parse provided JSON: {exc}") from None
        if isinstance(data, list):
            self.add_docs(data)
            return
        if not isinstance(data, dict):
            raise SolrError(400, "Expected a JSON array of documents or an object of commands")
        for cmd, arg in data.items():
            if cmd == "add":
                self.add_docs([arg.get("doc") if isinstance(arg, dict) else arg])
            elif cmd == "delete":
                items = arg if isinstance(arg, list) else [arg]
                for item in items:
                    if isinstance(item, dict) and "query" in item:
                        self.delete_by_query(str(item["query"]))
                    else:
                        ident = item.get("id") if isinstance(item, dict) else item
                        self.delete_by_id([str(ident)])
            elif cmd not in ("commit", "optimize", "rollback"):
                raise SolrError(400, f"Unknown command '{cmd}'")

    def _update_xml(self, text: str) -> None:
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise SolrError(400, f"Unexpected XML in update request: {exc}") from None
        elements = [root] if root.tag != "update" else list(root)
        for el in elements:
            if el.tag == "add":
                docs = []
                for doc_el in el.findall("doc"):
                    doc: dict[str, Any] = {}
                    for f in doc_el.findall("field"):
                        name = f.get("name", "")
                        value = f.text or ""
                        if name in doc:
                            prev = doc[name]
                            doc[name] = (prev if isinstance(prev, list) else [prev]) + [value]
                        else:
                            doc[name] = value
                    docs.append(doc)
                self.add_docs(docs)
            elif el.tag == "delete":
                ids = [i.text or "" for i in el.findall("id")]
                if ids:
                    self.delete_by_id(ids)
                for q in el.findall("query"):
                    self.delete_by_query(q.text or "")
            elif el.tag not in ("commit", "optimize", "rollback"):
                raise SolrError(400, f"Unknown update command <{el.tag}>")

    def add_docs(self, docs: list[Any]) -> None:
        now = _now_ms()
        prepared = []
        for raw in docs:
            try:
                doc = self.schema.prepare(raw, now)
            except SchemaError as exc:
                raise SolrError(400, str(exc)) from None
            key = doc[self.schema.unique_key][0]
            stored_raw = dict(raw)
            stored_raw.setdefault("indexed_ts", format_date(now))
            prepared.append((str(key), stored_raw, doc))
        with self.lock.write():
            for key, raw, doc in prepared:
                self.index.add(key, raw, doc)
            if self.store is not None:
                self.store.put([(k, self.index.by_key[k], r) for k, r, _ in prepared])
            self._maybe_compact()

    def delete_by_id(self, ids: list[str]) -> None:
        with self.lock.write():
            self.index.delete_keys(ids)
            if self.store is not None:
                self.store.delete(ids)

    def delete_by_query(self, q: str) -> None:
        try:
            node = QueryBuilder(self.schema).lucene(q, df="text", default_and=False)
        except QueryError as exc:
            raise SolrError(400, str(exc)) from None
        with self.lock.write():
            keys = self.index.delete_bits(self.index.evaluate(node, False).bits)
            if self.store is not None and keys:
                self.store.delete(keys)

    def _maybe_compact(self) -> None:
        """Renumber documents once deletions leave too many holes (keeps bitmaps short)."""
        idx = self.index
        if idx.next_docno <= 2 * idx.num_docs + 1024:
            return
        fresh = Index(self.schema)
        for d in sorted(idx.docs):
            fresh.add(idx.key_of[d], idx.raw[d], idx.docs[d])
        fresh.generation = idx.generation + 1
        self.index = fresh
        if self.store is not None:
            self.store.put([(k, fresh.by_key[k], fresh.raw[fresh.by_key[k]]) for k in fresh.by_key])

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def _output(fd: FieldDef, v: Any) -> Any:
    if fd.kind == DATE and isinstance(v, int):
        return format_date(v)
    return v


def _now_ms() -> int:
    return int(datetime.now(timezone.utc).timestamp() * 1000)
