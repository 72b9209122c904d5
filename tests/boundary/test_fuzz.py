"""Hostile payloads over HTTP to every action the suite adds or chains (issue 13's acceptance).

The generators send what careless, buggy or hostile clients send: JSON values of the wrong type
in any field, arbitrary Unicode (lone surrogates, C0/C1 controls, non-characters), NaN, ±Infinity
and huge numbers, deep nesting (as JSON and as JSON text), edge dates, unknown dataset types and
ids of the wrong shape. After every payload:

- no answer is a 5xx;
- an error answer leaves the committed database exactly as it was (compared table by table);
- whenever the committed state changed (an accepted write), the public outputs answer 200 and
  parse: the site and the consortium catalog in one format and one of ``/dataset/``, the
  consortium page and the dataset page, each in turn (``FUZZ_FULL_OUTPUTS=1``: all of them every
  time); all of them every ``OUTPUT_EVERY`` payloads and at the end. After a refused payload the
  state is proven unchanged, so the outputs are too.

``make test`` runs ``FUZZ_EXAMPLES`` (default 2,100) payloads with a fixed seed; ``make fuzz``
runs 10,000 or more with a random seed it prints (``FUZZ_SEED`` replays a run).
"""

from __future__ import annotations

import json
import os
import random
import time
from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from rdflib import Graph

from tests.boundary import state
from tests.boundary.http import api, get
from tests.consortium.data import consortium, dataset

pytestmark = pytest.mark.usefixtures("with_plugins")

TOTAL = int(os.environ.get("FUZZ_EXAMPLES", "2100"))
RANDOM_SEED = os.environ.get("FUZZ_SEED")
OUTPUT_EVERY = 100
FULL_OUTPUTS = os.environ.get("FUZZ_FULL_OUTPUTS") == "1"
RDF_FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}

FIGURES: dict[str, Any] = {
    "payloads": 0,
    "http_5xx": 0,
    "committed_on_error": 0,
    "outputs_broken": 0,
    "accepted": 0,
    "state_changes": 0,
    "output_checks": 0,
    "by_action": {},
}

# ------------------------------------------------------------------------------------------
# generators

SPECIAL_CHARS = [
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x1f",
    "\x7f",
    "\x80",
    "\x85",
    "\x9f",
    "\ud800",
    "\udbff",
    "\udc00",
    "\udfff",
    "\ufdd0",
    "\ufffe",
    "\uffff",
    "\U0001fffe",
    "\U0010ffff",
    "\u202e",
    "\ufeff",
    "\u00a0",
    "\t",
    "\n",
    "\r",
    "🚮",
    "'",
    '"',
    "<",
    "&",
    "\\",
    "]]>",
]
any_char = st.one_of(st.integers(0, 0x10FFFF).map(chr), st.sampled_from(SPECIAL_CHARS))
hostile_text = st.one_of(
    st.lists(any_char, max_size=12).map("".join),
    st.text(max_size=20),
    st.tuples(st.text(max_size=5), st.sampled_from(SPECIAL_CHARS), st.text(max_size=5)).map(
        "".join
    ),
    st.integers(10, 3000).map(lambda n: "[" * n + "]" * n),
    st.integers(10, 3000).map(lambda n: '{"a":' * n + "1" + "}" * n),
    st.sampled_from(["x" * 100_001, "NaN", "Infinity", "-1e400", "1e100", "[1, 2", "{}", "[]"]),
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**40), 10**40),
    st.sampled_from([1e100, -1e308, 2**53 + 1, 2**63, 0, -1, 1.5, 10**18]),
)
DATES = [
    "9999-12-31",
    "0001-01-01",
    "0000-00-00",
    "1000-01-01",
    "2999-12-31",
    "3000-01-01",
    "999-12-31",
    "-2018-01-01",
    "2018-02-30",
    "2018-13-01",
    "20180101",
    "2018-01-01T25:00:00",
    "2018-01-01T10:00:00+99:00",
    "9999-12-31T23:59:59.999999Z",
    "2018",
    "2018-02",
]
dates = st.one_of(
    st.sampled_from(DATES),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
)
wrong_ids = st.one_of(
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.just("x" * 5000),
    st.sampled_from(["\x00", "a\x00b", "\ud800", "nope", "../../etc/passwd", "' OR 1=1 --"]),
)


