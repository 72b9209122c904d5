"""What a DCAT dataset from elsewhere lacks, filled for a consortium — in one place.

A dataset another portal publishes (a stock CKAN + ckanext-dcat ``euro_dcat_ap_2``/``_3``
catalog: title, description, access rights, themes, distributions) knows nothing of the
service-redesign fields the schemas require. :func:`complete` fills what can be filled, in this
order, and says where each value came from:

1. the document itself: ``dct:accessRights`` mapped onto the openness fields
   (:data:`ACCESS_RIGHTS`);
2. the consortium's defaults (``default_la_service``, ``default_area``, ``default_frequency``,
   ``default_license_id``, ``default_contact_*``; see consortium/defaults.py);
3. the schema's own defaults for required fields (``data_spectrum: open``,
   ``personal_data: none``, ``security_classification: OFFICIAL``), only for data the source
   publishes as public (for other data only the OFFICIAL baseline; personal data is reported).

A licence the document states is kept; one the portal's licence register does not know makes
the dataset invalid with the reason (never replaced by a default). What still cannot be filled
is returned per field with the reason. The DCAT import uses it; a harvester will too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.publicservices.consortium.defaults import dataset_defaults

EU_ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"

# EU access right → openness fields. Anything not public is imported as private, and the source's
# statement is the recorded reason it is not open.
ACCESS_RIGHTS: dict[str, dict[str, Any]] = {
    "PUBLIC": {"data_spectrum": "open"},
    "RESTRICTED": {"data_spectrum": "shared", "private": True},
    "NON_PUBLIC": {"data_spectrum": "closed", "private": True},
    "SENSITIVE": {
        "data_spectrum": "closed",
        "security_classification": "OFFICIAL-SENSITIVE",
        "private": True,
    },
}
# required fields with a safe default for public data (the schemas' own defaults)
PUBLIC_DEFAULTS = {
    "data_spectrum": "open",
    "personal_data": "none",
    "security_classification": "OFFICIAL",
}
# the key the profile's parse puts the document's licences under (not a dataset field)
STATED_LICENCES = "stated_licences"


@dataclass
class Completion:
    dataset: dict[str, Any]
    # field → where its value came from
    filled: dict[str, str] = field(default_factory=dict)
    # field → why it could not be filled
    unmapped: dict[str, list[str]] = field(default_factory=dict)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict)):
        return not value
    return False


def _access_code(value: Any) -> str:
    text = str(value or "").strip()
    if text.startswith(EU_ACCESS_RIGHT):
        return text[len(EU_ACCESS_RIGHT) :].upper()
    return text.upper().replace("-", "_").replace(" ", "_")


def complete(
    dataset: dict[str, Any], org: dict[str, Any], fields: frozenset[str] | set[str]
) -> Completion:
    """Fill what ``dataset`` (parsed from DCAT) lacks for the consortium ``org``.

    ``fields`` are the dataset type's schema fields: nothing outside them is added.
    """
    out = Completion(dict(dataset))
    ds = out.dataset
    dataset_type = ds.get("type") or "dataset"
    stated = [str(s) for s in ds.pop(STATED_LICENCES, None) or [] if s]

    # licence: kept when known, refused when unknown, defaulted only when none is stated
    if _blank(ds.get("license_id")) and stated:
        out.unmapped["license_id"] = [
            f"Licence {', '.join(repr(s) for s in stated[:3])} is not in this portal's licence "
            "register; add it there or state a known licence in the document"
        ]

    # 1. the document's access rights
    code = _access_code(ds.get("access_rights"))
    mapped = ACCESS_RIGHTS.get(code)
    if mapped is not None:
        for key, value in mapped.items():
            if key == "private":
                if value and not ds.get("private"):
                    ds["private"] = True
                    out.filled["private"] = f"dct:accessRights {code} (not public)"
            elif key in fields and _blank(ds.get(key)):
                ds[key] = value
                out.filled[key] = f"dct:accessRights {code}"
        reason = "open_by_default_exception"
        if code != "PUBLIC" and reason in fields and _blank(ds.get(reason)):
            ds[reason] = (
                f"The source catalogue states access rights {code.replace('_', '-')} "
                f"({ds.get('access_rights')})."
            )
            out.filled[reason] = f"dct:accessRights {code}"
    elif not _blank(ds.get("access_rights")):
        out.unmapped["access_rights"] = [
            f"Access rights {ds.get('access_rights')!r} are not an EU access-right term; "
            "the openness fields cannot be derived from them"
        ]

    # 2. the consortium's defaults
    for key, value in dataset_defaults(org, dataset_type).items():
        if key in fields and _blank(ds.get(key)) and key not in out.unmapped:
            if key == "license_id" and stated:
                continue  # a stated licence is never replaced
            ds[key] = value
            out.filled[key] = f"consortium default ({org.get('name')})"

    # 3. the schema's defaults, for data published as public only; for other data only the
    # classification's baseline (OFFICIAL): whether it holds personal data cannot be assumed
    public = code in ("", "PUBLIC") and "access_rights" not in out.unmapped
    for key, value in PUBLIC_DEFAULTS.items():
        if key not in fields or not _blank(ds.get(key)):
            continue
        if public:
            ds[key] = value
            out.filled[key] = "schema default for public data"
        elif key == "security_classification":
            ds[key] = value
            out.filled[key] = "baseline classification (OFFICIAL)"
        else:
            out.unmapped[key] = [
                f"The document does not say; for data that is not public ({code or 'unknown'} "
                "access rights) it cannot be assumed"
            ]

    if "license_id" in fields and _blank(ds.get("license_id")) and not stated:
        out.filled["license_id"] = "no licence in the document: the schema's default"

    if "la_service" in fields and _blank(ds.get("la_service")):
        out.unmapped["la_service"] = [
            "The document names no LGSL service (dcat:theme http://id.esd.org.uk/service/…) "
            f"and the consortium {org.get('name')!r} has no default service"
        ]
    return out


def consortium(org_id: str) -> dict[str, Any]:
    """The organisation dict the defaults are read from."""
    # only the organisation's own fields: its dataset count alone would be a search request
    return tk.get_action("organization_show")(
        {"ignore_auth": True},
        {
            "id": org_id,
            "include_datasets": False,
            "include_dataset_count": False,
            "include_users": False,
            "include_groups": False,
            "include_tags": False,
            "include_followers": False,
        },
    )


__all__ = ["ACCESS_RIGHTS", "Completion", "STATED_LICENCES", "complete", "consortium"]
