"""Dataset and consortium dicts shaped like ``package_show``/``organization_show`` output.

Used by the DCAT unit tests and by bench/dcat_bench.py (no database needed).
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

EU = "http://publications.europa.eu/resource/authority/"
KENT_ID = "0b8b9f52-6a4e-4f0e-9d51-8c1b1b5a0001"

KENT: dict[str, Any] = {
    "id": KENT_ID,
    "name": "kent",
    "title": "Kent fuel poverty consortium",
    "type": "organization",
    "is_organization": True,
    "state": "active",
    "description": "Reducing the number of people at risk of fuel poverty.",
    "kind": "consortium",
    "lead_authority": "E10000016",
    "partners": [
        {"name": "Kent Energy Efficiency Partnership", "role": "energy partner", "url": ""},
        {"name": "UsCreates", "role": "service design", "url": "https://uscreates.com/"},
    ],
    "service_area": ["http://id.esd.org.uk/service/880"],
    # consortium fields that are not dataset metadata: never in RDF
    "funding_amount": "£40,000",
    "default_contact_email": "internal-defaults@kent.gov.uk",
}


def complete_dataset(i: int = 0, org: dict[str, Any] | None = None) -> dict[str, Any]:
    """A public dataset with every field of the service-redesign schema filled in."""
    org = org or KENT
    ds_id = str(uuid.UUID(int=i + 1))
    return {
        "id": ds_id,
        "name": f"fuel-poverty-risk-{i}",
        "title": f"Households at risk of fuel poverty {i}",
        "notes": "Modelled estimate of households at risk of fuel poverty, by ward.",
        "type": "dataset",
        "private": False,
        "state": "active",
        "owner_org": org["id"],
        "organization": {
            k: org[k] for k in ("id", "name", "title", "type", "is_organization", "state")
        },
        "license_id": "uk-ogl",
        "license_url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "license_title": "Open Government Licence",
        "url": "https://www.kent.gov.uk/fuel-poverty",
        "version": "1.2",
        "metadata_created": "2018-01-10T10:00:00",
        "metadata_modified": "2018-02-01T09:30:00",
        "tags": [{"name": "fuel poverty"}, {"name": "energy"}, {"name": "health"}],
        "contact": [{"name": "Kent open data team", "email": "opendata@kent.gov.uk"}],
        "issued": "2018-01-10",
        "modified": "2018-02-01",
        "frequency": EU + "frequency/ANNUAL",
        "temporal_coverage": [{"start": "2017-04-01", "end": "2018-03-31"}],
        "access_rights": EU + "access-right/PUBLIC",
        "conforms_to": [
            "http://test.ckan.net/standards/fuel-poverty-risk",
        ],
        "documentation": ["https://www.kent.gov.uk/fuel-poverty/methodology"],
        "language": ["en"],
        "provenance": "Modelled from Kent's health and care data and EPC records.",
        "la_service": ["http://id.esd.org.uk/service/269", "http://id.esd.org.uk/service/880"],
        "la_function": ["http://id.esd.org.uk/function/54"],
        "area": ["E10000016"],
        "geographic_granularity": "ward",
        "service_design_phase": "alpha",
        "data_use_pattern": ["delivery-chains-and-planning", "increasing-access"],
        "data_spectrum": "open",
        "personal_data": "aggregated-or-anonymised",
        "security_classification": "OFFICIAL",
        "open_by_default_exception": "",
        "redaction_note": "Wards with fewer than 10 households at risk are suppressed.",
        "user_needs": [
            {
                "as_a": "energy adviser",
                "i_need": "to know which wards have most households at risk",
                "so_that": "I can plan home visits before winter",
            }
        ],
        "service_outcomes": [
            {"outcome": "fewer households at risk", "measure": "households at risk per ward"}
        ],
        "funding_programme": "ODI stimulus fund for service redesign",
        "resources": [
            {
                "id": str(uuid.UUID(int=(i + 1) * 1000 + r)),
                "package_id": ds_id,
                "url": f"https://www.kent.gov.uk/data/fuel-poverty-{i}-{r}.csv",
                "name": f"Fuel poverty risk by ward, part {r}",
                "description": "One row per ward.",
                "format": "CSV",
                "size": 20480 + r,
                "license": "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
                "rights": "Contains public sector information licensed under the OGL v3.0.",
                "conforms_to": ["http://test.ckan.net/standards/fuel-poverty-risk"],
                "created": "2018-01-10T10:00:00",
                "metadata_modified": "2018-02-01T09:30:00",
                "validation_status": "success",
            }
            for r in range(5)
        ],
    }


def private_dataset(i: int = 0) -> dict[str, Any]:
    ds = copy.deepcopy(complete_dataset(i))
    ds["private"] = True
    ds["name"] = f"secret-business-rates-{i}"
    ds["title"] = f"SECRET internal business rates {i}"
    ds["id"] = str(uuid.UUID(int=900_000 + i))
    for r in ds["resources"]:
        r["package_id"] = ds["id"]
        r["id"] = str(uuid.uuid4())
        r["url"] = f"https://internal.example/secret-{i}.csv"
    return ds


__all__ = ["KENT", "KENT_ID", "complete_dataset", "private_dataset"]


def create_consortium(
    sysadmin: dict[str, Any], name: str, lead: str, **fields: Any
) -> dict[str, Any]:
    """A consortium organisation created through the API (needs the test services)."""
    from ckan.tests.helpers import call_action

    return call_action(
        "organization_create",
        {"user": sysadmin["name"]},
        name=name,
        title=f"{name.title()} consortium",
        kind="consortium",
        lead_authority=lead,
        **fields,
    )
