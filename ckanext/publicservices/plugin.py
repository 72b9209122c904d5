"""The plugin classes of ckanext-publicservices.

``publicservices`` carries the schemas, vocabularies, consortium pages and the DCAT catalog
routes; ``publicservices_validation`` carries data validation, which needs a job worker and can
be switched off on its own. Registration goes through ``toolkit.blanket``; each area keeps its
actions, helpers and views in its own modules.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation
from ckanext.dcat.interfaces import IDCATRDFHarvester

from ckanext.publicservices import cli, helpers, views
from ckanext.publicservices.logic import action, auth, validators
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


@tk.blanket.config_declarations
@tk.blanket.helpers(helpers)
@tk.blanket.actions(action)
@tk.blanket.auth_functions(auth)
@tk.blanket.validators(validators)
@tk.blanket.blueprints(views)
@tk.blanket.cli(cli)
class PublicservicesPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(IDCATRDFHarvester, inherit=True)

    # IConfigurer

    def update_config(self, config: Any) -> None:
        check_ckan_version()
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "publicservices")

    # IPackageController

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        from ckanext.publicservices.logic import indexing

        return indexing.before_dataset_index(pkg_dict)

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        from ckanext.publicservices.logic import indexing, isolation

        isolation.dataset_results(search_results)
        return indexing.label_facets(search_results)

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
