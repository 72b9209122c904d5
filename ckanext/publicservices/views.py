from ckanext.publicservices.boundary_views import publicservices_boundary
from ckanext.publicservices.dcat.views import publicservices_dcat

__all__: list[str] = ["publicservices_boundary", "publicservices_dcat"]
