"""Terms of the vocabularies: each loaded once and cached, found by code, URI or former code."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from ckanext.publicservices.vocabularies.loaders import LOADERS
from ckanext.publicservices.vocabularies.model import VOCABULARY_LABELS, Term, Vocabulary


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


@functools.cache
def get_vocabulary(name: str) -> Vocabulary:
    """The named vocabulary (see :data:`VOCABULARY_NAMES`); KeyError when unknown."""
    if name not in LOADERS:
        raise KeyError(name)
    terms = LOADERS[name]()
    return Vocabulary(
        name=name, label=VOCABULARY_LABELS[name], terms=terms, aliases=_aliases(terms)
    )


def lookup(name: str, value: Any) -> Term | None:
    """A term of vocabulary ``name`` by code, URI or former code (None when unknown)."""
    try:
        return get_vocabulary(name).get(value)
    except KeyError:
        return None


# accessors by vocabulary


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