def _deep(n: int) -> Any:
    value: Any = "x"
    for i in range(n):
        value = [value] if i % 2 else {"a": value}
    return value


scalars = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    hostile_text,
    dates,
    wrong_ids,
    st.integers(5, 60).map(_deep),
)
junk = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(
            st.one_of(
                st.sampled_from(["name", "as_a", "i_need", "start", "end", "email", "url", "x"]),
                hostile_text,
            ),
            children,
            max_size=3,
        ),
    ),
    max_leaves=8,
)

DATASET_FIELDS = [
    "title",
    "name",
    "notes",
    "type",
    "id",
    "owner_org",
    "state",
    "private",
    "tag_string",
    "tags",
    "extras",
    "resources",
    "groups",
    "url",
    "version",
    "author",
    "author_email",
    "maintainer",
    "license_id",
    "theme",
    "frequency",
    "issued",
    "modified",
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
    "contact",
    "publisher",
    "qualified_attribution",
    "vocabulary_notes",
    "problem",
    "solution",
    "kind",
]
RESOURCE_FIELDS = [
    "id",
    "package_id",
    "url",
    "name",
    "description",
    "format",
    "size",
    "mimetype",
    "hash",
    "schema",
    "conforms_to",
    "license",
    "issued",
    "modified",
    "language",
    "position",
    "validation_status",
]
ORG_FIELDS = [
    "id",
    "name",
    "title",
    "description",
    "image_url",
    "kind",
    "lead_authority",
    "partners",
    "service_area",
    "programme",
    "funder",
    "funding_amount",
    "start_date",
    "end_date",
    "blog_url",
    "report_url",
    "default_license_id",
    "default_contact_name",
    "default_contact_email",
    "default_area",
    "default_frequency",
    "default_la_service",
    "users",
    "extras",
    "state",
    "type",
]


def _row(*names: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {}, optional={n: st.one_of(hostile_text, dates, junk) for n in names}
    )


field_values = st.one_of(
    junk,
    hostile_text,
    numbers,
    dates,
    wrong_ids,
    st.lists(_row("as_a", "i_need", "so_that"), max_size=3),
    st.lists(_row("name", "email"), max_size=3),
    st.lists(_row("start", "end"), max_size=2),
    st.lists(_row("name", "role", "url"), max_size=3),
    st.lists(_row("url", "name", "format", "size", "schema"), max_size=2),
    st.lists(_row("key", "value"), max_size=2),
)


