"""Validators of the service-redesign schemas (registered through :func:`get_validators`).

The same validators run for the web form and the action API. Every message names the field (by
its form label) and says how to fix the value. Values of the wrong type (dicts, lists, huge
strings) give a field error, never an exception.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Invalid, StopOnError, missing
from ckanext.scheming.validation import scheming_validator

from ckanext.publicservices import compat
from ckanext.publicservices.logic import input_boundary
from ckanext.publicservices.vocabularies import hierarchy
from ckanext.publicservices.vocabularies import model as vocab_model
from ckanext.publicservices.vocabularies import terms as vocab_terms

Field = dict[str, Any]
Validator = Callable[..., Any]

SHORT_TEXT_MAX = 1_000
LONG_TEXT_MAX = 100_000
LIST_MAX = 200
CONTEXT_NOTES = "publicservices_vocabulary_notes"

PUBLIC_PERSONAL_DATA = ("none", "aggregated-or-anonymised")
SPECTRUM_ACCESS = {
    "open": ("PUBLIC",),
    "shared": ("RESTRICTED",),
    "closed": ("NON_PUBLIC",),
}
VOCAB_HINTS = {
    "lgsl": "Type a service name or its LGSL number and pick it from the list "
    "(e.g. 524 for Household waste collection), or give the URI "
    "http://id.esd.org.uk/service/{number}.",
    "lgfl": "Give an LGFL function number or URI (http://id.esd.org.uk/function/{number}), "
    "or leave the field empty to derive the functions from the services.",
    "council": "Type a council name or its ONS GSS code (e.g. E10000016 for Kent County Council) "
    "and pick it from the list.",
    "data-theme": "Choose one of the EU data themes (e.g. ENVI, SOCI, ECON).",
    "frequency": "Choose how often the data is updated from the list (e.g. annual, monthly).",
    "access-right": "Choose Public, Restricted or Non-public.",
    "file-type": "Choose a file type from the EU file-type list (e.g. CSV, JSON).",
}


def _label(field: Field | None, fallback: str = "This field") -> str:
    if not field:
        return fallback
    label = field.get("label") or field.get("field_name") or fallback
    return str(label) if not isinstance(label, dict) else str(label.get("en", fallback))


def _is_empty(value: Any) -> bool:
    return value is missing or value is None or value == "" or value == []


def _as_text(value: Any, label: str, max_length: int) -> str:
    """``value`` as a string, or Invalid naming the field."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid(
            tk._("{label}: expected text, got {kind}. Enter plain text.").format(
                label=label, kind=type(value).__name__
            )
        )
    text = value if isinstance(value, str) else str(value)
    if len(text) > max_length:
        raise Invalid(
            tk._("{label}: {n} characters is too long; shorten it to at most {m}.").format(
                label=label, n=len(text), m=max_length
            )
        )
    problem = input_boundary.text_problem(text)
    if problem:
        raise Invalid(f"{label}: {problem}")
    return text


def parse_list(value: Any, label: str, max_items: int = LIST_MAX) -> list[str]:
    """A list of strings from a list, a JSON list, or comma/newline separated text."""
    if _is_empty(value):
        return []
    items: list[Any]
    if isinstance(value, list | tuple):
        items = list(value)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 50_000:
            raise Invalid(tk._("{label}: the list is too long.").format(label=label))
        if text.startswith("["):
            loaded = input_boundary.json_loads(text, label)
            if not isinstance(loaded, list):
                raise Invalid(tk._("{label}: expected a list of values.").format(label=label))
            items = loaded
        else:
            items = [p for p in re.split(r"[,\n;]", text)]
    elif isinstance(value, int) and not isinstance(value, bool):
        items = [str(value)]
    else:
        raise Invalid(
            tk._("{label}: expected a list of values, got {kind}.").format(
                label=label, kind=type(value).__name__
            )
        )
    if len(items) > max_items:
        raise Invalid(
            tk._("{label}: {n} values is too many; give at most {m}.").format(
                label=label, n=len(items), m=max_items
            )
        )
    out: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise Invalid(
                tk._("{label}: each value must be text, got {kind}.").format(
                    label=label, kind=type(item).__name__
                )
            )
        text = str(item).strip()
        if len(text) > SHORT_TEXT_MAX:
            raise Invalid(tk._("{label}: a value is too long.").format(label=label))
        if text and text not in out:
            out.append(text)
    return out


