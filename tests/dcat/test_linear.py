"""Guard rail: the per-dataset RDF work does not grow with the size of the catalog graph.

No timing: the graph counts the triples it hands out while one more dataset is added to a
graph already holding N datasets. The stock ``euro_dcat_ap_3`` (its whole-graph dcat:byteSize
scan) is measured the same way, so the test shows it can fail.
"""

from __future__ import annotations

from typing import Any

import pytest
from ckanext.dcat.processors import RDFSerializer
from rdflib import ConjunctiveGraph

from ckanext.publicservices.dcat.serializer import PublicservicesSerializer, profile_class
from tests.dcat.data import complete_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "kent")


class CountingGraph(ConjunctiveGraph):
    touched = 0

    def triples(self, triple_or_quad: Any, context: Any = None) -> Any:
        for t in super().triples(triple_or_quad, context):
            self.touched += 1
            yield t


def _filler(i: int) -> dict[str, Any]:
    """A cheap dataset that still adds five dcat:byteSize triples to the graph."""
    ds = complete_dataset(i)
    return {k: ds[k] for k in ("id", "name", "title", "type", "private", "resources")}


def _touched_by_one_more(serializer_cls: type, n: int) -> int:
    s = serializer_cls()
    s.g = CountingGraph()
    for i in range(n):
        s.graph_from_dataset(_filler(i))
    s.g.touched = 0
    s.graph_from_dataset(complete_dataset(n))
    return s.g.touched


def test_project_profile_touches_the_same_triples_at_100_and_400() -> None:
    small = _touched_by_one_more(PublicservicesSerializer, 100)
    large = _touched_by_one_more(PublicservicesSerializer, 400)
    assert large <= small * 1.1 + 10, (small, large)


def test_stock_profile_grows_with_the_graph() -> None:
    small = _touched_by_one_more(RDFSerializer, 50)
    large = _touched_by_one_more(RDFSerializer, 200)
    assert large > small * 2, (small, large)


def test_profile_lookup_is_cached() -> None:
    assert profile_class("publicservices") is profile_class("publicservices")
    assert profile_class("euro_dcat_ap_3").__name__ == "LinearEuropeanDCATAP3Profile"
