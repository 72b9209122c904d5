"""Controlled vocabularies of ckanext-publicservices, loaded once and cached.

Vocabularies (names used by the API and helpers):

``lgsl``          Local Government Service List, ``http://id.esd.org.uk/service/{id}``
``lgfl``          Local Government Function List, ``http://id.esd.org.uk/function/{id}``
``council``       UK councils by current GSS code (former codes resolve to the current one)
``frequency``     EU frequency authority table (+ the UK ``financial-year``)
``data-theme``    EU data theme authority table
``access-right``  EU access right authority table (PUBLIC, RESTRICTED, NON_PUBLIC)
``file-type``     EU file type authority table

Every lookup is served from module-level caches: no database or network call per field or per
render. ``ckan publicservices vocab refresh`` writes newer lists into the directory named by
``ckanext.publicservices.vocabulary_dir``; :func:`clear_caches` makes the next call reload them.
The data files and their licences are described in ``data/ATTRIBUTION.md``.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")

LGSL_URI = "http://id.esd.org.uk/service/{}"
LGFL_URI = "http://id.esd.org.uk/function/{}"
ONS_GEOGRAPHY_URI = "http://statistics.data.gov.uk/id/statistical-geography/{}"
SCOTLAND_GEOGRAPHY_URI = "http://statistics.gov.scot/id/statistical-geography/{}"
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/{}/{}"
# The UK "financial year" frequency has no EU code; it is exported as ANNUAL in RDF.
FINANCIAL_YEAR_URI = "https://github.com/ckan/ckanext-publicservices/vocab/frequency/financial-year"

VOCABULARY_NAMES: tuple[str, ...] = (
    "lgsl",
    "lgfl",
    "council",
    "frequency",
    "data-theme",
    "access-right",
    "file-type",
)

VOCABULARY_LABELS: dict[str, str] = {
    "lgsl": "Local Government Service List (LGSL)",
    "lgfl": "Local Government Function List (LGFL)",
    "council": "UK councils (ONS GSS codes)",
    "frequency": "Update frequency (EU authority table)",
    "data-theme": "Data theme (EU authority table)",
    "access-right": "Access rights (EU authority table)",
    "file-type": "File type (EU authority table)",
}

# data.gov.uk / LGA theme → EU data theme code, for the LGA function/service → theme mapping.
DGU_THEME_TO_EU: dict[str, str] = {
    "Business and economy": "ECON",
    "Crime and justice": "JUST",
    "Defence": "JUST",
    "Education": "EDUC",
    "Environment": "ENVI",
    "Government": "GOVE",
    "Government spending": "GOVE",
    "Health": "HEAL",
    "Mapping": "REGI",
    "Society": "SOCI",
    "Towns and cities": "REGI",
    "Transport": "TRAN",
}

# Words publishers type that the LGSL labels do not use (stemmed, lower case).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "bin": ("waste", "refuse", "recycling"),
    "rubbish": ("waste", "refuse"),
    "trash": ("waste", "refuse"),
    "garbage": ("waste", "refuse"),
    "litter": ("litter", "street"),
    "dump": ("waste", "tipping"),
    "pothole": ("road", "highway"),
    "nndr": ("business", "rate"),
    "ndr": ("business", "rate"),
    "fuel": ("energy", "warm", "fuel"),
    "heating": ("energy", "warm"),
    "insulation": ("energy", "insulation"),
    "career": ("career",),
    "job": ("employment", "job", "career"),
    "youth": ("young",),
    "teenager": ("young",),
    "art": ("art", "culture", "cultural"),
    "museum": ("museum", "heritage"),
    "library": ("library", "libraries"),
    "school": ("school", "education"),
    "wifi": ("internet", "digital", "wireless"),
    "poverty": ("warm", "energy", "poverty", "hardship"),
    "council": ("council",),
}


@dataclass(frozen=True)
class Term:
    """One term of a vocabulary. ``uri`` is what datasets store; ``label`` is what people see."""

    vocabulary: str
    code: str
    uri: str
    label: str
    description: str = ""
    withdrawn: bool = False
    # where the term is exported differently in RDF (financial-year → ANNUAL)
    rdf_uri: str = ""
    # lgfl: parent function codes
    parents: tuple[str, ...] = ()
    # council: extra attributes
    country: str = ""
    council_type: str = ""
    former_codes: tuple[str, ...] = ()
    alt_names: tuple[str, ...] = ()
    end_date: str = ""
    replaced_by: str = ""
    # council: centre point (longitude, latitude; WGS 84) from the register, when plausible
    centroid: tuple[float, float] | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["parents"] = list(self.parents)
        data["former_codes"] = list(self.former_codes)
        data["alt_names"] = list(self.alt_names)
        data["extra"] = dict(self.extra)
        data["centroid"] = list(self.centroid) if self.centroid else None
        data["rdf_uri"] = self.rdf_uri or self.uri
        return data


@dataclass(frozen=True)
class Vocabulary:
    name: str
    label: str
    terms: Mapping[str, Term]
    # other spellings (URI, lower-case code, former code) → code
    aliases: Mapping[str, str]

    def get(self, value: Any) -> Term | None:
        """The term for a code, URI or former code; None when unknown or not a string."""
        if not isinstance(value, str):
            return None
        value = value.strip()
        if not value or len(value) > 500:
            return None
        term = self.terms.get(value)
        if term is not None:
            return term
        code = self.aliases.get(value) or self.aliases.get(value.lower())
        if code is None and value.endswith("/"):
            code = self.aliases.get(value[:-1])
        return self.terms.get(code) if code is not None else None

    def __len__(self) -> int:
        return len(self.terms)


# ------------------------------------------------------------------------------------------
# loading


def vocabulary_dir() -> str | None:
    """Directory holding refreshed vocabulary files (``ckanext.publicservices.vocabulary_dir``)."""
    try:
        from ckan.common import config

        value = config.get("ckanext.publicservices.vocabulary_dir")
    except Exception:  # outside a configured CKAN (pure unit tests, scripts)
        value = None
    return str(value) if value else None


def refreshed_path(name: str) -> str | None:
    directory = vocabulary_dir()
    if not directory:
        return None
    path = os.path.join(directory, f"{name}.csv")
    return path if os.path.exists(path) else None


def _data(filename: str) -> str:
    return os.path.join(DATA_DIR, filename)


def _read_csv(path: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [{(k or ""): (v or "") for k, v in row.items()} for row in csv.DictReader(f)]


def _clean(text: str) -> str:
    return " ".join(text.split())


def _read_refreshed(name: str, path: str) -> dict[str, Term]:
    """A refreshed list in the normalised form written by ``vocab refresh``."""
    terms: dict[str, Term] = {}
    for row in _read_csv(path):
        code = row.get("code", "").strip()
        if not code:
            continue
        base = {"code": code, "uri": row.get("uri") or "", "label": row.get("label", "")}
        extra_json = row.get("extra") or "{}"
        try:
            extra = json.loads(extra_json)
        except ValueError:
            extra = {}
        terms[code] = Term(
            vocabulary=name,
            description=row.get("description", ""),
            withdrawn=row.get("withdrawn", "").lower() == "true",
            parents=tuple(p for p in row.get("parents", "").split() if p),
            country=row.get("country", ""),
            council_type=row.get("council_type", ""),
            former_codes=tuple(p for p in row.get("former_codes", "").split() if p),
            alt_names=tuple(p for p in row.get("alt_names", "").split("|") if p),
            end_date=row.get("end_date", ""),
            replaced_by=row.get("replaced_by", ""),
            centroid=_point(*(row.get("centroid") or "").split()[:2]),
            extra=extra if isinstance(extra, dict) else {},
            **base,
        )
    return terms


def _aliases(terms: Mapping[str, Term]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for code, term in terms.items():
        aliases[code.lower()] = code
        if term.uri:
            aliases[term.uri] = code
            aliases[term.uri.lower()] = code
            if term.uri.startswith("http://"):
                aliases["https://" + term.uri[len("http://") :]] = code
        for former in term.former_codes:
            # a code still in use by a current council wins over a former code
            if former not in terms:
                aliases.setdefault(former, code)
                aliases.setdefault(former.lower(), code)
    return aliases


def _load_lgsl() -> dict[str, Term]:
    path = refreshed_path("lgsl")
    if path:
        return _read_refreshed("lgsl", path)
    return lgsl_from_csv(_data("lgsl_services_okfn_2015.csv"))


def lgsl_from_csv(path: str) -> dict[str, Term]:
    """LGSL terms from an esd-toolkit services CSV (Identifier, Label, Description, …)."""
    rows = _read_csv(path)
    rows = [r for r in rows if r.get("Identifier", "").strip().isdigit()]
    rows.sort(key=lambda r: int(r["Identifier"]))
    return {
        r["Identifier"]: Term(
            vocabulary="lgsl",
            code=r["Identifier"],
            uri=LGSL_URI.format(r["Identifier"]),
            label=_clean(r.get("Label", "")),
            description=_clean(r.get("Description", "")),
        )
        for r in rows
    }


def _load_lgfl() -> dict[str, Term]:
    path = refreshed_path("lgfl")
    if path:
        return _read_refreshed("lgfl", path)
    return lgfl_from_csv(_data("lgfl_functions_okfn_2015.csv"))


def lgfl_from_csv(path: str) -> dict[str, Term]:
    """LGFL terms from an esd-toolkit functions CSV."""
    rows = _read_csv(path)
    rows = [r for r in rows if r.get("Identifier", "").strip().isdigit()]
    rows.sort(key=lambda r: int(r["Identifier"]))
    return {
        r["Identifier"]: Term(
            vocabulary="lgfl",
            code=r["Identifier"],
            uri=LGFL_URI.format(r["Identifier"]),
            label=_clean(r.get("Label", "")),
            description=_clean(r.get("Description", "")),
            parents=tuple(
                p.strip() for p in r.get("Parent identifiers", "").split(";") if p.strip()
            ),
        )
        for r in rows
        if r["Identifier"].strip().isdigit()
    }


def council_uri(gss: str) -> str:
    template = SCOTLAND_GEOGRAPHY_URI if gss.startswith("S") else ONS_GEOGRAPHY_URI
    return template.format(gss)


def _load_councils() -> dict[str, Term]:
    path = refreshed_path("council")
    if path:
        return _read_refreshed("council", path)
    return councils_from_csv(_data("mysociety_uk_local_authorities.csv"))


def _point(longitude: str = "", latitude: str = "") -> tuple[float, float] | None:
    """(longitude, latitude) when both are numbers within the UK's range, else None."""
    try:
        lon, lat = float(longitude), float(latitude)
    except ValueError:
        return None
    if not (-9.0 <= lon <= 2.5 and 49.0 <= lat <= 61.5):  # outside the UK: not a UK centre
        return None
    return (lon, lat)