def _stopping(fn: Callable[[Any], Any]) -> Validator:
    """A navl validator that records ``Invalid`` and stops the field's chain.

    (navl runs the next validators after an ``Invalid``; the type checks here must keep CKAN's
    own validators from seeing a dict or a list they would crash on.)
    """

    def validator(key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Any) -> None:
        try:
            data[key] = fn(data.get(key, missing))
        except Invalid as e:
            errors.setdefault(key, []).append(e.error)
            raise StopOnError from None

    validator.__doc__ = fn.__doc__
    return validator


# ------------------------------------------------------------------------------------------
# plain values


@scheming_validator
def publicservices_text(field: Field, schema: dict[str, Any]) -> Validator:
    """Plain text, at most ``max_length`` (default 1,000) characters."""
    label = _label(field)
    max_length = int(field.get("max_length") or SHORT_TEXT_MAX)

    def validator(value: Any) -> Any:
        if _is_empty(value):
            return value
        return _as_text(value, label, max_length)

    return _stopping(validator)


@scheming_validator
def publicservices_long_text(field: Field, schema: dict[str, Any]) -> Validator:
    """Plain text, at most ``max_length`` (default 10,000) characters."""
    return publicservices_text(
        {**field, "max_length": field.get("max_length") or LONG_TEXT_MAX}, schema
    )


@scheming_validator
def publicservices_choice(field: Field, schema: dict[str, Any]) -> Validator:
    """One of the field's ``choices`` (values), with a message listing them."""
    label = _label(field)
    values = [str(c["value"]) for c in field.get("choices", [])]

    def validator(value: Any) -> Any:
        if _is_empty(value):
            return value
        text = _as_text(value, label, SHORT_TEXT_MAX).strip()
        if text in values:
            return text
        lowered = {v.lower(): v for v in values}
        if text.lower() in lowered:
            return lowered[text.lower()]
        raise Invalid(
            tk._("{label}: '{value}' is not one of the choices. Choose one of: {choices}.").format(
                label=label, value=text[:80], choices=", ".join(values)
            )
        )

    return _stopping(validator)


@scheming_validator
def publicservices_choice_list(field: Field, schema: dict[str, Any]) -> Validator:
    """Zero or more of the field's ``choices``, stored as a JSON list."""
    label = _label(field)
    values = [str(c["value"]) for c in field.get("choices", [])]

    def validator(value: Any) -> Any:
        if _is_empty(value):
            return value
        items = parse_list(value, label)
        bad = [i for i in items if i not in values]
        if bad:
            raise Invalid(
                tk._("{label}: {bad} not among the choices. Choose from: {choices}.").format(
                    label=label,
                    bad=", ".join(repr(b[:80]) for b in bad[:5]),
                    choices=", ".join(values),
                )
            )
        return json.dumps(items)

    return _stopping(validator)


def _parse_date(text: str) -> dt.date | dt.datetime | None:
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            return dt.date(int(text), 1, 1)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return dt.date(int(text[:4]), int(text[5:7]), 1)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?", text):
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return None


@scheming_validator
def publicservices_iso_date(field: Field, schema: dict[str, Any]) -> Validator:
    """An ISO 8601 date (YYYY, YYYY-MM, YYYY-MM-DD or a date-time)."""
    label = _label(field)

    def validator(value: Any) -> Any:
        if _is_empty(value):
            return value
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        text = _as_text(value, label, 40).strip()
        parsed = _parse_date(text)
        if parsed is None:
            raise Invalid(
                tk._(
                    "{label}: '{value}' is not a date. Use the ISO form YYYY-MM-DD, e.g. "
                    "2018-02-28."
                ).format(label=label, value=text[:40])
            )
        input_boundary.check_year(parsed, label)
        return text

    return _stopping(validator)


_EMAIL = re.compile(
    r"^[^@\s<>\"',;]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$"
)
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@scheming_validator
def publicservices_email(field: Field, schema: dict[str, Any]) -> Validator:
    label = _label(field)

    def validator(value: Any) -> Any:
        if _is_empty(value):
            return value
        text = _as_text(value, label, 254).strip()
        if not _EMAIL.match(text):
            raise Invalid(
                tk._(
                    "{label}: '{value}' is not an email address. Use the form name@council.gov.uk."
                ).format(label=label, value=text[:80])
            )
        return text

    return _stopping(validator)


