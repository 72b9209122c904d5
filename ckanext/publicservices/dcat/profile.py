"""RDF profiles of ckanext-publicservices.

``PublicservicesProfile`` (entry point ``publicservices``) runs after ``euro_dcat_ap_3`` and maps
the service-redesign fields to DCAT-AP 3 and the project vocabulary (``ps:``, see
:mod:`ckanext.publicservices.dcat.vocab`); its ``parse_dataset`` maps them back so that
serialise → parse gives the same field values. The mapping table is in the README ("DCAT").

``LinearEuropeanDCATAP3Profile`` is the stock ``euro_dcat_ap_3`` with one change: the
``dcat:byteSize`` datatype fix-up looks at the current dataset's distributions instead of every
``dcat:byteSize`` triple in the graph, which made a catalog page O(n²). The project's serializer
(:mod:`ckanext.publicservices.dcat.serializer`) uses it in place of the stock class.
"""

from __future__ import annotations

import datetime
import functools
import json
import logging
import re
import time
import weakref
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import DCAT, DCT, FOAF, SPDX, RDFProfile
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile
from ckanext.dcat.utils import catalog_uri, publisher_uri_organization_fallback
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from ckanext.publicservices.dcat import geometry, vocab
from ckanext.publicservices.dcat.writers import valid_iri
from ckanext.publicservices.logic.isolation import SharedStamp
from ckanext.publicservices.vocabularies import hierarchy
from ckanext.publicservices.vocabularies import model as vocab_model
from ckanext.publicservices.vocabularies import terms as vocab_terms

log = logging.getLogger(__name__)

PROV = Namespace("http://www.w3.org/ns/prov#")
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
EU_THEME_SCHEME = URIRef("http://publications.europa.eu/resource/authority/data-theme")
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
LGSL_SCHEME = URIRef("http://id.esd.org.uk/list/services")
LGFL_SCHEME = URIRef("http://id.esd.org.uk/list/functions")
LGSL_PREFIX = "http://id.esd.org.uk/service/"
LGFL_PREFIX = "http://id.esd.org.uk/function/"
GEOGRAPHY_PREFIXES = (
    "http://statistics.data.gov.uk/id/statistical-geography/",
    "http://statistics.gov.scot/id/statistical-geography/",
)
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

# organisation ``kind`` → ADMS publisher type
PUBLISHER_TYPES = {
    "consortium": "LocalAuthority",
    "local-authority": "LocalAuthority",
    "local authority": "LocalAuthority",
    "service-design-agency": "Company",
    "service-design agency": "Company",
    "digital-agency": "Company",
    "digital agency": "Company",
}

PUBLISHER_TYPE_LABELS = {"LocalAuthority": "Local Authority", "Company": "Company"}
ADMS_PUBLISHER_SCHEME = URIRef("http://purl.org/adms/publishertype/1.0")
OGL_3 = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
ATTRIBUTION = URIRef("http://purl.org/adms/licencetype/Attribution")
UNKNOWN_IPR = URIRef("http://purl.org/adms/licencetype/UnknownIPR")
EU_AVAILABILITY = "http://publications.europa.eu/resource/authority/planned-availability/"
DCATAP = Namespace("http://data.europa.eu/r5r/")

# SPDX checksum algorithms DCAT-AP names, by the length of their hex digest
CHECKSUM_HEX_LENGTHS = {
    "md5": 32,
    "sha1": 40,
    "sha224": 56,
    "sha256": 64,
    "sha384": 96,
    "sha512": 128,
}
_ALGORITHM_BY_LENGTH = {n: algo for algo, n in CHECKSUM_HEX_LENGTHS.items()}
SPDX_ALGORITHM = "http://spdx.org/rdf/terms#checksumAlgorithm_"
_HEX = re.compile(r"[0-9A-Fa-f]+")
# an IANA media type without its parameters (RFC 6838 names)
_MEDIA_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_MEDIA_TYPE = re.compile(f"{_MEDIA_NAME}/{_MEDIA_NAME}")


def checksum(value: Any, algorithm: Any = None) -> tuple[str, str] | None:
    """(SPDX algorithm name, lower-case hex) of a stored hash, or None when it is not one.

    CKAN stores an upload's hash as ``<algo>:<hex>`` (``sha256:…``); a plain hex digest takes
    its algorithm from ``algorithm`` (a name or an SPDX IRI) or, failing that, from its length.
    """
    text = str(value or "").strip()
    named = None
    if ":" in text and not text.lower().startswith("http"):
        named, text = text.split(":", 1)
    elif algorithm:
        named = str(algorithm).strip()
        if named.startswith(SPDX_ALGORITHM):
            named = named[len(SPDX_ALGORITHM) :]
    if not _HEX.fullmatch(text):
        return None
    if named is None:
        algo = _ALGORITHM_BY_LENGTH.get(len(text))
    else:
        algo = named.lower().replace("-", "").replace("_", "")
    if algo is None or CHECKSUM_HEX_LENGTHS.get(algo) != len(text):
        return None
    return algo, text.lower()


def media_type(value: str) -> str | None:
    """The IANA ``type/subtype`` of a media type (parameters dropped), or None."""
    text = str(value).split(";", 1)[0].strip().lower()
    if text.startswith(IANA_MEDIA_TYPES):
        text = text[len(IANA_MEDIA_TYPES) :]
    return text if _MEDIA_TYPE.fullmatch(text) else None


# terms looked up per distribution (a Namespace attribute is a new URIRef on every access)
_MEDIA_TYPE_P = DCAT.mediaType
_MEDIA_TYPE_CLASS = DCT.MediaType
_ACCESS_URL = DCAT.accessURL
_URL_PREDICATES = (_ACCESS_URL, DCAT.downloadURL)
_AVAILABILITY = DCATAP.availability

# fragment of the distribution standing for a dataset's page when it has no other
PORTAL_PAGE = "#portal-page"

# ISO 639-1 → EU language authority table (DCAT-AP wants IRIs for dct:language)
LANGUAGES = {"en": "ENG", "cy": "CYM", "gd": "GLA", "ga": "GLE"}


