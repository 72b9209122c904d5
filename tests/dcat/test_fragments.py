"""The fragment store: catalog pages joined from stored per-dataset RDF, exact invalidation,
deterministic bytes, conditional requests and the full dump (real services throughout)."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import authz
from ckan.model import meta
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.dcat import logic as dcat_logic
from rdflib import Graph
from rdflib.compare import isomorphic

from ckanext.publicservices import vocabularies
from ckanext.publicservices.dcat import caching, fragments
from ckanext.publicservices.dcat.serializer import PublicservicesSerializer
from ckanext.publicservices.vocabularies import loaders, refresh
from tests.dcat.test_endpoints import FORMATS, _consortium, _dataset, _dataset_names, _private

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

RDFLIB = {"ttl": "turtle", "xml": "xml", "jsonld": "json-ld"}


@pytest.fixture(autouse=True)
def empty_store(clean_db: None) -> None:
    # CKAN's database reset leaves plugin tables as they are: rows of earlier tests' datasets
    with meta.engine.begin() as conn:
        conn.execute(sa.text(f"DELETE FROM {fragments.TABLE}"))


@pytest.fixture
def portal(empty_store: None) -> dict[str, Any]:
    sysadmin = factories.Sysadmin()
    kent = _consortium(sysadmin, "kent", "E10000016")
    return {
        "sysadmin": sysadmin,
        "kent": kent,
        "public": [_dataset(sysadmin, kent, f"kent-public-{i}") for i in range(3)],
        "private": _private(sysadmin, kent, "kent-private-secret"),
    }


def _rows(package_id: str | None = None) -> list[Any]:
    query = f"SELECT package_id, format, stamp, body FROM {fragments.TABLE}"
    params = {}
    if package_id:
        query += " WHERE package_id = :id"
        params["id"] = package_id
    with meta.engine.connect() as conn:
        return list(conn.execute(sa.text(query), params))


def _tamper(package_id: str, marker: str) -> None:
    """A marker in the stored bodies (stamp kept): served only while the store is trusted."""
    with meta.engine.begin() as conn:
        conn.execute(
            sa.text(
                f"UPDATE {fragments.TABLE} SET body = replace(body, 'Dataset kent-public-0', "
                ":marker) WHERE package_id = :id"
            ),
            {"marker": marker, "id": package_id},
        )


def _fresh(app: Any, fmt: str) -> Graph:
    """The site catalog's first page built in one graph, without the store."""
    data_dict = {"format": fmt}
    with app.flask_app.test_request_context(f"/catalog.{fmt}"):
        query = dcat_logic._search_ckan_datasets({}, data_dict)
        text = PublicservicesSerializer().serialize_catalog(
            {},
            query["results"],
            _format=fmt,
            pagination_info=dcat_logic._pagination_info(query, data_dict),
        )
    return Graph().parse(data=text, format=RDFLIB[fmt])


def _get(app: Any, url: str, **headers: str) -> Any:
    return app.get(url, headers=headers)


@pytest.mark.parametrize("fmt", sorted(RDFLIB))
def test_page_is_byte_identical_and_isomorphic_to_a_fresh_build(
    app: Any, portal: dict[str, Any], fmt: str
) -> None:
    first = _get(app, f"/catalog.{fmt}")
    assert first.status_code == 200
    assert {r.package_id for r in _rows() if r.format == fragments.ASSEMBLED[RDFLIB[fmt]]} == {
        d["id"] for d in portal["public"]
    }
    second = _get(app, f"/catalog.{fmt}")
    assert first.body == second.body
    served = Graph().parse(data=first.body, format=RDFLIB[fmt])
    assert isomorphic(served, _fresh(app, fmt))
    assert _dataset_names(served) == {d["id"] for d in portal["public"]}


def test_stored_fragments_are_what_pages_serve(app: Any, portal: dict[str, Any]) -> None:
    target = portal["public"][0]["id"]
    app.get("/catalog.ttl")
    _tamper(target, "FROM THE STORE")
    assert "FROM THE STORE" in app.get("/catalog.ttl").body


def test_edit_rebuilds_the_fragment(app: Any, portal: dict[str, Any]) -> None:
    target = portal["public"][0]
    app.get("/catalog.ttl")
    _tamper(target["id"], "STALE")
    call_action(
        "package_patch",
        {"user": portal["sysadmin"]["name"]},
        id=target["id"],
        title="Edited title",
    )
    body = app.get("/catalog.ttl").body
    assert "STALE" not in body and "Edited title" in body
    assert [r.format for r in _rows(target["id"])] == ["turtle"]
    assert "Edited title" in _rows(target["id"])[0].body