def _check_url(text: str, label: str) -> str:
    if not _URL.match(text):
        raise Invalid(
            tk._(
                "{label}: '{value}' is not a web address. Start it with https:// or http://."
            ).format(label=label, value=text[:80])
        )
    return text


@scheming_validator
def publicservices_url(field: Field, schema: dict[str, Any]) -> Validator:
    label = _label(field)

    def validator(value: Any) -> Any:
        if _is_empty(value):
            return value
        return _check_url(_as_text(value, label, 2_000).strip(), label)

    return _stopping(validator)


@scheming_validator
def publicservices_url_list(field: Field, schema: dict[str, Any]) -> Validator:
    """One or more web addresses, stored as a JSON list."""
    label = _label(field)

    def validator(value: Any) -> Any:
        if _is_empty(value):
            return value
        return json.dumps([_check_url(v, label) for v in parse_list(value, label)])

    return _stopping(validator)


def _resolve_standard(value: str) -> str | None:
    """A data standard's URI for its name or URI (None when unknown or unavailable)."""
    try:
        from ckanext.publicservices.validation import standards  # owned by the validation work
    except ImportError:
        return None
    resolve = getattr(standards, "resolve", None)
    if resolve is None:
        return None
    try:
        found = resolve(value)
    except Exception:  # an unknown name is not an error of this field
        return None
    if isinstance(found, str):
        return found
    uri = getattr(found, "uri", None) or (found.get("uri") if isinstance(found, dict) else None)
    return str(uri) if uri else None


@scheming_validator
def publicservices_conforms_to(field: Field, schema: dict[str, Any]) -> Validator:
    """Standards the data follows: a known standard's name, or a URL; stored as URIs."""
    label = _label(field)

    def validator(value: Any) -> Any:
        if _is_empty(value):
            return value
        out = []
        for item in parse_list(value, label):
            uri = _resolve_standard(item)
            if uri is None:
                if not _URL.match(item):
                    raise Invalid(
                        tk._(
                            "{label}: '{value}' is neither a known data standard nor a web "
                            "address. "
                            "Give the standard's name (e.g. business-rates) or its URL."
                        ).format(label=label, value=item[:80])
                    )
                uri = item
            out.append(uri)
        return json.dumps(list(dict.fromkeys(out)))

    return _stopping(validator)


def _publicservices_tag_string(value: Any) -> Any:
    """Keywords as comma-separated text or a list of strings; anything else is an error."""
    if _is_empty(value) or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) and len(v) <= 100 for v in value):
        return value
    raise Invalid(tk._("Keywords: give words separated by commas, e.g. recycling, bins."))


def _publicservices_string(value: Any) -> Any:
    """Reject values that are not text (for core fields such as name, owner_org, tag_string)."""
    if _is_empty(value) or isinstance(value, str):
        return value
    raise Invalid(tk._("Expected text, got {kind}.").format(kind=type(value).__name__))


@scheming_validator
def publicservices_license(field: Field, schema: dict[str, Any]) -> Validator:
    """A licence id from the portal's licence register; ``field['allowed']`` narrows it."""
    label = _label(field)
    allowed = [str(a) for a in field.get("allowed_licenses", [])]

    def validator(value: Any) -> Any:
        if _is_empty(value):
            return value
        text = _as_text(value, label, 200).strip()
        from ckan import model

        known = model.Package.get_license_register()
        if text not in known:
            raise Invalid(
                tk._(
                    "{label}: '{value}' is not a licence this portal knows. Choose one from the "
                    "list, e.g. uk-ogl."
                ).format(label=label, value=text[:80])
            )
        if allowed and text not in allowed:
            raise Invalid(
                tk._("{label}: choose one of {choices} for this kind of dataset.").format(
                    label=label, choices=", ".join(allowed)
                )
            )
        return text

    return _stopping(validator)


# ------------------------------------------------------------------------------------------
# vocabularies


def _note(context: Any, text: str) -> None:
    if isinstance(context, dict):
        context.setdefault(CONTEXT_NOTES, []).append(text)


