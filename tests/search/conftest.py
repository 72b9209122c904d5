"""An in-process search service on a free port, and a small CKAN-shaped corpus."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pysolr
import pytest

from devstack.search.server import SearchService, make_server


def ckan_doc(i: int, **fields: Any) -> dict[str, Any]:
    """A document shaped like CKAN's index_package output (§1.6 of the design note)."""
    doc: dict[str, Any] = {
        "id": f"id-{i}",
        "index_id": f"index-{i}",
        "site_id": "default",
        "entity_type": "package",
        "dataset_type": "dataset",
        "state": "active",
        "capacity": "public",
        "name": f"dataset-{i}",
        "title": f"Dataset {i}",
        "metadata_modified": f"2024-01-{i % 28 + 1:02d}T10:00:00.000000Z",
        "metadata_created": "2024-01-01T00:00:00Z",
        "validated_data_dict": f'{{"name": "dataset-{i}"}}',
        "permission_labels": ["public"],
    }
    doc.update(fields)
    doc.setdefault("title_string", doc["title"])
    return {k: v for k, v in doc.items() if v is not None}


CORPUS = [
    ckan_doc(
        0,
        title="Flood risk in Kent",
        notes="River flooding and water levels",
        tags=["water", "flood"],
        organization="kent",
        license_id="OGL-UK-3.0",
        res_format=["CSV", "PDF"],
        num_resources=2,
        groups=["environment"],
        extras_theme="hydrology",
        vocab_area=["E10000016"],
    ),
    ckan_doc(
        1,
        title="Air quality monitoring",
        notes="Nitrogen dioxide readings",
        tags=["air", "pollution"],
        organization="kent",
        license_id="cc-by",
        res_format=["CSV"],
        num_resources=1,
        groups=["environment", "health"],
    ),
    ckan_doc(
        2,
        title="Business rates",
        notes="Business rates collected by North Lanarkshire",
        tags=["finance"],
        organization="north-lanarkshire",
        license_id="OGL-UK-3.0",
        num_resources=0,
        capacity="private",
        permission_labels=["member-nl"],
    ),
    ckan_doc(
        3,
        title="Careers guidance contacts",
        notes="Young people's careers data",
        tags=["education", "water"],
        organization="doncaster",
        license_id="OGL-UK-3.0",
        res_format=["JSON"],
        num_resources=1,
        state="draft",
    ),
    ckan_doc(
        4,
        title="Venue Wi-Fi footfall",
        notes="Footfall counts from WiFi in libraries",
        tags=["footfall"],
        organization="waltham-forest",
        license_id="cc-zero",
        res_format=["CSV"],
        num_resources=3,
        view_recent=5,
    ),
    ckan_doc(
        5,
        title="Flooding incidents 2023",
        notes="Flooded homes and roads",
        tags=["flood"],
        organization="kent",
        license_id="cc-by",
        groups=["environment"],
        metadata_modified="2023-06-01T00:00:00Z",
    ),
]


@pytest.fixture(scope="module")
def search_url() -> Iterator[str]:
    service = SearchService(None)
    server = make_server("127.0.0.1", 0, service)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/solr/ckan"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def solr(search_url: str) -> pysolr.Solr:
    """A client configured like CKAN's (decode_dates off, as PackageSearchQuery uses)."""
    conn = pysolr.Solr(search_url, timeout=10)
    conn.delete(q="*:*", commit=True)
    conn.add(CORPUS, commit=True)
    return conn


def ids(results: pysolr.Results) -> list[str]:
    return [d["id"] for d in results.docs]
