from ckanext.publicservices.consortium.actions import organization_create, organization_update
from ckanext.publicservices.dcat.import_jobs import publicservices_dcat_import_status
from ckanext.publicservices.dcat.importer import publicservices_dcat_import
from ckanext.publicservices.dcat.logic import (
    dcat_catalog_search,
    dcat_catalog_show,
    dcat_dataset_show,
)
from ckanext.publicservices.logic.isolation import organization_show
from ckanext.publicservices.logic.shape_guard import (
    bulk_update_delete,
    bulk_update_private,
    bulk_update_public,
    package_create,
    package_patch,
    package_update,
    resource_create,
    resource_patch,
    resource_update,
)
from ckanext.publicservices.logic.vocabulary_api import *  # noqa: F403
from ckanext.publicservices.logic.vocabulary_api import __all__ as _vocabulary_actions

__all__: list[str] = [
    *_vocabulary_actions,
    "package_create",
    "package_update",
    "resource_create",
    "resource_update",
    "package_patch",
    "resource_patch",
    "bulk_update_delete",
    "bulk_update_private",
    "bulk_update_public",
    "dcat_catalog_search",
    "dcat_catalog_show",
    "dcat_dataset_show",
    "publicservices_dcat_import",
    "publicservices_dcat_import_status",
    "organization_create",
    "organization_update",
    "organization_show",
]
