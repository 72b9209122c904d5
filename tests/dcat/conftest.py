"""Shared fixtures of the DCAT tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ckanext.publicservices.dcat import profile
from tests.dcat.data import KENT


@pytest.fixture
def kent() -> Iterator[dict]:
    """The Kent consortium in the profile's organisation cache (no organization_show call)."""
    profile.remember_consortium(KENT)
    # ckanext-dcat's own publisher fallback keeps a class-level organisation cache
    profile.RDFProfile._org_cache[KENT["id"]] = KENT
    yield KENT
    profile.forget_consortia()
    profile.RDFProfile._org_cache.pop(KENT["id"], None)
