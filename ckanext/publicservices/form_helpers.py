"""Template helpers of the suite's forms: the GOV.UK error-summary pattern.

Validators word their messages for every caller, so an API client reads "Services: give at least
one …". A form already shows the message beside the field's own label, so here the label
prefix is dropped, core's "Missing value" becomes what to do ("Enter a title"), and each message
gets the id of the field it belongs to, for the summary's links.
"""

from __future__ import annotations

import re
from typing import Any

from ckan.plugins import toolkit as tk

__all__ = [
    "publicservices_facet_item_label",
    "publicservices_has_value",
    "publicservices_standards_display",
    "publicservices_date",
    "publicservices_form_errors",
    "publicservices_form_sections",
    "publicservices_home_consortia",
    "publicservices_home_dataset_count",
    "publicservices_plural",
    "publicservices_section_slug",
]

# Core's and scheming's words for an empty required field.
_MISSING = {"missing value", "please enter a value"}
# Prefixes validators put before their messages that are not (or no longer) a field's label.
_ALIASES = (
    "Data spectrum",
    "Temporal coverage",
    "Time period",
    "Services",
    "Personal data",
    "Security classification",
    "Access rights",
    "Why it is not open",
    "Table Schema",
    "URL",
)
_CHOICE_SNIPPETS = ("select", "radio", "checkbox", "license", "organization")


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("en") or next(iter(value.values()), "")
    return str(value or "")


def _labels(field: dict[str, Any]) -> list[str]:
    names = [_text(field.get("label")), _text(field.get("repeating_label"))]
    names += [_text(sub.get("label")) for sub in field.get("repeating_subfields") or []]
    return [n for n in names if n]


def _strip_label(message: str, labels: list[str]) -> str:
    text = message.strip()
    for label in sorted({*labels, *_ALIASES}, key=len, reverse=True):
        prefix = label + ":"
        if text.lower().startswith(prefix.lower()):
            text = text[len(prefix) :].strip()
            return text[:1].upper() + text[1:]
    return text


def _missing(field: dict[str, Any], label: str) -> str:
    own = _text(field.get("form_error_missing"))
    if own:
        return tk._(own)
    snippet = str(field.get("form_snippet") or "")
    if any(word in snippet for word in _CHOICE_SNIPPETS) or field.get("choices"):
        return tk._("Choose {label}").format(label=label.lower())
    return tk._("Enter {label}").format(label=label.lower())


def _humane(message: Any, field: dict[str, Any], label: str, labels: list[str]) -> str:
    text = _strip_label(str(message), labels)
    if text.rstrip(".").lower() in _MISSING:
        return _missing(field, label)
    if text.lower() == "that url is already in use.":  # core's word, not the form's
        return tk._(
            "That web address is already used by another dataset: change the end of it, for "
            "example by adding the year or your council's name"
        )
    return text


def _target(field: dict[str, Any], field_id: str) -> str:
    snippet = str(field.get("form_snippet") or "")
    if "upload" in snippet and field.get("field_name") == "url":
        return f"{field_id[: -len('url')]}resource-url"  # core's upload-or-link widget
    if "checkbox" in snippet:
        try:
            from ckanext.scheming.helpers import scheming_field_choices

            choices = scheming_field_choices(field) or []
        except Exception:  # a choices helper that cannot run: link to the group instead
            choices = []
        if choices:
            return f"{field_id}-{choices[0]['value']}"
    return field_id


def publicservices_form_errors(
    errors: Any, fields: Any, data: Any = None, prefix: str = "field-"
) -> list[dict[str, str]]:
    """The form's errors in the order of its fields, reworded in place for the inline messages.

    Returns one item per field in error: ``href`` (``#`` and the input's id), ``label`` (the
    field's visible label) and ``message``. Every field in error is listed, once: a blank web
    address is listed beside a blank title too, since the publisher must fill both in (the
    address is only made from the title while the page's script runs).
    """
    if not isinstance(errors, dict) or not errors:
        return []
    items: list[dict[str, str]] = []
    seen: set[str] = set()
    for field in fields or []:
        name = field.get("field_name")
        if not name or name not in errors:
            continue
        seen.add(name)
        label = _text(field.get("label")) or name
        labels = _labels(field)
        value = errors[name]
        subfields = field.get("repeating_subfields")
        if subfields and isinstance(value, list) and any(isinstance(v, dict) for v in value):
            for index, group in enumerate(value):
                if not isinstance(group, dict):
                    continue
                for sub in subfields:
                    sub_name = sub.get("field_name")
                    messages = group.get(sub_name)
                    if not messages:
                        continue
                    sub_label = _text(sub.get("label")) or sub_name
                    reworded = [_humane(m, sub, sub_label, labels) for m in messages]
                    group[sub_name] = reworded
                    heading = _text(field.get("repeating_label")) or label
                    items.append(
                        {
                            "href": f"#{prefix}{name}-{index}-{sub_name}",
                            "label": f"{heading} {index + 1}: {sub_label}",
                            "message": reworded[0],
                        }
                    )
            continue
        messages = value if isinstance(value, list) else [value]
        reworded = [_humane(m, field, label, labels) for m in messages if isinstance(m, str | int)]
        if not reworded:
            continue
        errors[name] = reworded
        items.append(
            {
                "href": "#" + _target(field, f"{prefix}{name}"),
                "label": label,
                "message": reworded[0],
            }
        )
    for key in sorted(k for k in errors if k not in seen):
        value = errors[key]
        messages = value if isinstance(value, list) else [value]
        texts = [str(m) for m in messages if isinstance(m, str | int)]
        if not texts and messages:
            texts = [str(messages[0])]
        if not texts:
            continue
        label = key.replace("_", " ").capitalize()
        items.append({"href": f"#{prefix}{key}", "label": label, "message": texts[0]})
    return items


