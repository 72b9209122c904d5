"""Output valid for stored data the API accepts (or accepted before the input boundary):
checksums, missing descriptions, free-text licences, odd URLs and media types, control
characters; every document read alike by rdflib, rapper and serdi; same data, same bytes."""

from __future__ import annotations

import copy
import logging

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from ckanext.publicservices.dcat import profile
from ckanext.publicservices.dcat.serializer import PublicservicesSerializer
from tests.dcat import oracles
from tests.dcat.data import complete_dataset
from tests.dcat.test_shacl import results

pytestmark = pytest.mark.usefixtures("with_plugins", "kent")

SPDX = Namespace("http://spdx.org/rdf/terms#")
DCT = Namespace("http://purl.org/dc/terms/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
HEX = "ab" * 32
AP3 = "dcat-ap_3.0.0_shacl_shapes.ttl"


@pytest.fixture
def dcat_logs(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """caplog for the DCAT loggers (a logging config loaded by an earlier test may have
    disabled loggers that existed before it)."""
    for name in ("profile", "serializer", "writers"):
        logger = logging.getLogger(f"ckanext.publicservices.dcat.{name}")
        monkeypatch.setattr(logger, "disabled", False)
        monkeypatch.setattr(logger, "propagate", True)
    caplog.set_level(logging.INFO)
    return caplog


def _graph(*datasets: dict) -> Graph:
    s = PublicservicesSerializer()
    s.build_catalog({}, list(datasets))
    return s.g


def _violations(graph: Graph) -> list:
    parsed = Graph().parse(data=oracles.writers.write(graph, "turtle"), format="turtle")
    return [r for r in results(parsed, AP3) if r[0] == "Violation"]


def hostile_dataset(i: int = 7) -> dict:
    ds = copy.deepcopy(complete_dataset(i))
    ds["notes"] = ""
    ds["title"] = "Tab\there, NUL \x00, bell \x07, DEL \x7f, C1 \x85, \ufffe and 🚀"
    ds["url"] = "https://www.kent.gov.uk/a page\nwith newline"
    res = ds["resources"]
    res[0].update(hash=f"sha256:{HEX.upper()}", mimetype="text/csv; header=present")
    res[1].update(hash="d41d8cd98f00b204e9800998ecf8427e", license="My own licence, v1 ✓")
    res[2].update(hash="not a hash", url="https://example.org/a b.csv\n", license="")
    res[3].update(hash="sha256:abc", url="relative/path.csv", mimetype="not a media type")
    res[4].update(hash="md5:" + "0" * 64, description="ctrl \x01\x02 and \x1b[31m")
    return ds


def test_hostile_dataset_has_no_violation_and_parsers_agree() -> None:
    graph = _graph(hostile_dataset(), complete_dataset(1))
    assert _violations(graph) == []
    reading = oracles.check(graph)
    assert reading.disagreements == []
    assert reading.parsed == 7  # rdflib x3, rapper x2, serdi (Turtle, N-Triples)


def test_checksums_are_spdx_with_algorithm_and_bare_hex() -> None:
    g = Graph().parse(data=oracles.writers.write(_graph(hostile_dataset()), "turtle"))
    values = sorted(
        (str(g.value(c, SPDX.algorithm)).rsplit("_", 1)[-1], str(v), v.datatype)
        for c, v in g.subject_objects(SPDX.checksumValue)
    )
    assert values == [
        ("md5", "d41d8cd98f00b204e9800998ecf8427e", XSD.hexBinary),
        ("sha256", HEX, XSD.hexBinary),
    ]
    for c in g.subjects(RDF.type, SPDX.Checksum):
        assert (g.value(c, SPDX.algorithm), RDF.type, SPDX.ChecksumAlgorithm) in g


@pytest.mark.parametrize(
    ("stored", "algorithm", "expected"),
    [
        (f"sha256:{HEX}", None, ("sha256", HEX)),
        (f"SHA-256:{HEX.upper()}", None, ("sha256", HEX)),
        (HEX, None, ("sha256", HEX)),
        ("a" * 40, None, ("sha1", "a" * 40)),
        (HEX, "http://spdx.org/rdf/terms#checksumAlgorithm_sha256", ("sha256", HEX)),
        (HEX, "sha1", None),  # the named algorithm does not give 64 digits
        ("a" * 33, None, None),
        ("sha256:xyz", None, None),
        ("crc32:deadbeef", None, None),
        ("", None, None),
    ],
)
def test_checksum_forms(stored: str, algorithm: str | None, expected: tuple | None) -> None:
    assert profile.checksum(stored, algorithm) == expected


def test_free_text_licence_is_a_labelled_licence_document() -> None:
    g = Graph().parse(data=oracles.writers.write(_graph(hostile_dataset()), "turtle"))
    labelled = [
        (node, str(label))
        for node, label in g.subject_objects(RDFS.label)
        if (node, RDF.type, DCT.LicenseDocument) in g
    ]
    assert [label for _node, label in labelled] == ["My own licence, v1 ✓"]
    assert not any("My own licence" in str(s) for s in g.subjects())


def test_description_falls_back_to_the_title() -> None:
    ds = hostile_dataset()
    g = _graph(ds)
    ref = URIRef(f"http://test.ckan.net/dataset/{ds['id']}")
    assert [str(o) for o in g.objects(ref, DCT.description)] == [ds["title"]]


def test_media_types_with_parameters_become_iana_iris_or_are_left_out() -> None:
    assert profile.media_type("text/csv; header=present") == "text/csv"
    assert profile.media_type("not a media type") is None
    g = Graph().parse(data=oracles.writers.write(_graph(hostile_dataset()), "turtle"))
    media = {str(o) for o in g.objects(None, DCAT.mediaType)}
    assert media == {"https://www.iana.org/assignments/media-types/text/csv"}


def test_every_iri_is_valid_and_what_cannot_be_one_is_logged(
    dcat_logs: pytest.LogCaptureFixture,
) -> None:
    text = oracles.writers.write(_graph(hostile_dataset()), "turtle")
    g = Graph().parse(data=text)
    urls = {str(o) for o in g.objects(None, DCAT.accessURL)}
    assert "https://example.org/a%20b.csv" in urls
    assert not any(" " in u or "\n" in u for u in urls)
    # the relative URL is left out (logged); the resource's page stands in as access URL
    assert "relative/path.csv" in dcat_logs.text
    assert not any(u.endswith("relative/path.csv") for u in urls)
    for term in {*g.subjects(), *g.objects()}:
        if isinstance(term, URIRef):
            assert oracles.writers.valid_iri(str(term)) == str(term)


def test_no_character_xml_forbids_reaches_rdfxml() -> None:
    text = oracles.writers.write(_graph(hostile_dataset()), "pretty-xml")
    assert not any(ord(c) < 0x20 and c not in "\t\n\r" for c in text)
    assert "\ufffe" not in text
    # and ckanext-dcat's stock parser reads it (it got 0 datasets from ill-formed XML)
    from ckanext.dcat.processors import RDFParser

    parser = RDFParser(profiles=["euro_dcat_ap_3"])
    parser.parse(text, _format="xml")
    assert len(list(parser.datasets())) == 1


@pytest.mark.parametrize("rdf_format", ["turtle", "pretty-xml", "json-ld"])
def test_same_data_gives_the_same_bytes(rdf_format: str) -> None:
    datasets = [hostile_dataset(), complete_dataset(1), complete_dataset(2)]
    first = oracles.writers.write(_graph(*datasets), rdf_format)
    for _ in range(3):
        again = oracles.writers.write(_graph(*reversed(copy.deepcopy(datasets))), rdf_format)
        assert again == first


def test_a_dataset_that_fails_is_left_out_and_the_page_still_serves(
    monkeypatch: pytest.MonkeyPatch, dcat_logs: pytest.LogCaptureFixture
) -> None:
    broken = complete_dataset(3)
    real = profile.PublicservicesProfile.graph_from_dataset

    def fail_for_broken(self, dataset_dict, dataset_ref):  # noqa: ANN001, ANN202
        if dataset_dict["id"] == broken["id"]:
            raise RuntimeError("profile bug")
        return real(self, dataset_dict, dataset_ref)

    monkeypatch.setattr(profile.PublicservicesProfile, "graph_from_dataset", fail_for_broken)
    graph = _graph(complete_dataset(1), broken)
    assert broken["id"] in dcat_logs.text
    datasets = {str(d) for d in graph.subjects(RDF.type, DCAT.Dataset)}
    assert datasets == {f"http://test.ckan.net/dataset/{complete_dataset(1)['id']}"}
    assert not any(broken["id"] in str(s) for s in graph.subjects())
    assert _violations(graph) == []
    assert oracles.check(graph).disagreements == []


def test_literal_cleaning_keeps_tab_newline_and_cr() -> None:
    g = Graph()
    g.add((URIRef("http://x.org/s"), RDFS.label, Literal("a\tb\nc\rd\x00e")))
    out = Graph().parse(data=oracles.writers.write(g, "pretty-xml"), format="xml")
    assert {str(o) for o in out.objects()} == {"a\tb\nc\rd\ufffde"}
