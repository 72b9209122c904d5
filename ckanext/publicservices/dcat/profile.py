"""The ``publicservices`` RDF profile (layered on ``euro_dcat_ap_3``)."""

from __future__ import annotations

from ckanext.dcat.profiles import RDFProfile


class PublicservicesProfile(RDFProfile):
    def parse_dataset(self, dataset_dict, dataset_ref):
        return dataset_dict

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        pass
