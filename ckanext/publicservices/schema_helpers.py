"""Template helpers of the service-redesign schemas (registered through ``helpers.py``).

Everything here reads the cached vocabularies: no database query per field or per render.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from ckanext.publicservices.vocabularies import hierarchy
from ckanext.publicservices.vocabularies import terms as vocab_terms

FACET_VOCABULARIES = {
    "vocab_la_service": "lgsl",
    "vocab_la_function": "lgfl",
    "vocab_area": "council",
}


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str | int) and str(v).strip()]
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                loaded = json.loads(text)
            except ValueError:
                loaded = None
            if isinstance(loaded, list):
                return [str(v) for v in loaded if isinstance(v, str | int)]
        # codes or URIs separated by commas or (legacy data.gov.uk) spaces
        return [p for p in re.split(r"[\s,;]+", text) if p]
    return []


@functools.cache
def _choices(name: str) -> tuple[dict[str, str], ...]:
    return tuple(
        {"value": t.uri, "label": t.label}
        for t in vocab_terms.get_vocabulary(name).terms.values()
        if not t.withdrawn
    )


def publicservices_vocab_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """Scheming ``choices_helper``: terms of ``field['vocabulary']`` (labels shown, URIs stored)."""
    name = str(field.get("vocabulary", ""))
    try:
        return list(_choices(name))
    except KeyError:
        return []


def publicservices_vocab_term(name: str, value: Any) -> dict[str, Any] | None:
    """The term of vocabulary ``name`` for a code or URI, as a dict (None when unknown)."""
    term = vocab_terms.lookup(name, value)
    return term.as_dict() if term else None


def publicservices_vocab_label(name: str, value: Any) -> str:
    """A term's label; the value itself when unknown (kept, e.g. a withdrawn code)."""
    term = vocab_terms.lookup(name, value)
    if term is None:
        return str(value)
    return term.label


def publicservices_vocab_terms(name: str, values: Any) -> list[dict[str, Any]]:
    """Display records for stored values: code, label, link URI, withdrawn/unknown flags."""
    out = []
    for value in _as_list(values):
        term = vocab_terms.lookup(name, value)
        if term is None:
            out.append(
                {"code": value, "label": value, "uri": "", "withdrawn": False, "unknown": True}
            )
            continue
        out.append(
            {
                "code": term.code,
                "label": term.label,
                "uri": term.uri,
                "withdrawn": term.withdrawn,
                "unknown": False,
                "end_date": term.end_date,
            }
        )
    return out


def publicservices_vocab_selected(name: str, values: Any) -> list[dict[str, str]]:
    """For the form: the values already chosen (stored or typed) with their labels."""
    out = []
    for value in _as_list(values):
        term = vocab_terms.lookup(name, value)
        stored = (term.code if name == "council" else term.uri) if term else value
        out.append({"value": stored, "label": f"{term.code} {term.label}" if term else value})
    return out


def publicservices_vocab_form_value(name: str, values: Any) -> str:
    """The text-box value (no-JavaScript form): codes separated by commas."""
    codes = []
    for value in _as_list(values):
        term = vocab_terms.lookup(name, value)
        codes.append(term.code if term else value)
    return ", ".join(codes)


def publicservices_functions_derived(data: dict[str, Any]) -> bool:
    """True when the dataset's functions are exactly those derived from its services.

    The form then leaves the functions box empty, so that changing the services re-derives them
    instead of keeping the old services' functions.
    """
    functions = {t.uri for v in _as_list(data.get("la_function")) if (t := vocab_terms.function(v))}
    derived = set(hierarchy.function_uris_for_services(_as_list(data.get("la_service"))))
    return bool(functions) and functions == derived


def publicservices_facet_label(facet: str, value: Any) -> str:
    """The label shown for a facet value (services, functions, councils by code or URI)."""
    name = FACET_VOCABULARIES.get(facet)
    if name is None:
        return str(value)
    term = vocab_terms.lookup(name, value)
    return term.label if term else str(value)


def publicservices_list_value(value: Any) -> list[str]:
    """A stored list field (JSON text or list) as a list of strings."""
    return _as_list(value)


def publicservices_openness_summary(pkg: dict[str, Any]) -> dict[str, Any]:
    """Openness and sensitivity of a dataset, in words, for the dataset page."""
    spectrum = pkg.get("data_spectrum") or ""
    access = vocab_terms.lookup("access-right", pkg.get("access_rights"))
    personal = pkg.get("personal_data") or ""
    return {
        "spectrum": spectrum,
        "is_open": spectrum == "open" and not pkg.get("private"),
        "access": access.label if access else "",
        "access_uri": access.uri if access else "",
        "personal_data": personal,
        "classification": pkg.get("security_classification") or "",
        "exception": pkg.get("open_by_default_exception") or "",
        "redaction": pkg.get("redaction_note") or "",
    }


def get_helpers() -> dict[str, Any]:
    """The dataset schema's template helpers, for the plugin's ``ITemplateHelpers``."""
    return {
        "publicservices_facet_label": publicservices_facet_label,
        "publicservices_functions_derived": publicservices_functions_derived,
        "publicservices_list_value": publicservices_list_value,
        "publicservices_openness_summary": publicservices_openness_summary,
        "publicservices_vocab_choices": publicservices_vocab_choices,
        "publicservices_vocab_form_value": publicservices_vocab_form_value,
        "publicservices_vocab_label": publicservices_vocab_label,
        "publicservices_vocab_selected": publicservices_vocab_selected,
        "publicservices_vocab_term": publicservices_vocab_term,
        "publicservices_vocab_terms": publicservices_vocab_terms,
    }
