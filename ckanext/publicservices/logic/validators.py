"""Validators registered with CKAN (blanket: every name in ``__all__``)."""

from ckanext.publicservices.consortium.validators import *  # noqa: F403
from ckanext.publicservices.consortium.validators import __all__ as _consortium_validators
from ckanext.publicservices.logic.input_boundary import (
    publicservices_date_range,
    publicservices_not_blank,
)
from ckanext.publicservices.logic.schema_validators import *  # noqa: F403
from ckanext.publicservices.logic.schema_validators import __all__ as _schema_validators

__all__: list[str] = [
    *_schema_validators,
    *_consortium_validators,
    "publicservices_date_range",
    "publicservices_not_blank",
]