# An upper-tier council's point further than this from its districts' points is taken as an
# error in the source (mySociety's file puts Kent's in East London and Lancashire's in
# Northamptonshire); such a council's centre is derived from its districts instead.
MAX_COUNTY_POINT_KM = 25.0


def _area(row: dict[str, str]) -> float | None:
    try:
        area = float(row.get("area") or "")
    except ValueError:
        return None
    return area if area > 0 else None


def _county_points_from_districts(rows: list[dict[str, str]]) -> dict[str, tuple[float, float]]:
    """Registry code → a derived centre, for current upper-tier councils whose own point is far
    from their districts'.

    The derived centre is the mean of the current districts' centre points weighted by their
    areas (the centroid of the union of the districts, to within the flattening of degrees over
    a county); a council with a district lacking its point or area gets none.
    """
    districts: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        if r.get("county-la") and r.get("current-authority") == "True":
            districts.setdefault(r["county-la"], []).append(r)
    derived: dict[str, tuple[float, float]] = {}
    for r in rows:
        own = _point(r.get("long", ""), r.get("lat", ""))
        parts = [
            (_point(d.get("long", ""), d.get("lat", "")), _area(d))
            for d in districts.get(r["local-authority-code"], [])
        ]
        if not own or not parts or any(p is None or a is None for p, a in parts):
            continue
        total = sum(a for _p, a in parts)
        lon = sum(p[0] * a for p, a in parts) / total
        lat = sum(p[1] * a for p, a in parts) / total
        km = math.hypot(
            (own[1] - lat) * 111.2, (own[0] - lon) * 111.2 * math.cos(math.radians(lat))
        )
        if km > MAX_COUNTY_POINT_KM:
            derived[r["local-authority-code"]] = (round(lon, 10), round(lat, 10))
    return derived