@scheming_validator
def publicservices_vocab_list(field: Field, schema: dict[str, Any]) -> Validator:
    """Terms of ``field['vocabulary']`` given by code, URI or (councils) former code.

    Stored as a JSON list of URIs (LGSL, LGFL, EU tables) or current GSS codes (councils). A
    former GSS code is replaced by the current one and the change noted in
    ``vocabulary_notes``. Withdrawn terms are kept.
    """
    label = _label(field)
    name = str(field.get("vocabulary", ""))
    store_code = name == "council"
    required = bool(field.get("required"))

    def validator(key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Any) -> None:
        value = data.get(key, missing)
        try:
            items = parse_list(value, label)
        except Invalid as e:
            errors[key].append(e.error)
            return
        if not items:
            if required:
                errors[key].append(
                    tk._("{label}: give at least one. {hint}").format(
                        label=label, hint=VOCAB_HINTS.get(name, "")
                    )
                )
            data.pop(key, None)
            raise StopOnError
        out: list[str] = []
        unknown: list[str] = []
        # codes and URIs hold no spaces: "524 1130" (legacy data.gov.uk form) is two values
        items = [part for item in items for part in item.split()]
        for item in items:
            term = vocab_terms.lookup(name, item)
            if term is None:
                unknown.append(item)
                continue
            stored = term.code if store_code else term.uri
            if (
                store_code
                and item.strip().upper() != term.code
                and item.strip().upper() in term.former_codes
            ):
                _note(
                    context,
                    tk._(
                        "{label}: former GSS code {old} replaced by the current code {new} "
                        "({name})."
                    ).format(label=label, old=item.strip().upper(), new=term.code, name=term.label),
                )
            if stored not in out:
                out.append(stored)
        if unknown:
            errors[key].append(
                tk._("{label}: {codes} not found. {hint}").format(
                    label=label,
                    codes=", ".join(repr(u[:60]) for u in unknown[:5]),
                    hint=VOCAB_HINTS.get(name, ""),
                )
            )
            return
        data[key] = json.dumps(out)

    return validator


@scheming_validator
def publicservices_vocab_choice(field: Field, schema: dict[str, Any]) -> Validator:
    """One term of ``field['vocabulary']`` by code or URI, stored as its URI."""
    label = _label(field)
    name = str(field.get("vocabulary", ""))

    def validator(value: Any) -> Any:
        if _is_empty(value):
            return value
        text = _as_text(value, label, 500).strip()
        term = vocab_terms.lookup(name, text)
        if term is None:
            raise Invalid(
                tk._("{label}: '{value}' is not recognised. {hint}").format(
                    label=label, value=text[:80], hint=VOCAB_HINTS.get(name, "")
                )
            )
        return term.uri

    return _stopping(validator)


def _raw_list(data: dict[Any, Any], key: tuple[Any, ...]) -> list[str]:
    try:
        return parse_list(data.get(key, missing), "")
    except Invalid:
        return []


def _uris(vocabulary: str, items: list[str]) -> list[str]:
    """Codes or URIs as URIs (unknown values kept as given, for the field check to report)."""
    out: dict[str, None] = {}
    for item in items:
        for part in item.split():  # legacy "524 1130"
            term = vocab_terms.lookup(vocabulary, part)
            out[term.uri if term else part] = None
    return list(out)


def _previous_services(data: dict[Any, Any], context: Any) -> list[str] | None:
    """The services stored before this update, or None on create.

    ``package_update`` puts the stored ``model.Package`` in the context before it validates; its
    extras are a column of the row already loaded, so reading them costs no SQL.
    """
    pkg = context.get("package") if isinstance(context, dict) else None
    pkg_id = getattr(pkg, "id", None)
    if not pkg_id or data.get(("id",)) != pkg_id:
        return None
    raw = compat.stored_extras(pkg).get("la_service")
    stored = publicservices_json_list_output(raw) if raw else []
    if not isinstance(stored, list):
        return None
    return _uris("lgsl", [str(s) for s in stored])


def _rederive(value: Any, vocabulary: str, old_derived: list[str], new_derived: list[str]) -> Any:
    """Swap the values derived from the old services for those derived from the new ones.

    A client that resends the dataset it read (package_show → change services →
    package_update, or package_patch) sends back the old services' derived values; those are
    replaced. Values it chose itself (not derivable from the old services) are kept, and a list
    holding none of the old derived values is the client's own choice, kept as sent.
    """
    try:
        sent = _uris(vocabulary, parse_list(value, ""))
    except Invalid:
        return value  # the field check reports it
    old = set(old_derived)
    if not old.intersection(sent):
        return value
    own = [v for v in sent if v not in old]
    return list(dict.fromkeys([*new_derived, *own])) or missing