def publicservices_plural(count: Any, one: str, many: str) -> str:
    """``"1 error"``, ``"2 errors"``: the count and the right form of the word."""
    try:
        number = int(count)
    except (TypeError, ValueError):
        number = 0
    return f"{number} {tk.ungettext(one, many, number)}"


def publicservices_section_slug(title: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _text(title).lower()).strip("-") or "section"


def publicservices_form_sections(fields: Any) -> list[dict[str, Any]]:
    """The form's pages: fields grouped by the ``form_section`` that starts each group.

    Fields before the first section (none in the suite's schemas) form a page of their own.
    """
    sections: list[dict[str, Any]] = []
    for field in fields or []:
        title = field.get("form_section")
        if title or not sections:
            slug = publicservices_section_slug(title or "details")
            sections.append({"id": f"section-{slug}", "title": _text(title), "fields": []})
        sections[-1]["fields"].append(field)
    return sections


def publicservices_home_consortia(limit: int = 12) -> list[dict[str, Any]]:
    """The consortia and organisations that publish most, for the home page."""
    try:
        orgs = tk.get_action("organization_list")(
            {}, {"all_fields": True, "include_dataset_count": True, "limit": 100}
        )
    except (tk.NotAuthorized, tk.ValidationError):
        return []
    orgs.sort(key=lambda o: (-(o.get("package_count") or 0), o.get("display_name") or ""))
    return orgs[:limit]


def publicservices_home_dataset_count() -> int:
    try:
        return int(tk.get_action("package_search")({}, {"rows": 0})["count"])
    except (tk.NotAuthorized, tk.ValidationError, KeyError):
        return 0


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def publicservices_date(value: Any, with_time: bool = False) -> str:
    """A date as people in the UK write it: "1 October 2017" (and "14:05" with ``with_time``).

    Takes ISO text (dates or timestamps, as CKAN stores them) or a datetime; anything else is
    returned as it was given, never as an error.
    """
    import datetime as dt

    if value in (None, ""):
        return ""
    when: Any = value
    if isinstance(value, str):
        text = value.strip()
        try:
            when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                when = dt.date.fromisoformat(text[:10])
            except ValueError:
                return text
    if not isinstance(when, dt.date):
        return str(value)
    out = f"{when.day} {tk._(_MONTHS[when.month - 1])} {when.year}"
    if with_time and isinstance(when, dt.datetime):
        out += f", {when:%H:%M}"
    return out


def publicservices_has_value(value: Any) -> bool:
    """Whether a stored field holds something to show (not blank, not an empty list or rows)."""
    if value is None:
        return False
    if isinstance(value, str):
        text = value.strip()
        return text not in ("", "[]", "{}", "null")
    if isinstance(value, list | tuple):
        return any(publicservices_has_value(v) for v in value)
    if isinstance(value, dict):
        return any(publicservices_has_value(v) for v in value.values())
    return True


def publicservices_standards_display(value: Any) -> list[dict[str, str]]:
    """Data standards a dataset follows, as ``{title, url}``: a known standard by its title and
    its page on the portal, any other by its address."""
    import json

    items = value
    if isinstance(value, str):
        try:
            items = json.loads(value)
        except ValueError:
            items = [value]
    if not isinstance(items, list):
        items = [items]
    out = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            continue
        std = None
        try:
            from ckanext.publicservices.validation import standards

            std = standards.get(item)
        except Exception:  # the validation plugin off or its registry unreadable: the address
            std = None
        if std and std.get("name"):
            url = tk.h.url_for("publicservices_validation.standard_read", name=std["name"])
            out.append({"title": str(std.get("title") or std["name"]), "url": url})
        else:
            out.append({"title": item, "url": item})
    return out


def publicservices_facet_item_label(facet: Any, item: Any) -> str:
    """A facet value as people read it: the schema's label for a choice ("Alpha", not "alpha";
    "Planning and delivery chains", not "delivery-chains-and-planning"), a dataset type in words.
    Vocabulary facets are labelled already (at search time)."""
    if not hasattr(item, "get"):
        return str(item)
    name = str(item.get("name") or "")
    shown = str(item.get("display_name") or name)
    if shown != name:
        return shown
    field = str(facet or "")
    field = field[len("vocab_") :] if field.startswith("vocab_") else field
    if field == "dataset_type":
        return name.replace("-", " ").replace("_", " ").capitalize()
    try:
        from ckanext.scheming.helpers import scheming_dataset_schemas

        schemas = scheming_dataset_schemas() or {}
    except Exception:  # scheming not loaded: the value as it is
        schemas = {}
    for schema in schemas.values():
        for spec in schema.get("dataset_fields", []):
            if spec.get("field_name") != field:
                continue
            for choice in spec.get("choices") or []:
                if str(choice.get("value")) == name:
                    # "Alpha — trying out solutions": the facet shows the short part
                    return _text(choice.get("label")).split(" — ")[0]
    return shown
