"""Property-based: generated payloads never crash package_create/package_update.

Each payload mixes valid values with wrong types, huge strings, unknown codes, unicode and nested
junk. The only acceptable outcomes are success or a ValidationError whose keys name fields.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .payloads import valid_dataset

pytestmark = pytest.mark.usefixtures("with_plugins")

FIELDS = [
    "title",
    "name",
    "notes",
    "tag_string",
    "theme",
    "frequency",
    "issued",
    "modified",
    "version",
    "language",
    "conforms_to",
    "documentation",
    "provenance",
    "la_service",
    "la_function",
    "service_design_phase",
    "data_use_pattern",
    "user_needs",
    "service_outcomes",
    "funding_programme",
    "area",
    "geographic_granularity",
    "temporal_coverage",
    "data_spectrum",
    "access_rights",
    "personal_data",
    "security_classification",
    "open_by_default_exception",
    "redaction_note",
    "license_id",
    "contact",
    "publisher",
    "qualified_attribution",
    "vocabulary_notes",
    "private",
    "resources",
    "tags",
    "extras",
    "url",
    "unknown_field",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=8).map(lambda s: s * 3000),
    st.sampled_from(
        [
            "524",
            "99999",
            "http://id.esd.org.uk/service/524",
            "S12000044",
            "E99999999",
            "open",
            "shared",
            "closed",
            "OFFICIAL-SENSITIVE",
            "personal",
            "2018-02-30",
            "2019-01-01",
            "not a url",
            "https://example.org",
            "a@b.c",
            "PUBLIC",
            "NON_PUBLIC",
            "uk-ogl",
            "financial-year",
            "[1, 2",
            '["524"]',
            "{}",
            "\x00",
            "🚮 bins",
        ]
    ),
)
junk = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(
            st.sampled_from(["start", "end", "name", "email", "as_a", "x", "agent"]),
            children,
            max_size=3,
        ),
    ),
    max_leaves=6,
)
payloads = st.dictionaries(st.sampled_from(FIELDS), junk, max_size=6)


CALLS = {"package_create": 0, "package_update": 0}


def _check(action: str, context: dict[str, Any], data: dict[str, Any]) -> None:
    CALLS[action] += 1
    try:
        helpers.call_action(action, context, **data)
    except tk.ValidationError as e:
        assert isinstance(e.error_dict, dict) and e.error_dict, e
        assert all(isinstance(k, str) and k for k in e.error_dict), e.error_dict


@pytest.fixture(scope="module")
def setup(reset_db: Any) -> dict[str, Any]:
    reset_db()
    plugins.load_all()  # module fixtures run before the function-scoped with_plugins
    user = factories.Sysadmin()
    # the user object once, not a lookup per call: the database is not what is under test
    ctx = {"user": user["name"], "ignore_auth": True, "auth_user_obj": model.User.get(user["name"])}
    pkg = helpers.call_action(
        "package_create", dict(ctx), name="hypothesis-target", **valid_dataset()
    )
    return {"ctx": ctx, "pkg": pkg}


COMMON = dict(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@settings(max_examples=1400, **COMMON)
@given(changes=payloads)
def test_package_create_never_crashes(setup: dict[str, Any], changes: dict[str, Any]) -> None:
    data = valid_dataset()
    data.update(changes)
    _check("package_create", dict(setup["ctx"]), data)


@settings(max_examples=600, **COMMON)
@given(changes=payloads)
def test_package_update_never_crashes(setup: dict[str, Any], changes: dict[str, Any]) -> None:
    data = dict(setup["pkg"])
    data.update(changes)
    data["id"] = setup["pkg"]["id"]
    _check("package_update", dict(setup["ctx"]), data)


def test_at_least_2000_payloads_were_tried() -> None:
    # runs after the two property tests (file order); hypothesis may stop early on its own
    assert sum(CALLS.values()) >= 2000, CALLS
