"""Validators of the consortium (organisation) schema, ``schemas/consortium.yaml``.

Organisation extras are flat strings in CKAN 2.12 (a check constraint on ``group.extras``), so list
values are stored as JSON text and the repeating ``partners`` field is serialised into one extra by
:func:`publicservices_consortium_after` and parsed back on show.
"""

from __future__ import annotations

import contextlib
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any, cast

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Missing, StopOnError

from ckanext.publicservices.logic import input_boundary
from ckanext.publicservices.vocabularies import terms

_ = tk._
Invalid = tk.Invalid
missing = tk.missing

KINDS: tuple[str, ...] = (
    "consortium",
    "local-authority",
    "service-design-agency",
    "digital-agency",
    "other",
)
# kinds whose page is about a council's service: they must name the council that leads
KINDS_NEEDING_LEAD: frozenset[str] = frozenset({"consortium", "local-authority"})
FUNDING_MAX = Decimal(10**13)
PARTNER_SUBFIELDS: tuple[str, ...] = ("name", "role", "url")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _is_blank(value: Any) -> bool:
    if value is None or isinstance(value, Missing):
        return True
    return isinstance(value, str) and not value.strip()


def _split_list(value: Any) -> list[str]:
    """A list from the API, the form (one or many inputs), JSON text or comma-separated text."""
    if _is_blank(value):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            value = input_boundary.json_loads(text, _("Not a valid list"))
        else:
            value = re.split(r"[,\n]", text)
    if not isinstance(value, list | tuple):
        raise Invalid(_("Expecting a list of codes"))
    out: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise Invalid(_("Expecting a list of codes, got {!r}").format(item))
        if item.strip():
            out.append(item.strip())
    return out


def _store_list(key: tuple[Any, ...], data: dict[Any, Any], values: list[str]) -> None:
    """Keep a non-empty list as JSON text; drop an empty one (no extra is stored)."""
    if values:
        data[key] = json.dumps(values)
        return
    data.pop(key, None)
    raise StopOnError


def publicservices_consortium_gss(value: Any, context: dict[str, Any]) -> Any:
    """A council GSS code from the council register; former codes become current ones."""
    if _is_blank(value):
        return value
    term = terms.council(value)
    if term is None:
        msg = _("Unknown council GSS code {!r}: use a code from the ONS register, e.g. E10000016")
        raise Invalid(msg.format(value))
    if term.withdrawn:
        msg = _("{code} ({name}) is no longer a current council")
        raise Invalid(msg.format(code=term.code, name=term.label))
    return term.code


def publicservices_consortium_gss_list(
    key: tuple[Any, ...], data: dict[Any, Any], errors: dict[Any, Any], context: dict[str, Any]
) -> None:
    """One or more council GSS codes, stored as a JSON list of current codes."""
    values = _split_list(data.get(key))
    codes: list[str] = []
    for value in values:
        try:
            code = publicservices_consortium_gss(value, context)
        except Invalid as err:
            errors[key].append(err.error)
            continue
        if code not in codes:
            codes.append(code)
    if errors[key]:
        raise StopOnError
    _store_list(key, data, codes)


def publicservices_consortium_lgsl_list(
    key: tuple[Any, ...], data: dict[Any, Any], errors: dict[Any, Any], context: dict[str, Any]
) -> None:
    """One or more LGSL services (number or URI), stored as a JSON list of LGSL URIs."""
    values = _split_list(data.get(key))
    uris: list[str] = []
    for value in values:
        term = terms.service(value)
        if term is None:
            errors[key].append(
                _(
                    "Unknown LGSL service {!r}: use a service number or "
                    "http://id.esd.org.uk/service/{{id}}"
                ).format(value)
            )
            continue
        if term.uri not in uris:
            uris.append(term.uri)
    if errors[key]:
        raise StopOnError
    _store_list(key, data, uris)


def publicservices_consortium_frequency(value: Any, context: dict[str, Any]) -> Any:
    """An update frequency (EU authority table code or URI, or ``financial-year``), kept as URI."""
    if _is_blank(value):
        return value
    term = terms.lookup("frequency", value)
    if term is None:
        raise Invalid(_("Unknown update frequency {!r}").format(value))
    return term.uri


