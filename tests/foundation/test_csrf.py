"""CSRF in a worker that has already served anonymous and API-token requests.

CKAN 2.12 exempts a view from its CSRF check for the whole process once the view has served such
a request (``ckan/config/middleware/flask_app.py``). The tests first make CKAN do that to the
suite's views and to ``/api/action/``, in this process, and check that it did; then a browser
session (the login cookie) without the token must be refused, and with it accepted."""

from __future__ import annotations

import io
import json
import re
import uuid
from typing import Any

import pytest
from ckan.config.middleware.flask_app import csrf as ckan_csrf
from ckan.lib import jobs as ckan_jobs
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.publicservices import compat, csrf
from ckanext.publicservices.validation import jobs
from tests.validation.conftest import VENUE_GOOD, dataset_payload, upload

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")]

VIEWS = ("run", "infer", "schema")
# CKAN 2.11 exempts no view for the process, but exempts every plugin's blueprint by default
# (ckan.csrf_protection.ignore_extensions), and checks cookie POSTs to its API and forms itself:
# there a forged request is refused by CKAN (400) before the suite's own check is reached.
CKAN_REFUSES = not compat.CKAN_2_12
TTL = """@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
<http://example.org/ds/forged> a dcat:Dataset ; dct:title "Forged import" ."""


def _queued() -> int:
    return len(ckan_jobs.get_queue(jobs.QUEUE).jobs)


@pytest.fixture
def setup() -> dict[str, Any]:
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    publisher = {"user": user, "org": org}
    ds = call_action(
        "package_create",
        {"user": user["name"]},
        **dataset_payload(name=f"csrf-{uuid.uuid4().hex[:8]}", owner_org=publisher["org"]["id"]),
    )
    res = call_action(
        "resource_create",
        {"user": user["name"]},
        package_id=ds["id"],
        format="CSV",
        upload=upload(VENUE_GOOD.encode(), "x.csv"),
    )
    jobs.validate_resource(res["id"])
    base = f"/dataset/{ds['name']}/resource/{res['id']}/validation"
    return {**publisher, "ds": ds, "res": res, "base": base}


def _prime_core_exemptions(app: Any, s: dict[str, Any]) -> None:
    """Anonymous and API-token requests to every view involved, as any portal gets all day."""
    token = {"Authorization": s["user"]["token"]}
    for view in VIEWS:
        app.post(f"{s['base']}/{view}", data={})
        app.post(f"{s['base']}/{view}", data={}, headers=token)
    app.post("/api/action/publicservices_validation_run", json={"resource_id": s["res"]["id"]})
    app.post(
        "/api/action/publicservices_validation_run",
        json={"resource_id": s["res"]["id"]},
        headers=token,
    )
    if CKAN_REFUSES:
        assert "publicservices_validation" in {bp.name for bp in ckan_csrf._exempt_blueprints}
        return
    exempt = ckan_csrf._exempt_views
    assert "ckan.views.api.action" in exempt
    for view in ("run", "infer", "save_schema"):
        assert f"ckanext.publicservices.validation.views.{view}" in exempt


def _browser_login(app: Any, user: dict[str, Any]) -> None:
    """Log in through the login form, as a browser does: the session cookie is the credential."""
    app.client = app.test_client()
    token = _token(app, "/user/login")
    app.post(
        "/user/login",
        data={"login": user["name"], "password": "correct123", "_csrf_token": token},
        follow_redirects=False,
        status=302,
    )
    assert app.get("/dashboard/datasets", follow_redirects=False).status_code == 200


def _logout(app: Any) -> None:
    app.client = app.test_client()


def _token(app: Any, url: str) -> str:
    page = app.get(url, status=200).body
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert found, "the page's forms carry the CSRF token"
    return found.group(1)


def test_suite_views_enforce_the_token_after_core_exempted_them(
    app: Any, setup: dict[str, Any]
) -> None:
    s = setup
    _prime_core_exemptions(app, s)
    _browser_login(app, s["user"])
    before = _queued()
    schema_before = call_action("resource_show", {"user": ""}, id=s["res"]["id"]).get("schema")
    forged = json.dumps({"fields": [{"name": "forged"}]})
    # a page of another site posting the publisher's forms: refused, nothing done
    for view, data in (("run", {}), ("infer", {}), ("schema", {"schema": forged})):
        resp = app.post(f"{s['base']}/{view}", data=data, status=400)
        assert "CSRF" in resp.body
        resp = app.post(f"{s['base']}/{view}", data={**data, "_csrf_token": "x"}, status=400)
    assert _queued() == before
    assert call_action("resource_show", {"user": ""}, id=s["res"]["id"]).get("schema") == (
        schema_before
    )
    # the publisher's own form, with the page's token, works
    token = _token(app, s["base"])
    app.post(f"{s['base']}/run", data={"_csrf_token": token}, follow_redirects=False, status=302)
    assert _queued() == before + 1
    app.post(
        f"{s['base']}/schema",
        data={"_csrf_token": token, "schema": forged},
        follow_redirects=False,
        status=302,
    )
    saved = call_action("resource_show", {"user": ""}, id=s["res"]["id"])["schema"]
    assert json.loads(saved) == json.loads(forged)
    # an API token (never sent by a browser on its own) needs no CSRF token
    _logout(app)
    app.post(
        f"{s['base']}/run",
        data={},
        headers={"Authorization": s["user"]["token"]},
        follow_redirects=False,
        status=302,
    )


