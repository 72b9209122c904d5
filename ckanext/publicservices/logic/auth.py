from ckanext.publicservices.dcat.importer import (
    publicservices_dcat_import_auth as publicservices_dcat_import,
)
from ckanext.publicservices.logic.vocabulary_auth import *  # noqa: F403
from ckanext.publicservices.logic.vocabulary_auth import __all__ as _vocabulary_auth

__all__: list[str] = [*_vocabulary_auth, "publicservices_dcat_import"]
