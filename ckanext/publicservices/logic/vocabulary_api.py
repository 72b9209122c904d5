"""Public actions and auth functions for the vocabularies (list, show, autocomplete)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.publicservices.logic import input_boundary
from ckanext.publicservices.vocabularies import hierarchy, model, search
from ckanext.publicservices.vocabularies import terms as vocab_terms


def _vocabulary_name(data_dict: dict[str, Any]) -> str:
    input_boundary.check_text_args(data_dict, ("id", "vocabulary", "name", "term"))
    name = data_dict.get("id") or data_dict.get("vocabulary") or data_dict.get("name")
    if not isinstance(name, str) or not name:
        raise tk.ValidationError(
            {
                "id": [
                    tk._("Missing value: give the vocabulary name, one of {names}.").format(
                        names=", ".join(model.VOCABULARY_NAMES)
                    )
                ]
            }
        )
    if name not in model.VOCABULARY_NAMES:
        raise tk.ObjectNotFound(tk._("Vocabulary not found: {name}").format(name=name[:60]))
    return name


def _int(data_dict: dict[str, Any], key: str, default: int, maximum: int) -> int:
    return input_boundary.whole_number(data_dict, key, default, 0, maximum, clamp=True)


def _term_dict(term: model.Term) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": term.code,
        "uri": term.uri,
        "label": term.label,
        "withdrawn": term.withdrawn,
    }
    if term.description:
        data["description"] = term.description
    if term.vocabulary == "council":
        data.update(
            country=term.country,
            council_type=term.council_type,
            former_codes=list(term.former_codes),
            end_date=term.end_date,
            replaced_by=term.replaced_by,
        )
    if term.vocabulary == "lgfl":
        data["parents"] = list(term.parents)
    if term.rdf_uri:
        data["rdf_uri"] = term.rdf_uri
    return data


@tk.side_effect_free
def publicservices_vocabulary_list(context: Any, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The vocabularies: name, label and number of terms."""
    tk.check_access("publicservices_vocabulary_list", context, data_dict)
    return [
        {
            "name": name,
            "label": model.VOCABULARY_LABELS[name],
            "count": len(vocab_terms.get_vocabulary(name)),
        }
        for name in model.VOCABULARY_NAMES
    ]


@tk.side_effect_free
def publicservices_vocabulary_show(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """A vocabulary with its terms (``limit``/``offset`` page them), or one ``term`` of it.

    :param id: the vocabulary name (lgsl, lgfl, council, frequency, data-theme, access-right,
        file-type)
    :param term: optional code, URI or former code: return only that term
    """
    tk.check_access("publicservices_vocabulary_show", context, data_dict)
    name = _vocabulary_name(data_dict)
    vocabulary = vocab_terms.get_vocabulary(name)
    if data_dict.get("term") not in (None, ""):
        term = vocabulary.get(data_dict.get("term"))
        if term is None:
            raise tk.ObjectNotFound(tk._("Term not found in {name}").format(name=name))
        result = _term_dict(term)
        if name == "lgsl":
            result["functions"] = [
                _term_dict(f) for f in hierarchy.functions_for_service(term.code)
            ]
        if name == "lgfl":
            result["services"] = [_term_dict(s) for s in hierarchy.services_for_function(term.code)]
        return result
    offset = _int(data_dict, "offset", 0, 100_000)
    limit = _int(data_dict, "limit", 10_000, 10_000)
    terms = list(vocabulary.terms.values())
    return {
        "name": name,
        "label": vocabulary.label,
        "count": len(terms),
        "terms": [_term_dict(t) for t in terms[offset : offset + limit]],
    }


@tk.side_effect_free
def publicservices_vocabulary_autocomplete(
    context: Any, data_dict: dict[str, Any]
) -> list[dict[str, Any]]:
    """Terms matching ``q`` by words or code, best first.

    :param id: the vocabulary name
    :param q: what was typed ("bins", "524", "north lanark", "S12000044")
    :param limit: at most this many (default 10, max 100)
    :returns: ``value`` (what a dataset stores: URI, or GSS code for councils), ``code``,
        ``label``, ``text`` (code and label), ``withdrawn``
    """
    tk.check_access("publicservices_vocabulary_autocomplete", context, data_dict)
    name = _vocabulary_name(data_dict)
    q = input_boundary.text_arg(data_dict, "q", max_length=500)
    if q is None:
        q = input_boundary.text_arg(data_dict, "incomplete", max_length=500) or ""
    limit = _int(data_dict, "limit", 10, 100) or 10
    out = []
    for term in search.search(name, q, limit=limit):
        value = term.code if name == "council" else term.uri
        out.append(
            {
                "value": value,
                "code": term.code,
                "label": term.label,
                "text": f"{term.code} {term.label}",
                "withdrawn": term.withdrawn,
            }
        )
    return out


def get_actions() -> dict[str, Any]:
    """The vocabulary actions, for the plugin's ``IActions``."""
    return {
        "publicservices_vocabulary_autocomplete": publicservices_vocabulary_autocomplete,
        "publicservices_vocabulary_list": publicservices_vocabulary_list,
        "publicservices_vocabulary_show": publicservices_vocabulary_show,
    }
