from ckanext.publicservices.logic.vocabulary_auth import *  # noqa: F403
from ckanext.publicservices.logic.vocabulary_auth import __all__ as _vocabulary_auth

__all__: list[str] = [*_vocabulary_auth]
