"""A plain DCAT-AP 2.x/3 catalog from a stock CKAN + ckanext-dcat portal (scheming's default
dataset schema, written by the stock ``euro_dcat_ap_3``/``euro_dcat_ap_2`` profiles) imports into
a consortium: the document's licence kept, its access rights mapped onto the openness fields, the
consortium's defaults filling what it lacks; what cannot be mapped is reported per field."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.dcat.processors import RDFSerializer

from tests.dcat.data import create_consortium

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

EU = "http://publications.europa.eu/resource/authority/"
LGSL_880 = "http://id.esd.org.uk/service/880"

# package_show output of a stock CKAN 2.12 with ckanext-scheming's default dataset schema and
# ckanext-dcat's DCAT-AP fields (access_rights, theme), no organisation of ours
STOCK_DATASET: dict[str, Any] = {
    "id": "5d1c0f0a-0000-4000-8000-00000000f0e1",
    "name": "street-trees",
    "title": "Street trees",
    "notes": "Every council-owned street tree: species, height and last inspection.",
    "type": "dataset",
    "private": False,
    "state": "active",
    "license_id": "cc-by",
    "license_title": "Creative Commons Attribution",
    "license_url": "http://www.opendefinition.org/licenses/cc-by",
    "url": "https://trees.example.org/",
    "version": "2.0",
    "tags": [{"name": "trees"}, {"name": "environment"}],
    "extras": [],
    "access_rights": EU + "access-right/PUBLIC",
    "theme": [EU + "data-theme/ENVI", EU + "data-theme/REGI"],
    "metadata_created": "2024-03-01T10:00:00",
    "metadata_modified": "2024-03-02T10:00:00",
    "resources": [
        {
            "id": "5d1c0f0a-0000-4000-8000-00000000f0e2",
            "package_id": "5d1c0f0a-0000-4000-8000-00000000f0e1",
            "name": "Street trees (CSV)",
            "url": "https://trees.example.org/street-trees.csv",
            "format": "CSV",
            "created": "2024-03-01T10:00:00",
        }
    ],
}


def _stock_catalog(profile: str, **changes: Any) -> str:
    dataset = copy.deepcopy(STOCK_DATASET)
    dataset.update(changes)
    return RDFSerializer(profiles=[profile]).serialize_catalog({}, [dataset], _format="ttl")


@pytest.fixture
def sysadmin(ckan_config: dict, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    # stock ckanext-dcat states a dataset's licence only on its distributions, and only with
    # this (stock) option on; without it the document has no licence at all (see below)
    monkeypatch.setitem(ckan_config, "ckanext.dcat.resource.inherit.license", True)
    return factories.Sysadmin()


def _import(sysadmin: dict[str, Any], org: dict[str, Any], data: str) -> dict[str, Any]:
    return call_action(
        "publicservices_dcat_import",
        {"user": sysadmin["name"]},
        owner_org=org["name"],
        data=data,
        format="ttl",
    )


def _imported(result: dict[str, Any]) -> dict[str, Any]:
    (item,) = result["datasets"]
    assert item["status"] == "created", item.get("errors")
    return call_action("package_show", {"ignore_auth": True}, id=item["id"])


@pytest.mark.parametrize("profile", ["euro_dcat_ap_3", "euro_dcat_ap_2"])
def test_stock_dataset_imports_with_the_consortiums_defaults(
    sysadmin: dict[str, Any], profile: str
) -> None:
    org = create_consortium(sysadmin, "trees", "E10000016", default_la_service=["880"])
    result = _import(sysadmin, org, _stock_catalog(profile))
    assert (result["created"], result["invalid"]) == (1, 0), result
    ds = _imported(result)
    assert ds["title"] == "Street trees"
    assert ds["notes"].startswith("Every council-owned street tree")
    assert ds["license_id"] == "cc-by"  # kept, not the schema's uk-ogl
    assert ds["access_rights"] == EU + "access-right/PUBLIC"
    assert (ds["data_spectrum"], ds["personal_data"], ds["security_classification"]) == (
        "open",
        "none",
        "OFFICIAL",
    )
    assert ds["private"] is False
    assert LGSL_880 in str(ds["la_service"]) or "880" in ds["la_service"]
    assert [r["url"] for r in ds["resources"]] == ["https://trees.example.org/street-trees.csv"]
    filled = result["datasets"][0]["filled"]
    assert filled["data_spectrum"] == "dct:accessRights PUBLIC"
    assert filled["la_service"].startswith("consortium default")
    assert filled["personal_data"] == "schema default for public data"


def test_restricted_access_rights_map_onto_openness_and_personal_data_is_asked(
    sysadmin: dict[str, Any],
) -> None:
    org = create_consortium(sysadmin, "trees", "E10000016", default_la_service=["880"])
    data = _stock_catalog("euro_dcat_ap_3", access_rights=EU + "access-right/RESTRICTED")
    result = _import(sysadmin, org, data)
    (item,) = result["datasets"]
    assert item["status"] == "invalid"
    assert item["filled"]["data_spectrum"] == "dct:accessRights RESTRICTED"
    assert item["filled"]["private"].startswith("dct:accessRights RESTRICTED")
    assert "open_by_default_exception" in item["filled"]
    # the one thing a restricted dataset cannot be assumed to lack
    assert list(item["errors"]) == ["personal_data"]
    assert "cannot be assumed" in item["errors"]["personal_data"][0]

    # the same document saying so imports as a private, shared dataset
    said = data.replace(
        "dct:accessRights",
        "<http://test.ckan.net/ns/publicservices#personalData> "
        "<http://test.ckan.net/ns/publicservices#personal-data-none> ;\n    dct:accessRights",
        1,
    )
    ds = _imported(_import(sysadmin, org, said))
    assert (ds["private"], ds["data_spectrum"], ds["personal_data"]) == (True, "shared", "none")
    assert "RESTRICTED" in ds["open_by_default_exception"]


def test_what_cannot_be_mapped_is_reported_per_field(sysadmin: dict[str, Any]) -> None:
    org = create_consortium(sysadmin, "no-defaults", "E10000016")
    data = _stock_catalog(
        "euro_dcat_ap_3",
        license_id="my-licence",
        license_url="https://licences.example.org/my-licence",
        license_title="My licence",
    )
    result = _import(sysadmin, org, data)
    assert (result["created"], result["invalid"]) == (0, 1), result
    errors = result["datasets"][0]["errors"]
    assert "licences.example.org/my-licence" in " ".join(errors["license_id"])
    assert "no default service" in " ".join(errors["la_service"])


def test_a_licence_the_register_knows_is_never_replaced(sysadmin: dict[str, Any]) -> None:
    org = create_consortium(
        sysadmin,
        "ogl-by-default",
        "E10000016",
        default_la_service=["880"],
        default_license_id="uk-ogl",
    )
    ds = _imported(_import(sysadmin, org, _stock_catalog("euro_dcat_ap_3")))
    assert ds["license_id"] == "cc-by"


def test_a_document_without_licence_gets_the_consortiums_and_says_so(
    sysadmin: dict[str, Any], ckan_config: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ckan_config, "ckanext.dcat.resource.inherit.license", False)
    data = _stock_catalog("euro_dcat_ap_3")
    assert "license" not in data.lower()
    org = create_consortium(
        sysadmin,
        "odbl-by-default",
        "E10000016",
        default_la_service=["880"],
        default_license_id="odc-odbl",
    )
    result = _import(sysadmin, org, data)
    assert _imported(result)["license_id"] == "odc-odbl"
    assert result["datasets"][0]["filled"]["license_id"].startswith("consortium default")