def councils_from_csv(path: str) -> dict[str, Term]:
    """Council terms from mySociety's uk_local_authorities.csv."""
    rows = _read_csv(path)
    by_registry = {r["local-authority-code"]: r["gss-code"] for r in rows}
    derived_points = _county_points_from_districts(rows)
    terms: dict[str, Term] = {}
    for r in sorted(rows, key=lambda r: r["gss-code"]):
        gss = r["gss-code"].strip()
        if not gss:  # Northern Irish councils abolished before GSS codes
            continue
        alt = tuple(dict.fromkeys(a.strip() for a in r["alt-names"].split(",") if a.strip()))
        centroid = derived_points.get(r["local-authority-code"]) or _point(
            r.get("long", ""), r.get("lat", "")
        )
        terms[gss] = Term(
            vocabulary="council",
            code=gss,
            uri=council_uri(gss),
            label=_clean(r["official-name"]),
            description=_clean(r["nice-name"]),
            withdrawn=r["current-authority"] != "True",
            country=r["nation"],
            council_type=r["local-authority-type-name"],
            former_codes=tuple(c.strip() for c in r["former-gss-codes"].split(",") if c.strip()),
            alt_names=alt,
            end_date=r["end-date"],
            replaced_by=by_registry.get(r["replaced-by"], "") if r["replaced-by"] else "",
            centroid=centroid,
            extra={"registry_code": r["local-authority-code"], "govuk_slug": r["gov-uk-slug"]},
        )
    return terms