def _derived_from_services(
    field: Field, schema: dict[str, Any], derive: Callable[[list[str]], list[str]]
) -> Validator:
    """A vocabulary list derived from the dataset's ``la_service``.

    Left empty, it is derived from the services. Given while the services changed (compared with
    the stored dataset), its values derived from the old services are re-derived from the new
    ones and the rest kept (see ``_rederive``). Given while the services are unchanged, it is
    kept as sent.
    """
    check = publicservices_vocab_list(field, schema)
    vocabulary = str(field.get("vocabulary", ""))

    def validator(key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Any) -> None:
        value = data.get(key, missing)
        services = _uris("lgsl", _raw_list(data, ("la_service",)))
        if _is_empty(value) or value == "[]":
            data[key] = derive(services) or missing
        else:
            previous = _previous_services(data, context)
            if previous is not None and set(previous) != set(services):
                data[key] = _rederive(value, vocabulary, derive(previous), derive(services))
        check(key, data, errors, context)

    return validator


@scheming_validator
def publicservices_la_function(field: Field, schema: dict[str, Any]) -> Validator:
    """LGFL functions; derived from ``la_service`` when left empty."""
    return _derived_from_services(field, schema, hierarchy.function_uris_for_services)


@scheming_validator
def publicservices_theme(field: Field, schema: dict[str, Any]) -> Validator:
    """EU data themes; derived from the services (LGA theme mapping) when left empty."""
    return _derived_from_services(field, schema, hierarchy.eu_theme_uris)


def publicservices_access_rights(
    key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Any
) -> None:
    """Access rights as an EU URI; when empty, derived from the data spectrum."""
    field = {"label": tk._("Access rights"), "vocabulary": "access-right"}
    value = data.get(key, missing)
    if _is_empty(value):
        spectrum = data.get(("data_spectrum",))
        if isinstance(spectrum, str) and spectrum.strip() in SPECTRUM_ACCESS:
            data[key] = vocab_model.access_right_uri(SPECTRUM_ACCESS[spectrum.strip()][0])
            return
        data.pop(key, None)
        raise StopOnError
    publicservices_vocab_choice(field, {})(key, data, errors, context)


def publicservices_vocabulary_notes(
    key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Any
) -> None:
    """Keep earlier notes; add the code changes made in this validation (runs after the fields)."""
    value = data.get(key, missing)
    try:
        notes = (
            parse_list(value, tk._("Vocabulary notes"), max_items=500)
            if not _is_empty(value)
            else []
        )
    except Invalid:
        notes = []
    new = context.pop(CONTEXT_NOTES, []) if isinstance(context, dict) else []
    today = dt.date.today().isoformat()
    for text in new:
        entry = f"{today}: {text}"
        if not any(n.endswith(text) for n in notes):
            notes.append(entry)
    if not notes:
        data.pop(key, None)
        raise StopOnError
    data[key] = json.dumps(notes)


def publicservices_json_list_output(value: Any) -> Any:
    """Stored JSON list → list (legacy plain strings become one-item lists)."""
    if isinstance(value, list):
        return value
    if not isinstance(value, str) or not value:
        return value
    try:
        loaded = json.loads(value)
    except ValueError:
        # legacy data.gov.uk values: codes or URIs separated by spaces or commas
        return [v for v in re.split(r"[\s,;]+", value) if v]
    return loaded if isinstance(loaded, list) else [value]


# ------------------------------------------------------------------------------------------
# whole-dataset rules (scheming ``after_validators`` / ``before_validators``)


def _value(data: dict[Any, Any], name: str) -> Any:
    value = data.get((name,), missing)
    return None if value is missing else value


def _text_value(data: dict[Any, Any], name: str) -> str | None:
    value = _value(data, name)
    return value if isinstance(value, str) and value else None


def _err(errors: dict[Any, Any], key: tuple[Any, ...], message: str) -> None:
    errors.setdefault(key, [])
    if message not in errors[key]:
        errors[key].append(message)


