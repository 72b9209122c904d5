"""Serialise → parse gives back every mapped field (one test per field)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from ckanext.publicservices.dcat import profile
from ckanext.publicservices.dcat.serializer import PublicservicesSerializer, parse_datasets
from ckanext.publicservices.vocabularies import hierarchy, model
from tests.dcat.data import EU, KENT, complete_dataset

pytestmark = pytest.mark.usefixtures("with_plugins")


def _norm(value: Any) -> Any:
    """Lists may come back as JSON text and in another order; empty subfields do not matter."""
    if isinstance(value, str):
        try:
            loaded = json.loads(value)
        except ValueError:
            return value
        if isinstance(loaded, list):
            value = loaded
        else:
            return value
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return sorted((_norm(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def _round_trip(dataset: dict[str, Any], fmt: str = "ttl") -> dict[str, Any]:
    profile.remember_consortium(KENT)
    out = PublicservicesSerializer().serialize_dataset(dataset, _format=fmt)
    parsed = parse_datasets(out, fmt)
    assert len(parsed) == 1
    return parsed[0]


def _dataset() -> dict[str, Any]:
    ds = complete_dataset(0)
    # as the schema stores it: the EU themes derived from the services on save
    ds["theme"] = hierarchy.eu_theme_uris(ds["la_service"])
    return ds


@pytest.fixture
def original() -> dict[str, Any]:
    return _dataset()


@pytest.fixture
def parsed(original: dict[str, Any]) -> dict[str, Any]:
    return _round_trip(copy.deepcopy(original))


DATASET_FIELDS = [
    "title",
    "notes",
    "url",
    "version",
    "issued",
    "modified",
    "frequency",
    "temporal_coverage",
    "access_rights",
    "theme",
    "conforms_to",
    "documentation",
    "language",
    "provenance",
    "contact",
    "license_id",
    "owner_org",
    "la_service",
    "la_function",
    "area",
    "geographic_granularity",
    "service_design_phase",
    "data_use_pattern",
    "data_spectrum",
    "personal_data",
    "security_classification",
    "redaction_note",
    "user_needs",
    "service_outcomes",
    "funding_programme",
]


@pytest.mark.parametrize("field", DATASET_FIELDS)
def test_dataset_field_round_trips(field: str, original: dict, parsed: dict) -> None:
    assert original.get(field), f"test data must fill {field}"
    assert _norm(parsed.get(field)) == _norm(original[field])


def test_tags_round_trip(original: dict, parsed: dict) -> None:
    assert {t["name"] for t in parsed["tags"]} == {t["name"] for t in original["tags"]}


RESOURCE_FIELDS = ["url", "name", "description", "format", "size", "rights", "conforms_to"]


@pytest.mark.parametrize("field", RESOURCE_FIELDS)
def test_resource_field_round_trips(field: str, original: dict, parsed: dict) -> None:
    by_url = {r["url"]: r for r in parsed["resources"]}
    assert len(by_url) == len(original["resources"])
    for resource in original["resources"]:
        assert _norm(by_url[resource["url"]].get(field)) == _norm(resource[field])


def test_resource_licence_only_when_it_differs_from_the_dataset() -> None:
    ds = _dataset()
    cc_by = "https://creativecommons.org/licenses/by/4.0/"
    ds["resources"][0]["license"] = cc_by
    for r in ds["resources"][1:]:
        r.pop("license")
    parsed = {r["url"]: r for r in _round_trip(ds)["resources"]}
    assert parsed[ds["resources"][0]["url"]]["license"] == cc_by
    assert all("license" not in parsed[r["url"]] for r in ds["resources"][1:])


def test_open_by_default_exception_round_trips() -> None:
    ds = _dataset()
    ds["open_by_default_exception"] = "FOISA s.33(1)(b): commercial interests of ratepayers."
    assert _round_trip(ds)["open_by_default_exception"] == ds["open_by_default_exception"]


def test_financial_year_frequency_is_annual_in_rdf_and_exact_after_parse() -> None:
    ds = _dataset()
    ds["frequency"] = model.FINANCIAL_YEAR_URI
    out = PublicservicesSerializer().serialize_dataset(ds, _format="nt")
    assert f"<{EU}frequency/ANNUAL>" in out
    assert _round_trip(ds)["frequency"] == model.FINANCIAL_YEAR_URI


def test_explicit_publisher_round_trips_and_replaces_the_consortium() -> None:
    ds = _dataset()
    publisher = {"name": "Kent County Council", "uri": "https://www.kent.gov.uk/"}
    publisher["email"] = "a@kent.gov.uk"
    ds["publisher"] = [publisher]
    assert _norm(_round_trip(ds)["publisher"]) == _norm([publisher])


def test_qualified_attribution_round_trips_and_partners_stay_out() -> None:
    ds = _dataset()
    ds["qualified_attribution"] = [
        {
            "agent": [{"name": "UrbanTide", "uri": "https://urbantide.com/"}],
            "role": "data processor",
        }
    ]
    parsed = _round_trip(ds)
    assert _norm(parsed["qualified_attribution"]) == _norm(ds["qualified_attribution"])


@pytest.mark.parametrize("dataset_type", ["design-pattern", "learning-resource"])
def test_dataset_type_round_trips_through_dct_type(dataset_type: str) -> None:
    ds = _dataset()
    ds["type"] = dataset_type
    assert _round_trip(ds)["type"] == dataset_type


@pytest.mark.parametrize("fmt", ["xml", "jsonld", "nt"])
def test_other_formats_round_trip_the_project_fields(fmt: str, original: dict) -> None:
    parsed = _round_trip(copy.deepcopy(original), fmt)
    for field in ("la_service", "area", "data_use_pattern", "user_needs", "frequency"):
        assert _norm(parsed[field]) == _norm(original[field])


def _design_pattern() -> dict[str, Any]:
    ds = _dataset()
    ds["type"] = "design-pattern"
    ds["problem"] = "Residents at risk of fuel poverty are found too late."
    ds["context"] = "A county council with health and housing data."
    ds["solution"] = "Join health and energy performance data; visit the wards most at risk."
    ds["consequences"] = "Earlier visits; the data sharing needs an agreement."
    ds["examples"] = [
        {"name": "Kent", "url": "https://www.kent.gov.uk/", "description": "Winter 2017 pilot"}
    ]
    ds["related_datasets"] = ["fuel-poverty-risk-0", "https://example.org/dataset/epc"]
    return ds


def _learning_resource() -> dict[str, Any]:
    ds = _dataset()
    ds["type"] = "learning-resource"
    ds["kind"] = "guide"
    ds["audience"] = ["council-officers", "service-designers"]
    ds["skills"] = ["data ethics", "user research"]
    ds["format"] = "document"
    return ds


TYPE_FIELDS = [
    (_design_pattern, f)
    for f in ("problem", "context", "solution", "consequences", "examples", "related_datasets")
] + [(_learning_resource, f) for f in ("kind", "audience", "skills", "format")]


@pytest.mark.parametrize(("make", "field"), TYPE_FIELDS)
def test_design_pattern_and_learning_resource_fields_round_trip(make: Any, field: str) -> None:
    original = make()
    assert _norm(_round_trip(copy.deepcopy(original))[field]) == _norm(original[field])


@pytest.mark.parametrize("dataset_type", ["dataset", "design-pattern", "learning-resource"])
def test_vocabulary_choices_are_the_schema_choices(dataset_type: str) -> None:
    from ckan.plugins import toolkit as tk

    from ckanext.publicservices.dcat import vocab as ps_vocab

    schema = tk.get_action("scheming_dataset_schema_show")({}, {"type": dataset_type})
    compared = set()
    for field in schema["dataset_fields"]:
        for choice_field in ps_vocab.CHOICE_FIELDS:
            if choice_field.field == field["field_name"] and "choices" in field:
                codes = [c for c, _label in choice_field.values]
                assert codes == [c["value"] for c in field["choices"]], field["field_name"]
                compared.add(field["field_name"])
    expected = {
        "dataset": {"service_design_phase", "data_spectrum", "personal_data"},
        "design-pattern": set(),
        "learning-resource": {"kind", "audience", "format"},
    }
    assert expected[dataset_type] <= compared
