from ckanext.publicservices.consortium.helpers import *  # noqa: F403
from ckanext.publicservices.consortium.helpers import __all__ as _consortium_helpers
from ckanext.publicservices.form_helpers import *  # noqa: F403
from ckanext.publicservices.form_helpers import __all__ as _form_helpers
from ckanext.publicservices.schema_helpers import *  # noqa: F403
from ckanext.publicservices.schema_helpers import __all__ as _schema_helpers

__all__: list[str] = [*_consortium_helpers, *_form_helpers, *_schema_helpers]