def _has_errors(errors: dict[Any, Any], name: str) -> bool:
    return bool(errors.get((name,)))


def publicservices_dataset_rules(
    key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Any
) -> None:
    """Openness and sensitivity rules of the service dataset (domain.md)."""
    private = _value(data, "private")
    is_private = private is True or (
        isinstance(private, str) and private.lower() in ("true", "1", "yes", "on")
    )
    # fields that failed their own validation may still hold anything: compare strings only
    spectrum = _text_value(data, "data_spectrum")
    personal = _text_value(data, "personal_data")
    classification = _text_value(data, "security_classification")
    exception = _text_value(data, "open_by_default_exception")
    access = _text_value(data, "access_rights")

    if not is_private:
        if spectrum and spectrum != "open" and not _has_errors(errors, "data_spectrum"):
            _err(
                errors,
                ("data_spectrum",),
                tk._(
                    "Data spectrum: a public dataset must be open. Choose 'open', or set "
                    "Visibility to Private and explain why in 'Why it is not open'."
                ),
            )
        if (
            classification
            and classification != "OFFICIAL"
            and not _has_errors(errors, "security_classification")
        ):
            _err(
                errors,
                ("security_classification",),
                tk._(
                    "Security classification: a public dataset must be OFFICIAL. Set Visibility to "
                    "Private for OFFICIAL-SENSITIVE data."
                ),
            )
    if (
        (not is_private or spectrum == "open")
        and personal
        and personal not in PUBLIC_PERSONAL_DATA
        and not _has_errors(errors, "personal_data")
    ):
        _err(
            errors,
            ("personal_data",),
            tk._(
                "Personal data: public or open data may hold no personal data beyond "
                "aggregated or anonymised figures. Choose 'none' or 'aggregated or "
                "anonymised', "
                "or make the dataset private and not open."
            ),
        )
    if spectrum and spectrum != "open" and not (isinstance(exception, str) and exception.strip()):
        _err(
            errors,
            ("open_by_default_exception",),
            tk._(
                "Why it is not open: the data is {spectrum}, so say why it cannot be open, e.g. "
                "the "
                "FOI/FOISA/EIR exemption and the reason (open by default)."
            ).format(spectrum=spectrum),
        )
    if access and not _has_errors(errors, "access_rights"):
        code = str(access).rsplit("/", 1)[-1]
        if not is_private and code != "PUBLIC":
            _err(
                errors,
                ("access_rights",),
                tk._(
                    "Access rights: a public dataset must have access rights 'Public'. Choose "
                    "Public or make the dataset private."
                ),
            )
        elif spectrum in SPECTRUM_ACCESS and code not in SPECTRUM_ACCESS[spectrum]:
            allowed = ", ".join(
                vocab_terms.access_rights()[c].label for c in SPECTRUM_ACCESS[spectrum]
            )
            _err(
                errors,
                ("access_rights",),
                tk._(
                    "Access rights: {spectrum} data needs access rights '{allowed}'. Change one "
                    "of the two so they agree."
                ).format(spectrum=spectrum, allowed=allowed),
            )

    # temporal coverage: start ≤ end in each period
    indexes = sorted(
        {
            k[1]
            for k in data
            if len(k) == 3 and k[0] == "temporal_coverage" and isinstance(k[1], int)
        }
    )
    for i in indexes:
        start = data.get(("temporal_coverage", i, "start"))
        end = data.get(("temporal_coverage", i, "end"))
        if not isinstance(start, str) or not isinstance(end, str) or not start or not end:
            continue
        s, e = _parse_date(start), _parse_date(end)
        if s is None or e is None:
            continue
        s_d = s.date() if isinstance(s, dt.datetime) else s
        e_d = e.date() if isinstance(e, dt.datetime) else e
        if s_d > e_d:
            _err(
                errors,
                ("temporal_coverage", i, "end"),
                tk._(
                    "Temporal coverage: the end ({end}) is before the start ({start}). Swap "
                    "them or correct the end date."
                ).format(start=start, end=end),
            )


