"""The vocabulary model: terms, vocabularies, their names and the URIs they mint."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

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


def council_uri(gss: str) -> str:
    template = SCOTLAND_GEOGRAPHY_URI if gss.startswith("S") else ONS_GEOGRAPHY_URI
    return template.format(gss)


def access_right_uri(code: str) -> str:
    return EU_AUTHORITY.format("access-right", code)
