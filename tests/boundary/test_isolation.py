"""One dataset or organisation whose stored metadata cannot be rendered never takes a page down.

The bad values are written straight into the database (as data predating the input boundary, or
written by another extension, would be), then the dataset is re-indexed as CKAN would. The
listing, the consortium page, the dataset page and every catalog still answer 200 and parse;
the other datasets are still listed.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import ckan.lib.search as search
import ckan.model as model
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from rdflib import Graph
from sqlalchemy import text

from tests.boundary.http import get
from tests.boundary.other_process import OtherProcess
from tests.consortium.data import consortium, dataset
from tests.db_extras import set_group_extra, set_package_extra

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

RDF_FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}


def _portal() -> dict[str, Any]:
    admin = factories.SysadminWithToken()
    org = consortium(admin, "isolated-kent")
    good = dataset(admin, org["id"], "good-bins")
    bad = dataset(
        admin,
        org["id"],
        "bad-bins",
        user_needs=[{"as_a": "resident", "i_need": "bins", "so_that": "clean"}],
    )
    return {"admin": admin, "org": org, "good": good, "bad": bad}


def _write(sql: str, **params: Any) -> None:
    model.Session.execute(text(sql), params)
    model.Session.commit()
    model.Session.remove()


def _set_extra(pkg_id: str, key: str, raw: str) -> None:
    set_package_extra(pkg_id, key, raw)


def _reindex(pkg_id: str) -> None:
    # indexing may refuse it: the stale document stays in the index, as it would in life
    with contextlib.suppress(Exception):
        search.rebuild(pkg_id)


def _pages_serve(app: Any, portal: dict[str, Any]) -> None:
    org = portal["org"]["name"]
    listing = get(app, "/dataset/")
    assert listing.status_code == 200
    assert "good-bins" in listing.body
    page = get(app, f"/organization/{org}")
    assert page.status_code == 200
    assert "good-bins" in page.body
    assert get(app, "/dataset/good-bins").status_code == 200
    assert get(app, "/dataset/bad-bins").status_code in (200, 404)
    for ext, fmt in RDF_FORMATS.items():
        for url in (f"/catalog.{ext}", f"/organization/{org}/catalog.{ext}"):
            res = get(app, url)
            assert res.status_code == 200, (url, res.body[:300])
            graph = Graph().parse(data=res.body, format=fmt)
            assert any(portal["good"]["id"] in str(s) for s in graph.subjects()), url


def test_unknown_dataset_type_in_the_database(app: Any) -> None:
    portal = _portal()
    _write("UPDATE package SET type = 'no-such-type' WHERE id = :id", id=portal["bad"]["id"])
    _reindex(portal["bad"]["id"])
    _pages_serve(app, portal)


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("user_needs", json.dumps([{"as_a": "x\ud800y", "i_need": "bins", "so_that": ""}])),
        ("user_needs", "[{not json"),
        ("user_needs", json.dumps([{"as_a": "", "i_need": "", "so_that": ""}])),
        ("temporal_coverage", json.dumps([{"start": "9999-12-31", "end": "0001-01-01"}])),
        ("modified", "9999-12-31"),
        ("issued", "not a date"),
        ("la_service", json.dumps({"a": 1})),
        ("contact", json.dumps([{"name": "a\x07b", "email": "x\x00"}])),
    ],
)
def test_unrenderable_extras_in_the_database(app: Any, key: str, raw: str) -> None:
    portal = _portal()
    _set_extra(portal["bad"]["id"], key, raw)
    _reindex(portal["bad"]["id"])
    _pages_serve(app, portal)


def test_control_characters_in_core_columns(app: Any) -> None:
    portal = _portal()
    _write(
        "UPDATE package SET title = :t, notes = :n WHERE id = :id",
        t="Bad \x07 title \x1b[31m",
        n="Notes \x0b\x0c with \x7f controls",
        id=portal["bad"]["id"],
    )
    _reindex(portal["bad"]["id"])
    _pages_serve(app, portal)


def test_unrenderable_organisation_and_the_cache_forgets_it_when_fixed(app: Any) -> None:
    portal = _portal()
    org = portal["org"]
    bad_partners = json.dumps([{"name": "x\ud800y", "role": "r\x07"}])
    set_group_extra(org["id"], "partners", bad_partners)
    _write('UPDATE "group" SET title = :t WHERE id = :id', t="Kent \x07 consortium", id=org["id"])
    _reindex(portal["good"]["id"])
    _pages_serve(app, portal)
    # fixed through the API: every output shows the fixed values at once
    fixed = call_action("organization_show", id=org["id"])
    fixed.update(title="Kent fixed consortium", partners=[{"name": "UsCreates", "role": "design"}])
    call_action("organization_update", {"user": portal["admin"]["name"]}, **fixed)
    for ext in RDF_FORMATS:
        res = get(app, f"/catalog.{ext}")
        assert res.status_code == 200
        assert "Kent fixed consortium" in res.body, ext
    assert "Kent fixed consortium" in get(app, f"/organization/{org['name']}").body


def test_organisation_fix_shows_at_once_in_another_process(app: Any) -> None:
    """The RDF writers cache organisations per process; a fix made through another process (the
    next web worker) shows in this one's catalogs at once, not when the cache expires."""
    portal = _portal()
    org = portal["org"]
    other = OtherProcess()
    try:
        for ext in RDF_FORMATS:  # the other process caches the organisation as it is now
            res = other.get(f"/catalog.{ext}")
            assert res["status"] == 200
            assert org["title"] in res["body"], ext
        fixed = call_action("organization_show", id=org["id"])
        fixed.update(title="Kent fixed consortium")
        call_action("organization_update", {"user": portal["admin"]["name"]}, **fixed)
        for ext in RDF_FORMATS:
            for url in (f"/catalog.{ext}", f"/dataset/good-bins.{ext}"):
                res = other.get(url)
                assert res["status"] == 200, url
                assert "Kent fixed consortium" in res["body"], url
                assert org["title"] not in res["body"], url
    finally:
        other.close()
