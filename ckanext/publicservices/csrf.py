"""CSRF protection the suite applies itself, whatever CKAN has exempted.

CKAN 2.12 (``ckan/config/middleware/flask_app.py``, ``ckan_before_request``) calls
``csrf.exempt(view)`` for the whole worker process as soon as a view serves one request whose user
came from the ``Authorization`` header or who is anonymous (``load_user_from_request`` sets
``g.login_via_auth_header`` for both). After one anonymous visit, that view accepts a
cookie-authenticated POST without a token for the life of the process; ``ckan.views.api.action``
is exempted by the first anonymous API call. So:

- every POST to the suite's own views (``check_view``, a ``before_request`` of their blueprints)
  must carry a valid token (form field or ``X-CSRFToken`` header), unless its user was
  authenticated by an API token, which a browser never adds to a request by itself;
- so must a POST by a user logged in with the session cookie to the forms the suite's schemas
  fill: CKAN's dataset, resource and organisation (consortium) views, of every dataset and
  organisation type (``check_form_post``, for the whole app). That is the check CKAN itself makes
  until it exempts the view; requests with an API token, anonymous ones and other views are left
  to CKAN;
- the suite's state-changing actions (``guard_action``), called through ``/api/action/`` by a user
  authenticated by the session cookie, need the token too, or a JSON body: a page of another site
  can send a cookie with a form (urlencoded, multipart or ``text/plain``, which CKAN's API would
  parse as JSON) but not with ``Content-Type: application/json`` (CORS preflight; CKAN never allows
  credentials cross-origin). CKAN's own JavaScript client sends the header, so the portal's pages
  keep working. Token clients, the CLI, jobs and in-process calls are not affected.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, current_app, g, has_request_context, request
from flask_wtf.csrf import CSRFError, CSRFProtect

__all__ = ["check_form_post", "check_view", "guard_action", "is_guarded", "publicservices_csrf"]

_protect = CSRFProtect()  # only its checks are used; CKAN's instance owns the app hooks
_GUARD_FLAG = "publicservices_csrf_guarded"


def _enabled() -> bool:
    return bool(current_app.config.get("WTF_CSRF_ENABLED", True))


def _token_authenticated() -> bool:
    """The user came from an API token (``g.login_via_auth_header`` is also set for anonymous)."""
    return bool(g.get("login_via_auth_header")) and bool(tk.current_user.is_authenticated)


def _cookie_authenticated() -> bool:
    return bool(tk.current_user.is_authenticated) and not g.get("login_via_auth_header")


def _verified() -> None:
    """Validate the request's token (form field or header); raise CSRFError (HTTP 400)."""
    if g.get("csrf_valid"):  # CKAN's own check ran and passed for this request
        return
    _protect.protect()


def check_view() -> None:
    """``before_request`` of the suite's blueprints: a POST needs a valid CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE") or not _enabled():
        return
    if _token_authenticated():
        return
    _verified()


def _form_blueprints() -> set[str]:
    from ckan.lib import plugins as lib_plugins

    names = {"dataset", "resource", "organization", "group"}
    for dataset_type in getattr(lib_plugins, "_package_plugins", {}):
        names |= {dataset_type, f"{dataset_type}_resource"}
    names.update(getattr(lib_plugins, "_group_plugins", {}))
    return names


def check_form_post() -> None:
    """``before_app_request``: a cookie-authenticated POST to a dataset, resource or
    organisation view needs a valid CSRF token, whatever CKAN has exempted."""
    methods = current_app.config.get("WTF_CSRF_METHODS") or ("POST", "PUT", "PATCH", "DELETE")
    if request.method not in methods or not _enabled():
        return
    if request.blueprint not in _form_blueprints() or not _cookie_authenticated():
        return
    _verified()


# registered by the publicservices plugin for its before_app_request hook (no routes)
publicservices_csrf = Blueprint("publicservices_csrf", __name__)
publicservices_csrf.before_app_request(check_form_post)


def _check_api_call(action: str) -> None:
    if not has_request_context() or request.blueprint != "api" or not _enabled():
        return
    if not _cookie_authenticated() or request.is_json:
        return
    try:
        _verified()
    except CSRFError as err:
        raise tk.NotAuthorized(
            tk._(
                "{action} changes data: a call authenticated by the site's login cookie must send "
                "the CSRF token (X-CSRFToken header) or a JSON body ({reason}). Scripts should "
                "use an API token."
            ).format(action=action, reason=err.description)
        ) from None


def guard_action(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a state-changing action of the suite (see the module doc)."""

    @functools.wraps(func)
    def guarded(context: Any, data_dict: Any) -> Any:
        _check_api_call(func.__name__)
        return func(context, data_dict)

    setattr(guarded, _GUARD_FLAG, True)
    return guarded


def is_guarded(func: Any) -> bool:
    return bool(getattr(func, _GUARD_FLAG, False))
