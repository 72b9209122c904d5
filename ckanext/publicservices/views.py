from ckanext.publicservices.dcat.views import publicservices_dcat

__all__: list[str] = ["publicservices_dcat"]