def _load_eu(table: str, filename: str) -> dict[str, Term]:
    terms: dict[str, Term] = {}
    for r in _read_csv(_data(filename)):
        code = r["code"].strip()
        if not code or code.startswith("OP_"):  # OP_DATPRO is a publisher-internal code
            continue
        terms[code] = Term(
            vocabulary=table,
            code=code,
            uri=r["uri"] or EU_AUTHORITY.format(table, code),
            label=r["label_en"],
            withdrawn=r["deprecated"].lower() == "true",
        )
    return terms


def _load_frequency() -> dict[str, Term]:
    terms = _load_eu("frequency", "eu_frequency_en.csv")
    terms["financial-year"] = Term(
        vocabulary="frequency",
        code="financial-year",
        uri=FINANCIAL_YEAR_URI,
        label="every financial year (April to March)",
        rdf_uri=EU_AUTHORITY.format("frequency", "ANNUAL"),
    )
    return terms


def _load_access_right() -> dict[str, Term]:
    labels = {
        "PUBLIC": ("Public", "Anyone can access the data (open data)."),
        "RESTRICTED": ("Restricted", "Access needs an agreement, registration or a licence."),
        "NON_PUBLIC": ("Non-public", "Not available outside the publishing organisations."),
    }
    return {
        code: Term(
            vocabulary="access-right",
            code=code,
            uri=EU_AUTHORITY.format("access-right", code),
            label=label,
            description=description,
        )
        for code, (label, description) in labels.items()
    }