# ------------------------------------------------------------------------------------------
# consortium lookups: one organization_show per consortium, not per dataset

_CONSORTIUM_TTL = 60.0
_consortia: dict[str, tuple[float, dict[str, Any]]] = {}


# organisation writes in any process void every process's copies
_CONSORTIA_STAMP = SharedStamp("consortia")


def _sync_consortia() -> None:
    if not _CONSORTIA_STAMP.valid():
        _consortia.clear()


def remember_consortium(org_dict: dict[str, Any]) -> None:
    """Put an organisation dict in the cache (the serializer primes it once per page)."""
    _sync_consortia()
    now = time.monotonic()
    for key in (org_dict.get("id"), org_dict.get("name")):
        if key:
            _consortia[key] = (now, org_dict)


def consortium(org_id: str, *, checked: bool = False) -> dict[str, Any] | None:
    """The organisation's dict, cached; ``checked``: the caller has already compared the
    cache's stamp in this unit of work (a graph), so no Redis read here."""
    if not checked:
        _sync_consortia()
    hit = _consortia.get(org_id)
    if hit and time.monotonic() - hit[0] < _CONSORTIUM_TTL:
        return hit[1]
    try:
        org = tk.get_action("organization_show")(
            {"ignore_auth": True},
            {"id": org_id, "include_datasets": False, "include_users": False},
        )
    except (tk.ObjectNotFound, KeyError):
        return None
    remember_consortium(org)
    return org


def forget_consortia() -> None:
    _consortia.clear()
    _CONSORTIA_STAMP.bump()


# marks, among a graph's described nodes, that the consortia stamp was compared for it
_CONSORTIA_CHECKED = ("publicservices", "consortia stamp checked")

# graph → nodes already described in it (see PublicservicesProfile._first_time)
_DESCRIBED: weakref.WeakKeyDictionary[Any, set[Any]] = weakref.WeakKeyDictionary()


# graph → {dataset type: its scheming schema}: looked up once per graph (a catalog page), not
# once per profile and dataset as RDFProfile.__init__ does (an action call each time)
_SCHEMAS: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


class _SchemaOncePerGraph(RDFProfile):
    """RDFProfile whose scheming schema lookup is made once per graph and dataset type."""

    def __init__(
        self, graph: Graph, dataset_type: str = "dataset", compatibility_mode: bool = False
    ) -> None:
        try:
            schemas = _SCHEMAS.get(graph)
            if schemas is None:
                schemas = _SCHEMAS[graph] = {}
        except TypeError:  # a graph that cannot be weakly referenced
            schemas = {}
        if dataset_type not in schemas:
            super().__init__(graph, dataset_type, compatibility_mode)
            schemas[dataset_type] = getattr(self, "_dataset_schema", None)
            return
        # what RDFProfile.__init__ sets, with the schema it found for this graph before
        self.g = graph
        self.compatibility_mode = compatibility_mode
        self._default_lang = tk.config.get("ckan.locale_default", "en")
        self._default_locale_lang = None
        schema = schemas[dataset_type]
        if schema:
            self._dataset_schema = schema
            self._form_languages = schema.get("form_languages")


# ------------------------------------------------------------------------------------------


class _DatasetScopedGraph:
    """Stands in for the graph while the stock v3 code runs for one dataset.

    Everything is delegated to the real graph except the ``(None, dcat:byteSize, None)`` pattern,
    which is answered from the current dataset's distributions only.
    """

    def __init__(self, graph: Graph, dataset_ref: URIRef) -> None:
        self._graph = graph
        self._dataset_ref = dataset_ref

    def triples(self, pattern: tuple[Any, Any, Any]) -> Iterator[tuple[Any, Any, Any]]:
        s, p, o = pattern
        if s is None and p == DCAT.byteSize:
            found: list[tuple[Any, Any, Any]] = []
            for dist in self._graph.objects(self._dataset_ref, DCAT.distribution):
                found.extend(self._graph.triples((dist, p, o)))
            return iter(found)
        return self._graph.triples(pattern)

    def __contains__(self, triple: Any) -> bool:
        return triple in self._graph

    def __iter__(self) -> Iterator[Any]:
        return iter(self._graph)

    def __len__(self) -> int:
        return len(self._graph)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._graph, name)


# CKAN's own timestamps (metadata_created/modified, resource created/last_modified)
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")


