"""Schema model: CKAN's own schema.xml, field resolution and strict document validation.

Mirrors what Solr does on `/update`: dynamic-field precedence (longest pattern wins), non-chained
copyFields, required fields and defaults, and strict typing — a value Solr would reject is rejected
here too (HTTP 400), so that indexing bugs surface in tests as they would in production.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = [
    "FieldDef",
    "Schema",
    "SchemaError",
    "ckan_schema_path",
    "format_date",
    "parse_date",
    "load_schema",
]

# Field-type kinds the rest of the service understands.
STRING, TEXT, TEXT_GENERAL, TEXT_NGRAM, INT, FLOAT, DATE, BOOLEAN, BINARY = (
    "string",
    "text",
    "text_general",
    "text_ngram",
    "int",
    "float",
    "date",
    "boolean",
    "binary",
)
ANALYSED = frozenset({TEXT, TEXT_GENERAL, TEXT_NGRAM})

_CLASS_KIND = {
    "solr.StrField": STRING,
    "solr.BoolField": BOOLEAN,
    "solr.BinaryField": BINARY,
    "solr.IntPointField": INT,
    "solr.LongPointField": INT,
    "solr.FloatPointField": FLOAT,
    "solr.DoublePointField": FLOAT,
    "solr.DatePointField": DATE,
}


class SchemaError(ValueError):
    """A document Solr would reject (reported as HTTP 400)."""


@dataclass(frozen=True)
class FieldDef:
    name: str
    kind: str  # one of the kinds above
    multi: bool
    stored: bool
    indexed: bool
    required: bool = False
    default: str | None = None


def ckan_schema_path() -> Path:
    """The schema.xml shipped inside the installed `ckan` package (found without importing CKAN)."""
    import importlib.util

    spec = importlib.util.find_spec("ckan")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the ckan package is not installed; cannot read its schema.xml")
    return Path(list(spec.submodule_search_locations)[0]) / "config" / "solr" / "schema.xml"


# ISO-8601 instant; Solr (Java's ISO_INSTANT) also accepts a numeric offset instead of `Z`
_DATE_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$"
)


def parse_date(value: str) -> int:
    """Solr's ISO-8601 UTC form → milliseconds since the epoch (SchemaError when invalid)."""
    m = _DATE_RE.match(value.strip())
    if not m:
        raise SchemaError(f"Invalid Date String:'{value}'")
    y, mo, d, h, mi, s, frac, zone = m.groups()
    try:
        dt = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=timezone.utc)
    except ValueError as exc:
        raise SchemaError(f"Invalid Date String:'{value}'") from exc
    ms = int((frac or "0").ljust(3, "0")[:3])
    offset = 0
    if zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * (int(digits[:2]) * 60 + int(digits[2:])) * 60_000
    return int(dt.timestamp()) * 1000 + ms - offset


def format_date(ms: int) -> str:
    """Milliseconds → `YYYY-MM-DDTHH:MM:SS.mmmZ`, without the fraction when it is zero (as Solr)."""
    secs, frac = divmod(ms, 1000)
    dt = datetime.fromtimestamp(secs, tz=timezone.utc)
    base = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.year < 1000:
        base = f"{dt.year:04d}" + base[len(str(dt.year)) :]
    return f"{base}.{frac:03d}Z" if frac else f"{base}Z"


