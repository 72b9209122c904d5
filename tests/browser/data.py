"""The browser tests' data, made with CKAN's factories (the server shares the database).

Names carry a random suffix so a module's data never collides with what other test modules
left in the shared database; nothing here resets the database under a running server.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ckan import plugins
from ckan.tests import factories

PASSWORD = "Correct-Horse-42"
KENT = "E10000016"
HOUSEHOLD_WASTE = "http://id.esd.org.uk/service/524"
ENERGY_EFFICIENCY = "http://id.esd.org.uk/service/880"
OGL = "uk-ogl"


@contextmanager
def suite_plugins() -> Iterator[None]:
    """The suite's plugins (test.ini) loaded in this process while module data is made.

    CKAN's pytest plugin loads them only inside ``with_plugins`` (function-scoped); the server
    has them anyway. Unloaded afterwards, as CKAN's fixture leaves things.
    """
    plugins.load_all()
    try:
        yield
    finally:
        plugins.unload_all()


def suffix() -> str:
    return secrets.token_hex(3)


def user(**extra: Any) -> dict[str, Any]:
    name = extra.pop("name", f"editor-{suffix()}")
    return factories.User(name=name, password=PASSWORD, **extra)


def consortium(editor: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A consortium organisation (issue 5's schema) with dataset defaults; ``editor`` may edit."""
    name = extra.pop("name", f"kent-fuel-poverty-{suffix()}")
    fields: dict[str, Any] = {
        "title": "Kent fuel poverty consortium",
        "description": "Reducing the number of people at risk of fuel poverty in Kent.",
        "kind": "consortium",
        "lead_authority": KENT,
        "partners": [
            {
                "name": "Kent Energy Efficiency Partnership",
                "role": "partner",
                "url": "https://example.org/keep",
            },
            {"name": "UsCreates", "role": "service-design agency", "url": "https://example.org/uc"},
        ],
        "service_area": [ENERGY_EFFICIENCY],
        "programme": "ODI stimulus fund for service redesign",
        "default_license_id": OGL,
        "default_contact_name": "Kent open data team",
        "default_contact_email": "opendata@example.org",
        "default_area": [KENT],
        "default_la_service": [ENERGY_EFFICIENCY],
    }
    fields.update(extra)
    if editor is not None:
        fields["users"] = [{"name": editor["name"], "capacity": "editor"}]
    return factories.Organization(name=name, **fields)


def dataset_fields(org: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A complete, valid public service dataset (the field names of the shared contract)."""
    fields: dict[str, Any] = {
        "name": f"fuel-poverty-risk-{suffix()}",
        "title": "Households at risk of fuel poverty",
        "notes": "Illustrative sample data: households at risk of fuel poverty by ward.",
        "owner_org": org["id"],
        "license_id": OGL,
        "la_service": [ENERGY_EFFICIENCY],
        "area": [KENT],
        "service_design_phase": "beta",
        "data_use_pattern": ["delivery-chains-and-planning"],
        "data_spectrum": "open",
        "personal_data": "none",
        "security_classification": "OFFICIAL",
        "contact": [{"name": "Kent open data team", "email": "opendata@example.org"}],
        "tag_string": "energy,fuel poverty",
    }
    fields.update(extra)
    return fields


def dataset(org: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return factories.Dataset(**dataset_fields(org, **extra))


def uploaded_csv(pkg: dict[str, Any], text: str, filename: str = "data.csv") -> dict[str, Any]:
    """A resource with an uploaded CSV file (stored where the server reads uploads)."""
    import io

    from werkzeug.datastructures import FileStorage

    upload = FileStorage(io.BytesIO(text.encode("utf-8")), filename=filename)
    return factories.Resource(
        package_id=pkg["id"], upload=upload, url=filename, format="CSV", name=filename
    )


def csv_resource(pkg: dict[str, Any], url: str, **extra: Any) -> dict[str, Any]:
    return factories.Resource(package_id=pkg["id"], url=url, format="CSV", name="data.csv", **extra)
