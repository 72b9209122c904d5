"""Function queries as ckanext-spatial's bbox search sends them: `{!frange}` filters and `bf`."""

from __future__ import annotations

import json

import pysolr
import pytest
from ckanext.spatial.search import SolrBBoxSearchBackend

from .conftest import ckan_doc, ids

BOXES = {
    "inside": (0, 0, 10, 10),
    "overlapping": (5, 5, 15, 15),
    "elsewhere": (20, 20, 30, 30),
}


def _polygon(minx, miny, maxx, maxy) -> str:
    ring = [[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


@pytest.fixture(scope="module")
def spatial(search_url: str) -> pysolr.Solr:
    backend = SolrBBoxSearchBackend()
    docs = [
        backend.index_dataset(ckan_doc(100 + i, title=name, spatial=_polygon(*box)))
        for i, (name, box) in enumerate(BOXES.items())
    ]
    docs = [{k: v for k, v in d.items() if k != "spatial"} for d in docs]
    docs.append(ckan_doc(110, title="nowhere"))
    conn = pysolr.Solr(search_url, timeout=10)
    conn.delete(q="*:*", commit=True)
    conn.add(docs, commit=True)
    return conn


def _bbox_params(minx, miny, maxx, maxy) -> dict:
    """What ckanext-spatial adds to CKAN's query for ``ext_bbox=minx,miny,maxx,maxy``."""
    params = SolrBBoxSearchBackend().search_params(
        {"minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy}, {}
    )
    return {"fq": params["fq_list"], "bf": params["bf"], "defType": params["defType"]}


def _titles(solr: pysolr.Solr, **params) -> list[str]:
    found = solr.search("*:*", fl="id title score", sort="score desc", rows=10, **params)
    return [d["title"] for d in found.docs]


def test_bbox_search_keeps_overlapping_datasets_best_overlap_first(spatial):
    # the query box is "inside"'s own: overlap ratio 1.0 for it, 0.25 for "overlapping"
    assert _titles(spatial, **_bbox_params(0, 0, 10, 10)) == ["inside", "overlapping"]
    # a box covering "overlapping" better than "inside" reverses the order: bf ranks
    assert _titles(spatial, **_bbox_params(4, 4, 16, 16)) == ["overlapping", "inside"]
    assert _titles(spatial, **_bbox_params(40, 40, 50, 50)) == []


def test_bf_adds_its_function_to_the_score(spatial):
    params = _bbox_params(0, 0, 10, 10)
    scored = spatial.search("*:*", fl="title score", **params).docs
    without = spatial.search("*:*", fl="title score", fq=params["fq"], defType="edismax").docs
    base = {d["title"]: d["score"] for d in without}
    boosted = {d["title"]: d["score"] for d in scored}
    assert boosted["inside"] == pytest.approx(base["inside"] + 1.0)
    assert boosted["overlapping"] == pytest.approx(base["overlapping"] + 0.25)
    # as in Solr, the lucene parser ignores bf
    lucene = spatial.search("*:*", fl="title score", fq=params["fq"], bf=params["bf"]).docs
    assert {d["title"]: d["score"] for d in lucene} == base


def test_frange_bounds_and_inclusion(spatial):
    assert ids(spatial.search("*:*", fq="{!frange l=20}minx", sort="index_id asc")) == ["id-102"]
    assert ids(spatial.search("*:*", fq="{!frange u=5 incu=false}minx", sort="index_id asc")) == [
        "id-100",
        "id-110",  # no minx: the function's value is 0
    ]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"fq": "{!frange l=0}nosuch(minx)"}, "Unknown function nosuch"),
        ({"fq": "{!frange l=0}div(minx)"}, "Wrong number of arguments to div"),
        ({"bf": "add(minx,", "defType": "edismax"}, "bf:"),
        ({"boost": "minx"}, "'boost' parameter is not supported"),
    ],
)
def test_bad_functions_are_400_with_a_message(spatial, params, message):
    with pytest.raises(pysolr.SolrError, match="HTTP 400") as err:
        spatial.search("*:*", **params)
    assert message in str(err.value)
