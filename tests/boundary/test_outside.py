"""Requests an outside tester sends that the fuzz generators do not: raw JSON bodies (numbers like
``1e309``, ``-0``, integers of thousands of digits, duplicated keys, invalid UTF-8), very large
values (100,000-item arrays, 10 MB strings), keys with NUL, form posts to the web forms with
hostile values and multipart uploads with odd file names.

After each: no 5xx; a refusal leaves the committed database unchanged; the outputs still serve.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.boundary import state
from tests.boundary.http import api, get
from tests.boundary.test_regressions import _pkg, outputs_serve
from tests.consortium.data import consortium, dataset

pytestmark = pytest.mark.usefixtures("with_plugins")

_built: dict[str, Any] = {}


@pytest.fixture
def portal(reset_db: Any, reset_index: Any, with_plugins: None) -> dict[str, Any]:
    """A consortium with one public dataset (with a resource), built once for the module."""
    if not _built:
        reset_db()
        reset_index()
        admin = factories.SysadminWithToken()
        org = consortium(admin, "outside-kent")
        pkg = dataset(
            admin,
            org["id"],
            "outside-bins",
            resources=[{"url": "https://example.org/bins.csv", "format": "CSV"}],
        )
        _built.update(admin=admin, token=admin["token"], org=org, pkg=pkg)
    return _built


def _raw(app: Any, action: str, body: bytes, token: str | None, ctype: str = "") -> Any:
    headers = {"Content-Type": ctype or "application/json"}
    if token:
        headers["Authorization"] = token
    return app.post(f"/api/3/action/{action}", data=body, headers=headers)


def _unchanged_unless_ok(app: Any, portal: dict[str, Any], send: Any, form: bool = False) -> Any:
    """No 5xx; a refusal (an API error, or a web form shown again) changes nothing."""
    before = state.snapshot()
    res = send()
    assert res.status_code < 500, (res.status_code, res.body[:500])
    accepted = res.status_code == 302 if form else '"success": true' in res.body
    if not accepted:
        assert state.snapshot() == before
    return res


def _json_with(portal: dict[str, Any], name: str, raw_field: str) -> bytes:
    """A dataset body as JSON text, with one field written by hand (``"key": raw``)."""
    text = json.dumps(_pkg(portal, name))
    return (text[:-1] + ", " + raw_field + "}").encode("utf-8", "surrogatepass")


RAW_FIELDS = [
    '"notes": 1e309',
    '"notes": -1e309',
    '"notes": -0',
    '"notes": -0.0',
    '"notes": 1' + "0" * 5000,  # beyond Python's int parsing limit
    '"notes": 1e-400',
    '"title": "first", "title": "second"',  # duplicated key: the last wins, as in any reader
    '"ti\\u0000tle": "x"',
    '"\\u0000": "x"',
    '"extras": [{"key": "a\\u0000b", "value": "c"}]',
    '"tags": [' + ",".join([f'{{"name": "t{i}"}}' for i in range(100_000)]) + "]",
    '"la_service": [' + ",".join(['"524"'] * 100_000) + "]",
    '"user_needs": ' + "[" * 100_000 + "]" * 100_000,
    '"notes": "' + "a" * 10_000_000 + '"',
    '"resources": [{"url": "https://example.org/' + "x" * 10_000_000 + '"}]',
    '"notes": "\\udfff\\ud800"',
    '"private": "NaN"',
    '"private": NaN',
]


@pytest.mark.parametrize("raw_field", RAW_FIELDS, ids=lambda f: f[:40])
def test_raw_json_bodies(app: Any, portal: dict[str, Any], raw_field: str) -> None:
    for action in ("package_create", "package_update"):
        if action == "package_create":
            body = _json_with(portal, "outside-raw", raw_field)
        else:
            shown = dict(portal["pkg"])
            text = json.dumps(shown)
            body = (text[:-1] + ", " + raw_field + "}").encode("utf-8")
        res = _unchanged_unless_ok(
            app, portal, lambda b=body, a=action: _raw(app, a, b, portal["token"])
        )
        if res.status_code == 200 and action == "package_create":
            call_action("dataset_purge", id="outside-raw")


BAD_BODIES = [
    b"\xff\xfe{}",
    b'{"name": "\xed\xa0\x80"}',  # a surrogate encoded as UTF-8 bytes (invalid UTF-8)
    b'{"name": "a\xc0\xafb"}',  # overlong encoding
    b"\xef\xbb\xbf{}",  # a byte-order mark
    b"[]",
    b'"text"',
    b"1e309",
    b"null",
    b"",
    b"{" * 50_000,
]


@pytest.mark.parametrize("body", BAD_BODIES, ids=lambda b: repr(b[:20]))
def test_bodies_that_are_not_a_json_object(
    app: Any,
    portal: dict[str, Any],
    body: bytes,
) -> None:
    for action in ("package_create", "organization_create", "publicservices_dcat_import"):
        _unchanged_unless_ok(app, portal, lambda a=action: _raw(app, a, body, portal["token"]))


HOSTILE_FORM_VALUES = [
    "a\x00b",
    "\x1b[31mred",
    "x" * 300_000,
    "\ufffe",
    "%ED%A0%80",
    "<script>alert(1)</script>",
    "\u202eevil",
]


@pytest.mark.parametrize("value", HOSTILE_FORM_VALUES, ids=lambda v: repr(v[:12]))
def test_hostile_values_in_the_dataset_and_organisation_forms(
    app: Any,
    portal: dict[str, Any],
    value: str,
) -> None:
    for field in ("title", "notes", "name", "owner_org", "la_service", "user_needs-0-as_a"):
        form = {
            "title": "Form bins",
            "name": "outside-form",
            "notes": "n",
            "owner_org": portal["org"]["id"],
            "la_service": "524",
            "data_use_pattern": "increasing-access",
            "data_spectrum": "open",
            "personal_data": "none",
            "security_classification": "OFFICIAL",
            "save": "",
            "_ckan_phase": "1",
        }
        form[field] = value
        res = _unchanged_unless_ok(
            app,
            portal,
            lambda f=form: app.post(
                "/dataset/new",
                headers={"Authorization": portal["token"]},
                data=f,
                follow_redirects=False,
            ),
            form=True,
        )
        if res.status_code == 302:
            call_action("dataset_purge", {"user": portal["admin"]["name"]}, id="outside-form")
    for field in ("title", "name", "description", "partners-0-name", "image_url"):
        form = {"title": "Form org", "name": "outside-form-org", "kind": "other", "save": ""}
        form[field] = value
        res = _unchanged_unless_ok(
            app,
            portal,
            lambda f=form: app.post(
                "/organization/new",
                headers={"Authorization": portal["token"]},
                data=f,
                follow_redirects=False,
            ),
            form=True,
        )
        if res.status_code == 302:
            call_action(
                "organization_purge", {"user": portal["admin"]["name"]}, id="outside-form-org"
            )
    outputs_serve(app, portal["org"])


def test_invalid_utf8_in_a_form_post(app: Any, portal: dict[str, Any]) -> None:
    body = (
        b"title=%ED%A0%80&name=outside-utf8&notes=%FF%FE%00&owner_org="
        + portal["org"]["id"].encode()
    )
    _unchanged_unless_ok(
        app,
        portal,
        lambda: app.post(
            "/dataset/new",
            headers={
                "Authorization": portal["token"],
                "Content-Type": "application/x-www-form-urlencoded",
            },
            data=body,
            follow_redirects=False,
        ),
        form=True,
    )


ODD_NAMES = [
    "../../../etc/passwd",
    "a\x00b.csv",
    "x" * 5000 + ".csv",
    "line\r\nbreak.csv",
    "",
    ".",
    "con.csv",
    "‮vsc.exe",
]


@pytest.mark.parametrize("filename", ODD_NAMES, ids=lambda n: repr(n[:12]))
def test_uploads_with_odd_file_names(
    app: Any,
    portal: dict[str, Any],
    filename: str,
) -> None:
    data = {
        "package_id": portal["pkg"]["id"],
        "name": "upload",
        "upload": (io.BytesIO(b"a,b\n1,2\n"), filename),
    }
    res = _unchanged_unless_ok(
        app,
        portal,
        lambda: app.post(
            "/api/3/action/resource_create",
            headers={"Authorization": portal["token"]},
            data=data,
            content_type="multipart/form-data",
        ),
    )
    if res.status_code == 200:
        resource = json.loads(res.body)["result"]
        url = resource["url"]
        assert "/" not in url.rsplit("/download/", 1)[-1], url
        assert "\x00" not in url and "\r" not in url and "\n" not in url
        call_action("resource_delete", {"user": portal["admin"]["name"]}, id=resource["id"])
    outputs_serve(app, portal["org"])


@pytest.mark.parametrize(
    "url",
    [
        "/api/3/action/package_search?q=%00",
        "/api/3/action/package_search?rows=1e309",
        "/api/3/action/package_show?id=%ED%A0%80",
        "/api/3/action/organization_show?id=%00",
        "/api/3/action/publicservices_dcat_import_status?id=%00",
        "/catalog.ttl?page=99999999999999999999999",
        "/catalog.ttl?modified_since=%00",
        "/catalog.ttl?q=%ED%A0%80",
        "/catalog.ttl?profiles=%00",
        "/dataset/?q=%00",
        "/dataset/?page=-1",
        "/dataset/?sort=%00",
        "/organization/?q=%ED%A0%80",
        "/dataset/%00",
        "/dataset/%ED%A0%80.ttl",
    ],
)
def test_hostile_query_strings(app: Any, portal: dict[str, Any], url: str) -> None:
    res = get(app, url)
    assert res.status_code < 500, (url, res.status_code, res.body[:300])


@pytest.mark.parametrize(
    "url",
    [
        "/dataset/%00",
        "/dataset/a%00b.ttl",
        "/organization/%00",
        "/api/3/action/package_show?id=%00",
        "/api/3/action/organization_show?id=%00",
        "/catalog.ttl?q=%00",
        "/dataset/?q=a&%00=b",
    ],
)
def test_a_nul_in_the_address_is_refused(app: Any, url: str) -> None:
    res = get(app, url)
    assert res.status_code == 400, (url, res.status_code, res.body[:300])
    assert "NUL" in res.body


@pytest.mark.parametrize("action", ["package_show", "organization_show"])
@pytest.mark.parametrize("ident", ["\x00", "a\x00b", "x" * 300, "\ud800"])
def test_show_actions_with_ids_that_name_nothing(
    app: Any, portal: dict[str, Any], action: str, ident: str
) -> None:
    status, body = api(app, action, {"id": ident}, portal["token"])
    assert status == 404, (status, body)
    assert "id" in body["error"]["message"]
