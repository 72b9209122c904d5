"""The catalog endpoints against real services: site and consortium catalogs, paging, privacy,
SHACL validity of what is served, and the served vocabulary."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from tests.dcat.data import create_consortium
from tests.dcat.test_shacl import results

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

DCAT = Namespace("http://www.w3.org/ns/dcat#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
FORMATS = {"ttl": "turtle", "xml": "xml", "rdf": "xml", "jsonld": "json-ld"}


def _consortium(sysadmin: dict[str, Any], name: str, lead: str) -> dict[str, Any]:
    partner = {"name": "UsCreates", "role": "service design", "url": "https://uscreates.com"}
    return create_consortium(sysadmin, name, lead, partners=[partner])


def _dataset(sysadmin: dict[str, Any], org: dict[str, Any], name: str, **extra: Any) -> dict:
    data: dict[str, Any] = {
        "name": name,
        "title": f"Dataset {name}",
        "notes": "Public data for the DCAT tests.",
        "owner_org": org["id"],
        "la_service": ["880"],
        "area": [org["lead_authority"]],
        "data_use_pattern": ["increasing-access"],
        "data_spectrum": "open",
        "personal_data": "none",
        "security_classification": "OFFICIAL",
        "resources": [{"url": f"https://example.org/{name}.csv", "format": "CSV", "size": 100}],
    }
    data.update(extra)
    return call_action("package_create", {"user": sysadmin["name"]}, **data)


def _private(sysadmin: dict[str, Any], org: dict[str, Any], name: str) -> dict:
    return _dataset(
        sysadmin,
        org,
        name,
        title="SECRET internal dataset",
        private=True,
        data_spectrum="closed",
        personal_data="personal",
        security_classification="OFFICIAL-SENSITIVE",
        open_by_default_exception="FOISA s.38: personal data",
    )


@pytest.fixture
def portal() -> dict[str, Any]:
    sysadmin = factories.Sysadmin()
    kent = _consortium(sysadmin, "kent", "E10000016")
    doncaster = _consortium(sysadmin, "doncaster", "E08000017")
    return {
        "sysadmin": sysadmin,
        "kent": kent,
        "doncaster": doncaster,
        "public": [_dataset(sysadmin, kent, f"kent-public-{i}") for i in range(3)],
        "other": _dataset(sysadmin, doncaster, "doncaster-public"),
        "private": _private(sysadmin, kent, "kent-private-secret"),
    }


def _graph(response: Any, fmt: str) -> Graph:
    assert response.status_code == 200, response.body[:500]
    return Graph().parse(data=response.body, format=FORMATS[fmt])


def _dataset_names(g: Graph) -> set[str]:
    return {str(s).rsplit("/", 1)[-1] for s in g.subjects(RDF.type, DCAT.Dataset)}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_site_catalog_lists_public_datasets_only_in_every_format(
    app: Any, portal: dict[str, Any], fmt: str
) -> None:
    for user in (None, portal["sysadmin"]):
        if user:
            app.set_session_user(user["name"])
        response = app.get(f"/catalog.{fmt}")
        assert "SECRET" not in response.body and "kent-private-secret" not in response.body
        assert portal["private"]["id"] not in response.body
        g = _graph(response, fmt)
        ids = _dataset_names(g)
        assert {d["id"] for d in portal["public"]} | {portal["other"]["id"]} == ids


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_consortium_catalog_lists_its_public_datasets_only(
    app: Any, portal: dict[str, Any], fmt: str
) -> None:
    response = app.get(f"/organization/kent/catalog.{fmt}")
    assert "SECRET" not in response.body
    g = _graph(response, fmt)
    assert _dataset_names(g) == {d["id"] for d in portal["public"]}
    catalog = URIRef("http://test.ckan.net/organization/kent/catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in g


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_consortium_catalog_is_paged_like_the_site_catalog(app: Any, portal: dict) -> None:
    first = _graph(app.get("/organization/kent/catalog.ttl"), "ttl")
    nxt = next(iter(first.objects(None, HYDRA.next)))
    assert str(nxt).endswith("/organization/kent/catalog.ttl?page=2")
    second = _graph(app.get("/organization/kent/catalog.ttl?page=2"), "ttl")
    assert len(_dataset_names(first)) == 2 and len(_dataset_names(second)) == 1
    assert _dataset_names(first) | _dataset_names(second) == {d["id"] for d in portal["public"]}


def test_private_dataset_rdf_is_not_found_even_for_a_sysadmin(app: Any, portal: dict) -> None:
    for user in (None, portal["sysadmin"]):
        if user:
            app.set_session_user(user["name"])
        for fmt in ("ttl", "xml", "jsonld"):
            response = app.get(f"/dataset/{portal['private']['id']}.{fmt}", status=404)
            assert "SECRET" not in response.body
    public = app.get(f"/dataset/{portal['public'][0]['id']}.ttl")
    assert public.status_code == 200 and "dcat:Dataset" in public.body


def test_unknown_consortium_and_bad_page(app: Any, portal: dict) -> None:
    app.get("/organization/nobody/catalog.ttl", status=404)
    app.get("/organization/kent/catalog.exe", status=404)
    response = app.get("/organization/kent/catalog.ttl?page=0", status=409)
    assert "page" in response.body.lower()


def test_served_catalogs_validate_against_dcat_ap_3(app: Any, portal: dict) -> None:
    for url in ("/catalog.ttl", "/organization/kent/catalog.ttl"):
        g = _graph(app.get(url), "ttl")
        found = results(g, "dcat-ap_3.0.0_shacl_shapes.ttl")
        assert [r for r in found if r[0] == "Violation"] == [], url


def test_vocabulary_is_served_as_turtle(app: Any) -> None:
    response = app.get("/ns/publicservices.ttl")
    assert response.headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=response.body, format="turtle")
    ps = Namespace("http://test.ckan.net/ns/publicservices#")
    assert (ps.serviceDesignPhase, RDF.type, RDF.Property) in g
    assert app.get("/ns/publicservices").body == response.body