_LOADERS = {
    "lgsl": _load_lgsl,
    "lgfl": _load_lgfl,
    "council": _load_councils,
    "frequency": _load_frequency,
    "data-theme": lambda: _load_eu("data-theme", "eu_data-theme_en.csv"),
    "access-right": _load_access_right,
    "file-type": lambda: _load_eu("file-type", "eu_file-type_en.csv"),
}


@functools.cache
def get_vocabulary(name: str) -> Vocabulary:
    """The named vocabulary (see :data:`VOCABULARY_NAMES`); KeyError when unknown."""
    if name not in _LOADERS:
        raise KeyError(name)
    terms = _LOADERS[name]()
    return Vocabulary(
        name=name, label=VOCABULARY_LABELS[name], terms=terms, aliases=_aliases(terms)
    )


def lookup(name: str, value: Any) -> Term | None:
    """A term of vocabulary ``name`` by code, URI or former code (None when unknown)."""
    try:
        return get_vocabulary(name).get(value)
    except KeyError:
        return None


# ------------------------------------------------------------------------------------------
# convenience accessors


def services() -> Mapping[str, Term]:
    return get_vocabulary("lgsl").terms


def service(value: Any) -> Term | None:
    """An LGSL service by number (``"524"``) or URI."""
    return get_vocabulary("lgsl").get(value)


def functions() -> Mapping[str, Term]:
    return get_vocabulary("lgfl").terms


def function(value: Any) -> Term | None:
    return get_vocabulary("lgfl").get(value)


def councils() -> Mapping[str, Term]:
    return get_vocabulary("council").terms


def council(value: Any) -> Term | None:
    """A council by current or former GSS code, or by its geography URI."""
    return get_vocabulary("council").get(value)


def council_centroid(value: Any) -> tuple[float, float] | None:
    """A council's centre point (longitude, latitude; WGS 84); None when the register has none."""
    term = get_vocabulary("council").get(value)
    return term.centroid if term else None


def current_gss(value: Any) -> str | None:
    """The current GSS code for a current or former code (None when unknown)."""
    term = council(value)
    return term.code if term else None


def frequencies() -> Mapping[str, Term]:
    return get_vocabulary("frequency").terms


def data_themes() -> Mapping[str, Term]:
    return get_vocabulary("data-theme").terms


def access_rights() -> Mapping[str, Term]:
    return get_vocabulary("access-right").terms


def file_types() -> Mapping[str, Term]:
    return get_vocabulary("file-type").terms


def access_right_uri(code: str) -> str:
    return EU_AUTHORITY.format("access-right", code)


