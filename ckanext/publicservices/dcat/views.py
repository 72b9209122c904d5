"""Routes of the DCAT export: per-consortium catalogs and the project vocabulary.

``/organization/<id>/catalog.<fmt>``  a consortium's datasets as a DCAT catalog, paged like the
                                      site catalog (``?page=``, ``?modified_since=``, ``?q=``)
``/catalog/dump.<fmt>``               every public dataset in one streamed document (``ttl``,
                                      ``jsonld``), joined from the fragment store
``/ns/publicservices.ttl``            the ``ps:`` vocabulary in Turtle (also ``/ns/publicservices``)
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckanext.dcat.exceptions import RDFProfileException
from ckanext.dcat.utils import CONTENT_TYPES, catalog_uri
from flask import Blueprint, Response, make_response, stream_with_context

from ckanext.publicservices.dcat import fragments, logic, vocab
from ckanext.publicservices.dcat.profile import remember_consortium

publicservices_dcat = Blueprint("publicservices_dcat", __name__)


def consortium_catalog(id: str, _format: str) -> Response:
    if _format not in CONTENT_TYPES:
        return tk.abort(404, tk._("Unknown RDF format: {}").format(_format))
    try:
        org = tk.get_action("organization_show")(
            {}, {"id": id, "include_datasets": False, "include_users": False}
        )
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Organization not found"))
    if not org.get("is_organization"):
        return tk.abort(404, tk._("Organization not found"))
    remember_consortium(org)
    args = tk.request.args
    data_dict = {
        "page": args.get("page"),
        "modified_since": args.get("modified_since"),
        "q": args.get("q"),
        "fq": 'owner_org:"{}"'.format(org["id"]),
        "format": _format,
        "profiles": args.get("profiles"),
    }
    site_title = tk.config.get("ckan.site_title") or "CKAN"
    org_uri = "{}/organization/{}".format(catalog_uri().rstrip("/"), org["id"])
    catalog_dict = {
        "title": "{} — {}".format(org.get("title") or org["name"], site_title),
        "description": org.get("description") or org.get("title") or org["name"],
        "homepage": tk.url_for("organization.read", id=org["name"], _external=True),
        "publisher_uri": org_uri,
        "publisher_name": org.get("title") or org["name"],
    }
    catalog_ref = "{}/organization/{}/catalog".format(catalog_uri().rstrip("/"), org["name"])
    try:
        tk.check_access("dcat_catalog_show", {}, data_dict)
        output = logic.catalog_page({}, data_dict, catalog_dict, catalog_ref)
    except (tk.ValidationError, RDFProfileException) as e:
        return tk.abort(409, str(e))
    response = make_response(output)
    response.headers["Content-Type"] = CONTENT_TYPES[_format]
    return response


def catalog_dump(_format: str) -> Response:
    if _format not in fragments.DUMP_FORMATS:
        return tk.abort(
            404,
            tk._("Unknown dump format: {}; use one of {}").format(
                _format, ", ".join(sorted(fragments.DUMP_FORMATS))
            ),
        )
    try:
        tk.check_access("dcat_catalog_show", {}, {})
    except tk.NotAuthorized:
        return tk.abort(403)
    rdf_format, content_type = fragments.DUMP_FORMATS[_format]
    body = stream_with_context(fragments.dump(rdf_format))
    return Response(body, content_type=f"{content_type}; charset=utf-8")


def vocabulary() -> Response:
    response = make_response(vocab.definition_turtle(vocab.namespace()))
    response.headers["Content-Type"] = "text/turtle; charset=utf-8"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


publicservices_dcat.add_url_rule(
    "/organization/<id>/catalog.<_format>", view_func=consortium_catalog
)
publicservices_dcat.add_url_rule("/catalog/dump.<_format>", view_func=catalog_dump)
publicservices_dcat.add_url_rule(vocab.VOCABULARY_PATH + ".ttl", view_func=vocabulary)
publicservices_dcat.add_url_rule(
    vocab.VOCABULARY_PATH, view_func=vocabulary, endpoint="vocabulary_plain"
)

__all__ = ["publicservices_dcat"]