def test_privacy_change_and_delete_leave_the_pages_and_the_store(
    app: Any, portal: dict[str, Any]
) -> None:
    hidden, deleted = portal["public"][0], portal["public"][1]
    for fmt in RDFLIB:
        app.get(f"/catalog.{fmt}")
    user = {"user": portal["sysadmin"]["name"]}
    call_action("package_patch", user, id=hidden["id"], private=True)
    call_action("package_delete", user, id=deleted["id"])
    for fmt in RDFLIB:
        body = app.get(f"/catalog.{fmt}").body
        assert hidden["id"] not in body and deleted["id"] not in body
    for package_id in (hidden["id"], deleted["id"]):
        # the write itself removes the rows of a dataset that is no longer public
        assert _rows(package_id) == []
        fragments.rebuild_job(package_id)
        assert _rows(package_id) == []


def test_rows_of_datasets_private_since_indexed_are_deleted_when_met(
    app: Any, portal: dict[str, Any]
) -> None:
    # the database says private while the search index (or a row written earlier) lags: the
    # page reads privacy beside the fragments, leaves the dataset out and deletes its rows
    target = portal["public"][2]
    app.get("/catalog.ttl")
    assert _rows(target["id"])
    with meta.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE package SET private = true WHERE id = :id"), {"id": target["id"]}
        )
    assert fragments.fragments_for_ids([target["id"]], "turtle", None) == []
    assert _rows(target["id"]) == []


def test_private_dataset_rows_are_never_served(app: Any, portal: dict[str, Any]) -> None:
    secret = portal["private"]
    app.get("/catalog.ttl")
    # a row for the private dataset (say, written while it was public) is never read
    fragments.store(
        [
            fragments.Fragment(
                secret["id"],
                "turtle",
                "any",
                f"http://test.ckan.net/dataset/{secret['id']}",
                {},
                "<http://x/SECRET> <http://x/p> 'SECRET' .\n",
                secret["metadata_modified"],
            )
        ],
        fragments.profile_names(None)[1],
    )
    for url in ("/catalog.ttl", "/catalog/dump.ttl", "/catalog/dump.jsonld"):
        body = app.get(url).body
        assert "SECRET" not in body and secret["id"] not in body, url
    assert fragments.fragments_for([secret], "turtle", None) == []


def test_draft_datasets_never_reach_a_catalog(app: Any, portal: dict[str, Any]) -> None:
    # a public dataset still being written (the form saves it as a draft before its files)
    draft = _dataset(portal["sysadmin"], portal["kent"], "kent-draft-halfway", state="draft")
    assert draft["state"] == "draft"
    # package_search lists drafts when the filter names a state of its own
    res = app.get("/catalog.ttl", params={"fq": "+state:draft"}, expect_errors=True)
    assert res.status_code in (400, 409), res.status_code
    for url in ("/catalog.ttl", "/catalog/dump.ttl", "/organization/kent/catalog.ttl"):
        assert draft["id"] not in app.get(url).body, url
    assert fragments.fragments_for([draft], "turtle", None) == []


def test_organisation_change_rebuilds_its_datasets(app: Any, portal: dict[str, Any]) -> None:
    app.get("/catalog.ttl")
    _tamper(portal["public"][0]["id"], "STALE")
    call_action(
        "organization_patch",
        {"user": portal["sysadmin"]["name"]},
        id=portal["kent"]["id"],
        title="Kent and Medway consortium",
    )
    body = app.get("/catalog.ttl").body
    assert "STALE" not in body and "Kent and Medway consortium" in body


@pytest.fixture
def vocab_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    target = tmp_path / "vocab"
    monkeypatch.setattr(loaders, "vocabulary_dir", lambda: str(target))
    vocabularies.clear_caches()
    yield target
    monkeypatch.undo()
    vocabularies.clear_caches()