@functools.lru_cache(maxsize=1)
def _hierarchy() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(function code → service codes, service code → function codes) from the esd hierarchy."""
    root = ET.parse(_data("functions_services_hierarchy.xml")).getroot()
    by_function: dict[str, list[str]] = {}
    by_service: dict[str, list[str]] = {}
    for fn in root.iter("Function"):
        fcode = (fn.findtext("Identifier") or "").strip()
        services_el = fn.find("Services")
        if not fcode or services_el is None:
            continue
        for svc in services_el.findall("Service"):
            scode = (svc.findtext("Identifier") or "").strip()
            if scode:
                by_function.setdefault(fcode, []).append(scode)
                by_service.setdefault(scode, []).append(fcode)
    return (
        {k: tuple(dict.fromkeys(v)) for k, v in by_function.items()},
        {k: tuple(dict.fromkeys(v)) for k, v in by_service.items()},
    )


def _code(vocab: str, value: Any) -> str | None:
    term = lookup(vocab, value)
    return term.code if term else None


def functions_for_service(value: Any) -> list[Term]:
    """The LGFL functions a service (code or URI) sits under."""
    code = _code("lgsl", value)
    if code is None:
        return []
    fns = get_vocabulary("lgfl").terms
    return [fns[c] for c in _hierarchy()[1].get(code, ()) if c in fns]


def services_for_function(value: Any) -> list[Term]:
    code = _code("lgfl", value)
    if code is None:
        return []
    svcs = get_vocabulary("lgsl").terms
    return [svcs[c] for c in _hierarchy()[0].get(code, ()) if c in svcs]


def function_uris_for_services(values: Iterable[Any]) -> list[str]:
    """LGFL URIs derived from LGSL services (order kept, no duplicates)."""
    out: dict[str, None] = {}
    for value in values:
        for fn in functions_for_service(value):
            out[fn.uri] = None
    return list(out)


@functools.lru_cache(maxsize=1)
def _dgu_themes() -> dict[str, dict[str, tuple[str, ...]]]:
    with open(_data("service_function_themes.json"), encoding="utf-8") as f:
        raw = json.load(f)
    return {
        kind: {str(k): tuple(v) for k, v in (raw.get(kind) or {}).items()}
        for kind in ("services", "functions")
    }


def dgu_themes(value: Any, kind: str = "lgsl") -> tuple[str, ...]:
    """The LGA/data.gov.uk themes (e.g. "Environment") of a service or function."""
    code = _code(kind, value)
    if code is None:
        return ()
    table = _dgu_themes()["services" if kind == "lgsl" else "functions"]
    return table.get(code, ())


def eu_theme_uris(services_: Iterable[Any] = (), functions_: Iterable[Any] = ()) -> list[str]:
    """EU data-theme URIs for LGSL services and LGFL functions, via the LGA theme mapping."""
    out: dict[str, None] = {}
    pairs = [("lgsl", v) for v in services_] + [("lgfl", v) for v in functions_]
    for kind, value in pairs:
        for theme in dgu_themes(value, kind):
            code = DGU_THEME_TO_EU.get(theme)
            if code:
                out[EU_AUTHORITY.format("data-theme", code)] = None
    return list(out)


@functools.lru_cache(maxsize=1)
def key_services() -> dict[str, tuple[int, str]]:
    """Services relevant to the stimulus-fund topics: code → (rank, topic)."""
    out: dict[str, tuple[int, str]] = {}
    for i, r in enumerate(_read_csv(_data("lgsl_key_services_for_stimulus_topics.csv"))):
        out.setdefault(r["lgsl_id"].strip(), (i, r["topic"]))
    return out


@functools.lru_cache(maxsize=1)
def _govuk_labels() -> dict[str, str]:
    rows = _read_csv(_data("govuk_publisher_local_services_tier.csv"))
    return {r["LGSL"].strip(): r["Description"] for r in rows}


# ------------------------------------------------------------------------------------------
# search (autocomplete)

_WORD = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _tokens(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower())]


@dataclass(frozen=True)
class _Entry:
    term: Term
    label_tokens: frozenset[str]
    other_tokens: frozenset[str]
    codes: tuple[str, ...]
    rank: int


@functools.cache
def _search_index(name: str) -> tuple[_Entry, ...]:
    vocab = get_vocabulary(name)
    keys = key_services() if name == "lgsl" else {}
    govuk = _govuk_labels() if name == "lgsl" else {}
    entries = []
    for term in vocab.terms.values():
        other = " ".join((govuk.get(term.code, ""), " ".join(term.alt_names), term.description))
        if name != "council":
            # descriptions are long; only the first sentence helps a search
            other = " ".join((govuk.get(term.code, ""), term.description.split(".")[0]))
        entries.append(
            _Entry(
                term=term,
                label_tokens=frozenset(_tokens(term.label)),
                other_tokens=frozenset(_tokens(other)),
                codes=(term.code.lower(), *(c.lower() for c in term.former_codes)),
                rank=keys[term.code][0] if term.code in keys else 10_000,
            )
        )
    return tuple(entries)


def _matcher(name: str, word: str) -> tuple[frozenset[str], frozenset[str]]:
    """(label tokens, other tokens) of the vocabulary that ``word`` prefixes."""
    labels, others = _all_tokens(name)
    return (
        frozenset(t for t in labels if t.startswith(word)) if len(word) >= 2 else frozenset({word}),
        frozenset(t for t in others if t.startswith(word)) if len(word) >= 3 else frozenset({word}),
    )


@functools.cache
def _all_tokens(name: str) -> tuple[frozenset[str], frozenset[str]]:
    entries = _search_index(name)
    return (
        frozenset(t for e in entries for t in e.label_tokens),
        frozenset(t for e in entries for t in e.other_tokens),
    )


def _word_score(entry: _Entry, word: str, match: tuple[frozenset[str], frozenset[str]]) -> float:
    if word in entry.label_tokens:
        return 3.0
    if entry.label_tokens & match[0]:
        return 2.0
    if word in entry.other_tokens:
        return 1.0
    if entry.other_tokens & match[1]:
        return 0.5
    return 0.0


def search(name: str, query: Any, limit: int = 10, include_withdrawn: bool = False) -> list[Term]:
    """Terms of vocabulary ``name`` matching ``query`` by words or by code, best first.

    Words match labels (and, more weakly, alternative names and descriptions) by prefix, with a
    small synonym list ("bins" → waste); a number or code matches the term's code. Every word must
    match. Unknown vocabularies and empty queries give an empty list.
    """
    if name not in _LOADERS or not isinstance(query, str):
        return []
    query = query.strip()[:200]
    if not query:
        return []
    limit = max(1, min(int(limit), 100))
    code_query = query.lower().replace(" ", "")
    words = list(dict.fromkeys(_tokens(query)))[:10]
    matchers = {w: _matcher(name, w) for w in words for w in (w, *SYNONYMS.get(w, ()))}
    scored: list[tuple[float, int, int, str, Term]] = []
    for entry in _search_index(name):
        term = entry.term
        if term.withdrawn and not include_withdrawn and name != "council":
            continue
        score = 0.0
        if code_query in entry.codes:
            score = 100.0
        elif any(c.startswith(code_query) for c in entry.codes) and any(
            ch.isdigit() for ch in code_query
        ):
            score = 50.0
        else:
            total = 0.0
            for word in words:
                best = _word_score(entry, word, matchers[word])
                for alt in SYNONYMS.get(word, ()):
                    best = max(best, 0.8 * _word_score(entry, alt, matchers[alt]))
                if best == 0.0:
                    total = 0.0
                    break
                total += best
            score = total
        if score <= 0:
            continue
        if entry.rank < 10_000:
            score += 1.5
        if term.withdrawn:
            score -= 1.0
        scored.append((-score, entry.rank, len(term.label), term.label, term))
    scored.sort(key=lambda s: s[:4])
    return [s[4] for s in scored[:limit]]


def clear_caches() -> None:
    """Forget every loaded vocabulary (after ``vocab refresh``)."""
    get_vocabulary.cache_clear()
    _search_index.cache_clear()
    _all_tokens.cache_clear()
    _hierarchy.cache_clear()
    _dgu_themes.cache_clear()
    key_services.cache_clear()
    _govuk_labels.cache_clear()


__all__ = [
    "VOCABULARY_NAMES",
    "Term",
    "Vocabulary",
    "access_right_uri",
    "access_rights",
    "clear_caches",
    "council",
    "council_centroid",
    "council_uri",
    "councils_from_csv",
    "lgfl_from_csv",
    "lgsl_from_csv",
    "councils",
    "current_gss",
    "data_themes",
    "dgu_themes",
    "eu_theme_uris",
    "file_types",
    "frequencies",
    "function",
    "function_uris_for_services",
    "functions",
    "functions_for_service",
    "get_vocabulary",
    "key_services",
    "lookup",
    "search",
    "service",
    "services",
    "services_for_function",
]