def test_api_actions_refuse_cookie_form_posts(app: Any, setup: dict[str, Any]) -> None:
    s = setup
    _prime_core_exemptions(app, s)
    rid = s["res"]["id"]
    _browser_login(app, s["user"])
    before = _queued()

    # what a page of another site can send with the cookie: an urlencoded form, a multipart
    # form, a form whose one key is JSON (CKAN's API decodes it), a text/plain JSON body
    def forms(payload: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"data": payload},
            {"data": {**payload, "file": (io.BytesIO(b"x"), "x.txt")}},
            {"data": {json.dumps(payload): ""}},
            {"data": json.dumps(payload), "content_type": "text/plain"},
        ]

    import_payload = {"owner_org": s["org"]["id"], "data": TTL}
    for action, payload in (
        ("publicservices_validation_run", {"resource_id": rid}),
        ("publicservices_dcat_import", import_payload),
    ):
        for kwargs in forms(payload):
            resp = app.post(f"/api/action/{action}", **kwargs)
            if kwargs.get("content_type") == "text/plain" and resp.status_code == 415:
                continue  # CKAN 2.12's API itself refuses a text/plain body
            if CKAN_REFUSES:
                assert resp.status_code == 400 and "CSRF" in resp.body, (action, kwargs)
                continue
            assert resp.status_code == 403, (action, kwargs, resp.body[:500])
            assert "CSRF token" in resp.json["error"]["message"]
    assert _queued() == before
    assert call_action("package_search", {"user": ""}, q="title:Forged")["count"] == 0
    # JSON bodies (a cross-site page cannot send one with the cookie), the header, or a token
    app.post(
        "/api/action/publicservices_validation_run",
        json={"resource_id": rid},
        status=400 if CKAN_REFUSES else 200,  # 2.11 wants the token with JSON bodies too
    )
    token = _token(app, s["base"])
    app.post(
        "/api/action/publicservices_validation_run",
        data={"resource_id": rid},
        headers={"X-CSRFToken": token},
        status=200,
    )
    _logout(app)
    app.post(
        "/api/action/publicservices_validation_run",
        data={"resource_id": rid},
        headers={"Authorization": s["user"]["token"]},
        status=200,
    )
    assert _queued() == before + (2 if CKAN_REFUSES else 3)


def test_every_state_changing_suite_action_is_guarded() -> None:
    from ckan.logic import _actions, get_action

    get_action("package_show")  # fills the action registry
    suite = {
        name: fn
        for name, fn in _actions.items()
        if name.startswith("publicservices_") and not getattr(fn, "side_effect_free", False)
    }
    assert {"publicservices_dcat_import", "publicservices_validation_run"} <= set(suite)
    assert [name for name, fn in suite.items() if not csrf.is_guarded(_unwrapped(fn))] == []


def _unwrapped(fn: Any) -> Any:
    """The action CKAN registered: 2.11's wrapper copies none of its attributes (2.12's does)."""
    if fn.__name__ == "wrapped" and fn.__closure__:
        for cell in fn.__closure__:
            if callable(cell.cell_contents):
                return cell.cell_contents
    return fn


def test_outsider_cannot_use_a_guarded_action_even_with_json(
    app: Any, setup: dict[str, Any]
) -> None:
    # the guard is about where a call comes from; the action's own auth still decides
    outsider = factories.UserWithToken()
    _browser_login(app, outsider)
    app.post(
        "/api/action/publicservices_validation_run",
        json={"resource_id": setup["res"]["id"]},
        status=400 if CKAN_REFUSES else 403,  # 2.11: CKAN's own check, before the action's auth
    )


def test_dataset_and_consortium_forms_keep_the_check_after_core_exempted_them(app: Any) -> None:
    admin = factories.UserWithToken()
    attacker = factories.UserWithToken()
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    ds = call_action(
        "package_create",
        {"user": admin["name"]},
        **dataset_payload(name=f"csrf-{uuid.uuid4().hex[:8]}", owner_org=org["id"]),
    )
    delete = f"/dataset/delete/{ds['name']}"
    member_new = f"/organization/member_new/{org['name']}"
    # anonymous visitors post to both forms: CKAN exempts both views for the process
    app.post(delete, data={})
    app.post(member_new, data={})
    views = app.flask_app.view_functions
    for endpoint in ("dataset.delete", "organization.member_new"):
        view = views[endpoint]
        exempt = f"{view.__module__}.{view.__name__}" in ckan_csrf._exempt_views
        assert exempt != CKAN_REFUSES
    _browser_login(app, admin)
    # another site's page posting the admin's forms: refused, nothing changed
    app.post(delete, data={}, status=400)
    app.post(member_new, data={"username": attacker["name"], "role": "admin"}, status=400)
    assert call_action("package_show", {"ignore_auth": True}, id=ds["id"])["state"] == "active"
    members = call_action("member_list", {"ignore_auth": True}, id=org["id"], object_type="user")
    assert attacker["id"] not in {m[0] for m in members}
    # the portal's own form, with its token, still works
    token = _token(app, f"/dataset/edit/{ds['name']}")
    app.post(delete, data={"_csrf_token": token}, follow_redirects=False, status=302)
    assert call_action("package_show", {"ignore_auth": True}, id=ds["id"])["state"] == "deleted"
