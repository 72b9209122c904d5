"""The service through pysolr, as CKAN talks to it: every query form of the design note §1.4,
dismax/mm, facets, sort, paging, fl, errors, update commands, persistence and concurrency."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import ckan
import pysolr
import pytest
import requests

from devstack.search.query import min_should_match
from devstack.search.server import SearchService

from .conftest import CORPUS, ckan_doc, ids

CKAN = {"q.op": "AND", "df": "text", "rows": 100, "sort": "index_id asc"}
DISMAX = {
    **CKAN,
    "defType": "dismax",
    "qf": "name^4 title^4 tags^2 groups^2 text",
    "mm": "2<-1 5<80%",
    "tie": "0.1",
}


def find(solr: pysolr.Solr, q: str, **params: Any) -> list[str]:
    return ids(solr.search(q, **{**CKAN, **params}))


# ---- response shape ----------------------------------------------------------------------------


def test_match_all_and_response_shape(search_url: str, solr: pysolr.Solr) -> None:
    body = requests.get(f"{search_url}/select/", params={"q": "*:*", "wt": "json"}).json()
    assert body["response"]["numFound"] == len(CORPUS)
    assert body["response"]["start"] == 0
    assert len(body["response"]["docs"]) == 6
    assert body["responseHeader"]["status"] == 0


def test_stored_fields_only_and_solr_dates(solr: pysolr.Solr) -> None:
    doc = solr.search('id:"id-0"', fl="*").docs[0]
    assert doc["metadata_modified"] == "2024-01-01T10:00:00Z"
    assert doc["tags"] == ["water", "flood"] and doc["title"] == "Flood risk in Kent"
    for hidden in ("permission_labels", "text", "title_string", "num_resources", "urls"):
        assert hidden not in doc
    assert set(solr.search('id:"id-0"', fl="id,title").docs[0]) == {"id", "title"}
    assert set(solr.search('id:"id-0"', fl="id validated_data_dict").docs[0]) == {
        "id",
        "validated_data_dict",
    }
    scored = solr.search("flood", fl="id score", defType="dismax", qf="title").docs[0]
    assert scored["score"] > 0


# ---- Lucene syntax forms (§1.4) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('+site_id:"default" +capacity:public', ["id-0", "id-1", "id-3", "id-4", "id-5"]),
        ("-dataset_type:harvest -capacity:public", ["id-2"]),  # pure negative
        ('tags:"water"', ["id-0", "id-3"]),
        ('tags: "water"', ["id-0", "id-3"]),  # space after the colon
        ("+name:dataset-4", ["id-4"]),  # unquoted hyphenated value
        ('tags:"water"organization:"kent"', ["id-0"]),  # glued clauses
        ("+state:(active OR draft) +organization:doncaster", ["id-3"]),
        ('+permission_labels:("public" OR "member-nl") +organization:north-lanarkshire', ["id-2"]),
        (
            '+entity_type:package AND +(id:"id-1" OR name:"dataset-2") AND +site_id:"default"',
            ["id-1", "id-2"],
        ),
        ('name:"dataset-1" OR id:"id-2"', ["id-1", "id-2"]),
        ('res_format:"PDF" OR res_format:"JSON"', ["id-0", "id-3"]),
        ('tags:"flood" +organization:kent', ["id-0", "id-5"]),  # implicit operator, q.op=AND
        ("metadata_modified:[2024-01-03T00:00:00Z TO NOW]", ["id-2", "id-3", "id-4"]),
        ("metadata_modified:[* TO 2024-01-01T00:00:00Z]", ["id-5"]),
        ("metadata_modified:{2024-01-01T10:00:00Z TO 2024-01-03T10:00:00Z]", ["id-1", "id-2"]),
        ("metadata_modified:[NOW-100YEARS/DAY TO NOW+1DAY]", [f"id-{i}" for i in range(6)]),
        ("num_resources:[2 TO *]", ["id-0", "id-4"]),  # a string range, as in Solr
        ("view_recent:*", ["id-4"]),
        ("groups:[* TO *]", ["id-0", "id-1", "id-5"]),
        ("name:dataset-?", [f"id-{i}" for i in range(6)]),
        ("title:flood*", ["id-0", "id-5"]),
        ("title:fl?od", ["id-0", "id-5"]),  # "Flooding" is indexed as "flood"
        ('notes:"river flooding"', ["id-0"]),  # phrase, stemmed
        ('notes:"flooding river"~2', ["id-0"]),  # proximity
        ("title:Flooding", ["id-0", "id-5"]),  # stemmed: flooding → flood
        ("tags:flod~1", ["id-0", "id-5"]),  # fuzzy, one edit
        ("tags:walter~", ["id-0", "id-3"]),  # default: two edits
        ("tags:footfal~1 OR tags:fiannce~1", ["id-2", "id-4"]),  # transposition = one edit
        ("title:(flood^4 OR air)", ["id-0", "id-1", "id-5"]),
        ("tags:water && organization:doncaster", ["id-3"]),
        ("tags:air || tags:finance", ["id-1", "id-2"]),
        ("tags:flood && !organization:kent", []),
        ("name:dataset\\-4", ["id-4"]),  # escaped hyphen
        ("hydrology", ["id-0"]),  # df=text holds extras_*
        ("E10000016", ["id-0"]),  # vocab_* is copied into text
        ("title_ngram:oodi", ["id-5"]),
        ("name_ngram:set-4", ["id-4"]),
        ("*:* -tags:flood -tags:water", ["id-1", "id-2", "id-4"]),
        ("(tags:flood -organization:kent) OR tags:air", ["id-1"]),
        ("(-tags:flood)", ["id-1", "id-2", "id-3", "id-4"]),  # top level: all except …
        ("+capacity:public +(-tags:flood)", []),  # nested pure negative: nothing, as in Solr
    ],
)
def test_lucene_forms(solr: pysolr.Solr, q: str, expected: list[str]) -> None:
    assert find(solr, q) == expected


def test_filter_queries_combine_and_pure_negative_filters(solr: pysolr.Solr) -> None:
    fq = [
        "+capacity:public +state:(active)",
        "-dataset_type:harvest",
        '+site_id:"default"',
        '+permission_labels:("public")',
    ]
    assert find(solr, "*:*", fq=fq) == ["id-0", "id-1", "id-4", "id-5"]
    assert find(solr, "*:*", fq=["-organization:kent"]) == ["id-2", "id-3", "id-4"]


def test_unparenthesised_and_or_follow_the_classic_lucene_parser(solr: pysolr.Solr) -> None:
    # Lucene reads `a AND b OR c` as `+a +b c` (q.op=OR), not `(a AND b) OR c`
    plain = {"sort": "index_id asc", "rows": 100}
    assert ids(solr.search("tags:flood AND organization:kent OR tags:air", **plain)) == [
        "id-0",
        "id-5",
    ]
    assert ids(solr.search("tags:air OR tags:flood AND organization:kent", **plain)) == [
        "id-0",
        "id-5",
    ]
    # with q.op=AND, OR makes the preceding clause optional again, even one marked `+`
    assert find(solr, "+tags:air OR tags:finance") == ["id-1", "id-2"]


def test_q_op_or_is_the_default(solr: pysolr.Solr) -> None:
    assert ids(solr.search("tags:air tags:finance", sort="index_id asc")) == ["id-1", "id-2"]


# ---- dismax ------------------------------------------------------------------------------------


def test_dismax_free_text(solr: pysolr.Solr) -> None:
    assert find(solr, "flood", **DISMAX) == ["id-0", "id-5"]
    assert find(solr, "Flooded homes", **DISMAX) == ["id-5"]  # both clauses required (≤ 2)
    assert find(solr, "flooded nosuchword", **DISMAX) == []
    # three clauses → 2<-1 lets one miss
    assert find(solr, "flood kent nosuchword", **DISMAX) == ["id-0", "id-5"]
    assert find(solr, "flood nosuchword otherword", **DISMAX) == []
    assert find(solr, '"water levels"', **DISMAX) == ["id-0"]
    assert find(solr, "flood -kent", **DISMAX) == []
    assert find(solr, "+flood incidents", **DISMAX) == ["id-5"]
    assert find(solr, "-flood", **DISMAX) == ["id-1", "id-2", "id-3", "id-4"]
    assert find(solr, "wifi", **DISMAX) == ["id-4"]  # Wi-Fi catenated at index time
    # AND / OR / NOT remain operators in dismax; mm applies to the optional clauses
    assert find(solr, "flood AND kent", **DISMAX) == ["id-0", "id-5"]
    assert find(solr, "flood NOT kent", **DISMAX) == []
    assert find(solr, "air OR finance", **DISMAX) == []  # mm 2<-1: both optional clauses needed
    assert find(solr, "air OR finance", **{**DISMAX, "mm": "1"}) == ["id-1", "id-2"]
    # `name` and `tags` only match whole values
    assert find(solr, "dataset-3", **DISMAX) == ["id-3"]


def test_dismax_ranks_by_score(solr: pysolr.Solr) -> None:
    params = {**DISMAX, "sort": "score desc, metadata_modified desc", "fl": "id score"}
    docs = solr.search("flood water", **{**params, "mm": "1"}).docs
    # id-0 matches both words (title, tags, notes); the others one each
    assert docs[0]["id"] == "id-0"
    assert [d["id"] for d in docs[1:]] == ["id-5", "id-3"] or [d["id"] for d in docs[1:]] == [
        "id-3",
        "id-5",
    ]
    scores = [d["score"] for d in docs]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0


@pytest.mark.parametrize(
    ("spec", "n", "expected"),
    [
        ("2<-1 5<80%", 1, 1),
        ("2<-1 5<80%", 2, 2),
        ("2<-1 5<80%", 3, 2),
        ("2<-1 5<80%", 5, 4),
        ("2<-1 5<80%", 10, 8),
        ("100%", 4, 4),
        ("1", 3, 1),
        ("-1", 3, 2),
        ("-25%", 4, 3),
    ],
)
def test_min_should_match(spec: str, n: int, expected: int) -> None:
    assert min_should_match(spec, n) == expected


# ---- facets, sort, paging ----------------------------------------------------------------------


def test_facets_flat_count_order_ties_in_index_order(solr: pysolr.Solr) -> None:
    res = solr.search(
        "*:*",
        **{
            "facet": "true",
            "facet.field": ["tags", "organization"],
            "facet.mincount": 1,
            "facet.limit": 50,
        },
    )
    fields = res.facets["facet_fields"]
    assert fields["organization"] == [
        "kent",
        3,
        "doncaster",
        1,
        "north-lanarkshire",
        1,
        "waltham-forest",
        1,
    ]
    assert fields["tags"][:4] == ["flood", 2, "water", 2]
    limited = solr.search(
        "*:*", **{"facet": "true", "facet.field": "tags", "facet.limit": 1, "facet.mincount": 1}
    ).facets["facet_fields"]["tags"]
    assert limited == ["flood", 2]
    everything = solr.search(
        "tags:flood",
        **{"facet": "true", "facet.field": "organization", "facet.limit": -1, "facet.mincount": 0},
    )
    # limit -1 sorts by index order; mincount 0 includes zero counts
    assert everything.facets["facet_fields"]["organization"] == [
        "doncaster",
        0,
        "kent",
        2,
        "north-lanarkshire",
        0,
        "waltham-forest",
        0,
    ]
    assert "facet_counts" not in solr.search("*:*", facet="false").raw_response


def test_sort_multi_key_and_unknown_dynamic_fields(solr: pysolr.Solr) -> None:
    assert find(solr, "*:*", sort="metadata_modified desc")[:2] == ["id-4", "id-3"]
    assert find(solr, "*:*", sort="title_string asc")[0] == "id-1"  # "Air quality…"
    by_org = find(solr, "*:*", sort="organization asc, metadata_modified desc")
    assert by_org == ["id-3", "id-1", "id-0", "id-5", "id-2", "id-4"]
    # view_recent is not in the schema (dynamic `*`): sortable, missing values last
    assert find(solr, "*:*", sort="view_recent desc")[0] == "id-4"
    assert find(solr, "*:*", sort="view_recent asc")[0] == "id-4"


def test_paging(solr: pysolr.Solr) -> None:
    all_ids = find(solr, "*:*", sort="metadata_modified asc")
    page = solr.search("*:*", **{**CKAN, "sort": "metadata_modified asc", "start": 2, "rows": 3})
    assert ids(page) == all_ids[2:5] and page.hits == 6
    assert ids(solr.search("*:*", rows=0)) == []


# ---- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort": "title_string sideways"}, "Can't determine a Sort Order"),
        ({"sort": "tags asc"}, "can not sort on multivalued field"),
        ({"q": "title:(flood"}, "Cannot parse"),
        ({"q": "metadata_modified:[yesterday TO NOW]"}, "Invalid Date"),
        ({"rows": "10000000000"}, "must not exceed"),
        ({"rows": "-1"}, "cannot be negative"),
        ({"rows": "ten"}, "For input string"),
        ({"defType": "nonsense"}, "Unknown query parser"),
        ({"q": "title:x {!lucene}y"}, "Local parameters"),
    ],
)
def test_bad_requests_are_400_with_a_message(
    solr: pysolr.Solr, params: dict[str, str], message: str
) -> None:
    q = params.pop("q", "*:*")
    with pytest.raises(pysolr.SolrError, match="HTTP 400") as err:
        solr.search(q, **params)
    assert message in str(err.value)
    assert solr.search("*:*").hits == 6  # still serving


def test_invalid_documents_are_rejected_and_nothing_is_half_added(solr: pysolr.Solr) -> None:
    with pytest.raises(pysolr.SolrError, match="HTTP 400.*multiple values"):
        solr.add([ckan_doc(90), ckan_doc(91, organization=["a", "b"])], commit=True)
    with pytest.raises(pysolr.SolrError, match="HTTP 400"):
        solr.add([ckan_doc(92, metadata_modified="not a date")])
    assert solr.search("*:*").hits == 6


def test_local_params(solr: pysolr.Solr) -> None:
    assert find(solr, "{!bool must=tags:flood must_not=organization:kent}") == []
    assert find(solr, "*:*", fq="{!lucene q.op=OR}tags:air tags:finance") == ["id-1", "id-2"]


# ---- endpoints and update commands -------------------------------------------------------------


def test_schema_ping_and_form_post(search_url: str, solr: pysolr.Solr) -> None:
    own = 'name="ckan-{}"'.format(".".join(ckan.__version__.split(".")[:2]))  # 2.11 or 2.12
    schema = requests.get(f"{search_url}/schema", params={"wt": "schema.xml"})
    assert schema.status_code == 200 and own in schema.text
    assert own in requests.get(f"{search_url}/admin/file/?file=schema.xml").text
    assert requests.get(f"{search_url}/admin/ping").json()["status"] == "OK"
    # pysolr switches to a form POST for long parameter strings (many permission labels)
    labels = " OR ".join(f'"member-{i:04d}"' for i in range(200))
    fq = f'+permission_labels:("public" OR {labels})'
    assert solr.search("*:*", fq=fq).hits == 5
    assert requests.get(f"{search_url}/nowhere").status_code == 404


def test_xml_delete_commit_optimize_and_json_commands(search_url: str) -> None:
    conn = pysolr.Solr(search_url.replace("/ckan", "/scratch"))
    conn.add([ckan_doc(i) for i in range(3)], commit=True)
    conn.delete(q='+entity_type:package AND +(id:"id-1" OR name:"id-1") AND +site_id:"default"')
    conn.commit()
    conn.optimize()
    assert ids(conn.search("*:*", sort="index_id asc")) == ["id-0", "id-2"]
    requests.post(
        f"{search_url.replace('/ckan', '/scratch')}/update",
        json={"delete": {"id": "index-0"}, "commit": {}},
    ).raise_for_status()
    assert ids(conn.search("*:*")) == ["id-2"]
    conn.delete(q="*:*", commit=True)


def test_replacing_a_document_keeps_one_copy(search_url: str) -> None:
    conn = pysolr.Solr(search_url.replace("/ckan", "/replace"))
    conn.add([ckan_doc(1, title="First")], commit=True)
    conn.add([ckan_doc(1, title="Second")], commit=True)
    res = conn.search("*:*", fl="title")
    assert res.hits == 1 and res.docs[0]["title"] == "Second"
    assert conn.search("title:first").hits == 0


# ---- persistence and concurrency ---------------------------------------------------------------


def test_data_dir_survives_restart(tmp_path: Path) -> None:
    first = SearchService(tmp_path)
    first.core("ckan").add_docs([ckan_doc(i) for i in range(4)])
    first.core("ckan").delete_by_query('id:"id-2"')
    first.close()
    second = SearchService(tmp_path)
    core = second.core("ckan")
    body = core.select({"q": ["*:*"], "sort": ["index_id asc"], "fl": ["id"]})
    assert [d["id"] for d in body["response"]["docs"]] == ["id-0", "id-1", "id-3"]
    core.add_docs([ckan_doc(9)])  # new documents still go after the reloaded ones
    body = core.select({"q": ["*:*"], "sort": ["score desc"], "fl": ["id"]})
    assert [d["id"] for d in body["response"]["docs"]] == ["id-0", "id-1", "id-3", "id-9"]
    second.close()


def test_concurrent_writes_and_searches(search_url: str) -> None:
    url = search_url.replace("/ckan", "/concurrency")
    errors: list[BaseException] = []

    def writer(start: int) -> None:
        conn = pysolr.Solr(url)
        try:
            for i in range(start, start + 30):
                conn.add([ckan_doc(i)], commit=True)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    def reader() -> None:
        conn = pysolr.Solr(url)
        try:
            for _ in range(40):
                conn.search("*:*", **{"facet": "true", "facet.field": "tags", "rows": 5})
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(s,)) for s in (0, 100)]
    threads += [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert pysolr.Solr(url).search("*:*").hits == 60


def test_command_line_service_starts_and_stops_cleanly(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [
        sys.executable,
        "-m",
        "devstack.search",
        "--port",
        str(port),
        "--data-dir",
        str(tmp_path),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == (
            f"search service ready on http://127.0.0.1:{port}/solr/ckan"
        )
        pysolr.Solr(f"http://127.0.0.1:{port}/solr/ckan").add([ckan_doc(1)], commit=True)
        proc.terminate()
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    restarted = SearchService(tmp_path)
    assert restarted.core("ckan").select({"q": ["*:*"]})["response"]["numFound"] == 1
    restarted.close()


def test_renumbering_after_many_replacements_keeps_results(tmp_path: Path) -> None:
    service = SearchService(tmp_path)
    core = service.core("ckan")
    for r in range(6):  # 1,800 additions of 300 documents: the index renumbers once
        core.add_docs([ckan_doc(i, title=f"round {r}") for i in range(300)])
    assert core.index.next_docno < 1800
    body = core.select({"q": ["title:5"], "rows": ["2"], "fl": ["id"], "sort": ["id asc"]})
    assert body["response"]["numFound"] == 300
    assert [d["id"] for d in body["response"]["docs"]] == ["id-0", "id-1"]
    service.close()
    reloaded = SearchService(tmp_path)
    assert reloaded.core("ckan").select({"q": ["title:5"]})["response"]["numFound"] == 300
    reloaded.close()


def test_recorded_ckan_requests(search_url: str, solr: pysolr.Solr) -> None:
    """The two requests recorded in the design note §1.3, byte for byte in their parameters."""
    dataset_page = {
        "q": "flood water",
        "fq": [
            'tags:"water" +dataset_type:dataset +state:(active)',
            '+site_id:"default"',
            '+permission_labels:("public" OR "creator-u1" OR "member-o1")',
        ],
        "facet.field": ["organization", "groups", "tags", "res_format", "license_id"],
        "rows": "21",
        "start": "0",
        "sort": "score desc, metadata_modified desc",
        "fl": "id validated_data_dict",
        "df": "text",
        "facet": "true",
        "facet.limit": "50",
        "facet.mincount": "1",
        "wt": "json",
        "defType": "dismax",
        "tie": "0.1",
        "mm": "2<-1 5<80%",
        "qf": "name^4 title^4 tags^2 groups^2 text",
        "q.op": "AND",
    }
    body = requests.get(f"{search_url}/select/", params=dataset_page).json()
    assert body["response"]["numFound"] == 1
    assert body["response"]["docs"] == [
        {"id": "id-0", "validated_data_dict": '{"name": "dataset-0"}'}
    ]
    assert body["facet_counts"]["facet_fields"]["tags"] == ["flood", 1, "water", 1]
    assert body["facet_counts"]["facet_fields"]["res_format"] == ["CSV", 1, "PDF", 1]

    catalog_page = {
        "q": "*:*",
        "fq": [
            "+capacity:public  +state:(active)",
            "-dataset_type:harvest",
            "-dataset_type:showcase",
            "metadata_modified:[2024-01-01T00:00:00Z TO NOW]",
            '+site_id:"default"',
            '+permission_labels:("public")',
        ],
        "fq_list": ["-dataset_type:harvest", "-dataset_type:showcase"],  # sent, never used
        "rows": "2",
        "start": "1",
        "sort": "metadata_modified desc",
        "fl": "id validated_data_dict",
        "df": "text",
        "facet": "true",
        "facet.limit": "50",
        "facet.mincount": "1",
        "wt": "json",
        "q.op": "AND",
    }
    body = requests.post(f"{search_url}/select/", data=catalog_page).json()  # form POST
    assert body["response"]["numFound"] == 3  # id-0, id-1, id-4 (id-5 is from 2023)
    assert [d["id"] for d in body["response"]["docs"]] == ["id-1", "id-0"]
    assert body["facet_counts"]["facet_fields"] == {}