class Schema:
    """Fields, dynamic fields and copyFields of one schema.xml."""

    def __init__(self, xml_text: str) -> None:
        self.xml_text = xml_text
        root = ET.fromstring(xml_text)
        self.name = root.get("name", "")
        kinds: dict[str, tuple[str, bool]] = {}
        for ft in root.iter():
            if ft.tag.lower() != "fieldtype":
                continue
            cls = ft.get("class", "")
            kind = _CLASS_KIND.get(cls)
            if kind is None and cls == "solr.TextField":
                kind = ft.get("name", TEXT) if ft.get("name") in ANALYSED else TEXT
            kinds[ft.get("name", "")] = (kind or STRING, ft.get("multiValued") == "true")
        self.fields: dict[str, FieldDef] = {}
        self.dynamic: list[tuple[str, FieldDef]] = []  # (pattern, def), longest pattern first
        for el in root.iter("field"):
            self.fields[el.get("name", "")] = self._def(el, kinds)
        for el in root.iter("dynamicField"):
            self.dynamic.append((el.get("name", ""), self._def(el, kinds)))
        self.dynamic.sort(key=lambda p: -len(p[0]))
        self.copy_fields: list[tuple[str, str]] = [
            (el.get("source", ""), el.get("dest", "")) for el in root.iter("copyField")
        ]
        self.unique_key = (root.findtext("uniqueKey") or "id").strip()
        self._cache: dict[str, FieldDef | None] = {}
        self._copy_cache: dict[str, list[str]] = {}

    @staticmethod
    def _def(el: ET.Element, kinds: dict[str, tuple[str, bool]]) -> FieldDef:
        kind, type_multi = kinds.get(el.get("type", "string"), (STRING, False))
        multi = el.get("multiValued")
        return FieldDef(
            name=el.get("name", ""),
            kind=kind,
            multi=(multi == "true") if multi is not None else type_multi,
            stored=el.get("stored", "true") == "true",
            indexed=el.get("indexed", "true") == "true",
            required=el.get("required") == "true",
            default=el.get("default"),
        )

    def field(self, name: str) -> FieldDef | None:
        """The definition of a concrete field name (static first, then longest dynamic pattern)."""
        if name in self._cache:
            return self._cache[name]
        fd = self.fields.get(name)
        if fd is None:
            for pattern, dyn in self.dynamic:
                if _glob_match(pattern, name):
                    fd = FieldDef(name, dyn.kind, dyn.multi, dyn.stored, dyn.indexed)
                    break
        self._cache[name] = fd
        return fd

    def copy_targets(self, name: str) -> list[str]:
        targets = self._copy_cache.get(name)
        if targets is None:
            targets = [d for s, d in self.copy_fields if _glob_match(s, name) and d != name]
            self._copy_cache[name] = targets
        return targets

    # ---- document preparation -------------------------------------------------------------

    def prepare(self, doc: Any, now_ms: int) -> dict[str, list[Any]]:
        """Validate a JSON document → {field: [typed values]} including copyField targets."""
        if not isinstance(doc, dict):
            raise SchemaError("Document must be a JSON object")
        out: dict[str, list[Any]] = {}
        for name, raw in doc.items():
            if not isinstance(name, str) or not name:
                raise SchemaError("Document contains an empty field name")
            fd = self.field(name)
            if fd is None:
                raise SchemaError(f"ERROR: [doc={doc.get(self.unique_key)}] unknown field '{name}'")
            values = raw if isinstance(raw, list) else [raw]
            kept = [v for v in values if v is not None and not (isinstance(v, str) and v == "")]
            if not kept:
                continue  # dropped like Solr's RemoveBlankFieldUpdateProcessor
            if not fd.multi and (isinstance(raw, list) and len(kept) > 1):
                raise SchemaError(
                    f"ERROR: [doc={doc.get(self.unique_key)}] multiple values encountered for non "
                    f"multiValued field {name}: {kept!r}"
                )
            typed = [self.convert(fd, v) for v in kept]
            out.setdefault(name, []).extend(typed)
        for fd in self.fields.values():
            if fd.name not in out and fd.default is not None:
                out[fd.name] = [now_ms if fd.default == "NOW" else self.convert(fd, fd.default)]
            if fd.required and fd.name not in out:
                raise SchemaError(
                    f"[doc={doc.get(self.unique_key)}] missing required field: {fd.name}"
                )
        # copyFields read only the values sent (Solr never chains them: `url → urls → text` stops
        # at `urls`); a date is copied in its Solr string form
        originals = [(name, self.field(name), list(values)) for name, values in out.items()]
        for name, sfd, values in originals:
            for dest in self.copy_targets(name):
                dfd = self.field(dest)
                if dfd is None:
                    continue
                if sfd is not None and sfd.kind == DATE:
                    values = [format_date(v) for v in values]
                out.setdefault(dest, []).extend(self.convert(dfd, v) for v in values)
        return out

    @staticmethod
    def convert(fd: FieldDef, v: Any) -> Any:
        """One raw JSON value → the typed value stored for `fd` (SchemaError like Solr's)."""
        if isinstance(v, (dict, list)):
            raise SchemaError(
                f"ERROR: Error adding field '{fd.name}'='{v}' msg=nested or atomic-update values "
                "are not supported"
            )
        kind = fd.kind
        if kind in (STRING, TEXT, TEXT_GENERAL, TEXT_NGRAM, BINARY):
            if isinstance(v, bool):
                return "true" if v else "false"
            if isinstance(v, float) and v.is_integer():
                return repr(v)
            return str(v)
        if kind == INT:
            if isinstance(v, bool):
                raise SchemaError(
                    f"ERROR: Error adding field '{fd.name}'='{v}' msg=For input string"
                )
            try:
                return int(v) if isinstance(v, int) else int(str(v).strip())
            except ValueError:
                raise SchemaError(
                    f"ERROR: Error adding field '{fd.name}'='{v}' msg=For input string: \"{v}\""
                ) from None
        if kind == FLOAT:
            try:
                f = float(v)
            except (TypeError, ValueError):
                raise SchemaError(
                    f"ERROR: Error adding field '{fd.name}'='{v}' msg=For input string: \"{v}\""
                ) from None
            if math.isnan(f):
                raise SchemaError(f"ERROR: Error adding field '{fd.name}'='{v}' msg=NaN")
            return f
        if kind == BOOLEAN:
            return v if isinstance(v, bool) else str(v).strip().lower() == "true"
        if kind == DATE:
            if isinstance(v, int) and not isinstance(v, bool):
                return v
            if not isinstance(v, str):
                raise SchemaError(f"ERROR: Error adding field '{fd.name}'='{v}' msg=Invalid Date")
            if v.strip().upper() == "NOW":
                return int(datetime.now(timezone.utc).timestamp() * 1000)
            try:
                return parse_date(v)
            except SchemaError as exc:
                raise SchemaError(
                    f"ERROR: Error adding field '{fd.name}'='{v}' msg={exc}"
                ) from None
        return v


def _glob_match(pattern: str, name: str) -> bool:
    """Solr dynamic-field patterns have a single `*` at the start or the end."""
    if pattern == "*":
        return True
    if pattern.startswith("*"):
        return name.endswith(pattern[1:])
    if pattern.endswith("*"):
        return name.startswith(pattern[:-1])
    return pattern == name


def load_schema(path: Path | None = None) -> Schema:
    return Schema((path or ckan_schema_path()).read_text(encoding="utf-8"))
