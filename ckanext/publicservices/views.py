from ckanext.publicservices.boundary_views import publicservices_boundary
from ckanext.publicservices.csrf import publicservices_csrf
from ckanext.publicservices.dcat.views import publicservices_dcat

__all__: list[str] = ["publicservices_boundary", "publicservices_csrf", "publicservices_dcat"]
