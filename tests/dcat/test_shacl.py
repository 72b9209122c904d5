"""DCAT-AP SHACL validation of the RDF output (pyshacl; small graphs so it stays fast)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from ckanext.publicservices.dcat import profile
from ckanext.publicservices.dcat.serializer import PublicservicesSerializer
from tests.dcat.data import KENT, complete_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "kent")

SHAPES = Path(__file__).parent / "shapes"
SH = Namespace("http://www.w3.org/ns/shacl#")
DCT = Namespace("http://purl.org/dc/terms/")

# Illustrative test input, NOT real boundaries: a made-up box around Waltham Forest's centre
# point so that a council location can carry a dcat:bbox. Portals derive theirs from ONS data.
ILLUSTRATIVE_EXTENTS = "gss_code,west,south,east,north\nE09000031,-0.06,51.55,0.03,51.65\n"
# the council the illustrative extents cover
WALTHAM_FOREST = "E09000031"


@functools.cache
def shapes(name: str) -> Graph:
    return Graph().parse(SHAPES / name, format="turtle")


def results(data: Graph, shapes_name: str) -> list[tuple[str, str, str, str]]:
    """(severity, focus node classes, path, message) of every validation result."""
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes(shapes_name), inference="none", allow_warnings=False
    )
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(r, SH.focusNode)
        classes = ",".join(sorted(str(c) for c in data.objects(focus, RDF.type)))
        out.append(
            (
                str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
                classes,
                str(report.value(r, SH.resultPath)),
                str(report.value(r, SH.resultMessage)),
            )
        )
    return out


def _dataset_graph(*datasets: dict) -> Graph:
    s = PublicservicesSerializer()
    for ds in datasets:
        s.graph_from_dataset(ds)
    return Graph() + s.g


def _minimal(i: int, dataset_type: str = "dataset") -> dict:
    ds = complete_dataset(i)
    keep = {"id", "name", "title", "notes", "type", "private", "owner_org", "organization"}
    keep |= {"license_id", "license_url", "la_service", "data_spectrum", "personal_data"}
    keep |= {"security_classification", "resources"}
    minimal = {k: v for k, v in ds.items() if k in keep}
    minimal["type"] = dataset_type
    minimal["resources"] = [{k: v for k, v in ds["resources"][0].items() if k != "size"}]
    return minimal


def test_complete_dataset_has_no_dcat_ap_3_violation() -> None:
    assert [
        r
        for r in results(_dataset_graph(complete_dataset(0)), "dcat-ap_3.0.0_shacl_shapes.ttl")
        if r[0] == "Violation"
    ] == []  # noqa: E501


@pytest.mark.parametrize("dataset_type", ["dataset", "design-pattern", "learning-resource"])
def test_minimal_datasets_of_every_type_have_no_violation(dataset_type: str) -> None:
    found = results(_dataset_graph(_minimal(3, dataset_type)), "dcat-ap_3.0.0_shacl_shapes.ttl")
    assert [r for r in found if r[0] == "Violation"] == []


# a consortium led by, and covering, the council the illustrative extents cover
WALTHAM_FOREST_CONSORTIUM = {
    **KENT,
    "id": "0b8b9f52-6a4e-4f0e-9d51-8c1b1b5a0031",
    "name": "waltham-forest",
    "title": "Waltham Forest venue wifi consortium",
    "lead_authority": WALTHAM_FOREST,
}


@pytest.fixture
def waltham_forest() -> Iterator[dict]:
    org = WALTHAM_FOREST_CONSORTIUM
    profile.remember_consortium(org)
    profile.RDFProfile._org_cache[org["id"]] = org
    yield org
    profile.RDFProfile._org_cache.pop(org["id"], None)


def _complete_with_centroid() -> dict:
    ds = complete_dataset(0, org=WALTHAM_FOREST_CONSORTIUM)
    ds["area"] = [WALTHAM_FOREST]
    return ds


@pytest.mark.usefixtures("waltham_forest")
def test_complete_dataset_with_extents_has_no_dcat_ap_2_recommended_warning(
    tmp_path: Path, ckan_config: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    extents = tmp_path / "extents.csv"
    extents.write_text(ILLUSTRATIVE_EXTENTS)
    monkeypatch.setitem(ckan_config, "ckanext.publicservices.council_extents", str(extents))
    graph = _dataset_graph(_complete_with_centroid())
    assert results(graph, "dcat-ap_2.1.1_shacl_shapes_recommended.ttl") == []
    assert [
        r for r in results(graph, "dcat-ap_3.0.0_shacl_shapes.ttl") if r[0] == "Violation"
    ] == []


@pytest.mark.usefixtures("waltham_forest")
def test_without_extents_the_only_recommended_warning_is_bbox() -> None:
    found = results(
        _dataset_graph(_complete_with_centroid()), "dcat-ap_2.1.1_shacl_shapes_recommended.ttl"
    )
    assert [(r[0], r[1], r[2]) for r in found] == [
        ("Warning", str(DCT.Location), "http://www.w3.org/ns/dcat#bbox")
    ]


def test_catalog_page_has_no_dcat_ap_3_violation() -> None:
    s = PublicservicesSerializer()
    s.build_catalog({}, [complete_dataset(0), _minimal(1), _minimal(2, "design-pattern")])
    found = results(Graph() + s.g, "dcat-ap_3.0.0_shacl_shapes.ttl")
    assert [r for r in found if r[0] == "Violation"] == []


def test_outputs_without_distributions_have_no_dcat_ap_3_violation() -> None:
    pattern = _minimal(4, "design-pattern")
    pattern["resources"] = []  # its licence is then stated on the dataset itself
    pattern.update(
        problem="Residents at risk are found too late.",
        solution="Visit the wards most at risk first.",
        examples=[{"name": "Kent", "url": "https://www.kent.gov.uk/", "description": "pilot"}],
        related_datasets=["fuel-poverty-risk-0"],
    )
    guide = _minimal(5, "learning-resource")
    guide.update(kind="guide", audience=["council-officers"], skills=["data ethics"])
    graph = _dataset_graph(pattern, guide)
    assert [
        r for r in results(graph, "dcat-ap_3.0.0_shacl_shapes.ttl") if r[0] == "Violation"
    ] == []