def publicservices_consortium_license(value: Any, context: dict[str, Any]) -> Any:
    """A licence id known to the portal's licence register."""
    if _is_blank(value):
        return value
    from ckan import model

    if value not in model.Package.get_license_register():
        raise Invalid(_("Unknown licence {!r}").format(value))
    return value


def publicservices_consortium_email(value: Any, context: dict[str, Any]) -> Any:
    if _is_blank(value):
        return value
    value = value.strip()
    if not _EMAIL.match(value):
        raise Invalid(_("Not a valid email address: {!r}").format(value))
    return value


def publicservices_consortium_url(value: Any, context: dict[str, Any]) -> Any:
    """An absolute http(s) link."""
    if _is_blank(value):
        return value
    value = value.strip()
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
        raise Invalid(_("Must be a full web address starting with http:// or https://"))
    return value


def publicservices_consortium_amount(value: Any, context: dict[str, Any]) -> Any:
    """A funding amount in pounds (GBP): a non-negative number, '£' and ',' allowed on input."""
    if _is_blank(value):
        return value
    text = str(value).strip().replace(",", "").replace("£", "").replace("GBP", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation as err:
        raise Invalid(_("Funding amount must be a number of pounds, e.g. 40000")) from err
    if not amount.is_finite() or abs(amount) > FUNDING_MAX:
        raise Invalid(_("Funding amount must be a number of pounds up to 10,000,000,000,000"))
    if amount < 0:
        raise Invalid(_("Funding amount must not be negative"))
    amount = amount.quantize(Decimal("0.01"))
    return str(amount.to_integral_value()) if amount == amount.to_integral_value() else str(amount)


def publicservices_consortium_partner_name(
    key: tuple[Any, ...], data: dict[Any, Any], errors: dict[Any, Any], context: dict[str, Any]
) -> None:
    """A partner's name is required unless the whole partner row is blank (an unused form row)."""
    value = data.get(key)
    if not _is_blank(value):
        data[key] = cast(str, value).strip()
        return
    row = key[:-1]
    if any(not _is_blank(data.get(row + (sub,))) for sub in PARTNER_SUBFIELDS if sub != "name"):
        errors.setdefault(key, []).append(_("Missing value: every partner needs a name"))
        raise StopOnError


_FORM_PARTNER = re.compile(r"^partners-(\d+)-(name|role|url)$")
_FORM_ROWS = "publicservices_consortium_form_partner_rows"


def publicservices_consortium_before(
    key: tuple[Any, ...], data: dict[Any, Any], errors: dict[Any, Any], context: dict[str, Any]
) -> None:
    """Turn the web form's ``partners-N-field`` inputs into the ``partners`` list.

    Scheming expands these for datasets but not for organisations; CKAN's group views only
    split ``__`` keys, so the form's keys arrive as unknown top-level keys (``__extras``).
    """
    extras = data.get(("__extras",))
    if not isinstance(extras, dict):
        return
    rows: set[int] = set()
    for name in [k for k in extras if isinstance(k, str) and _FORM_PARTNER.match(k)]:
        match = _FORM_PARTNER.match(name)
        assert match is not None
        index, sub = int(match.group(1)), match.group(2)
        value = extras.pop(name)
        if ("partners", index, sub) not in data:
            data[("partners", index, sub)] = value
            rows.add(index)
    if rows:
        context[_FORM_ROWS] = rows


def _validate_form_partners(data: dict[Any, Any], errors: dict[Any, Any], context: Any) -> None:
    """The subfield rules for partner rows that came from the web form (the schema's own
    subfield validators only run on rows present when validation started)."""
    for index in sorted(context.pop(_FORM_ROWS, set())):
        row = ("partners", index)
        with contextlib.suppress(StopOnError):
            publicservices_consortium_partner_name(row + ("name",), data, errors, context)
        url = data.get(row + ("url",))
        try:
            data[row + ("url",)] = publicservices_consortium_url(url, context)
        except Invalid as err:
            errors.setdefault(row + ("url",), []).append(err.error)


def _is_show(errors: dict[Any, Any]) -> bool:
    # the show schema (default_show_group_schema) is the only one carrying num_followers
    return ("num_followers",) in errors


def _extras_index(data: dict[Any, Any], name: str) -> Any:
    for k, v in data.items():
        if len(k) == 3 and k[0] == "extras" and k[2] == "key" and v == name:
            return k[1]
    return None


def _next_extras_index(data: dict[Any, Any]) -> int:
    indexes = [k[1] for k in data if len(k) == 3 and k[0] == "extras"]
    return max(indexes) + 1 if indexes else 0


def _partners_to_extras(data: dict[Any, Any]) -> None:
    rows: dict[int, dict[str, str]] = {}
    for k in list(data):
        if len(k) == 3 and k[0] == "partners" and isinstance(k[1], int):
            value = data[k]
            if k[2] in PARTNER_SUBFIELDS and not _is_blank(value):
                rows.setdefault(k[1], {})[k[2]] = value.strip() if isinstance(value, str) else value
    partners = [rows[i] for i in sorted(rows)]
    old = _extras_index(data, "partners")
    if old is not None:
        data.pop(("extras", old, "key"), None)
        data.pop(("extras", old, "value"), None)
    if partners:
        i = _next_extras_index(data)
        data[("extras", i, "key")] = "partners"
        data[("extras", i, "value")] = json.dumps(partners)


def _partners_from_extras(data: dict[Any, Any]) -> None:
    i = _extras_index(data, "partners")
    if i is None:
        return
    raw = data.get(("extras", i, "value"), "")
    # the whole extra goes, whichever columns the CKAN version dictizes (2.11 adds group_id)
    for k in [k for k in data if len(k) == 3 and k[0] == "extras" and k[1] == i]:
        del data[k]
    try:
        partners = json.loads(raw) if raw else []
    except ValueError:
        partners = []
    for n, partner in enumerate(p for p in partners if isinstance(p, dict)):
        for sub in PARTNER_SUBFIELDS:
            if partner.get(sub):
                data[("partners", n, sub)] = partner[sub]


def publicservices_consortium_after(
    key: tuple[Any, ...], data: dict[Any, Any], errors: dict[Any, Any], context: dict[str, Any]
) -> None:
    """Whole-record rules of the consortium schema (runs after the field validators).

    On create/update: the lead authority is required for consortia and councils, the end date
    may not precede the start date, and partners are stored as one JSON extra. On show: the
    partners extra is parsed back into a list of dicts.
    """
    if _is_show(errors):
        _partners_from_extras(data)
        return

    _validate_form_partners(data, errors, context)

    kind = data.get(("kind",))
    if (
        kind in KINDS_NEEDING_LEAD
        and _is_blank(data.get(("lead_authority",)))
        and not errors.get(("lead_authority",))
    ):
        errors.setdefault(("lead_authority",), []).append(
            _("Missing value: a {kind} names the council that leads it (GSS code)").format(
                kind=kind.replace("-", " ")
            )
        )

    start, end = data.get(("start_date",)), data.get(("end_date",))
    if (
        isinstance(start, str)
        and isinstance(end, str)
        and start
        and end
        and not errors.get(("start_date",))
        and not errors.get(("end_date",))
        and end[:10] < start[:10]
    ):
        msg = _("The end date ({end}) is before the start date ({start})")
        errors.setdefault(("end_date",), []).append(msg.format(end=end, start=start))

    _partners_to_extras(data)


def get_validators() -> dict[str, Any]:
    """The consortium schema's validators, for the plugin's ``IValidators``."""
    return {
        "publicservices_consortium_gss": publicservices_consortium_gss,
        "publicservices_consortium_gss_list": publicservices_consortium_gss_list,
        "publicservices_consortium_lgsl_list": publicservices_consortium_lgsl_list,
        "publicservices_consortium_frequency": publicservices_consortium_frequency,
        "publicservices_consortium_license": publicservices_consortium_license,
        "publicservices_consortium_email": publicservices_consortium_email,
        "publicservices_consortium_url": publicservices_consortium_url,
        "publicservices_consortium_amount": publicservices_consortium_amount,
        "publicservices_consortium_partner_name": publicservices_consortium_partner_name,
        "publicservices_consortium_before": publicservices_consortium_before,
        "publicservices_consortium_after": publicservices_consortium_after,
    }
