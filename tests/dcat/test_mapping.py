"""What the profile writes: standard properties and URIs for the service-redesign fields."""

from __future__ import annotations

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

from ckanext.publicservices.dcat import vocab
from ckanext.publicservices.dcat.serializer import (
    PrivateDatasetError,
    PublicservicesSerializer,
)
from tests.dcat.data import EU, complete_dataset, private_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "kent")

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")


@pytest.fixture
def graph() -> tuple[Graph, URIRef]:
    from ckanext.publicservices.dcat import profile
    from tests.dcat.data import KENT

    profile.remember_consortium(KENT)
    s = PublicservicesSerializer()
    ref = s.graph_from_dataset(complete_dataset(0))
    return s.g, ref


def test_services_functions_and_derived_eu_themes(graph: tuple[Graph, URIRef]) -> None:
    g, ref = graph
    themes = set(g.objects(ref, DCAT.theme))
    assert URIRef("http://id.esd.org.uk/service/880") in themes
    assert URIRef("http://id.esd.org.uk/function/54") in themes
    assert URIRef(EU + "data-theme/SOCI") in themes  # 269 keeping warm → Society
    assert g.value(URIRef("http://id.esd.org.uk/service/880"), SKOS.prefLabel) is not None


def test_area_is_an_ons_location_with_a_label(graph: tuple[Graph, URIRef]) -> None:
    g, ref = graph
    (spatial,) = g.objects(ref, DCT.spatial)
    assert str(spatial) == "http://statistics.data.gov.uk/id/statistical-geography/E10000016"
    assert (spatial, RDF.type, DCT.Location) in g
    assert str(g.value(spatial, SKOS.prefLabel)) == "Kent County Council"


def test_scottish_and_former_codes_use_statistics_gov_scot() -> None:
    ds = complete_dataset(1)
    ds["area"] = ["S12000050"]
    s = PublicservicesSerializer()
    ref = s.graph_from_dataset(ds)
    (spatial,) = s.g.objects(ref, DCT.spatial)
    assert str(spatial) == "http://statistics.gov.scot/id/statistical-geography/S12000050"
    assert "North Lanarkshire" in str(s.g.value(spatial, SKOS.prefLabel))


def test_file_type_and_access_right_are_eu_uris(graph: tuple[Graph, URIRef]) -> None:
    g, ref = graph
    dist = next(iter(g.objects(ref, DCAT.distribution)))
    assert g.value(dist, DCT["format"]) == URIRef(EU + "file-type/CSV")
    assert g.value(ref, DCT.accessRights) == URIRef(EU + "access-right/PUBLIC")


def test_consortium_is_the_publisher_with_type_and_lead_council(
    graph: tuple[Graph, URIRef],
) -> None:
    g, ref = graph
    (publisher,) = g.objects(ref, DCT.publisher)
    assert str(g.value(publisher, FOAF.name)) == "Kent fuel poverty consortium"
    assert g.value(publisher, DCT.type) == URIRef(
        "http://purl.org/adms/publishertype/LocalAuthority"
    )
    ps = Namespace(vocab.namespace())
    assert g.value(publisher, ps.leadAuthority) == URIRef(
        "http://statistics.data.gov.uk/id/statistical-geography/E10000016"
    )


def test_partners_are_qualified_attributions_with_a_role(graph: tuple[Graph, URIRef]) -> None:
    g, ref = graph
    names = set()
    for attribution in g.objects(ref, PROV.qualifiedAttribution):
        assert g.value(attribution, DCAT.hadRole) is not None
        names.add(str(g.value(g.value(attribution, PROV.agent), FOAF.name)))
    assert names == {"Kent Energy Efficiency Partnership", "UsCreates"}


def test_project_vocabulary_terms_are_defined_in_the_served_vocabulary(
    graph: tuple[Graph, URIRef],
) -> None:
    g, _ref = graph
    ns = vocab.namespace()
    defined = {str(s) for s in vocab.definition_graph(ns).subjects()}
    used = {str(t) for triple in g for t in triple if str(t).startswith(ns)}
    assert used, "the dataset uses no ps: term"
    assert used <= defined, used - defined


def test_private_fields_and_internal_resource_fields_are_not_written() -> None:
    ds = complete_dataset(2)
    s = PublicservicesSerializer()
    s.graph_from_dataset(ds)
    out = s.g.serialize(format="nt")
    assert "success" not in out  # validation_status
    assert "validation" not in out
    assert "internal-defaults@kent.gov.uk" not in out and "40,000" not in out


def test_a_private_dataset_is_refused() -> None:
    with pytest.raises(PrivateDatasetError):
        PublicservicesSerializer().serialize_dataset(private_dataset(0), _format="ttl")


@pytest.mark.parametrize("fmt", ["ttl", "xml", "jsonld", "nt", "n3"])
def test_private_datasets_never_reach_a_catalog_in_any_format(fmt: str) -> None:
    s = PublicservicesSerializer()
    s.build_catalog({}, [complete_dataset(0), private_dataset(0), complete_dataset(1)])
    from ckanext.dcat.utils import url_to_rdflib_format

    out = s.g.serialize(format=url_to_rdflib_format(fmt))
    assert "SECRET" not in out and "secret-" not in out and "internal.example" not in out
    assert "Households at risk of fuel poverty 1" in out
