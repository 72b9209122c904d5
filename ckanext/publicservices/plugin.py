"""The plugin classes of ckanext-publicservices.

``publicservices`` carries the schemas, vocabularies, consortium pages and the DCAT catalog
routes; ``publicservices_validation`` carries data validation, which needs a job worker and can
be switched off on its own. Registration goes through ``toolkit.blanket`` with explicit lists:
a module that holds one area's registrations exposes ``get_actions()`` / ``get_auth_functions()``
/ ``get_validators()`` / ``get_helpers()``, single names are listed here, so every registered name
can be traced from this file.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation
from ckanext.dcat.interfaces import IDCATRDFHarvester

from ckanext.publicservices import boundary_views, cli, csrf, form_helpers, schema_helpers
from ckanext.publicservices.consortium import actions as consortium_actions
from ckanext.publicservices.consortium import helpers as consortium_helpers
from ckanext.publicservices.consortium import validators as consortium_validators
from ckanext.publicservices.dcat import import_jobs as dcat_import_jobs
from ckanext.publicservices.dcat import importer as dcat_importer
from ckanext.publicservices.dcat import logic as dcat_logic
from ckanext.publicservices.dcat import views as dcat_views
from ckanext.publicservices.logic import (
    form_validators,
    input_boundary,
    isolation,
    schema_validators,
    shape_guard,
    vocabulary_api,
    vocabulary_auth,
)
from ckanext.publicservices.supported import check_ckan_version
from ckanext.publicservices.validation import (
    action as validation_action,
)
from ckanext.publicservices.validation import (
    auth as validation_auth,
)
from ckanext.publicservices.validation import (
    helpers as validation_helpers,
)
from ckanext.publicservices.validation import (
    views as validation_views,
)


def _helpers() -> dict[str, Any]:
    return {
        **consortium_helpers.get_helpers(),
        **{name: getattr(form_helpers, name) for name in form_helpers.__all__},
        **schema_helpers.get_helpers(),
    }


def _actions() -> dict[str, Any]:
    return {
        **vocabulary_api.get_actions(),
        # core write actions chained: shapes checked first, the whole chain one transaction
        "package_create": shape_guard.package_create,
        "package_update": shape_guard.package_update,
        "package_patch": shape_guard.package_patch,
        "resource_create": shape_guard.resource_create,
        "resource_update": shape_guard.resource_update,
        "resource_patch": shape_guard.resource_patch,
        "bulk_update_delete": shape_guard.bulk_update_delete,
        "bulk_update_private": shape_guard.bulk_update_private,
        "bulk_update_public": shape_guard.bulk_update_public,
        "organization_create": consortium_actions.organization_create,
        "organization_update": consortium_actions.organization_update,
        "organization_show": isolation.organization_show,
        "package_show": isolation.package_show,
        "dcat_catalog_search": dcat_logic.dcat_catalog_search,
        "dcat_catalog_show": dcat_logic.dcat_catalog_show,
        "dcat_dataset_show": dcat_logic.dcat_dataset_show,
        "publicservices_dcat_import": dcat_importer.publicservices_dcat_import,
        "publicservices_dcat_import_status": dcat_import_jobs.publicservices_dcat_import_status,
    }


def _auth_functions() -> dict[str, Any]:
    return {
        **vocabulary_auth.get_auth_functions(),
        "publicservices_dcat_import": dcat_importer.publicservices_dcat_import_auth,
    }


def _validators() -> dict[str, Any]:
    return {
        **schema_validators.get_validators(),
        **consortium_validators.get_validators(),
        "publicservices_date_range": input_boundary.publicservices_date_range,
        "publicservices_not_blank": input_boundary.publicservices_not_blank,
        "publicservices_resource_link": form_validators.publicservices_resource_link,
    }


def _blueprints() -> list[Any]:
    return [
        boundary_views.publicservices_boundary,
        csrf.publicservices_csrf,
        dcat_views.publicservices_dcat,
    ]


@tk.blanket.config_declarations
@tk.blanket.helpers(_helpers)
@tk.blanket.actions(_actions)
@tk.blanket.auth_functions(_auth_functions)
@tk.blanket.validators(_validators)
@tk.blanket.blueprints(_blueprints)
@tk.blanket.cli(cli)
class PublicservicesPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(IDCATRDFHarvester, inherit=True)
    p.implements(p.IMiddleware, inherit=True)

    # IConfigurer

    def update_config(self, config: Any) -> None:
        check_ckan_version()
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "publicservices")

    # IMiddleware

    def make_middleware(self, app: Any, config: Any) -> Any:
        # ETag / Last-Modified / 304 on the RDF routes, ckanext-dcat's included
        from ckanext.publicservices.dcat import caching

        caching.install(app)
        return app

    # IPackageController

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        from ckanext.publicservices.dcat import fragments
        from ckanext.publicservices.logic import indexing

        # every change that reaches the catalog's search index is a new catalog version
        fragments.bump_catalog_version()
        return indexing.before_dataset_index(pkg_dict)

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        from ckanext.publicservices.dcat import fragments

        fragments.dataset_changed(pkg_dict["id"])

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        from ckanext.publicservices.dcat import fragments

        public = not tk.asbool(pkg_dict.get("private")) and pkg_dict.get("state") in (
            None,
            "active",
        )
        fragments.dataset_changed(pkg_dict["id"], public=public)

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        from ckanext.publicservices.dcat import fragments

        fragments.dataset_changed(pkg_dict["id"], public=False)

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        from ckanext.publicservices.logic import indexing, isolation

        isolation.dataset_results(search_results)
        return indexing.label_facets(search_results)

    def before_dataset_view(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        from ckanext.publicservices import compat

        return compat.readable_extras(pkg_dict)

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        from ckanext.publicservices.logic import isolation

        return isolation.dataset(pkg_dict)

    # IFacets

    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
        from ckanext.publicservices.logic import indexing

        for field, label in indexing.FACETS.items():
            facets_dict[field] = tk._(label)
        return facets_dict

    def organization_facets(
        self, facets_dict: dict[str, Any], organization_type: str, package_type: str | None
    ) -> dict[str, Any]:
        # the consortium page's type and validation counts ride on core's listing search
        from ckanext.publicservices.consortium import page

        return page.organization_facets(facets_dict)

    # IDCATRDFHarvester: a DCAT RDF harvest source writes through the suite's schema (what the
    # document lacks filled as publicservices_dcat_import does; what cannot be, refused by field)

    def before_create(self, harvest_object: Any, dataset_dict: Any, temp_dict: Any) -> None:
        from ckanext.publicservices.dcat import harvest

        harvest.prepare(harvest_object, dataset_dict, updating=False)

    def before_update(self, harvest_object: Any, dataset_dict: Any, temp_dict: Any) -> None:
        from ckanext.publicservices.dcat import harvest

        harvest.prepare(harvest_object, dataset_dict, updating=True)

    def update_package_schema_for_create(self, package_schema: Any) -> Any:
        from ckanext.publicservices.dcat import harvest

        return harvest.with_unmapped_check(package_schema)

    def update_package_schema_for_update(self, package_schema: Any) -> Any:
        from ckanext.publicservices.dcat import harvest

        return harvest.with_unmapped_check(package_schema)


@tk.blanket.helpers(validation_helpers)
@tk.blanket.actions(validation_action)
@tk.blanket.auth_functions(validation_auth)
@tk.blanket.blueprints(validation_views)
class PublicservicesValidationPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    def update_config(self, config: Any) -> None:
        check_ckan_version()
        tk.add_template_directory(config, "validation/templates")
