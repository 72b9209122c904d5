"""Every RDF document the portal serves, for the demo's seeded data (with its uploaded CSVs) and
for datasets created through the API with generated hostile-but-accepted values, has zero
DCAT-AP 3.0.0 SHACL violations and reads as the same graph in rdflib, rapper and serdi; its
Turtle, RDF/XML and JSON-LD are isomorphic."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from ckanext.publicservices.consortium import seed as seed_module
from ckanext.publicservices.dcat.serializer import PublicservicesSerializer
from tests.dcat import oracles
from tests.dcat.test_shacl import results
from tests.schemas.payloads import valid_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")

AP3 = "dcat-ap_3.0.0_shacl_shapes.ttl"
SPDX = Namespace("http://spdx.org/rdf/terms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SERVED = {"turtle": "ttl", "pretty-xml": "rdf", "json-ld": "jsonld"}
# enough to meet every value shape below several times, small enough for `make test`
EXAMPLES = int(os.environ.get("PUBLICSERVICES_DCAT_ORACLE_EXAMPLES", "40"))

# ---------------------------------------------------------------------------- generated values

# what the input boundary accepts: any character but lone surrogates and controls other than
# tab, LF and CR (stored data from before it is covered by test_hostile_output.py)
_TEXT = st.text(
    st.one_of(st.characters(blacklist_categories=["Cs", "Cc"]), st.sampled_from("\t\n\r")),
    max_size=30,
)
_HEX = st.binary(min_size=1, max_size=32).map(lambda b: hashlib.sha512(b).hexdigest())
_URLS = st.one_of(
    st.sampled_from(
        [
            "https://example.org/data file.csv",
            "https://example.org/data.csv\n",
            " https://example.org/trimmed.csv ",
            "https://example.org/a\nb.csv",
            "https://example.org/q?x=<1>&y={2}|`^\\",
            "https://example.org/100%/x#a#b",
            "https://exämple.org/ünï/✓.csv",
            "relative/path.csv",
            "example.org/no-scheme.csv",
            "mailto:data@example.org",
            "urn:uuid:1234",
            "",
        ]
    ),
    _TEXT.map(lambda t: f"https://example.org/{t}"),
)
_HASHES = st.one_of(
    _HEX.map(lambda h: "sha256:" + h[:64]),
    _HEX.map(lambda h: "SHA-256:" + h[:64].upper()),
    _HEX.map(lambda h: "md5:" + h[:32]),
    _HEX.map(lambda h: "sha1:" + h[:64]),  # wrong length for its algorithm
    st.tuples(_HEX, st.sampled_from([32, 40, 56, 64, 96, 128, 33, 7])).map(lambda t: t[0][: t[1]]),
    st.sampled_from(["", "not a hash", "sha256:", "crc32:deadbeef", "sha256:xyz"]),
    _TEXT,
)
_MEDIA = st.one_of(
    st.sampled_from(
        [
            "text/csv; header=present",
            "text/csv",
            "TEXT/CSV",
            "application/json; charset=utf-8",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "https://www.iana.org/assignments/media-types/text/csv",
            "not a/media type",
            "csv",
            "",
        ]
    ),
    _TEXT,
)
_FORMATS = st.sampled_from(
    ["CSV", "csv", "text/csv; header=present", "XLSX", "Shapefile (zipped)", "ünï ✓", "", "a/b c"]
)
_LICENCES = st.one_of(
    st.sampled_from(
        [
            "",
            "My own licence, v1",
            "https://creativecommons.org/licenses/by/4.0/",
            "cc-by",
            "http://example.org/a licence\n",
            'Licence: <b>bold</b> & "quoted"',
        ]
    ),
    _TEXT,
)
_RESOURCE = st.fixed_dictionaries(
    {
        "url": _URLS,
        "name": _TEXT,
        "description": _TEXT,
        "format": _FORMATS,
        "mimetype": _MEDIA,
        "license": _LICENCES,
        "hash": _HASHES,
    }
)
# the calendar's edges and leap days (what the date fields accept: year-month-day)
_DATES = st.one_of(
    st.sampled_from(["0001-01-01", "1900-02-28", "2000-02-29", "2024-02-29", "9999-12-31"]),
    st.dates().map(str),
)
# long texts: a generated text repeated to a few thousand characters
_LONG = st.tuples(_TEXT.filter(lambda t: t.strip()), st.integers(100, 400)).map(
    lambda t: (t[0] * t[1])[:4000]
)
_EMAILS = st.sampled_from(["data@example.org", "ünï@exämple.org", "a.b+c@example.co.uk"])
_CHANGES = st.fixed_dictionaries(
    {
        "title": _TEXT.filter(lambda t: t.strip()),
        "notes": st.one_of(st.just(""), _TEXT, _LONG),
        "url": _URLS,
        "version": _TEXT,
        "provenance": st.one_of(_TEXT, _LONG),
        "license_id": st.sampled_from(
            ["uk-ogl", "cc-by", "odc-odbl", "other-open", "notspecified"]
        ),
        "resources": st.lists(_RESOURCE, max_size=3),
    },
    # the optional fields, each present in some examples and absent in others
    optional={
        "issued": _DATES,
        "modified": _DATES,
        "temporal_coverage": st.lists(
            st.tuples(_DATES, _DATES).map(lambda t: {"start": min(t), "end": max(t)}),
            max_size=2,
        ),
        "contact": st.lists(
            st.fixed_dictionaries({"name": _TEXT, "email": _EMAILS}), min_size=1, max_size=2
        ),
        "publisher": st.lists(
            st.fixed_dictionaries({"name": _TEXT, "uri": _URLS, "email": _EMAILS, "url": _URLS}),
            min_size=1,
            max_size=1,
        ),
        "area": st.lists(st.sampled_from(["E07000110", "W06000001", "E08000025"]), max_size=2),
        "tag_string": _TEXT,
        "user_needs": st.lists(
            st.fixed_dictionaries({"as_a": _TEXT, "i_need": _TEXT, "so_that": _LONG}),
            max_size=2,
        ),
        "service_outcomes": st.lists(
            st.fixed_dictionaries({"outcome": _TEXT, "measure": _TEXT}), max_size=2
        ),
        "funding_programme": _LONG,
    },
)

# ---------------------------------------------------------------------------- checks


_PAGE = re.compile(r"/catalog\.(ttl|rdf|jsonld)\?")


def _unpaged(term: Any) -> Any:
    if isinstance(term, URIRef):
        return URIRef(_PAGE.sub("/catalog.*?", term))
    if isinstance(term, Literal):
        return Literal(_PAGE.sub("/catalog.*?", term), datatype=term.datatype, lang=term.language)
    return term


def _same_page(graph: Graph) -> Graph:
    """A catalog page names itself (hydra paging) with the extension it was asked for."""
    out = Graph()
    for s, p, o in graph:
        out.add((_unpaged(s), p, _unpaged(o)))
    return out


def _served(app: Any, path: str) -> dict[str, str]:
    out = {}
    for rdf_format, ext in SERVED.items():
        response = app.get(f"{path}.{ext}", status=200)
        out[rdf_format] = response.body
    return out


class Tally:
    def __init__(self) -> None:
        self.counts = {
            "generated": 0,
            "accepted": 0,
            "documents": 0,
            "parser_readings": 0,
            "violations": 0,
            "disagreements": 0,
        }
        self.failures: list[str] = []
        self.rejected: list[list[str]] = []
        self.seconds: dict[str, float] = {}

    def check(self, what: str, documents: dict[str, str], shacl: bool = True) -> Graph:
        reading = oracles.check_documents(documents, same=_same_page)
        self.counts["documents"] += len(documents)
        self.counts["parser_readings"] += reading.parsed
        self.counts["disagreements"] += len(reading.disagreements)
        self.failures += [f"{what}: {d}" for d in reading.disagreements]
        graph = oracles.graph(reading)
        if not shacl:
            return graph
        violations = [r for r in results(graph, AP3) if r[0] == "Violation"]
        self.counts["violations"] += len(violations)
        self.failures += [f"{what}: SHACL {v}" for v in violations]
        return graph


def test_seeded_and_generated_datasets_read_alike_everywhere(app: Any, tmp_path: Path) -> None:
    oracles.tools()  # rapper and serdi must be there: an error, not a skip
    tally = Tally()
    started = time.monotonic()

    # the demo's seeded data, uploads included
    seed_module.seed(rows=8)
    catalog = tally.check("seeded /catalog", _served(app, "/catalog"))
    assert len(set(catalog.subjects(RDF.type, SPDX.Checksum))) >= 4  # one per uploaded CSV
    seeded = [p.name for p in model.Session.query(model.Package).filter_by(state="active")]
    assert len(seeded) >= 8
    for name in seeded:
        tally.check(f"seeded /dataset/{name}", _served(app, f"/dataset/{name}"))
    tally.seconds["seed"] = round(time.monotonic() - started, 1)

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    ctx = {"user": site_user["name"], "ignore_auth": True}
    org = model.Session.query(model.Group).filter_by(is_organization=True).first()
    assert org is not None

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(changes=_CHANGES)
    def one_dataset(changes: dict[str, Any]) -> None:
        tally.counts["generated"] += 1
        n = tally.counts["generated"]
        data = valid_dataset(name=f"oracle-{n}", owner_org=org.id, **changes)
        try:
            pkg = call_action("package_create", dict(ctx), **data)
        except tk.ValidationError as e:
            model.Session.rollback()
            tally.rejected.append(sorted(e.error_dict))
            reject()  # not accepted by the API: nothing to serve
        tally.counts["accepted"] += 1
        documents = {
            rdf_format: call_action(
                "dcat_dataset_show", dict(ctx), id=pkg["id"], format=SERVED[rdf_format]
            )
            for rdf_format in SERVED
        }
        tally.check(f"generated {pkg['name']} {changes!r}", documents)
        # and as a catalog entry (the catalog's JSON-LD is the project's writer)
        serializer = PublicservicesSerializer()
        serializer.build_catalog({}, [pkg])
        # (SHACL: the site catalog holding every generated dataset is validated below)
        tally.check(
            f"generated {pkg['name']} in a catalog",
            oracles.check(serializer.g).documents,
            shacl=False,
        )

    started = time.monotonic()
    one_dataset()
    tally.seconds["generated"] = round(time.monotonic() - started, 1)

    # the site catalog with everything in it
    started = time.monotonic()
    tally.check("/catalog with the generated datasets", _served(app, "/catalog"))
    tally.seconds["catalog"] = round(time.monotonic() - started, 1)

    rejected_fields: dict[str, int] = {}
    for fields in tally.rejected:
        for f in fields:
            rejected_fields[f] = rejected_fields.get(f, 0) + 1
    figures = {**tally.counts, "rejected_fields": rejected_fields, "seconds": tally.seconds}
    artifacts = Path(os.environ.get("PUBLICSERVICES_TEST_ARTIFACTS", "test-artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / "dcat-oracles.json").write_text(json.dumps(figures, indent=2) + "\n")
    assert tally.failures == [], "\n".join(tally.failures[:20])
    assert tally.counts["accepted"] >= EXAMPLES // 2, figures