class LinearEuropeanDCATAP3Profile(_SchemaOncePerGraph, EuropeanDCATAP3Profile):
    """``euro_dcat_ap_3`` without the whole-graph ``dcat:byteSize`` scan per dataset."""

    def _add_date_triple(
        self, subject: Any, predicate: Any, value: Any, _type: Any = Literal
    ) -> None:
        # the stock method runs dateutil's parser (~0.05 ms) on every timestamp; CKAN's ISO
        # timestamps give the same xsd:dateTime through the C parser. Anything else (and any
        # invalid date) takes the stock path.
        if isinstance(value, str) and _ISO_DATETIME.fullmatch(value):
            try:
                parsed = datetime.datetime.fromisoformat(value)
            except ValueError:
                pass
            else:
                self.g.add((subject, predicate, _type(parsed.isoformat(), datatype=XSD.dateTime)))
                return
        super()._add_date_triple(subject, predicate, value, _type)

    def _graph_from_dataset_v3(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        graph = self.g
        self.g = _DatasetScopedGraph(graph, dataset_ref)  # type: ignore[assignment]
        try:
            super()._graph_from_dataset_v3(dataset_dict, dataset_ref)
        finally:
            self.g = graph


_COUNCIL_SPATIAL_KEYS = frozenset(
    {"spatial_uri", "spatial_text", "spatial_centroid", "spatial_bbox", "spatial"}
)


def _as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            loaded = json.loads(value)
        except ValueError:
            return [value]
        return loaded if isinstance(loaded, list) else [loaded]
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


@functools.cache
def _codes(field: Any) -> frozenset[str]:
    return frozenset(code for code, _label in field.values)


def _slug(value: str) -> str:
    return "-".join(value.lower().replace("_", " ").split())


class PublicservicesProfile(_SchemaOncePerGraph):
    """The service-redesign fields in DCAT-AP 3 (layered on ``euro_dcat_ap_3``)."""

    # -------------------------------------------------------------------- serialise

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        g = self.g
        ns_uri = vocab.namespace()
        ps = Namespace(ns_uri)
        g.bind("ps", ps)
        g.bind("prov", PROV)

        self._themes(dataset_dict, dataset_ref)
        self._areas(dataset_dict, dataset_ref)
        self._frequency(dataset_dict, dataset_ref, ps)
        self._languages(dataset_ref)
        for conforms in g.objects(dataset_ref, DCT.conformsTo):
            if self._first_time(conforms):
                g.add((conforms, RDF.type, DCT.Standard))
        self._access_rights(dataset_ref)
        self._publisher(dataset_dict, dataset_ref, ps)
        self._fix_qualified_attribution(dataset_ref)

        for f in vocab.CHOICE_FIELDS:
            for value in (
                _as_list(dataset_dict.get(f.field)) if f.multiple else [dataset_dict.get(f.field)]
            ):
                if value in (None, ""):
                    continue
                code = str(value)
                obj = f.concept(ns_uri, code) if code in _codes(f) else Literal(code)
                g.add((dataset_ref, ps[f.prop], obj))
        for t in vocab.TEXT_FIELDS:
            value = dataset_dict.get(t.field)
            if value in (None, ""):
                continue
            for text in _as_list(value) if t.multiple else [value]:
                if text not in (None, ""):
                    g.add((dataset_ref, ps[t.prop], Literal(str(text))))
        for r in vocab.RECORD_FIELDS:
            for item in _as_list(dataset_dict.get(r.field)):
                if not isinstance(item, dict) or not any(item.get(s) for s, _, _ in r.subfields):
                    continue
                node = BNode()
                g.add((dataset_ref, ps[r.prop], node))
                g.add((node, RDF.type, ps[r.cls]))
                for sub, local, _label in r.subfields:
                    if item.get(sub) not in (None, ""):
                        g.add((node, ps[local], Literal(str(item[sub]))))

        if (dataset_ref, DCT.description, None) not in g:
            # DCAT-AP makes dct:description mandatory; the schemas let a dataset be saved without
            # one, so its title stands in (see the README, "DCAT")
            g.add(
                (
                    dataset_ref,
                    DCT.description,
                    Literal(str(dataset_dict.get("title") or dataset_dict.get("name") or "")),
                )
            )

        kind = vocab.DATASET_TYPES.get(dataset_dict.get("type") or "dataset")
        if kind:
            concept = ps[kind[0]]
            g.add((dataset_ref, DCT.type, concept))
            g.add((concept, RDF.type, SKOS.Concept))
            g.add((concept, SKOS.prefLabel, Literal(kind[1], lang="en")))
            g.add((concept, SKOS.inScheme, ps["DatasetTypes"]))

        license_url = valid_iri(dataset_dict.get("license_url") or "")
        license_ref = URIRef(license_url) if license_url else None
        distributions = list(g.objects(dataset_ref, DCAT.distribution))
        for distribution in distributions:
            self._distribution(distribution, license_ref)  # type: ignore[arg-type]
        if not distributions:
            if license_ref is not None:
                # DCAT-AP puts licences on distributions; a dataset without any (a design
                # pattern, a learning resource) states its own so that it is not lost
                g.add((dataset_ref, DCT.license, license_ref))
                if self._first_time(license_ref):
                    g.add((license_ref, RDF.type, DCT.LicenseDocument))
            self._portal_page(dataset_dict, dataset_ref, license_ref)

    def _portal_page(
        self, dataset_dict: dict[str, Any], dataset_ref: URIRef, license_ref: URIRef | None
    ) -> None:
        """The dataset's page on the portal as its one distribution.

        A design pattern or learning resource *is* its page. Stock DCAT parsers (ckanext-dcat's
        included) read a dataset's licence from its distributions only; without one they lose
        it. The project's own parse leaves this distribution out (:data:`PORTAL_PAGE`).
        """
        g = self.g
        dist = URIRef(f"{dataset_ref}{PORTAL_PAGE}")
        g.add((dataset_ref, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        title = str(dataset_dict.get("title") or dataset_dict.get("name") or "")
        site = tk.config.get("ckan.site_title") or "the portal"
        g.add((dist, DCT.title, Literal(f"{title} (page on {site})")))
        g.add((dist, DCAT.accessURL, dataset_ref))
        g.add((dist, DCAT.mediaType, Literal("text/html")))
        self._distribution(dist, license_ref)

    def _first_time(self, node: Any) -> bool:
        """True the first time a node is described in this graph.

        Concepts, places, licences and consortia recur in every dataset of a catalog page;
        describing them once keeps the per-dataset work (and the output) small.
        """
        cached = self.__dict__.get("_seen")
        if cached is not None and cached[0] is self.g:
            seen = cached[1]
        else:
            try:
                seen = _DESCRIBED[self.g]
            except KeyError:
                seen = _DESCRIBED[self.g] = set()
            except TypeError:  # a graph that cannot be weakly referenced: describe every time
                return True
            # one weak-dict lookup per profile instance (one dataset), not one per node
            self._seen = (self.g, seen)
        if node in seen:
            return False
        seen.add(node)
        return True

    def _concept(self, uri: URIRef, label: str | None, scheme: URIRef | None) -> None:
        if not self._first_time(uri):
            return
        g = self.g
        g.add((uri, RDF.type, SKOS.Concept))
        if label:
            g.add((uri, SKOS.prefLabel, Literal(label, lang="en")))
        if scheme is not None:
            g.add((uri, SKOS.inScheme, scheme))

    def _themes(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        g = self.g
        services = [str(v) for v in _as_list(dataset_dict.get("la_service")) if v]
        functions = [str(v) for v in _as_list(dataset_dict.get("la_function")) if v]
        for values, lookup, scheme in (
            (services, vocab_terms.service, LGSL_SCHEME),
            (functions, vocab_terms.function, LGFL_SCHEME),
        ):
            for value in values:
                term = lookup(value)
                uri = URIRef(term.uri if term else value)
                g.add((dataset_ref, DCAT.theme, uri))
                self._concept(uri, term.label if term else None, scheme)
        themes = vocab_terms.data_themes()
        if not _as_list(dataset_dict.get("theme")):
            # the schema fills ``theme`` from the services on save; datasets that missed that
            # (older records, other write paths) get the same derivation here
            for theme_uri in hierarchy.eu_theme_uris(services):
                g.add((dataset_ref, DCAT.theme, URIRef(theme_uri)))
        # every EU theme (derived or chosen) described as a concept of the EU table
        for theme in list(g.objects(dataset_ref, DCAT.theme)):
            code = str(theme).rsplit("/", 1)[-1]
            if str(theme).startswith(str(EU_THEME_SCHEME)) and code in themes:
                self._concept(theme, themes[code].label, EU_THEME_SCHEME)  # type: ignore[arg-type]

    def _areas(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        g = self.g
        for code in _as_list(dataset_dict.get("area")):
            if not code:
                continue
            code = str(code)
            term = vocab_terms.council(code)
            uri = URIRef(vocab_model.council_uri(code))
            g.add((dataset_ref, DCT.spatial, uri))
            self._council_location(uri, term, code)

    def _council_location(self, uri: URIRef, term: Any, notation: str | None = None) -> None:
        """A council as a dct:Location: label, the register's centre point, configured extent."""
        if not self._first_time(uri):
            return
        g = self.g
        g.add((uri, RDF.type, DCT.Location))
        if notation:
            g.add((uri, SKOS.notation, Literal(notation)))
        if term is None:
            return
        g.add((uri, SKOS.prefLabel, Literal(term.label, lang="en")))
        geojson = geometry.use_geojson()
        if term.centroid is not None:  # a dict lookup: the register holds the point
            lon, lat = term.centroid
            g.add((uri, DCAT.centroid, geometry.point_literal(lon, lat, geojson)))
        extent = geometry.council_extents().get(term.code)
        if extent is not None:
            g.add((uri, DCAT.bbox, geometry.box_literal(extent, geojson)))

    def _frequency(self, dataset_dict: dict[str, Any], dataset_ref: URIRef, ps: Namespace) -> None:
        value = dataset_dict.get("frequency")
        term = vocab_terms.lookup("frequency", value) if value else None
        if not term:
            return
        g = self.g
        rdf_uri = URIRef(term.rdf_uri or term.uri)
        if rdf_uri != URIRef(term.uri):
            # a UK frequency with no EU code: the EU one in DCAT, the exact one in ps:
            g.remove((dataset_ref, DCT.accrualPeriodicity, None))
            g.remove((URIRef(term.uri), RDF.type, DCT.Frequency))
            g.add((dataset_ref, ps[vocab.UK_FREQUENCY], URIRef(term.uri)))
        g.add((dataset_ref, DCT.accrualPeriodicity, rdf_uri))
        if self._first_time(rdf_uri):
            g.add((rdf_uri, RDF.type, DCT.Frequency))

    def _languages(self, subject: URIRef) -> None:
        g = self.g
        for lang in list(g.objects(subject, DCT.language)):
            code = LANGUAGES.get(str(lang).lower()) if isinstance(lang, Literal) else None
            if code:
                g.remove((subject, DCT.language, lang))
                uri = URIRef(EU_LANGUAGE + code)
                g.add((subject, DCT.language, uri))
                if self._first_time(uri):
                    g.add((uri, RDF.type, DCT.LinguisticSystem))

    def _access_rights(self, dataset_ref: URIRef) -> None:
        g = self.g
        for right in g.objects(dataset_ref, DCT.accessRights):
            term = vocab_terms.lookup("access-right", str(right))
            if term and isinstance(right, URIRef) and self._first_time(right):
                g.add((right, RDF.type, DCT.RightsStatement))
                g.add((right, RDFS.label, Literal(term.label, lang="en")))

    def _publisher(self, dataset_dict: dict[str, Any], dataset_ref: URIRef, ps: Namespace) -> None:
        org = dataset_dict.get("organization")
        if not isinstance(org, dict) or not org.get("id"):
            return
        # the shared stamp read once per graph (a catalog page, a document): outside a web
        # request it would otherwise be one Redis read per dataset, and without Redis an
        # organization_show per dataset
        org_dict = consortium(org["id"], checked=not self._first_time(_CONSORTIA_CHECKED)) or org
        g = self.g
        agent = URIRef(publisher_uri_organization_fallback(dataset_dict))
        if not _has_agent(dataset_dict.get("publisher")):
            # the stock fallback may have been skipped (no organisation lookup): make sure the
            # consortium is the publisher
            if (dataset_ref, DCT.publisher, agent) not in g:
                g.add((dataset_ref, DCT.publisher, agent))
            if (agent, FOAF.name, None) not in g and org_dict.get("title"):
                g.add((agent, FOAF.name, Literal(org_dict["title"])))
        if (dataset_ref, DCT.publisher, agent) not in g:
            return  # an explicit publisher was given; the consortium is not it
        if self._first_time(agent):
            self._describe_consortium(agent, org_dict, ps)
        self._partners(dataset_ref, agent, org_dict, ps)

    def _describe_consortium(self, agent: URIRef, org_dict: dict[str, Any], ps: Namespace) -> None:
        g = self.g
        g.add((agent, RDF.type, FOAF.Agent))
        g.add((agent, RDF.type, FOAF.Organization))
        if (agent, FOAF.name, None) not in g:
            g.add((agent, FOAF.name, Literal(org_dict.get("title") or org_dict.get("name"))))
        kind = str(org_dict.get("kind") or "consortium")
        ptype = PUBLISHER_TYPES.get(kind.lower(), "")
        if ptype and (agent, DCT.type, None) not in g:
            uri = URIRef(ADMS_PUBLISHER_TYPE + ptype)
            g.add((agent, DCT.type, uri))
            self._concept(uri, PUBLISHER_TYPE_LABELS[ptype], ADMS_PUBLISHER_SCHEME)
        lead = org_dict.get("lead_authority")
        if lead:
            term = vocab_terms.council(lead)
            code = term.code if term else str(lead)
            uri = URIRef(vocab_model.council_uri(code))
            g.add((agent, ps[vocab.LEAD_AUTHORITY], uri))
            self._council_location(uri, term, code)
            if term and kind.lower() in ("local-authority", "local authority"):
                g.add((agent, OWL.sameAs, uri))

    def _partners(
        self, dataset_ref: URIRef, consortium_ref: URIRef, org_dict: dict[str, Any], ps: Namespace
    ) -> None:
        """Each partner's attribution is one node per consortium (``<org>#partner-N``) that
        every dataset of the consortium points to."""
        g = self.g
        role = ps[vocab.PARTNER_ROLE]
        for i, partner in enumerate(_as_list(org_dict.get("partners"))):
            if not isinstance(partner, dict) or not partner.get("name"):
                continue
            attribution = URIRef(f"{consortium_ref}#partner-{i + 1}")
            g.add((dataset_ref, PROV.qualifiedAttribution, attribution))
            if not self._first_time(attribution):
                continue
            g.add((attribution, RDF.type, PROV.Attribution))
            g.add((attribution, DCAT.hadRole, role))
            if partner.get("role"):
                g.add((attribution, ps[vocab.PARTNER_ROLE_TEXT], Literal(partner["role"])))
            agent = URIRef(f"{consortium_ref}#partner-{i + 1}-agent")
            g.add((attribution, PROV.agent, agent))
            g.add((agent, RDF.type, FOAF.Agent))
            g.add((agent, RDF.type, FOAF.Organization))
            g.add((agent, FOAF.name, Literal(partner["name"])))
            g.add((agent, DCT.type, ps[vocab.PARTNER_TYPE]))
            url = str(partner.get("url") or "")
            if url.startswith(("http://", "https://")):
                g.add((agent, FOAF.homepage, URIRef(url)))
        if self._first_time(role):
            g.add((role, RDF.type, DCAT.Role))
            self._concept(ps[vocab.PARTNER_TYPE], "Consortium partner organisation", None)

    def _fix_qualified_attribution(self, dataset_ref: URIRef) -> None:
        """ckanext-dcat 2.4.4 writes qualified attributions as dcat:qualifiedAttribution /
        dcat:agent, which DCAT does not define and its own parser does not read; move them to
        PROV so they validate and round-trip."""
        g = self.g
        for attribution in list(g.objects(dataset_ref, DCAT.qualifiedAttribution)):
            g.remove((dataset_ref, DCAT.qualifiedAttribution, attribution))
            g.add((dataset_ref, PROV.qualifiedAttribution, attribution))
            g.remove((attribution, RDF.type, DCAT.Attribution))
            g.add((attribution, RDF.type, PROV.Attribution))
            for agent in list(g.objects(attribution, DCAT.agent)):
                g.remove((attribution, DCAT.agent, agent))
                g.add((attribution, PROV.agent, agent))
            for role in list(g.objects(attribution, DCAT.hadRole)):
                if not str(role).startswith(("http://", "https://")):
                    # ckanext-dcat makes an IRI of a text role; keep the text as a label
                    g.remove((attribution, DCAT.hadRole, role))
                    node = BNode()
                    g.add((attribution, DCAT.hadRole, node))
                    g.add((node, RDFS.label, Literal(str(role))))
                    role = node
                g.add((role, RDF.type, DCAT.Role))

    def _distribution(self, distribution: URIRef, license_ref: URIRef | None = None) -> None:
        g = self.g
        # one pass over the distribution's triples instead of a lookup per property
        found: dict[Any, list[Any]] = {}
        for p, o in g.predicate_objects(distribution):
            found.setdefault(p, []).append(o)
        if license_ref is not None and DCT.license not in found:
            g.add((distribution, DCT.license, license_ref))
            found[DCT.license] = [license_ref]
        for fmt in found.get(DCT["format"], ()):
            if isinstance(fmt, Literal):
                term = vocab_terms.lookup("file-type", str(fmt))
                g.remove((distribution, DCT["format"], fmt))
                node: URIRef | BNode
                if term:
                    node = URIRef(term.uri)
                else:
                    node = BNode()
                    g.add((node, RDFS.label, fmt))
                g.add((distribution, DCT["format"], node))
                if self._first_time(node):
                    g.add((node, RDF.type, DCT.MediaTypeOrExtent))
        for media in found.get(_MEDIA_TYPE_P, ()):
            # only IANA's registered form is a valid IRI (``text/csv; header=present`` is not)
            name = media_type(str(media))
            uri = URIRef(IANA_MEDIA_TYPES + name) if name else None
            if uri is None or type(media) is not URIRef or not str.__eq__(uri, media):
                g.remove((distribution, _MEDIA_TYPE_P, media))
                g.remove((media, RDF.type, _MEDIA_TYPE_CLASS))
                if uri is None:
                    log.info("DCAT: media type %r of %s left out", str(media)[:100], distribution)
                    continue
                g.add((distribution, _MEDIA_TYPE_P, uri))
            g.add((uri, RDF.type, _MEDIA_TYPE_CLASS))
        for standard in found.get(DCT.conformsTo, ()):
            if self._first_time(standard):
                g.add((standard, RDF.type, DCT.Standard))
        for lic in found.get(DCT.license, ()):
            self._license(distribution, lic)
        for node in found.get(SPDX.checksum, ()):
            self._checksum(distribution, node)
        has_access_url = False
        for predicate in _URL_PREDICATES:
            for url in found.get(predicate, ()):
                fixed = valid_iri(url)
                if fixed is not None and type(url) is URIRef and str.__eq__(fixed, url):
                    ref = url  # valid as it is: nothing to replace
                else:
                    g.remove((distribution, predicate, url))
                    if fixed is None:
                        log.info(
                            "DCAT: %s %r of %s left out", predicate, str(url)[:200], distribution
                        )
                        continue
                    ref = URIRef(fixed)
                    g.add((distribution, predicate, ref))
                g.add((ref, RDF.type, RDFS.Resource))
                has_access_url = has_access_url or predicate is _ACCESS_URL
        if not has_access_url:
            # mandatory; the resource's page on the portal leads to the data
            g.add((distribution, _ACCESS_URL, distribution))
            g.add((distribution, RDF.type, RDFS.Resource))
        if _AVAILABILITY not in found:
            availability = default_availability()
            if availability:
                uri = URIRef(EU_AVAILABILITY + availability)
                g.add((distribution, DCATAP.availability, uri))
                self._concept(uri, availability.title(), None)

    def _license(self, distribution: URIRef, lic: Any) -> None:
        """A licence as a dct:LicenseDocument: its IRI, or a node labelled with free text."""
        g = self.g
        if isinstance(lic, Literal):
            # free text: never a subject IRI; a node of its own with the text as its label
            unknown = (lic, DCT.type, UNKNOWN_IPR) in g
            g.remove((distribution, DCT.license, lic))
            g.remove((lic, None, None))
            fixed = valid_iri(str(lic)) if str(lic).startswith(("http://", "https://")) else None
            if fixed is None:
                node: URIRef | BNode = BNode()
                g.add((distribution, DCT.license, node))
                g.add((node, RDF.type, DCT.LicenseDocument))
                g.add((node, RDFS.label, Literal(str(lic))))
                if unknown:
                    g.add((node, DCT.type, UNKNOWN_IPR))
                    self._concept(UNKNOWN_IPR, "Unknown IPR", None)
                return
            lic = URIRef(fixed)
            g.add((distribution, DCT.license, lic))
            if unknown:
                g.add((lic, DCT.type, UNKNOWN_IPR))
        if not self._first_time(lic):
            return
        g.add((lic, RDF.type, DCT.LicenseDocument))
        if (lic, DCT.type, UNKNOWN_IPR) in g:
            self._concept(UNKNOWN_IPR, "Unknown IPR", None)

    def _checksum(self, distribution: URIRef, node: Any) -> None:
        """spdx:Checksum with an algorithm and a bare lower-case hex value, or nothing."""
        g = self.g
        value = g.value(node, SPDX.checksumValue)
        algorithm = g.value(node, SPDX.algorithm)
        g.remove((node, None, None))
        g.remove((distribution, SPDX.checksum, node))
        found = checksum(value, algorithm)
        if found is None:
            log.info("DCAT: hash %r of %s is not a known digest; left out", value, distribution)
            return
        algo, hex_value = found
        algo_ref = URIRef(SPDX_ALGORITHM + algo)
        g.add((distribution, SPDX.checksum, node))
        g.add((node, RDF.type, SPDX.Checksum))
        g.add((node, SPDX.checksumValue, Literal(hex_value, datatype=XSD.hexBinary)))
        g.add((node, SPDX.algorithm, algo_ref))
        if self._first_time(algo_ref):
            g.add((algo_ref, RDF.type, SPDX.ChecksumAlgorithm))

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: URIRef) -> None:
        g = self.g
        g.bind("ps", Namespace(vocab.namespace()))
        self._languages(catalog_ref)
        catalog_dict = catalog_dict or {}
        for homepage in g.objects(catalog_ref, FOAF.homepage):
            g.add((homepage, RDF.type, FOAF.Document))
        for scheme, label in (
            (EU_THEME_SCHEME, "Data theme"),
            (LGSL_SCHEME, "Local Government Service List"),
            (LGFL_SCHEME, "Local Government Function List"),
        ):
            g.add((catalog_ref, DCAT.themeTaxonomy, scheme))
            g.add((scheme, RDF.type, SKOS.ConceptScheme))
            g.add((scheme, DCT.title, Literal(label, lang="en")))
        lic = tk.config.get("ckanext.publicservices.dcat.catalog_license", OGL_3)
        if lic:
            g.add((catalog_ref, DCT.license, URIRef(lic)))
            g.add((URIRef(lic), RDF.type, DCT.LicenseDocument))
            if lic == OGL_3:
                g.add((URIRef(lic), DCT.type, ATTRIBUTION))
                self._concept(ATTRIBUTION, "Attribution", None)
        if (catalog_ref, DCT.publisher, None) in g:
            return
        agent = URIRef(
            catalog_dict.get("publisher_uri")
            or tk.config.get("ckanext.publicservices.dcat.publisher_uri")
            or catalog_uri().rstrip("/") + "/#publisher"
        )
        name = (
            catalog_dict.get("publisher_name")
            or tk.config.get("ckanext.publicservices.dcat.publisher_name")
            or tk.config.get("ckan.site_title")
            or "CKAN"
        )
        g.add((catalog_ref, DCT.publisher, agent))
        g.add((agent, RDF.type, FOAF.Agent))
        ptype = catalog_dict.get("publisher_type") or tk.config.get(
            "ckanext.publicservices.dcat.publisher_type", "LocalAuthority"
        )
        if ptype:
            g.add((agent, DCT.type, URIRef(ADMS_PUBLISHER_TYPE + ptype)))
            self._concept(
                URIRef(ADMS_PUBLISHER_TYPE + ptype),
                PUBLISHER_TYPE_LABELS.get(ptype, ptype),
                ADMS_PUBLISHER_SCHEME,
            )
        if (agent, FOAF.name, None) not in g:
            g.add((agent, FOAF.name, Literal(name)))
        if (catalog_ref, DCT.description, None) not in g:
            g.add((catalog_ref, DCT.description, Literal(name)))

    # -------------------------------------------------------------------- parse

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> dict[str, Any]:
        g = self.g
        ns_uri = vocab.namespace()
        terms = _parse_terms(ns_uri)

        # dataset type
        types = {str(o) for o in g.objects(dataset_ref, _P_TYPE)}
        type_uris = terms.type_uris
        for uri in types:
            if uri in type_uris:
                dataset_dict["type"] = type_uris[uri]
        self._drop_values(dataset_dict, "dcat_type", set(type_uris))

        # themes → services, functions; the EU themes derived from them are not kept
        themes = [str(o) for o in g.objects(dataset_ref, _P_THEME)]
        services = sorted((t for t in themes if t.startswith(LGSL_PREFIX)), key=_natural)
        functions = sorted((t for t in themes if t.startswith(LGFL_PREFIX)), key=_natural)
        if services:
            dataset_dict["la_service"] = services
        if functions:
            dataset_dict["la_function"] = functions
        self._drop_values(dataset_dict, "theme", set(services) | set(functions))

        # areas
        areas = []
        for spatial in g.objects(dataset_ref, _P_SPATIAL):
            s = str(spatial)
            for prefix in GEOGRAPHY_PREFIXES:
                if s.startswith(prefix):
                    areas.append(s[len(prefix) :])
        if areas:
            dataset_dict["area"] = sorted(areas)
            area_uris = {vocab_model.council_uri(a) for a in areas}
            cov = dataset_dict.get("spatial_coverage")
            if isinstance(cov, list):
                cov = [c for c in cov if not (isinstance(c, dict) and c.get("uri") in area_uris)]
                if cov:
                    dataset_dict["spatial_coverage"] = cov
                else:
                    dataset_dict.pop("spatial_coverage", None)
            # the stock parse copies the councils' label and geometry into spatial_* fields;
            # they are the register's, not the dataset's
            for key in _COUNCIL_SPATIAL_KEYS:
                dataset_dict.pop(key, None)
            dataset_dict["extras"] = [
                e
                for e in dataset_dict.get("extras", [])
                if e.get("key") not in _COUNCIL_SPATIAL_KEYS
            ]

        # languages the profile turned into EU URIs go back to their ISO 639-1 codes
        iso_codes = {EU_LANGUAGE + eu: iso for iso, eu in LANGUAGES.items()}
        langs = [str(o) for o in g.objects(dataset_ref, _P_LANGUAGE)]
        if langs and any(lang in iso_codes for lang in langs):
            self._set_field(dataset_dict, "language", sorted(iso_codes.get(x, x) for x in langs))

        # frequency: the exact UK one when present
        uk = self._object(dataset_ref, terms.uk_frequency)
        if uk is not None:
            self._set_field(dataset_dict, "frequency", str(uk))

        # project vocabulary
        for f, prop in terms.choices:
            codes = []
            for obj in g.objects(dataset_ref, prop):
                codes.append(f.code(ns_uri, str(obj)) or str(obj))
            if codes:
                dataset_dict[f.field] = sorted(codes) if f.multiple else codes[0]
        for t, prop in terms.texts:
            if t.multiple:
                texts = sorted(str(o) for o in g.objects(dataset_ref, prop))
                if texts:
                    dataset_dict[t.field] = texts
                continue
            value = self._object_value(dataset_ref, prop)
            if value:
                dataset_dict[t.field] = value
        for r, prop, subfields in terms.records:
            items = []
            for node in g.objects(dataset_ref, prop):
                item = {sub: self._object_value(node, sub_prop) for sub, sub_prop in subfields}
                items.append(item)
            if items:
                dataset_dict[r.field] = sorted(items, key=lambda i: json.dumps(i, sort_keys=True))

        # qualified attributions (roles may be text); the consortium's partners are left out:
        # they belong to the consortium, not to the dataset
        role = terms.partner_role
        attributions = []
        for node in g.objects(dataset_ref, PROV.qualifiedAttribution):
            roles = list(g.objects(node, DCAT.hadRole))
            if role in roles:
                continue
            attribution: dict[str, Any] = {}
            for role_node in roles:
                label = (
                    self._object_value(role_node, RDFS.label)
                    if isinstance(role_node, BNode)
                    else str(role_node)
                )
                if label:
                    attribution["role"] = label
            agents = self._agents_details(node, PROV.agent)
            if agents:
                attribution["agent"] = agents
            if attribution:
                attributions.append(attribution)
        if attributions:
            dataset_dict["qualified_attribution"] = sorted(
                attributions, key=lambda a: json.dumps(a, sort_keys=True)
            )
        else:
            dataset_dict.pop("qualified_attribution", None)

        # the consortium as publisher is the organisation, not a publisher field value
        site = catalog_uri().rstrip("/") + "/organization/"
        for pub in g.objects(dataset_ref, _P_PUBLISHER):
            if str(pub).startswith(site):
                dataset_dict["owner_org"] = str(pub)[len(site) :]
        pubs = dataset_dict.get("publisher")
        if isinstance(pubs, list):
            pubs = [
                p
                for p in pubs
                if not (isinstance(p, dict) and str(p.get("uri", "")).startswith(site))
            ]
            if pubs:
                dataset_dict["publisher"] = pubs
            else:
                dataset_dict.pop("publisher", None)

        # every licence the document states (IRIs, or labels of free-text licence nodes): an
        # import must not replace one it cannot map (see dcat/mapping.py)
        stated = set()
        for node in (dataset_ref, *g.objects(dataset_ref, DCAT.distribution)):
            for lic in g.objects(node, DCT.license):
                if isinstance(lic, BNode):
                    label = self._object_value(lic, RDFS.label) or self._object_value(
                        lic, DCT.title
                    )
                    if label:
                        stated.add(label)
                else:
                    stated.add(str(lic))
        dataset_dict["stated_licences"] = sorted(stated)

        # distributions: EU file types and IANA media types back to CKAN's values; the dataset
        # licence copied onto distributions without their own is not a resource licence
        page = f"{dataset_ref}{PORTAL_PAGE}"
        if any(r.get("distribution_ref") == page for r in dataset_dict.get("resources", [])):
            # the portal page stands in for missing distributions; it is not a resource
            dataset_dict["resources"] = [
                r for r in dataset_dict["resources"] if r.get("distribution_ref") != page
            ]
        by_ref = {r.get("distribution_ref"): r for r in dataset_dict.get("resources", [])}
        register = _license_urls()
        if not dataset_dict.get("license_id"):
            # ckanext-dcat matches licence URIs exactly; http/https and a trailing slash differ
            for node in (*g.objects(dataset_ref, DCAT.distribution), dataset_ref):
                lic = self._object(node, DCT.license)
                if lic is not None and _url_key(str(lic)) in register:
                    dataset_dict["license_id"] = register[_url_key(str(lic))]
                    break
        license_id = dataset_dict.get("license_id")
        for resource in by_ref.values():
            if license_id and register.get(_url_key(resource.get("license") or "")) == license_id:
                resource.pop("license")
        for distribution in g.objects(dataset_ref, DCAT.distribution):
            resource = by_ref.get(str(distribution))
            if resource is None:
                continue
            fmt = self._object(distribution, DCT["format"])
            if isinstance(fmt, URIRef) and str(fmt).startswith(EU_FILE_TYPE):
                term = vocab_terms.lookup("file-type", str(fmt))
                resource["format"] = term.code if term else str(fmt).rsplit("/", 1)[-1]
            elif isinstance(fmt, BNode):
                label = self._object_value(fmt, RDFS.label)
                if label:
                    resource["format"] = label
            availability = default_availability()
            if availability and resource.get("availability") == EU_AVAILABILITY + availability:
                resource.pop("availability")
            media = self._object(distribution, DCAT.mediaType)
            if isinstance(media, URIRef) and str(media).startswith(IANA_MEDIA_TYPES):
                resource["mimetype"] = str(media)[len(IANA_MEDIA_TYPES) :]
            lic = self._object(distribution, DCT.license)
            if isinstance(lic, BNode):  # a free-text licence: its label is the text
                label = self._object_value(lic, RDFS.label)
                if label:
                    resource["license"] = label
                else:
                    resource.pop("license", None)
            node = self._object(distribution, SPDX.checksum)
            if node is not None:
                found = checksum(
                    self._object_value(node, SPDX.checksumValue),
                    self._object_value(node, SPDX.algorithm),
                )
                if found is not None:  # CKAN's own form, as uploads store it
                    resource["hash"] = f"{found[0]}:{found[1]}"
                    resource.pop("hash_algorithm", None)
        return dataset_dict

    def _set_field(self, dataset_dict: dict[str, Any], key: str, value: Any) -> None:
        for extra in dataset_dict.get("extras", []):
            if extra.get("key") == key:
                extra["value"] = value
                break
        in_extras = any(e.get("key") == key for e in dataset_dict.get("extras", []))
        if key in dataset_dict or not in_extras:
            dataset_dict[key] = value

    def _drop_values(self, dataset_dict: dict[str, Any], key: str, drop: set[str]) -> None:
        """Remove ``drop`` from a list field kept either at the root or in extras."""

        def clean(value: Any) -> Any:
            if isinstance(value, str):
                try:
                    loaded = json.loads(value)
                except ValueError:
                    loaded = None
                if not isinstance(loaded, list):
                    return None if value in drop else value
                kept = [v for v in loaded if str(v) not in drop]
                return json.dumps(kept) if kept else None
            kept = [v for v in _as_list(value) if str(v) not in drop]
            return kept or None

        if key in dataset_dict:
            value = clean(dataset_dict[key])
            if value is None:
                dataset_dict.pop(key)
            else:
                dataset_dict[key] = value
        extras = []
        for extra in dataset_dict.get("extras", []):
            if extra.get("key") == key:
                value = clean(extra["value"])
                if value is None:
                    continue
                extra = {**extra, "value": value}
            extras.append(extra)
        if "extras" in dataset_dict:
            dataset_dict["extras"] = extras


# predicates parse_dataset reads for every dataset (a Namespace attribute or item is a new
# URIRef on each access)
_P_TYPE = DCT.type
_P_THEME = DCAT.theme
_P_SPATIAL = DCT.spatial
_P_LANGUAGE = DCT.language
_P_PUBLISHER = DCT.publisher


class _ParseTerms:
    """The ``ps:`` terms parse_dataset looks up, built once per namespace IRI."""

    def __init__(self, ns_uri: str) -> None:
        ps = Namespace(ns_uri)
        self.type_uris = {str(ps[local]): name for name, (local, _l) in vocab.DATASET_TYPES.items()}
        self.uk_frequency = ps[vocab.UK_FREQUENCY]
        self.choices = [(f, ps[f.prop]) for f in vocab.CHOICE_FIELDS]
        self.texts = [(t, ps[t.prop]) for t in vocab.TEXT_FIELDS]
        self.records = [
            (r, ps[r.prop], [(sub, ps[local]) for sub, local, _ in r.subfields])
            for r in vocab.RECORD_FIELDS
        ]
        self.partner_role = URIRef(ps[vocab.PARTNER_ROLE])


@functools.lru_cache(maxsize=8)
def _parse_terms(ns_uri: str) -> _ParseTerms:
    return _ParseTerms(ns_uri)


@functools.cache
def _license_urls() -> dict[str, str]:
    from ckan.model.license import LicenseRegister

    return {_url_key(lic.url): lic_id for lic_id, lic in LicenseRegister().items() if lic.url}


def _url_key(url: str) -> str:
    return url.split("://", 1)[-1].rstrip("/")


def default_availability() -> str:
    """EU planned-availability code given to distributions that do not state one."""
    value = tk.config.get("ckanext.publicservices.dcat.default_availability", "AVAILABLE")
    return "" if value in (None, "", "none") else str(value)


def _has_agent(value: Any) -> bool:
    return any(isinstance(a, dict) and any(a.values()) for a in _as_list(value))


def _natural(uri: str) -> tuple[int, str]:
    tail = uri.rsplit("/", 1)[-1]
    return (int(tail), uri) if tail.isdigit() else (1 << 30, uri)


__all__ = [
    "LinearEuropeanDCATAP3Profile",
    "PublicservicesProfile",
    "consortium",
    "forget_consortia",
    "remember_consortium",
]
