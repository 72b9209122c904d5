"""Hostile input to the RDF import is refused with a clear error, in bounded time and memory."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from ckanext.publicservices.dcat.serializer import (
    PublicservicesSerializer,
    RDFImportError,
    parse_datasets,
)
from tests.dcat.data import complete_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "kent")

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Dataset rdf:about="http://example.org/d"><dct:title>&lol9;</dct:title></dcat:Dataset>
</rdf:RDF>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Dataset rdf:about="http://example.org/d"><dct:title>&xxe;</dct:title></dcat:Dataset>
</rdf:RDF>"""

PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE r [ <!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote; ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>"""


def _refused(data: str | bytes, fmt: str, words: str) -> None:
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(RDFImportError) as e:
            parse_datasets(data, fmt)
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert words in str(e.value)
    assert time.monotonic() - started < 5
    assert peak < 50_000_000


def test_entity_expansion_is_refused() -> None:
    _refused(BILLION_LAUGHS, "xml", "DOCTYPE")


def test_external_entities_are_refused() -> None:
    _refused(EXTERNAL_ENTITY, "xml", "DOCTYPE")
    _refused(PARAMETER_ENTITY, "rdf", "DOCTYPE")


def test_a_dtd_hidden_in_utf16_is_refused() -> None:
    _refused(EXTERNAL_ENTITY.encode("utf-16"), "xml", "UTF-8")


def test_huge_literal_is_refused() -> None:
    ttl = "<http://example.org/d> a <http://www.w3.org/ns/dcat#Dataset> ; " + (
        '<http://purl.org/dc/terms/title> "' + "x" * 200_000 + '" .'
    )
    _refused(ttl, "ttl", "literal")


def test_oversized_input_is_refused_before_parsing() -> None:
    _refused(b"<x>" + b" " * 6_000_000, "xml", "limit")


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        ("<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><unclosed>", "xml"),
        ("<http://example.org/d> <http://example.org/p> .", "ttl"),
        ('{"@id": "http://example.org/d", "@type": ', "jsonld"),
        ("not n-triples at all", "nt"),
    ],
)
def test_malformed_syntax_is_a_clear_error(data: str, fmt: str) -> None:
    _refused(data, fmt, "Could not parse the RDF")


def test_remote_jsonld_context_is_refused() -> None:
    doc = '{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "http://example.org/d"}'
    _refused(doc, "jsonld", "remote @context")


def test_unknown_formats_are_refused() -> None:
    _refused("@prefix : <http://e/> . { :a :b :c } => { :a :b :d } .", "n3", "not accepted")


def test_well_formed_catalog_still_parses() -> None:
    out = PublicservicesSerializer().serialize_dataset(complete_dataset(0), _format="xml")
    (parsed,) = parse_datasets(out, "xml")
    assert parsed["title"] == "Households at risk of fuel poverty 0"
