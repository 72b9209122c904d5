"""Pytest plugin for the conformance run of CKAN's own search tests against this service.

Used as ``-p devstack.search.conformance`` (devstack/harness.py). Tests that cannot pass are marked
as strict expected failures with their precise reason: nothing is skipped silently, and a test
that starts passing fails the run until it is removed from the list.
"""

from __future__ import annotations

import pytest

# node-id suffix (relative to the ckan package) → why it cannot pass. At most five entries.
EXPECTED_FAILURES: dict[str, str] = {
    # The test reads ckan/tests/lib/search/data/schema-no-version.xml, a fixture that exists in
    # CKAN's source repository but is not shipped in the ckan 2.12.0 wheel (FileNotFoundError
    # before any request reaches the search service).
    "tests/lib/search/test_search.py::test_check_invalid_schema": (
        "fixture data/schema-no-version.xml is not shipped in the ckan wheel"
    ),
    # Same, with data/schema-wrong-version.xml.
    "tests/lib/search/test_search.py::test_check_schema_with_wrong_version": (
        "fixture data/schema-wrong-version.xml is not shipped in the ckan wheel"
    ),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for suffix, reason in EXPECTED_FAILURES.items():
            if item.nodeid.endswith(suffix):
                item.add_marker(pytest.mark.xfail(strict=True, reason=reason))