def changes(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    unknown = st.one_of(hostile_text, st.sampled_from(["unknown_field", "__junk", "extras__0"]))
    keys = st.one_of(st.sampled_from(fields), unknown)
    return st.dictionaries(keys, field_values, min_size=1, max_size=4)


anonymous = st.sampled_from([False, False, False, True])

# ------------------------------------------------------------------------------------------
# the portal under test

_built: dict[str, Any] = {}


@pytest.fixture
def portal(app: Any, reset_db: Any, reset_index: Any, with_plugins: None) -> dict[str, Any]:
    if "token" not in _built:
        seed_text = (
            "fixed" if COMMON["derandomize"] else f"{RUN_SEED} (FUZZ_SEED={RUN_SEED} replays)"
        )
        print(f"\nfuzz: {TOTAL} payloads, seed {seed_text}")  # noqa: T201
        reset_db()
        reset_index()
        admin = factories.SysadminWithToken()
        org = consortium(admin, "fuzz-kent")
        pkg = dataset(
            admin,
            org["id"],
            "fuzz-target",
            resources=[{"url": "https://example.org/bins.csv", "format": "CSV"}],
        )
        _built.update(
            admin=admin,
            token=admin["token"],
            org=call_action("organization_show", id=org["id"]),
            pkg=call_action("package_show", id=pkg["id"]),
        )
        _built["app"] = app
        _check_outputs(_built)
    _built["app"] = app
    return _built


def _valid_dataset(portal: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        "name": name,
        "title": "Fuzzed bins",
        "notes": "Collection days.",
        "owner_org": portal["org"]["id"],
        "la_service": ["524"],
        "data_use_pattern": ["increasing-access"],
        "data_spectrum": "open",
        "personal_data": "none",
        "security_classification": "OFFICIAL",
    }


def _check_outputs(
    portal: dict[str, Any],
    pages: tuple[str, ...] | None = None,
    formats: tuple[str, ...] | None = None,
) -> None:
    FIGURES["output_checks"] += 1
    started = time.perf_counter()
    try:
        _read_outputs(portal, pages, formats)
    finally:
        _spent("outputs", started)


def _spent(what: str, started: float) -> None:
    seconds = FIGURES.setdefault("seconds", {})
    seconds[what] = round(seconds.get(what, 0) + time.perf_counter() - started, 3)


def _html_pages(portal: dict[str, Any]) -> tuple[str, ...]:
    return (
        "/dataset/",
        # by id: an accepted update may rename the organisation
        f"/organization/{portal['org']['id']}",
        f"/dataset/{portal['pkg']['id']}",
    )


def _read_outputs(
    portal: dict[str, Any], pages: tuple[str, ...] | None, formats: tuple[str, ...] | None = None
) -> None:
    """The site and consortium catalogs in ``formats`` and the HTML ``pages`` (all unless told)."""
    org = portal["org"]["id"]
    broken = []
    for url in _html_pages(portal) if pages is None else pages:
        # the dataset page as its publisher sees it (a payload may have made it private)
        token = portal["token"] if url.startswith("/dataset/") and url != "/dataset/" else None
        res = get(portal["app"], url, token)
        if res.status_code != 200:
            broken.append((url, res.status_code))
    for ext in formats or tuple(RDF_FORMATS):
        fmt = RDF_FORMATS[ext]
        for url in (f"/catalog.{ext}", f"/organization/{org}/catalog.{ext}"):
            res = get(portal["app"], url)
            try:
                assert res.status_code == 200, res.status_code
                Graph().parse(data=res.body, format=fmt)
            except Exception as e:  # noqa: BLE001 - any failure to serve or parse is the finding
                broken.append((url, repr(e)[:300]))
    if broken:
        FIGURES["outputs_broken"] += 1
    assert not broken, broken


def _send(
    app: Any,
    portal: dict[str, Any],
    action: str,
    data: Any,
    anon: bool,
    cleanup: Any = None,
) -> None:
    FIGURES["payloads"] += 1
    FIGURES["by_action"][action] = FIGURES["by_action"].get(action, 0) + 1
    started = time.perf_counter()
    before = state.snapshot()
    _spent("snapshots", started)
    started = time.perf_counter()
    try:
        status, body = api(app, action, data, None if anon else portal["token"])
    except (ValueError, RecursionError):
        # json.dumps refuses some values (nesting beyond its recursion limit): not sendable
        FIGURES["payloads"] -= 1
        FIGURES["by_action"][action] -= 1
        return
    if status >= 500:
        FIGURES["http_5xx"] += 1
    _spent("requests", started)
    assert status < 500, (action, repr(data)[:2000], status, body)
    started = time.perf_counter()
    after = state.snapshot()
    _spent("snapshots", started)
    if status != 200:
        if after != before:
            FIGURES["committed_on_error"] += 1
        assert after == before, (action, status, body)
    else:
        FIGURES["accepted"] += 1
    if after != before:
        # after every change the site and consortium catalogs in one format and one HTML page,
        # each in turn (a page costs 0.1-0.4 s); everything every OUTPUT_EVERY payloads
        FIGURES["state_changes"] += 1
        turn = FIGURES["state_changes"] % 3
        pages = _html_pages(portal)[turn : turn + 1]
        formats = tuple(RDF_FORMATS)[turn : turn + 1]
        if FULL_OUTPUTS:
            _check_outputs(portal)
        else:
            _check_outputs(portal, pages, formats)
    elif FIGURES["payloads"] % OUTPUT_EVERY == 0:
        _check_outputs(portal)
    if status == 200 and cleanup is not None:
        cleanup(body.get("result"))


def _purge_dataset(result: Any) -> None:
    if isinstance(result, dict) and result.get("id"):
        call_action("dataset_purge", id=result["id"])


def _purge_org(result: Any) -> None:
    if isinstance(result, dict) and result.get("id"):
        call_action("organization_purge", id=result["id"])


def _purge_imported(result: Any) -> None:
    for item in (result or {}).get("datasets", []) if isinstance(result, dict) else []:
        if item.get("status") == "created" and item.get("id"):
            call_action("dataset_purge", id=item["id"])


COMMON = dict(
    # no shrinking: each step is an HTTP round trip; the failing payload is reported as found
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    database=None,
    derandomize=RANDOM_SEED is None and "FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)
RUN_SEED = int(RANDOM_SEED) if RANDOM_SEED else random.SystemRandom().randrange(2**32)


def _settings(share: float) -> Any:
    def wrap(test: Any) -> Any:
        test = settings(max_examples=max(1, int(TOTAL * share)), **COMMON)(test)
        if not COMMON["derandomize"]:
            test = seed(RUN_SEED)(test)
        return test

    return wrap


# ------------------------------------------------------------------------------------------
# the actions


@_settings(0.22)
@given(change=changes(DATASET_FIELDS), anon=anonymous)
def test_package_create(app: Any, portal: dict[str, Any], change: dict, anon: bool) -> None:
    data = _valid_dataset(portal, "fuzz-new")
    data.update(change)
    _send(app, portal, "package_create", data, anon, _purge_dataset)


@_settings(0.16)
@given(change=changes(DATASET_FIELDS), anon=anonymous, patch=st.booleans())
def test_package_update_and_patch(
    app: Any, portal: dict[str, Any], change: dict, anon: bool, patch: bool
) -> None:
    data = {"id": portal["pkg"]["id"]} if patch else dict(portal["pkg"])
    data.update(change)
    _send(app, portal, "package_patch" if patch else "package_update", data, anon)


@_settings(0.12)
@given(
    change=changes(RESOURCE_FIELDS),
    anon=anonymous,
    action=st.sampled_from(["resource_create", "resource_update", "resource_patch"]),
)
def test_resource_create_update_and_patch(
    app: Any, portal: dict[str, Any], change: dict, anon: bool, action: str
) -> None:
    if action == "resource_update":
        data = dict(portal["pkg"]["resources"][0])
    elif action == "resource_patch":
        data = {"id": portal["pkg"]["resources"][0]["id"]}
    else:
        data = {"package_id": portal["pkg"]["id"], "url": "https://example.org/new.csv"}
    data.update(change)
    _send(app, portal, action, data, anon)


@_settings(0.14)
@given(change=changes(ORG_FIELDS), anon=anonymous, create=st.booleans())
def test_organization_create_and_update(
    app: Any, portal: dict[str, Any], change: dict, anon: bool, create: bool
) -> None:
    if create:
        data: dict[str, Any] = {"name": "fuzz-new-org", "title": "Fuzz org", "kind": "other"}
        action = "organization_create"
    else:
        data = dict(portal["org"])
        action = "organization_update"
    data.update(change)
    _send(app, portal, action, data, anon, _purge_org if create else None)


def _args(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    values = st.one_of(wrong_ids, hostile_text, numbers, dates, junk)
    return st.dictionaries(st.sampled_from(names), values, max_size=4)


READ_ACTIONS = {
    "dcat_catalog_show": ["format", "profiles", "page", "modified_since", "q", "fq"],
    "dcat_catalog_search": ["format", "profiles", "page", "modified_since", "q", "fq"],
    "dcat_dataset_show": ["id", "format", "profiles"],
    "publicservices_vocabulary_list": ["id"],
    "publicservices_vocabulary_show": ["id", "term", "limit", "offset", "name", "vocabulary"],
    "publicservices_vocabulary_autocomplete": ["id", "q", "incomplete", "limit"],
    "publicservices_standard_list": ["all_fields"],
    "publicservices_standard_show": ["id", "uri", "name"],
    "publicservices_validation_show": ["resource_id", "id", "report_id"],
    "publicservices_validation_history": ["resource_id", "id", "limit"],
    "publicservices_validation_run": ["resource_id", "id"],
    "publicservices_validation_infer_schema": ["resource_id", "id"],
    "bulk_update_public": ["datasets", "org_id"],
    "bulk_update_private": ["datasets", "org_id"],
    "bulk_update_delete": ["datasets", "org_id"],
    "publicservices_dcat_import_status": ["id"],
    "organization_show": ["id", "include_datasets", "include_users", "include_extras", "limit"],
    "package_show": ["id", "name_or_id", "use_default_schema", "include_plugin_data"],
}
GOOD_ARGS = {
    "organization_show": {"id": "fuzz-kent"},
    "package_show": {"id": "fuzz-target"},
    "dcat_catalog_show": {"format": "ttl"},
    "dcat_catalog_search": {"format": "jsonld"},
    "dcat_dataset_show": {"id": "fuzz-target", "format": "xml"},
    "publicservices_vocabulary_show": {"id": "lgsl"},
    "publicservices_vocabulary_autocomplete": {"id": "council", "q": "kent"},
    "publicservices_standard_show": {"id": "bins"},
}


@_settings(0.22)
@given(
    action=st.sampled_from(sorted(READ_ACTIONS)),
    data=st.data(),
    anon=anonymous,
    keep_good=st.booleans(),
)
def test_other_actions(
    app: Any, portal: dict[str, Any], action: str, data: Any, anon: bool, keep_good: bool
) -> None:
    args = dict(GOOD_ARGS.get(action, {})) if keep_good else {}
    if action.startswith("publicservices_validation"):
        args.setdefault("resource_id", portal["pkg"]["resources"][0]["id"])
    if action.startswith("bulk_update"):
        args.update(datasets=[portal["pkg"]["id"]], org_id=portal["org"]["id"])
    args.update(data.draw(_args(READ_ACTIONS[action])))
    _send(app, portal, action, args, anon)


TURTLE = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://example.org/ds/1> a dcat:Dataset ;
    dct:identifier {identifier} ;
    dct:title {title} ;
    dct:description {description} ;
    dct:issued {issued} .
"""


def _literal(text: str) -> str:
    return json.dumps(text)  # a Turtle string literal, with \\u escapes, surrogates included


@_settings(0.14)
@given(
    title=hostile_text,
    description=hostile_text,
    identifier=hostile_text,
    issued=dates,
    change=_args(["owner_org", "format", "dry_run", "private", "data"]),
    anon=anonymous,
)
def test_publicservices_dcat_import(
    app: Any,
    portal: dict[str, Any],
    title: str,
    description: str,
    identifier: str,
    issued: str,
    change: dict,
    anon: bool,
) -> None:
    document = TURTLE.format(
        title=_literal(title),
        description=_literal(description),
        identifier=_literal(identifier),
        issued=_literal(issued),
    )
    data = {"owner_org": portal["org"]["id"], "data": document, "format": "ttl"}
    data.update(change)
    _send(app, portal, "publicservices_dcat_import", data, anon, _purge_imported)


# the write actions above, each with a test of its own
WRITE_ACTIONS = {
    "package_create",
    "package_update",
    "package_patch",
    "resource_create",
    "resource_update",
    "resource_patch",
    "organization_create",
    "organization_update",
    "publicservices_dcat_import",
}


def test_every_action_of_the_suite_is_fuzzed(with_plugins: None) -> None:
    """An action added to (or chained by) the suite is a fuzz target, or this fails."""
    from ckan.plugins import PluginImplementations
    from ckan.plugins.interfaces import IActions

    registered: set[str] = set()
    for plugin in PluginImplementations(IActions):
        if plugin.name.startswith("publicservices"):
            registered.update(plugin.get_actions())
    assert registered, "no action of the suite's plugins found"
    assert registered - WRITE_ACTIONS - set(READ_ACTIONS) == set()


def test_figures(portal: dict[str, Any]) -> None:
    """Runs last in the file: every assertion held for every payload; the figures say so."""
    _check_outputs(portal)
    FIGURES["seed"] = "derandomized" if COMMON["derandomize"] else RUN_SEED
    out = os.path.join(os.environ.get("PUBLICSERVICES_ARTIFACTS", "test-artifacts"), "fuzz.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(FIGURES, f, indent=1, sort_keys=True)
    print("\nfuzz figures:", json.dumps(FIGURES, sort_keys=True))  # noqa: T201
    assert FIGURES["payloads"] >= int(os.environ.get("FUZZ_MIN", "2000")), FIGURES
    assert FIGURES["http_5xx"] == 0
    assert FIGURES["committed_on_error"] == 0
    assert FIGURES["outputs_broken"] == 0
    assert FIGURES["accepted"] > 0  # the generators reach the write paths too