def test_vocabulary_refresh_rebuilds_fragments(
    app: Any, portal: dict[str, Any], tmp_path: Path, vocab_dir: Path
) -> None:
    before = app.get("/catalog.ttl").body
    assert "Renamed service 880" not in before
    _tamper(portal["public"][0]["id"], "STALE")
    source = Path(loaders.DATA_DIR) / "lgsl_services_okfn_2015.csv"
    with open(source, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames or []
        rows = list(reader)
    for r in rows:
        if r["Identifier"] == "880":
            r["Label"] = "Renamed service 880"
    newer = tmp_path / "services-new.csv"
    with open(newer, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    refresh.refresh(str(newer))
    body = app.get("/catalog.ttl").body
    assert "STALE" not in body and "Renamed service 880" in body


def test_code_version_upgrade_rebuilds_fragments(
    app: Any, portal: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    app.get("/catalog.ttl")
    _tamper(portal["public"][0]["id"], "STALE")
    old = {r.package_id: r.stamp for r in _rows() if r.format == "turtle"}
    monkeypatch.setattr(fragments, "FRAGMENT_VERSION", fragments.FRAGMENT_VERSION + "-next")
    body = app.get("/catalog.ttl").body
    assert "STALE" not in body
    new = {r.package_id: r.stamp for r in _rows() if r.format == "turtle"}
    assert set(new) == set(old)
    assert all(new[k] != old[k] for k in old), [(k, old[k], new[k]) for k in old]


def test_write_job_builds_every_format(portal: dict[str, Any]) -> None:
    target = portal["public"][2]["id"]
    fragments.rebuild_job(target)
    assert sorted(r.format for r in _rows(target)) == ["json-ld", "turtle", "xml"]


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_dump_holds_every_public_dataset(app: Any, portal: dict[str, Any], fmt: str) -> None:
    response = app.get(f"/catalog/dump.{fmt}")
    assert response.status_code == 200
    g = Graph().parse(data=response.body, format=RDFLIB[fmt])
    assert _dataset_names(g) == {d["id"] for d in portal["public"]}
    assert "SECRET" not in response.body
    if fmt == "jsonld":
        json.loads(response.body)
    assert app.get("/catalog/dump.nt", status=404).status_code == 404


@pytest.mark.parametrize("url", ["/catalog.ttl", "/organization/kent/catalog.jsonld"])
def test_catalog_conditional_requests(app: Any, portal: dict[str, Any], url: str) -> None:
    _settle(app, url)
    first = app.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = _get(app, url, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.body == ""
    assert _get(app, url, **{"If-Modified-Since": modified}).status_code == 304
    assert _get(app, url + "?page=1", **{"If-None-Match": etag}).status_code == 200
    call_action(
        "package_patch",
        {"user": portal["sysadmin"]["name"]},
        id=portal["public"][0]["id"],
        notes="Changed",
    )
    changed = _get(app, url, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_catalog_version_moves_again_once_a_write_is_committed(portal: dict[str, Any]) -> None:
    # a page requested between a write's hooks and its commit reads the old data under the
    # version the hooks set: that version must not outlive the commit
    from ckan import model

    fragments.dataset_changed(portal["public"][0]["id"])
    during, _ = fragments.catalog_version()
    model.Session.commit()
    after, _ = fragments.catalog_version()
    assert after != during
    model.Session.commit()  # nothing written since: no further bump
    assert fragments.catalog_version()[0] == after


def test_dataset_document_conditional_requests(app: Any, portal: dict[str, Any]) -> None:
    target = portal["public"][0]
    url = f"/dataset/{target['id']}.ttl"
    first = app.get(url)
    assert first.status_code == 200 and "ETag" in first.headers
    assert _get(app, url, **{"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert app.get(url).body == first.body
    user = {"user": portal["sysadmin"]["name"]}
    # another dataset's edit leaves this document's validators as they were
    call_action("package_patch", user, id=portal["public"][1]["id"], notes="Other")
    assert _get(app, url, **{"If-None-Match": first.headers["ETag"]}).status_code == 304
    # its organisation's edit does not (the consortium is described in the document)
    call_action("organization_patch", user, id=portal["kent"]["id"], title="Kent renamed")
    renamed = _get(app, url, **{"If-None-Match": first.headers["ETag"]})
    assert renamed.status_code == 200 and "Kent renamed" in renamed.body
    etag = renamed.headers["ETag"]
    call_action("package_patch", user, id=target["id"], notes="Changed")
    assert _get(app, url, **{"If-None-Match": etag}).status_code == 200
    # a private dataset's document stays a 404, validators or not
    secret = app.get(f"/dataset/{portal['private']['id']}.ttl", status=404)
    assert "ETag" not in secret.headers


def test_every_format_still_served(app: Any, portal: dict[str, Any]) -> None:
    for fmt in FORMATS:
        assert app.get(f"/catalog.{fmt}").status_code == 200
    # N-Triples is not joined from fragments; built as before
    g = Graph().parse(data=app.get("/catalog.ttl").body, format="turtle")
    assert len(g) > 0


def _after_this_second() -> None:
    """Sleep into the next whole second: HTTP dates have whole seconds, and a Last-Modified is
    given out only once the second it names is over."""
    time.sleep(1.05 - (time.time() % 1))


def _settle(app: Any, *urls: str) -> None:
    """Request the documents once (a new organisation or vocabulary state is dated when a
    request first meets it), then wait until that second is over."""
    for url in urls:
        app.get(url)
    _after_this_second()


def _when(response: Any) -> datetime:
    return parsedate_to_datetime(response.headers["Last-Modified"])


@pytest.mark.parametrize("header", ["If-None-Match", "If-Modified-Since"])
def test_conditional_request_never_answers_before_the_access_check(
    app: Any, portal: dict[str, Any], monkeypatch: pytest.MonkeyPatch, header: str
) -> None:
    url = f"/dataset/{portal['public'][0]['id']}.ttl"
    _settle(app, url)
    first = app.get(url)
    value = first.headers["ETag"] if header == "If-None-Match" else first.headers["Last-Modified"]
    assert _get(app, url, **{header: value}).status_code == 304
    # a site whose policy keeps RDF documents from anonymous users (as an IAuthFunctions plugin
    # would: an auth function without auth_allow_anonymous_access refuses them)
    authz._AuthFunctions.keys()
    monkeypatch.setitem(
        authz._AuthFunctions._functions,
        "dcat_dataset_show",
        lambda context, data_dict: {"success": True},
    )
    plain = app.get(url, expect_errors=True)
    assert plain.status_code in (403, 404)
    conditional = _get_errors(app, url, **{header: value})
    assert conditional.status_code == plain.status_code
    assert "ETag" not in conditional.headers and "Last-Modified" not in conditional.headers


def test_private_dataset_document_gives_nothing_away_to_conditional_requests(
    app: Any, portal: dict[str, Any]
) -> None:
    url = f"/dataset/{portal['private']['id']}.ttl"
    # anonymous, and a signed-in user who is no member of its organisation
    token = factories.APIToken(user=factories.User()["name"])["token"]
    for headers in (
        {"If-None-Match": "*"},
        {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    ):
        for extra in ({}, {"Authorization": token}):
            res = _get_errors(app, url, **headers, **extra)
            assert res.status_code == 404, (headers, extra)
            assert "ETag" not in res.headers and "Last-Modified" not in res.headers


def test_last_modified_follows_the_organisation_and_the_vocabularies(
    app: Any, portal: dict[str, Any], vocab_dir: Path
) -> None:
    doc, page = f"/dataset/{portal['public'][0]['id']}.ttl", "/catalog.ttl"
    _settle(app, doc, page)
    before = {url: app.get(url) for url in (doc, page)}
    _after_this_second()
    call_action(
        "organization_patch",
        {"user": portal["sysadmin"]["name"]},
        id=portal["kent"]["id"],
        title="Kent renamed",
    )
    _settle(app, doc, page)
    renamed = {url: app.get(url) for url in (doc, page)}
    for url in (doc, page):
        assert renamed[url].headers["ETag"] != before[url].headers["ETag"], url
        assert _when(renamed[url]) > _when(before[url]), url
        # the new date is no key to the old body
        stale = _get(app, url, **{"If-Modified-Since": before[url].headers["Last-Modified"]})
        assert stale.status_code == 200, url
    _after_this_second()
    refresh.refresh(str(Path(loaders.DATA_DIR) / "lgsl_services_okfn_2015.csv"))
    _settle(app, doc, page)
    for url in (doc, page):
        refreshed = app.get(url)
        assert refreshed.headers["ETag"] != renamed[url].headers["ETag"], url
        assert _when(refreshed) > _when(renamed[url]), url


def test_two_versions_in_one_second_never_share_validators(
    app: Any, portal: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = portal["public"][0]
    url = f"/dataset/{target['id']}.ttl"
    # a second ahead of every other stamp (the organisations' and vocabularies' first-seen time)
    second = float(int(time.time()) + 1000)

    def at(moment: float) -> None:
        monkeypatch.setattr(caching, "_now", lambda: datetime.fromtimestamp(moment, timezone.utc))

    def modified(moment: float) -> None:
        with meta.engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE package SET metadata_modified = :m WHERE id = :id"),
                {
                    "m": datetime.fromtimestamp(moment, timezone.utc).replace(tzinfo=None),
                    "id": target["id"],
                },
            )

    modified(second + 0.2)
    at(second + 0.5)
    first = app.get(url)
    # served during the second it was written in: no date a later version could share
    assert "Last-Modified" not in first.headers
    assert (
        _get(
            app,
            url,
            **{
                "If-Modified-Since": format_datetime(
                    datetime.fromtimestamp(second, timezone.utc), True
                )
            },
        ).status_code
        == 200
    )
    modified(second + 0.7)  # a second version within the same second
    at(second + 5)
    later = app.get(url)
    assert later.headers["ETag"] != first.headers["ETag"]
    assert _when(later) == datetime.fromtimestamp(second, timezone.utc)
    # the first version's ETag with any date: the ETag decides
    both = _get(
        app,
        url,
        **{
            "If-None-Match": first.headers["ETag"],
            "If-Modified-Since": later.headers["Last-Modified"],
        },
    )
    assert both.status_code == 200 and both.headers["ETag"] == later.headers["ETag"]
    # the second version's own date, given out once its second was over, still works
    assert (
        _get(app, url, **{"If-Modified-Since": later.headers["Last-Modified"]}).status_code == 304
    )


def _get_errors(app: Any, url: str, **headers: str) -> Any:
    return app.get(url, headers=headers, expect_errors=True)
