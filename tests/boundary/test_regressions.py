"""One test per defect found by sending hostile requests to a running portal (issue 13).

Every request goes over HTTP to the test app as a JSON body, as a client sends it. A refused
request answers 409 with the field named, and leaves the committed database unchanged.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from rdflib import Graph

from tests.boundary import state
from tests.boundary.http import api, get
from tests.consortium.data import consortium, dataset

pytestmark = pytest.mark.usefixtures("with_plugins")

LONE = "x\ud800y"
RDF_FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}

_built: dict[str, Any] = {}


@pytest.fixture
def portal(reset_db: Any, reset_index: Any, with_plugins: None) -> dict[str, Any]:
    """A consortium with one public dataset (with a resource), built once for the module."""
    if not _built:
        reset_db()
        reset_index()
        admin = factories.SysadminWithToken()
        org = consortium(admin, "boundary-kent")
        pkg = dataset(
            admin,
            org["id"],
            "boundary-bins",
            resources=[{"url": "https://example.org/bins.csv", "format": "CSV"}],
        )
        _built.update(admin=admin, token=admin["token"], org=org, pkg=pkg)
    return _built


def refused(app: Any, action: str, data: Any, field: str, token: str | None) -> dict[str, Any]:
    """``action`` answers 409 naming ``field``, and nothing is committed."""
    before = state.snapshot()
    status, body = api(app, action, data, token)
    assert status == 409, (status, body)
    error = body["error"]
    assert error["__type"] == "Validation Error", error
    assert field in error, error
    assert state.snapshot() == before
    return error


def outputs_serve(app: Any, org: dict[str, Any]) -> None:
    """The public outputs answer 200 and parse."""
    assert get(app, "/dataset/").status_code == 200
    assert get(app, f"/organization/{org['name']}").status_code == 200
    for ext, fmt in RDF_FORMATS.items():
        for url in (f"/catalog.{ext}", f"/organization/{org['name']}/catalog.{ext}"):
            res = get(app, url)
            assert res.status_code == 200, (url, res.body[:500])
            Graph().parse(data=res.body, format=fmt)


def _pkg(portal: dict[str, Any], name: str, **fields: Any) -> dict[str, Any]:
    data = {
        "name": name,
        "title": "Bins",
        "notes": "Collection days.",
        "owner_org": portal["org"]["id"],
        "la_service": ["524"],
        "data_use_pattern": ["increasing-access"],
        "data_spectrum": "open",
        "personal_data": "none",
        "security_classification": "OFFICIAL",
    }
    data.update(fields)
    return data


def _update(portal: dict[str, Any], **fields: Any) -> dict[str, Any]:
    pkg = call_action("package_show", id=portal["pkg"]["id"])
    pkg.update(fields)
    return pkg


def test_lone_surrogate_in_a_user_need_is_refused_and_nothing_is_stored(
    app: Any, portal: dict[str, Any]
) -> None:
    need = {"as_a": LONE, "i_need": "bins", "so_that": "clean streets"}
    error = refused(
        app,
        "package_create",
        _pkg(portal, "lone-need", user_needs=[need]),
        "user_needs",
        portal["token"],
    )
    assert "character" in json.dumps(error)
    refused(
        app, "package_update", _update(portal, user_needs=[need]), "user_needs", portal["token"]
    )
    outputs_serve(app, portal["org"])


def test_lone_surrogate_in_a_partner_name_is_refused(app: Any, portal: dict[str, Any]) -> None:
    org = call_action("organization_show", id=portal["org"]["id"])
    org["partners"] = [{"name": LONE, "role": "design"}]
    refused(app, "organization_update", org, "partners", portal["token"])
    refused(
        app,
        "organization_create",
        {"name": "lone-partner", "title": "T", "partners": [{"name": LONE, "role": "r"}]},
        "partners",
        portal["token"],
    )
    outputs_serve(app, portal["org"])


def test_unknown_dataset_type_is_refused(app: Any, portal: dict[str, Any]) -> None:
    refused(app, "package_create", _pkg(portal, "typeless", type="nope"), "type", portal["token"])
    refused(
        app, "package_create", _pkg(portal, "typeless", type=["dataset"]), "type", portal["token"]
    )
    outputs_serve(app, portal["org"])


def test_far_future_date_is_refused(app: Any, portal: dict[str, Any]) -> None:
    refused(
        app,
        "package_create",
        _pkg(portal, "far", modified="9999-12-31"),
        "modified",
        portal["token"],
    )
    refused(
        app, "package_create", _pkg(portal, "far", issued="0001-01-01"), "issued", portal["token"]
    )
    refused(
        app,
        "package_create",
        _pkg(portal, "far", temporal_coverage=[{"start": "2018-01-01", "end": "9999-12-31"}]),
        "temporal_coverage",
        portal["token"],
    )


def test_deeply_nested_json_is_refused(app: Any, portal: dict[str, Any]) -> None:
    deep_text = "[" * 3000 + "]" * 3000
    refused(
        app,
        "package_create",
        _pkg(portal, "deep", la_service=deep_text),
        "la_service",
        portal["token"],
    )
    res = {"url": "https://example.org/a.csv", "schema": '{"fields":' + deep_text + "}"}
    refused(
        app, "package_create", _pkg(portal, "deep", resources=[res]), "resources", portal["token"]
    )
    # json.dumps itself recurses: build the body by hand, as a hostile client would
    body = json.dumps(_pkg(portal, "deep"))[:-1] + ', "notes": ' + "[" * 3000 + "]" * 3000 + "}"
    before = state.snapshot()
    res = app.post(
        "/api/3/action/package_create",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": portal["token"]},
    )
    assert res.status_code in (400, 409), res.body[:300]
    assert state.snapshot() == before


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf"), 1e100, 10**40])
def test_non_finite_and_huge_numbers_are_refused(
    app: Any, portal: dict[str, Any], number: float
) -> None:
    res = {"url": "https://example.org/a.csv", "size": number}
    refused(
        app, "package_create", _pkg(portal, "num", resources=[res]), "resources", portal["token"]
    )
    refused(app, "package_create", _pkg(portal, "num", version=number), "version", portal["token"])
    refused(
        app,
        "package_create",
        _pkg(portal, "num", extras=[{"key": "k", "value": number}]),
        "extras",
        portal["token"],
    )
    status, body = api(
        app,
        "resource_create",
        {"package_id": portal["pkg"]["id"], "url": "https://e.org/x", "size": number},
        portal["token"],
    )
    assert status == 409, (status, body)


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("package_update", {"id": ["a", "b"], "title": "x"}, "id"),
        ("package_patch", {"id": [""]}, "id"),
        ("resource_patch", {"id": {"a": 1}}, "id"),
        ("package_create", {"name": "listy", "title": "x", "owner_org": ["a"]}, "owner_org"),
        ("organization_update", {"id": {"a": 1}, "title": "x"}, "id"),
        ("resource_create", {"package_id": ["a"], "url": "https://e.org"}, "package_id"),
        ("resource_update", {"id": ["a"], "url": "https://e.org"}, "id"),
        ("bulk_update_public", {"datasets": [["a"]], "org_id": "x"}, "datasets"),
        ("publicservices_validation_show", {"resource_id": ["a"]}, "resource_id"),
        ("publicservices_validation_history", {"resource_id": {"a": 1}}, "resource_id"),
        ("publicservices_vocabulary_show", {"id": "lgsl", "term": ["524"]}, "term"),
        ("dcat_dataset_show", {"id": ["a"], "format": "ttl"}, "id"),
        ("publicservices_standard_show", {"id": ["a"]}, "id"),
    ],
)
def test_ids_of_the_wrong_shape_are_refused_before_any_query(
    app: Any, portal: dict[str, Any], action: str, data: dict[str, Any], field: str
) -> None:
    refused(app, action, data, field, portal["token"])
    refused(app, action, data, field, None)  # anonymous: the same answer, before any auth


@pytest.mark.parametrize(
    ("action", "field", "value"),
    [
        ("organization_update", "title", "Kent\x00"),
        ("organization_update", "description", "a\x00b"),
        ("organization_update", "programme", "a\x00b"),
        ("organization_update", "partners", [{"name": "a\x00", "role": "r"}]),
        ("package_create", "owner_org", "kent\x00"),
        ("package_create", "name", "bins\x00"),
        ("package_create", "notes", "a\x00b"),
    ],
)
def test_nul_bytes_are_refused(
    app: Any, portal: dict[str, Any], action: str, field: str, value: Any
) -> None:
    if action == "organization_update":
        data = call_action("organization_show", id=portal["org"]["id"])
    else:
        data = _pkg(portal, "nul-bytes")
    data[field] = value
    refused(app, action, data, field, portal["token"])


def test_unknown_profile_or_format_on_the_catalog_is_refused(
    app: Any, portal: dict[str, Any]
) -> None:
    for data, field in (
        ({"profiles": "nope"}, "profiles"),
        ({"profiles": ["euro_dcat_ap_3", 7]}, "profiles"),
        ({"format": "nope"}, "format"),
        ({"format": ["ttl"]}, "format"),
        ({"page": "Infinity"}, "page"),
    ):
        for action in ("dcat_catalog_show", "dcat_catalog_search"):
            status, body = api(app, action, data)
            assert status == 409, (action, data, status, body)
            assert field in body["error"], body
    status, body = api(app, "dcat_dataset_show", {"id": portal["pkg"]["id"], "format": "nope"})
    assert status == 409 and "format" in body["error"], (status, body)
    # ckanext-dcat's site routes answer a refused argument with 409, the consortium route 404
    assert get(app, "/catalog.nope").status_code == 409
    assert get(app, "/dataset/boundary-bins.nope").status_code == 409
    assert get(app, f"/organization/{portal['org']['name']}/catalog.nope").status_code == 404
    assert get(app, "/catalog.ttl?profiles=nope").status_code in (400, 409)


@pytest.mark.parametrize("limit", [float("inf"), float("nan"), 1e100, "Infinity", [1], -1])
def test_anonymous_limit_of_any_shape_is_refused(
    app: Any, portal: dict[str, Any], limit: Any
) -> None:
    rid = portal["pkg"]["resources"][0]["id"]
    for action, data in (
        ("publicservices_vocabulary_autocomplete", {"id": "lgsl", "q": "bins", "limit": limit}),
        ("publicservices_vocabulary_show", {"id": "lgsl", "limit": limit}),
        ("publicservices_vocabulary_show", {"id": "lgsl", "offset": limit}),
        ("publicservices_validation_history", {"resource_id": rid, "limit": limit}),
    ):
        status, body = api(app, action, data)
        assert status == 409, (action, data, status, body)


@pytest.mark.parametrize("title", ["", " ", "\t\n ", "\u00a0\u2003"])
def test_blank_title_is_refused_in_the_form_and_the_api(
    app: Any, portal: dict[str, Any], title: str
) -> None:
    refused(
        app, "package_create", _pkg(portal, "blank-title", title=title), "title", portal["token"]
    )
    refused(app, "package_update", _update(portal, title=title), "title", portal["token"])
    before = state.snapshot()
    res = app.post(
        "/dataset/new",
        headers={"Authorization": portal["token"]},
        data={
            "title": title,
            "name": "blank-title-form",
            "notes": "n",
            "owner_org": portal["org"]["id"],
            "la_service": "524",
            "data_use_pattern": "increasing-access",
            "data_spectrum": "open",
            "personal_data": "none",
            "security_classification": "OFFICIAL",
            "save": "",
            "_ckan_phase": "1",
        },
        follow_redirects=False,
    )
    assert res.status_code == 200, res.status_code  # the form again, with the error
    # the form's error summary says what to do, in the field's own words
    assert "Enter a title" in res.body
    assert state.snapshot() == before


def test_drafts_store_no_empty_repeating_rows(app: Any, portal: dict[str, Any]) -> None:
    form = {
        "title": "Draft bins",
        "name": "draft-bins",
        "owner_org": portal["org"]["id"],
        "notes": "n",
        "la_service": "524",
        "data_use_pattern": "increasing-access",
        "data_spectrum": "open",
        "personal_data": "none",
        "security_classification": "OFFICIAL",
        "user_needs-0-as_a": "",
        "user_needs-0-i_need": " ",
        "user_needs-0-so_that": "",
        "user_needs-1-as_a": "\t",
        "service_outcomes-0-outcome": "",
        "service_outcomes-0-measure": "",
        "contact-0-name": " ",
        "contact-0-email": "",
        "temporal_coverage-0-start": "",
        "temporal_coverage-0-end": "",
        "save": "continue",
        "_ckan_phase": "dataset_new_1",
        "pkg_name": "",
    }
    before = state.snapshot()
    res = app.post(
        "/dataset/new",
        headers={"Authorization": portal["token"]},
        data=form,
        follow_redirects=False,
    )
    assert res.status_code == 302, res.body[-3000:]
    assert state.snapshot() != before
    shown = call_action("package_show", {"ignore_auth": True}, id="draft-bins")
    assert shown["state"] == "draft"
    for field in ("user_needs", "service_outcomes", "contact", "temporal_coverage"):
        assert not shown.get(field), (field, shown.get(field))
    page = get(app, "/dataset/draft-bins", portal["token"])
    assert "As a , I need" not in page.body
    # a draft through the API: the same
    call_action(
        "package_create",
        {"user": portal["admin"]["name"]},
        **_pkg(
            portal,
            "draft-api",
            state="draft",
            user_needs=[{"as_a": " ", "i_need": "", "so_that": None}, {}],
        ),
    )
    assert not call_action("package_show", id="draft-api").get("user_needs")


@pytest.mark.parametrize(
    "char", ["\x01", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\ufffe", "\uffff", "\ud800", "\udfff"]
)
def test_control_and_non_characters_are_refused_in_text(
    app: Any, portal: dict[str, Any], char: str
) -> None:
    refused(app, "package_create", _pkg(portal, "ctl", title=f"a{char}b"), "title", portal["token"])
    refused(app, "package_create", _pkg(portal, "ctl", notes=f"a{char}b"), "notes", portal["token"])
    res = {"url": "https://example.org/a.csv", "name": f"a{char}b"}
    refused(
        app, "package_create", _pkg(portal, "ctl", resources=[res]), "resources", portal["token"]
    )
    org = call_action("organization_show", id=portal["org"]["id"])
    org["description"] = f"a{char}b"
    refused(app, "organization_update", org, "description", portal["token"])


def test_tab_newline_and_ordinary_unicode_are_kept(app: Any, portal: dict[str, Any]) -> None:
    notes = "Line one\n\tline two\r\nÉcosse 🚮 ✓ \u00a0 end"
    status, body = api(
        app, "package_create", _pkg(portal, "kept-text", notes=notes), portal["token"]
    )
    assert status == 200, body
    assert call_action("package_show", id="kept-text")["notes"] == notes


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("resource_update", {"": "x" * 100_001}, "__all__"),
        ("organization_create", {"[[[]]]" * 300: "x", "name": "long-key"}, "__all__"),
        ("organization_create", {"name": "listy-image", "image_url": [{}]}, "image_url"),
        ("bulk_update_public", {"org_id": "-1e400", "datasets": None}, "datasets"),
        ("bulk_update_private", {"org_id": "x", "datasets": "abc"}, "datasets"),
        ("resource_patch", {"url": -3628801}, "url"),
        ("resource_update", {"format": []}, "format"),
        ("publicservices_dcat_import", {"data": "\udc00x", "format": "ttl"}, "data"),
    ],
)
def test_payloads_the_fuzz_suite_found(
    app: Any, portal: dict[str, Any], action: str, data: dict[str, Any], field: str
) -> None:
    """Found by tests/boundary/test_fuzz.py (each answered 500 before)."""
    if action == "resource_update":
        data = dict(portal["pkg"]["resources"][0], **data)
    if action == "publicservices_dcat_import":
        data = dict(data, owner_org=portal["org"]["id"])
    if action == "resource_patch":
        data = dict(data, id=portal["pkg"]["resources"][0]["id"])
    refused(app, action, data, field, portal["token"])


@pytest.mark.parametrize(
    ("action", "key"),
    [
        ("package_show", "include_plugin_data"),
        ("package_show", "use_default_schema"),
        ("organization_show", "include_datasets"),
        ("organization_show", "include_member_count"),
    ],
)
def test_show_flags_that_are_no_true_or_false_are_refused(
    app: Any, portal: dict[str, Any], action: str, key: str
) -> None:
    # core reads them with asbool, which raised ValueError (a 500) on any other word
    target = portal["pkg"] if action == "package_show" else portal["org"]
    status, body = api(app, action, {"id": target["id"], key: "2018-01-01T10:00:00+99:00"})
    assert status == 409 and key in body["error"], (status, body)
    for word in ("false", ""):  # empty, as in `?include_plugin_data=`: the default (core: a 500)
        status, body = api(app, action, {"id": target["id"], key: word})
        assert status == 200, (word, status, body)
