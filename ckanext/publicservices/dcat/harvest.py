"""Harvesting DCAT into the suite's schema: ckanext-dcat's ``dcat_rdf_harvester`` hooks.

A harvest source of type DCAT RDF (ckanext-harvest + ckanext-dcat) parses its partner's catalog
with the portal's configured profiles (``ckanext.dcat.rdf.profiles``, the suite's among them:
LGSL/LGFL themes, GSS spatial, licences). Before each dataset is created or updated, the hooks
here put it through the same steps as ``publicservices_dcat_import``: only the dataset type's
schema fields are kept, then :func:`~ckanext.publicservices.dcat.mapping.complete` maps the
access rights onto the openness fields and fills the consortium's and the schema's defaults.

What the mapping cannot fill rides in the dataset dict under :data:`UNMAPPED_KEY`, and a
validator the hooks add to the harvester's schema turns it into field-named errors of the
``package_create``/``package_update`` call, so the harvester records the refusal in the job's
error report ("Create validation Error: {'La service': …}") like any schema refusal, never as a
stack trace and never silently.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.navl.dictization_functions import StopOnError, missing

from ckanext.publicservices.dcat import importer, mapping

log = logging.getLogger(__name__)

# not a dataset field: the mapping's refusals, read (and removed) by the schema validator
UNMAPPED_KEY = "publicservices_harvest_unmapped"
# the harvester finds a harvested dataset again by this extra (ckanext-dcat's _get_guid)
GUID_KEY = "guid"


def _messages(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def report_unmapped(key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Any) -> None:
    """The mapping's refusals as errors of the fields they name (then the key is dropped)."""
    value = data.pop(key, missing)
    if isinstance(value, dict):
        for field_name, messages in value.items():
            # first: the harvester's report shows one message per field, and the reason the
            # mapping gives says more than the schema's "Missing value"
            errors.setdefault((str(field_name),), [])[0:0] = _messages(messages)
    elif value is not missing and value:
        errors.setdefault(key, []).extend(_messages(value))
    raise StopOnError


def with_unmapped_check(schema: dict[str, Any]) -> dict[str, Any]:
    schema[UNMAPPED_KEY] = [report_unmapped]
    return schema


def _refuse(dataset: dict[str, Any], errors: dict[str, Any]) -> None:
    dataset[UNMAPPED_KEY] = {k: _messages(v) for k, v in errors.items()}


_consortia: dict[tuple[Any, str], dict[str, Any]] = {}


def _consortium(harvest_object: Any, org_id: str) -> dict[str, Any]:
    """The consortium's dict, read once per harvest job (a fetch consumer imports a job's
    objects one after another; its defaults are those of the job's start)."""
    job_id = getattr(harvest_object, "harvest_job_id", None)
    if job_id is None:
        return mapping.consortium(org_id)
    key = (job_id, org_id)
    if key not in _consortia:
        _consortia.clear()  # the previous job's
        _consortia[key] = mapping.consortium(org_id)
    return _consortia[key]


def _source_organisation(harvest_object: Any) -> str | None:
    """The organisation of the harvest source the object came from.

    Only the source decides where its datasets go. ckanext-dcat keeps an ``owner_org`` the parser
    set, and a document's ``dct:publisher`` naming one of this portal's organisations sets one,
    so any feed could otherwise write into any organisation of the portal."""
    source_id = getattr(harvest_object, "harvest_source_id", None)
    source = model.Package.get(source_id) if isinstance(source_id, str) and source_id else None
    return source.owner_org if source is not None else None


def _elsewhere(dataset_id: str | None, org_id: str) -> bool:
    """Whether the dataset being updated belongs to another organisation: ckanext-dcat finds it
    by its guid on the whole portal, and another source's feed may carry the same guid."""
    existing = model.Package.get(dataset_id) if dataset_id else None
    return existing is not None and existing.owner_org != org_id


def prepare(harvest_object: Any, dataset: dict[str, Any], updating: bool) -> None:
    """Rewrite ``dataset`` (the harvester's dict, in place) into the suite's schema."""
    keep = {k: dataset[k] for k in ("id", "name") if dataset.get(k)}
    guid = getattr(harvest_object, "guid", None) or importer._pop(dataset, GUID_KEY)
    org_ref = _source_organisation(harvest_object)
    org = model.Group.get(org_ref) if org_ref else None
    if org is None or not org.is_organization or org.state != "active":
        dataset.clear()
        dataset.update(keep, owner_org=org_ref, type="dataset", title=keep.get("name", ""))
        _refuse(
            dataset,
            {
                "owner_org": [
                    "The harvest source has no active organisation; datasets are harvested "
                    "into the source's organisation"
                ]
            },
        )
        return
    if updating and _elsewhere(keep.get("id"), org.id):
        title = dataset.get("title") or ""
        dataset.clear()
        dataset.update(keep, owner_org=org.id, type="dataset", title=title)
        _refuse(
            dataset,
            {
                "owner_org": [
                    "A dataset with this identifier belongs to another organisation of this "
                    "portal; a harvest source updates only its own organisation's datasets"
                ]
            },
        )
        return
    stated = dataset.pop(mapping.STATED_LICENCES, None)
    try:
        cleaned, _identifier, _uri = importer._clean(dict(dataset), org)
        fields = importer._fields(cleaned["type"])[0]
    except tk.ValidationError as e:
        title = dataset.get("title") or ""
        dataset.clear()
        dataset.update(keep, owner_org=org.id, type="dataset", title=title)
        _refuse(dataset, importer._errors(e))
        return
    if guid:
        cleaned["extras"].append({"key": GUID_KEY, "value": guid})
    cleaned.update(keep)
    if updating and keep.get("id"):
        existing = model.Package.get(keep["id"])
        if existing is not None:
            importer._keep_resource_ids(cleaned, existing)
    cleaned[mapping.STATED_LICENCES] = stated
    completion = mapping.complete(cleaned, _consortium(harvest_object, org.id), fields)
    dataset.clear()
    dataset.update(completion.dataset)
    if completion.filled:
        log.info(
            "Harvest %s: %s filled %s",
            getattr(harvest_object, "id", ""),
            keep.get("name"),
            completion.filled,
        )
    if completion.unmapped:
        _refuse(dataset, completion.unmapped)


__all__ = ["UNMAPPED_KEY", "prepare", "report_unmapped", "with_unmapped_check"]
