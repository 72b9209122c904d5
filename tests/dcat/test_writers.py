"""The linear writers give back the same graph (isomorphic after parsing) in every format."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, XSD

from ckanext.publicservices.dcat import writers

FORMATS = {"turtle": "turtle", "pretty-xml": "xml", "json-ld": "json-ld"}
EX = Namespace("http://example.org/ns#")


def _round_trip(graph: Graph, rdf_format: str) -> Graph:
    text = writers.write(graph, rdf_format)
    return Graph().parse(data=text, format=FORMATS[rdf_format])


def _awkward_graph() -> Graph:
    g = Graph()
    g.bind("dct", DCTERMS)
    g.bind("ex", EX)
    s = URIRef("http://example.org/dataset/1")
    g.add((s, RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")))
    g.add((s, RDF.type, EX.Other))
    for text in ['quotes " and \\ backslash', "new\nline\r\ttab", "del \x7f", "ünï ✓ 🚀"]:
        g.add((s, DCTERMS.description, Literal(text)))
    g.add((s, DCTERMS.title, Literal("Titre", lang="fr")))
    g.add((s, DCTERMS.issued, Literal("2020-01-01", datatype=XSD.date)))
    g.add((s, EX.size, Literal("007", datatype=XSD.integer)))  # lexical form kept
    g.add((s, EX.odd, URIRef("http://example.org/a%20b?x=1&y='2'#f")))
    g.add((s, EX["local.with.dots"], Literal("x & <y>")))
    g.add((s, URIRef("http://unbound.example/ns/prop"), URIRef("http://unbound.example/ns/")))
    shared, once, cycle_a, cycle_b, lonely = BNode(), BNode(), BNode(), BNode(), BNode()
    g.add((s, DCTERMS.spatial, shared))
    g.add((URIRef("http://example.org/dataset/2"), DCTERMS.spatial, shared))
    g.add((shared, RDF.type, DCTERMS.Location))
    g.add((s, DCTERMS.temporal, once))
    g.add((once, EX.start, Literal("2020", datatype=XSD.gYear)))
    g.add((once, EX.nested, BNode()))  # a referenced blank node with no triples
    g.add((cycle_a, EX.next, cycle_b))  # a cycle no named subject reaches
    g.add((cycle_b, EX.next, cycle_a))
    g.add((lonely, EX.self, lonely))
    return g


@pytest.mark.parametrize("rdf_format", list(FORMATS))
def test_awkward_graph_round_trips(rdf_format: str) -> None:
    g = _awkward_graph()
    assert isomorphic(_round_trip(g, rdf_format), g)


@pytest.mark.parametrize("rdf_format", list(FORMATS))
def test_characters_xml_forbids_are_replaced_in_every_format(rdf_format: str) -> None:
    # replaced alike in every format, so that the three documents of one graph agree
    g = Graph()
    g.add((EX.s, EX.p, Literal("nul-ish \x00 \x01 \x1f \ufffe, kept: \t\n\r \x7f \x85")))
    expected = Graph()
    expected.add(
        (EX.s, EX.p, Literal("nul-ish \ufffd \ufffd \ufffd \ufffd, kept: \t\n\r \x7f \x85"))
    )
    assert isomorphic(_round_trip(g, rdf_format), expected)


@pytest.mark.parametrize("rdf_format", list(FORMATS))
def test_empty_graph(rdf_format: str) -> None:
    assert len(_round_trip(Graph(), rdf_format)) == 0


def test_predicate_without_an_xml_name_falls_back_to_rdflib() -> None:
    g = Graph()
    g.add((EX.s, URIRef("http://example.org/1"), Literal("v")))
    with pytest.raises(writers.Unwritable):
        writers.rdfxml(g)
    with pytest.raises(Exception):  # noqa: B017 rdflib cannot write it either
        writers.write(g, "pretty-xml")
    assert isomorphic(_round_trip(g, "turtle"), g)


def test_turtle_uses_prefixes_and_nests_single_use_blank_nodes() -> None:
    text = writers.turtle(_awkward_graph())
    assert "@prefix dct: <http://purl.org/dc/terms/> ." in text
    assert "dct:temporal [ ex:nested []" in text
    assert "@prefix xsd:" in text and '"2020-01-01"^^xsd:date' in text


_iris = st.sampled_from([EX.a, EX.b, URIRef("http://other.example/x/y"), DCTERMS.title])
_literals = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cn"]), max_size=12).map(Literal),
    st.builds(Literal, st.text(max_size=5), lang=st.sampled_from(["en", "cy", "en-gb"])),
    st.integers().map(lambda i: Literal(str(i), datatype=XSD.integer)),
)
_bnodes = st.sampled_from([BNode(f"n{i}") for i in range(4)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    triples=st.lists(
        st.tuples(
            st.one_of(_iris, _bnodes),
            st.sampled_from([EX.p, EX.q, RDF.type, DCTERMS.title]),
            st.one_of(_iris, _bnodes, _literals),
        ),
        max_size=12,
    ),
    rdf_format=st.sampled_from(list(FORMATS)),
)
def test_any_small_graph_round_trips(triples: list, rdf_format: str) -> None:
    g = Graph()
    g.bind("ex", EX)
    for t in triples:
        g.add(t)
    # characters XML 1.0 forbids are replaced (in every format alike), nothing else changes
    assert isomorphic(_round_trip(g, rdf_format), writers.clean_graph(g))
    if not any(writers._XML_FORBIDDEN.search(o) for _s, _p, o in g if isinstance(o, Literal)):
        assert isomorphic(_round_trip(g, rdf_format), g)
