"""The project's own RDF vocabulary (``ps:``) for fields no standard property covers.

One Python table drives both the profile (serialise and parse) and the Turtle definition the
portal serves at ``/ns/publicservices.ttl``, so the two cannot drift apart.

The namespace is ``{ckan.site_url}/ns/publicservices#`` unless
``ckanext.publicservices.dcat.vocabulary_namespace`` names another one: the terms then
dereference to the portal that published them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import ckan.plugins.toolkit as tk
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

DCAT = Namespace("http://www.w3.org/ns/dcat#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"

VOCABULARY_PATH = "/ns/publicservices"


def namespace() -> str:
    """The ``ps:`` namespace IRI (read from config on each call; cheap)."""
    configured = tk.config.get("ckanext.publicservices.dcat.vocabulary_namespace")
    if configured:
        return str(configured)
    site = (tk.config.get("ckan.site_url") or "").rstrip("/")
    return f"{site}{VOCABULARY_PATH}#"


def PS() -> Namespace:  # noqa: N802 - reads like the other namespace constants
    return Namespace(namespace())


@dataclass(frozen=True)
class ChoiceField:
    """A dataset field whose values are codes of a small concept scheme of the vocabulary."""

    field: str
    prop: str  # property local name
    scheme: str  # concept scheme local name
    prefix: str  # concept local-name prefix (``phase-`` + ``alpha``)
    label: str
    comment: str
    values: tuple[tuple[str, str], ...]  # (code, label)
    multiple: bool = False

    def concept(self, ns: str, code: str) -> URIRef:
        return URIRef(f"{ns}{self.prefix}{code}")

    def code(self, ns: str, uri: str) -> str | None:
        start = f"{ns}{self.prefix}"
        if uri.startswith(start):
            code = uri[len(start) :]
            if code in dict(self.values):
                return code
        return None


@dataclass(frozen=True)
class TextField:
    field: str
    prop: str
    label: str
    comment: str
    multiple: bool = False  # a list of texts: one literal per value


@dataclass(frozen=True)
class RecordField:
    """A repeating-subfield dataset field exported as typed blank nodes."""

    field: str
    prop: str
    cls: str
    label: str
    comment: str
    subfields: tuple[tuple[str, str, str], ...]  # (subfield, property local name, label)


CHOICE_FIELDS: tuple[ChoiceField, ...] = (
    ChoiceField(
        "service_design_phase",
        "serviceDesignPhase",
        "ServiceDesignPhases",
        "phase-",
        "service design phase",
        "The phase of the GOV.UK Service Manual the service the data supports is in.",
        (
            ("discovery", "Discovery"),
            ("alpha", "Alpha"),
            ("beta", "Beta"),
            ("live", "Live"),
            ("retirement", "Retirement"),
        ),
    ),
    ChoiceField(
        "data_use_pattern",
        "dataUsePattern",
        "DataUsePatterns",
        "use-",
        "data use pattern",
        "How open data is used in the service (ODI, Using open data to deliver public services).",
        (
            ("increasing-access", "Increasing access to services"),
            ("delivery-chains-and-planning", "Planning and delivery chains"),
            ("policy-development", "Policy development"),
        ),
        multiple=True,
    ),
    ChoiceField(
        "data_spectrum",
        "dataSpectrum",
        "DataSpectrum",
        "spectrum-",
        "data spectrum",
        "Where the data sits on the ODI Data Spectrum.",
        (("open", "Open"), ("shared", "Shared"), ("closed", "Closed")),
    ),
    ChoiceField(
        "personal_data",
        "personalData",
        "PersonalDataClasses",
        "personal-data-",
        "personal data",
        "Whether and how the data holds personal data (UK GDPR).",
        (
            ("none", "No personal data"),
            ("aggregated-or-anonymised", "Aggregated or anonymised"),
            ("pseudonymised", "Pseudonymised"),
            ("personal", "Personal data"),
            ("special-category", "Special category personal data"),
        ),
    ),
    ChoiceField(
        "security_classification",
        "securityClassification",
        "SecurityClassifications",
        "classification-",
        "security classification",
        "UK Government Security Classification of the data.",
        (("OFFICIAL", "OFFICIAL"), ("OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE")),
    ),
    # learning resources (the choices of schemas/learning_resource.yaml; a test keeps them equal)
    ChoiceField(
        "kind",
        "learningResourceKind",
        "LearningResourceKinds",
        "kind-",
        "learning resource kind",
        "What sort of learning resource this is.",
        (
            ("canvas", "Canvas"),
            ("checklist", "Checklist"),
            ("guide", "Guide"),
            ("persona", "Persona"),
            ("journey-map", "Journey map"),
            ("toolkit", "Toolkit"),
            ("case-study", "Case study"),
            ("report", "Report"),
        ),
    ),
    ChoiceField(
        "audience",
        "audience",
        "Audiences",
        "audience-",
        "audience",
        "Who a learning resource is for.",
        (
            ("service-designers", "Service designers"),
            ("council-officers", "Council officers and managers"),
            ("data-practitioners", "Data analysts and engineers"),
            ("policy-makers", "Policy makers"),
            ("elected-members", "Elected members"),
            ("innovators", "Innovators and service providers"),
            ("citizens", "Citizens and community groups"),
        ),
        multiple=True,
    ),
    ChoiceField(
        "format",
        "learningResourceFormat",
        "LearningResourceFormats",
        "lr-format-",
        "learning resource format",
        "The form a learning resource takes.",
        (
            ("document", "Document"),
            ("slides", "Slides"),
            ("printable-template", "Printable template"),
            ("spreadsheet", "Spreadsheet"),
            ("video", "Video"),
            ("web-page", "Web page"),
            ("workshop", "Workshop material"),
        ),
    ),
)

TEXT_FIELDS: tuple[TextField, ...] = (
    TextField(
        "geographic_granularity",
        "geographicGranularity",
        "geographic granularity",
        "The smallest area the data is broken down by (local authority, ward, LSOA, ...).",
    ),
    TextField(
        "open_by_default_exception",
        "openByDefaultException",
        "open by default exception",
        "Why the data is not open: the FOI/FOISA/EIR exemption and the reason.",
    ),
    TextField(
        "redaction_note",
        "redactionNote",
        "redaction note",
        "What was removed or replaced before publication.",
    ),
    TextField(
        "funding_programme",
        "fundingProgramme",
        "funding programme",
        "The programme that funded the work the data comes from.",
    ),
    # design patterns
    TextField("problem", "problem", "problem", "The problem a design pattern solves."),
    TextField("context", "patternContext", "context", "When and where a design pattern applies."),
    TextField("solution", "solution", "solution", "What a design pattern says to do."),
    TextField(
        "consequences",
        "consequences",
        "consequences",
        "What changes when a design pattern is used, good and bad.",
    ),
    TextField(
        "related_datasets",
        "relatedDataset",
        "related dataset",
        "A dataset (name or web address) a design pattern uses.",
        multiple=True,
    ),
    # learning resources
    TextField(
        "skills",
        "skill",
        "skill",
        "A skill a learning resource teaches or needs.",
        multiple=True,
    ),
)

RECORD_FIELDS: tuple[RecordField, ...] = (
    RecordField(
        "user_needs",
        "userNeed",
        "UserNeed",
        "user need",
        "A user story: as a (user), I need (need), so that (outcome).",
        (("as_a", "asA", "as a"), ("i_need", "iNeed", "I need"), ("so_that", "soThat", "so that")),
    ),
    RecordField(
        "service_outcomes",
        "serviceOutcome",
        "ServiceOutcome",
        "service outcome",
        "An outcome the service aims for and how it is measured.",
        (("outcome", "outcome", "outcome"), ("measure", "measure", "measure")),
    ),
    RecordField(
        "examples",
        "patternExample",
        "PatternExample",
        "pattern example",
        "Where a design pattern has been used.",
        (
            ("name", "exampleName", "example name"),
            ("url", "exampleUrl", "example web address"),
            ("description", "exampleDescription", "example description"),
        ),
    ),
)

# CKAN dataset type → the concept given as dct:type (the plain ``dataset`` type gets none).
DATASET_TYPES: dict[str, tuple[str, str]] = {
    "design-pattern": ("DesignPattern", "Design pattern"),
    "learning-resource": ("LearningResource", "Learning resource"),
}

# Local names of other terms used by the profile.
UK_FREQUENCY = "ukFrequency"
LEAD_AUTHORITY = "leadAuthority"
PARTNER_ROLE = "ConsortiumPartner"
PARTNER_ROLE_TEXT = "partnerRole"
PARTNER_TYPE = "PartnerOrganisation"


def _add_property(
    g: Graph, ns: Namespace, local: str, label: str, comment: str, is_object: bool, rng: URIRef
) -> None:
    prop = ns[local]
    g.add((prop, RDF.type, OWL.ObjectProperty if is_object else OWL.DatatypeProperty))
    g.add((prop, RDF.type, RDF.Property))
    g.add((prop, RDFS.label, Literal(label, lang="en")))
    g.add((prop, RDFS.comment, Literal(comment, lang="en")))
    g.add((prop, RDFS.isDefinedBy, URIRef(str(ns).rstrip("#"))))
    g.add((prop, RDFS.range, rng))


def definition_graph(ns_uri: str | None = None) -> Graph:
    """The vocabulary as an RDF graph (OWL/RDFS properties and SKOS concept schemes)."""
    ns_uri = ns_uri or namespace()
    ns = Namespace(ns_uri)
    onto = URIRef(ns_uri.rstrip("#"))
    g = Graph()
    g.bind("ps", ns)
    g.bind("skos", SKOS)
    g.bind("owl", OWL)
    g.bind("dct", DCTERMS)
    g.bind("dcat", DCAT)
    g.add((onto, RDF.type, OWL.Ontology))
    g.add((onto, DCTERMS.title, Literal("Public-service redesign metadata vocabulary", lang="en")))
    g.add(
        (
            onto,
            DCTERMS.description,
            Literal(
                "Terms of ckanext-publicservices for dataset properties DCAT-AP does not cover: "
                "service design phase, data use pattern, data spectrum, personal data class, "
                "security classification, user needs and service outcomes, and the parts of "
                "design patterns and learning resources.",
                lang="en",
            ),
        )
    )
    g.add((onto, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))

    for f in CHOICE_FIELDS:
        scheme = ns[f.scheme]
        _add_property(g, ns, f.prop, f.label, f.comment, True, SKOS.Concept)
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        g.add((scheme, SKOS.prefLabel, Literal(f.label, lang="en")))
        for code, label in f.values:
            c = f.concept(ns_uri, code)
            g.add((c, RDF.type, SKOS.Concept))
            g.add((c, SKOS.prefLabel, Literal(label, lang="en")))
            g.add((c, SKOS.notation, Literal(code)))
            g.add((c, SKOS.inScheme, scheme))
            g.add((scheme, SKOS.hasTopConcept, c))
    for t in TEXT_FIELDS:
        _add_property(g, ns, t.prop, t.label, t.comment, False, RDFS.Literal)
    for r in RECORD_FIELDS:
        cls = ns[r.cls]
        g.add((cls, RDF.type, OWL.Class))
        g.add((cls, RDFS.label, Literal(r.label, lang="en")))
        g.add((cls, RDFS.comment, Literal(r.comment, lang="en")))
        _add_property(g, ns, r.prop, r.label, r.comment, True, cls)
        for _sub, local, label in r.subfields:
            _add_property(g, ns, local, label, f"Part of a {r.label}.", False, RDFS.Literal)
            g.add((ns[local], RDFS.domain, cls))

    types_scheme = ns["DatasetTypes"]
    g.add((types_scheme, RDF.type, SKOS.ConceptScheme))
    g.add((types_scheme, SKOS.prefLabel, Literal("kinds of consortium output", lang="en")))
    for local, label in DATASET_TYPES.values():
        g.add((ns[local], RDF.type, SKOS.Concept))
        g.add((ns[local], SKOS.prefLabel, Literal(label, lang="en")))
        g.add((ns[local], SKOS.inScheme, types_scheme))

    _add_property(
        g,
        ns,
        UK_FREQUENCY,
        "UK update frequency",
        "A UK frequency with no EU code (every financial year); dct:accrualPeriodicity "
        "carries the nearest EU frequency.",
        True,
        DCTERMS.Frequency,
    )
    _add_property(
        g,
        ns,
        LEAD_AUTHORITY,
        "lead authority",
        "The council (ONS/statistics.gov.scot geography) that leads a consortium.",
        True,
        DCTERMS.Location,
    )
    _add_property(
        g,
        ns,
        PARTNER_ROLE_TEXT,
        "partner role",
        "The role of a consortium partner in its own words.",
        False,
        RDFS.Literal,
    )
    ptype = ns[PARTNER_TYPE]
    g.add((ptype, RDF.type, SKOS.Concept))
    g.add((ptype, SKOS.prefLabel, Literal("Consortium partner organisation", lang="en")))
    role = ns[PARTNER_ROLE]
    g.add((role, RDF.type, DCAT.Role))
    g.add((role, RDF.type, SKOS.Concept))
    g.add((role, SKOS.prefLabel, Literal("consortium partner", lang="en")))
    return g


@functools.lru_cache(maxsize=8)
def definition_turtle(ns_uri: str) -> str:
    return definition_graph(ns_uri).serialize(format="turtle")


__all__ = [
    "CHOICE_FIELDS",
    "DATASET_TYPES",
    "RECORD_FIELDS",
    "TEXT_FIELDS",
    "definition_graph",
    "definition_turtle",
    "namespace",
]
