"""ckanext-dcat's stock ``euro_dcat_ap_3`` RDFParser — what a stock CKAN harvester runs — reading
the portal's site catalog recovers, for every seeded dataset (design patterns and learning
resources without distributions included): title, description, distributions, licence, contact
point, spatial coverage and publisher."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import pytest
from ckan.tests.helpers import call_action
from ckanext.dcat.processors import RDFParser
from ckanext.dcat.profiles import base as dcat_base

from ckanext.publicservices.consortium import seed as seed_module

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")


def _extras(parsed: dict[str, Any]) -> dict[str, Any]:
    return {e["key"]: e["value"] for e in parsed.get("extras", [])}


@pytest.fixture
def stock_portal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parser as a stock portal runs it: without this project's dataset schema (with it,
    ckanext-dcat leaves the schema's fields, contact and publisher among them, to its scheming
    profile)."""
    real = dcat_base.get_action

    def get_action(name: str) -> Any:
        if name == "scheming_dataset_schema_show":
            raise KeyError(name)  # what ckanext-dcat meets when scheming is not installed
        return real(name)

    monkeypatch.setattr(dcat_base, "get_action", get_action)


@pytest.mark.usefixtures("stock_portal")
@pytest.mark.parametrize("ext", ["rdf", "ttl"])
def test_stock_parser_recovers_every_seeded_dataset(app: Any, ext: str) -> None:
    seed_module.seed(rows=8)
    names = [p.name for p in model.Session.query(model.Package).filter_by(state="active")]
    originals = {
        d["title"]: d
        for d in (call_action("package_show", {"ignore_auth": True}, id=n) for n in names)
    }
    assert any(not d["resources"] for d in originals.values())  # the case that lost licences

    parser = RDFParser(profiles=["euro_dcat_ap_3"])
    parser.parse(app.get(f"/catalog.{ext}", status=200).body, _format=ext)
    parsed = {d["title"]: d for d in parser.datasets()}
    assert sorted(parsed) == sorted(originals)

    missing = []
    for title, original in originals.items():
        got = parsed[title]
        extras = _extras(got)
        checks = {
            "description": got.get("notes") == (original.get("notes") or original["title"]),
            "distributions": len(got.get("resources", [])) == max(len(original["resources"]), 1),
            "licence": got.get("license_id") == original["license_id"],
            "contact point": bool(extras.get("contact_name") or extras.get("contact_email")),
            "publisher": bool(extras.get("publisher_name")),
            "spatial": bool(extras.get("spatial_uri")) or not original.get("area"),
        }
        missing += [f"{title}: {what}" for what, ok in checks.items() if not ok]
    assert missing == [], "\n".join(missing)
