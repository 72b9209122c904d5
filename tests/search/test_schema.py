"""Schema model: field resolution, copyFields and strict validation like Solr's."""

from __future__ import annotations

import ckan
import pytest

from devstack.search.schema import SchemaError, format_date, load_schema, parse_date

SCHEMA = load_schema()
# the search service serves the Solr schema of the CKAN it runs beside (2.11 or 2.12)
CKAN_SCHEMA = "ckan-" + ".".join(ckan.__version__.split(".")[:2])
NOW = parse_date("2025-01-01T00:00:00Z")
BASE = {"id": "a", "index_id": "a", "site_id": "default"}


def test_schema_is_ckans_own() -> None:
    assert SCHEMA.name == CKAN_SCHEMA
    assert SCHEMA.unique_key == "index_id"


@pytest.mark.parametrize(
    ("name", "kind", "multi", "stored"),
    [
        ("title", "text", False, True),
        ("tags", "string", True, True),
        ("permission_labels", "string", True, False),
        ("extras_issued_date", "text", False, True),  # extras_* is longer than *_date
        ("issued_date", "date", False, True),
        ("res_extras_alt_url", "text", True, True),
        ("vocab_la_service", "string", True, True),
        ("owner_org", "string", False, False),  # the catch-all `*`
        ("view_recent", "string", False, False),
    ],
)
def test_dynamic_field_precedence(name: str, kind: str, multi: bool, stored: bool) -> None:
    fd = SCHEMA.field(name)
    assert fd is not None
    assert (fd.kind, fd.multi, fd.stored) == (kind, multi, stored)


def test_copy_fields_are_not_chained() -> None:
    doc = SCHEMA.prepare({**BASE, "url": "http://x/y", "title": "Flood", "extras_a": "b"}, NOW)
    assert doc["urls"] == ["http://x/y"]
    assert doc["title_ngram"] == ["Flood"]
    assert "http://x/y" not in doc["text"]  # urls → text would be a chained copy
    assert set(doc["text"]) == {"Flood", "b"}
    # the order of the fields in the document does not matter
    doc = SCHEMA.prepare({**BASE, "url": "http://x/y", "urls": "http://a"}, NOW)
    assert doc["urls"] == ["http://a", "http://x/y"] and doc["text"] == ["http://a"]


def test_blank_and_null_values_are_dropped_and_scalars_stringified() -> None:
    doc = SCHEMA.prepare(
        {
            **BASE,
            "res_type": [None],
            "res_description": [""],
            "notes": "",
            "private": False,
            "num_resources": 3,
        },
        NOW,
    )
    assert "res_type" not in doc and "res_description" not in doc and "notes" not in doc
    assert doc["private"] == ["false"] and doc["num_resources"] == ["3"]
    assert doc["indexed_ts"] == [NOW]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ["a", "b"]}, "multiple values encountered for non multiValued field name"),
        ({"custom": ["a", "b"]}, "multiple values encountered"),
        ({"title": {"set": "x"}}, "nested or atomic-update"),
        ({"metadata_modified": "2024-13-01T00:00:00Z"}, "Invalid Date String"),
        ({"metadata_modified": "yesterday"}, "Invalid Date String"),
        ({"views_recent": "many"}, "For input string"),
    ],
)
def test_strict_validation(fields: dict, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        SCHEMA.prepare({**BASE, **fields}, NOW)


def test_required_fields() -> None:
    with pytest.raises(SchemaError, match="missing required field: site_id"):
        SCHEMA.prepare({"id": "a", "index_id": "a"}, NOW)


def test_dates_round_trip_in_solr_form() -> None:
    assert format_date(parse_date("2024-01-02T03:04:05.123456Z")) == "2024-01-02T03:04:05.123Z"
    assert format_date(parse_date("2024-01-02T03:04:05Z")) == "2024-01-02T03:04:05Z"
    assert format_date(parse_date("2019-10-10T01:15:00+01:00")) == "2019-10-10T00:15:00Z"