def publicservices_shape_rules(
    key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Any
) -> None:
    """Turn values of the wrong shape (e.g. a string where a list of records is expected) from
    anonymous ``__junk`` into errors on the field they were given for."""
    junk = data.get(("__junk",))
    if not isinstance(junk, dict) or not junk:
        return
    for jkey in list(junk):
        field = jkey[0] if isinstance(jkey, tuple) and jkey else jkey
        if not isinstance(field, str) or field.startswith("__"):
            continue
        target: tuple[Any, ...] = (field,)
        if (
            isinstance(jkey, tuple)
            and len(jkey) >= 3
            and jkey[0] == "resources"
            and isinstance(jkey[1], int)
        ):
            target = ("resources", jkey[1], jkey[2]) if isinstance(jkey[2], str) else ("resources",)
        _err(
            errors,
            target,
            tk._(
                "{field}: this value has the wrong form. Give a list of records with the fields "
                "the form shows."
            ).format(field=field),
        )
        del junk[jkey]
    if not junk:
        del data[("__junk",)]


def _publicservices_string_list(value: Any) -> Any:
    """A list (or comma-separated text) of short strings; other shapes are an error."""
    if _is_empty(value):
        return value
    items = parse_list(value, tk._("This field"))
    return items


def _publicservices_size(value: Any) -> Any:
    """A non-negative whole number (a size in bytes or a count)."""
    if _is_empty(value):
        return value
    if isinstance(value, bool):
        raise Invalid(tk._("Expected a whole number, got true/false."))
    if isinstance(value, int):
        number = value
    elif (
        isinstance(value, float)
        and value.is_integer()
        or isinstance(value, str)
        and re.fullmatch(r"\s*\d{1,18}\s*", value)
    ):
        number = int(value)
    else:
        raise Invalid(tk._("Expected a whole number of 0 or more, e.g. 2048."))
    if number < 0 or number > 10**18:
        raise Invalid(tk._("Expected a whole number of 0 or more, e.g. 2048."))
    return number


def _publicservices_resource_schema(value: Any) -> Any:
    """A Table Schema as a JSON object (or JSON text), or the URL of one; stored as text."""
    if _is_empty(value):
        return value
    label = tk._("Table Schema")
    if isinstance(value, dict):
        loaded: Any = value
    else:
        text = _as_text(value, label, LONG_TEXT_MAX).strip()
        if not text:
            return missing
        if not text.startswith("{"):
            return _check_url(text, label)
        loaded = input_boundary.json_loads(text, label)
    fields = loaded.get("fields") if isinstance(loaded, dict) else None
    if not isinstance(fields, list) or not all(
        isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields
    ):
        raise Invalid(
            tk._('{label}: a Table Schema needs a "fields" list, each with a "name".').format(
                label=label
            )
        )
    return json.dumps(loaded, ensure_ascii=False)


publicservices_string = _stopping(_publicservices_string)
publicservices_tag_string = _stopping(_publicservices_tag_string)
publicservices_string_list = _stopping(_publicservices_string_list)
publicservices_size = _stopping(_publicservices_size)
publicservices_resource_schema = _stopping(_publicservices_resource_schema)


def get_validators() -> dict[str, Any]:
    """The dataset schema's validators, for the plugin's ``IValidators``."""
    return {
        "publicservices_access_rights": publicservices_access_rights,
        "publicservices_choice": publicservices_choice,
        "publicservices_choice_list": publicservices_choice_list,
        "publicservices_conforms_to": publicservices_conforms_to,
        "publicservices_dataset_rules": publicservices_dataset_rules,
        "publicservices_email": publicservices_email,
        "publicservices_iso_date": publicservices_iso_date,
        "publicservices_json_list_output": publicservices_json_list_output,
        "publicservices_la_function": publicservices_la_function,
        "publicservices_license": publicservices_license,
        "publicservices_long_text": publicservices_long_text,
        "publicservices_resource_schema": publicservices_resource_schema,
        "publicservices_shape_rules": publicservices_shape_rules,
        "publicservices_size": publicservices_size,
        "publicservices_string": publicservices_string,
        "publicservices_tag_string": publicservices_tag_string,
        "publicservices_string_list": publicservices_string_list,
        "publicservices_text": publicservices_text,
        "publicservices_theme": publicservices_theme,
        "publicservices_url": publicservices_url,
        "publicservices_url_list": publicservices_url_list,
        "publicservices_vocab_choice": publicservices_vocab_choice,
        "publicservices_vocab_list": publicservices_vocab_list,
        "publicservices_vocabulary_notes": publicservices_vocabulary_notes,
    }
