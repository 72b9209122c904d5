"""Builders shared by the consortium tests (valid under the contract's dataset field names)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckan.tests.helpers import call_action

LGSL = "http://id.esd.org.uk/service/{}"
ANNUAL = "http://publications.europa.eu/resource/authority/frequency/ANNUAL"


def consortium(sysadmin: dict[str, Any], name: str, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "title": f"{name} consortium",
        "kind": "consortium",
        "lead_authority": "E10000016",
        "partners": [
            {"name": "Kent Energy Efficiency Partnership", "role": "energy efficiency partnership"},
            {"name": "UsCreates", "role": "service-design agency", "url": "https://uscreates.com"},
        ],
        "service_area": ["880", "269"],
        "programme": "ODI stimulus fund for service redesign",
        "funder": "Open Data Institute",
        "start_date": "2017-10-01",
        "end_date": "2018-02-28",
        "default_license_id": "cc-by",
        "default_contact_name": "Kent data team",
        "default_contact_email": "kent-data@example.org",
        "default_area": ["E10000016"],
        "default_frequency": "ANNUAL",
        "default_la_service": ["880"],
    }
    data.update(fields)
    return call_action("organization_create", {"user": sysadmin["name"]}, **data)


def dataset(
    user: dict[str, Any],
    owner_org: str,
    name: str,
    context: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "dataset",
        "name": name,
        "title": name.replace("-", " ").capitalize(),
        "notes": "Illustrative sample data for the tests.",
        "owner_org": owner_org,
        "license_id": "uk-ogl",
        "la_service": [LGSL.format(880)],
        "area": ["E10000016"],
        "data_spectrum": "open",
        "personal_data": "none",
        "security_classification": "OFFICIAL",
    }
    if fields.get("private"):
        data.update(data_spectrum="shared", open_by_default_exception="Test: not yet reviewed.")
    data.update(fields)
    return call_action("package_create", dict(context or {}, user=user["name"]), **data)


def built_once(
    cache: dict[str, Any], build: Callable[[], dict[str, Any]], reset_db: Any, reset_index: Any
) -> dict[str, Any]:
    """A module's data, built once on a clean database (its fixtures are function-scoped, as
    ``with_plugins`` is); the tests only read it or make their own objects."""
    if not cache:
        reset_db()
        reset_index()
        cache.update(build())
    return cache
