"""The consortium page: partnership, service focus, publications by type, state of its data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan import model
from ckan.lib import search
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.consortium import data

pytestmark = [pytest.mark.usefixtures("with_plugins")]


def _set_validation(resource_id: str, status: str) -> None:
    # the validation job is the only writer of validation_status; stand in for it
    res = model.Resource.get(resource_id)
    assert res is not None
    res.extras = dict(res.extras or {}, validation_status=status)
    model.Session.commit()
    search.rebuild(res.package_id)


_BUILT: dict[str, Any] = {}


@pytest.fixture
def consortium(with_plugins: Any, reset_db: Any, reset_index: Any) -> dict[str, Any]:
    return data.built_once(_BUILT, _build, reset_db, reset_index)


def _build() -> dict[str, Any]:
    sysadmin = factories.Sysadmin()
    org = data.consortium(sysadmin, "kent-page")
    other = data.consortium(sysadmin, "other-page", lead_authority="E08000017")
    data.consortium(sysadmin, "north-lanarkshire", lead_authority="S12000050")
    member = factories.UserWithToken()
    call_action(
        "organization_member_create",
        {"user": sysadmin["name"]},
        id=org["id"],
        username=member["name"],
        role="member",
    )
    fresh = data.dataset(
        sysadmin,
        org["id"],
        "kent-fuel-poverty-risk",
        title="Fuel poverty risk by ward",
        frequency=data.ANNUAL,
        resources=[{"url": "http://example.org/a.csv", "format": "CSV", "name": "a"}],
    )
    stale = data.dataset(
        sysadmin,
        org["id"],
        "kent-energy-referrals",
        title="Energy efficiency referrals",
        frequency=data.ANNUAL,
        modified="2018-02-28",
        resources=[
            {"url": "http://example.org/b.csv", "format": "CSV", "name": "b"},
            {"url": "http://example.org/c.csv", "format": "CSV", "name": "c"},
        ],
    )
    data.dataset(sysadmin, org["id"], "kent-private-notes", title="Private casework", private=True)
    data.dataset(
        sysadmin,
        org["id"],
        "kent-private-late",
        title="Private late returns",
        private=True,
        frequency=data.ANNUAL,
        modified="2019-05-01",
    )
    data.dataset(sysadmin, other["id"], "other-dataset", title="Another consortium's data")
    call_action(
        "package_create",
        {"user": sysadmin["name"]},
        type="design-pattern",
        name="kent-pattern",
        title="Pattern: target warm-home help with shared data",
        problem="Help reaches those who ask, not those most at risk.",
        solution="Layer open, shared and closed data.",
        owner_org=org["id"],
        license_id="cc-by",
    )
    call_action(
        "package_create",
        {"user": sysadmin["name"]},
        type="learning-resource",
        name="kent-learning",
        title="Learning: system-dynamics model of fuel poverty",
        kind="guide",
        owner_org=org["id"],
        license_id="cc-by-sa",
    )
    _set_validation(fresh["resources"][0]["id"], "success")
    _set_validation(stale["resources"][0]["id"], "failure")
    _set_validation(stale["resources"][1]["id"], "success")
    return {"org": org, "member": member}


def _page(app: Any, name: str, user: dict[str, Any] | None = None) -> BeautifulSoup:
    headers = {"Authorization": user["token"]} if user else {}
    response = app.get(f"/organization/{name}", headers=headers, status=200)
    return BeautifulSoup(response.body, "html.parser")


def test_page_shows_the_partnership_and_service_focus(app: Any, consortium: Any) -> None:
    page = _page(app, "kent-page")
    partnership = page.find(class_="publicservices-partnership")
    assert partnership is not None
    lead = partnership.find(class_="publicservices-lead")
    assert "Kent County Council" in lead.text and "E10000016" in lead.text
    assert lead.find("a")["href"].endswith("/statistical-geography/E10000016")
    partners = partnership.find(class_="publicservices-partners").text
    assert "Kent Energy Efficiency Partnership" in partners and "service-design agency" in partners
    assert partnership.find("a", href="https://uscreates.com") is not None
    labels = [li.text.strip() for li in page.select(".publicservices-service-labels li")]
    assert labels == ["Energy efficiency", "Keeping warm in winter"]


def test_publications_are_grouped_by_type(app: Any, consortium: Any) -> None:
    page = _page(app, "kent-page")
    by_type = {
        div["data-type"]: div.text for div in page.select(".publicservices-publication-type")
    }
    assert set(by_type) == {"dataset", "design-pattern", "learning-resource"}
    assert "Fuel poverty risk by ward" in by_type["dataset"]
    assert "Energy efficiency referrals" in by_type["dataset"]
    assert "Pattern: target warm-home help" in by_type["design-pattern"]
    assert "system-dynamics model" in by_type["learning-resource"]
    assert "Pattern" not in by_type["dataset"]
    # other consortia's and private datasets are not listed to visitors
    assert "Another consortium" not in page.text
    assert "Private casework" not in by_type["dataset"]
    catalog = page.find("a", type="text/turtle")
    assert catalog["href"].endswith("/organization/kent-page/catalog.ttl")
    turtle = app.get(catalog["href"], status=200).body
    assert "Fuel poverty risk by ward" in turtle and "Another consortium" not in turtle


def test_members_see_their_private_datasets(app: Any, consortium: Any) -> None:
    page = _page(app, "kent-page", consortium["member"])
    datasets = page.select_one('.publicservices-publication-type[data-type="dataset"]').text
    assert "Private casework" in datasets


def test_state_of_data_counts_validation_and_overdue_updates(app: Any, consortium: Any) -> None:
    state = _page(app, "kent-page").find(class_="publicservices-data-state")
    # datasets by the status of their files: two have a valid file, one a file to fix
    counts = [b.text for b in state.select(".publicservices-validation-counts .badge")]
    assert counts == ["2", "1", "0", "0"]
    overdue = state.find(class_="publicservices-overdue").text
    assert "Energy efficiency referrals" in overdue
    assert "Fuel poverty risk by ward" not in overdue


def test_per_consortium_block_is_included_when_present(app: Any, consortium: Any) -> None:
    block = _page(app, "north-lanarkshire").find(class_="publicservices-consortium-block")
    assert block is not None and block["data-consortium"] == "north-lanarkshire"
    # a consortium without its own block renders without one
    other = _page(app, "other-page")
    assert other.find(class_="publicservices-partnership") is not None
    assert other.find(class_="publicservices-consortium-block") is None


def test_about_page_lists_the_consortium_fields(app: Any, consortium: Any) -> None:
    response = app.get("/organization/about/kent-page", status=200)
    assert "Kent County Council" in response.body
    assert "UsCreates" in response.body
    assert "Keeping warm in winter" in response.body


class SearchCounter:
    """The search requests made (CKAN's ``PackageSearchQuery.run``), with their parameters."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from ckan.lib.search.query import PackageSearchQuery

        self.calls: list[dict[str, Any]] = []
        run = PackageSearchQuery.run

        def counted(query: Any, q: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
            self.calls.append(dict(q))
            return run(query, q, *args, **kwargs)

        monkeypatch.setattr(PackageSearchQuery, "run", counted)

    def take(self) -> list[dict[str, Any]]:
        calls, self.calls = self.calls, []
        return calls


def _blocks(page: BeautifulSoup) -> str:
    return "".join(str(page.find(class_=c)) for c in _BLOCKS)


_BLOCKS = ("publicservices-publications", "publicservices-data-state")


def test_usual_view_costs_no_search_beyond_cores(
    app: Any, consortium: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ckanext.publicservices.consortium import page as page_data

    page_data._overdue_cache.clear()
    searches = SearchCounter(monkeypatch)
    first = _page(app, "kent-page")
    # core's three (organisation count, sub-group counts, the list) and, on first sight, two
    # for the overdue datasets; the list's search carries the page's facets
    assert len(searches.take()) == 5
    again = _page(app, "kent-page")
    calls = searches.take()
    assert len(calls) == 3
    listing = [c for c in calls if "dataset_type" in (c.get("facet.field") or [])]
    assert len(listing) == 1 and "vocab_validation_status" in listing[0]["facet.field"]
    assert _blocks(again) == _blocks(first)
    # the page's facets feed its blocks, not the sidebar
    sidebar = again.find(id="search-facets")
    assert sidebar is not None and "Validation status" not in sidebar.text
    assert sidebar.find(attrs={"href": lambda h: h and "dataset_type=" in h}) is None


def test_filtered_list_keeps_the_consortiums_totals(
    app: Any, consortium: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    usual = _page(app, "kent-page")
    searches = SearchCounter(monkeypatch)
    filtered = _page(app, "kent-page?q=pattern")
    # the filtered list's facets cover only its hits: the blocks make one light search of
    # their own (the overdue datasets are cached from the usual view)
    assert len(searches.take()) == 4
    assert _blocks(filtered) == _blocks(usual)
    listed = filtered.select(".dataset-list .dataset-heading a")
    assert [a.text.strip() for a in listed] == ["Pattern: target warm-home help with shared data"]
    # the second page of the list is no longer the newest: the same again
    assert _blocks(_page(app, "kent-page?page=2")) == _blocks(usual)


def test_overdue_datasets_follow_changes_and_visibility(app: Any, consortium: Any) -> None:
    overdue = _page(app, "kent-page").find(class_="publicservices-overdue").text
    assert "Private late returns" not in overdue
    member = _page(app, "kent-page", consortium["member"])
    assert "Private late returns" in member.find(class_="publicservices-overdue").text
    # an update changes the newest dataset: the cached overdue list is not reused
    sysadmin = factories.Sysadmin()
    patch = {"user": sysadmin["name"]}
    call_action("package_patch", patch, id="kent-fuel-poverty-risk", modified="2017-01-01")
    try:
        overdue = _page(app, "kent-page").find(class_="publicservices-overdue").text
        assert "Fuel poverty risk by ward" in overdue
    finally:
        call_action(
            "package_patch",
            {"user": sysadmin["name"]},
            id="kent-fuel-poverty-risk",
            modified=dt.date.today().isoformat(),
        )
    assert (
        "Fuel poverty risk by ward"
        not in _page(app, "kent-page").find(class_="publicservices-overdue").text
    )


def test_page_data_searches_stay_small(consortium: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from ckanext.publicservices.consortium import page as page_data

    page_data._overdue_cache.clear()
    searches = SearchCounter(monkeypatch)
    result = page_data.publications(consortium["org"], user="")
    calls = searches.take()
    # its own light search (no list to reuse here) and, on first sight, the next due date and
    # the overdue datasets; none grows with the consortium's size
    assert len(calls) == 3
    assert all(int(q["rows"]) <= 16 for q in calls)  # CKAN asks for one more row
    assert "dataset_type" in calls[0]["facet.field"]
    assert result["count"] == 4
    assert [o["name"] for o in result["overdue"]] == ["kent-energy-referrals"]
    assert page_data.publications(consortium["org"], user="") == result
    assert len(searches.take()) == 1
    # once the next dataset falls due, the overdue datasets are searched again
    later = dt.datetime.utcnow() + dt.timedelta(days=400)
    page_data.publications(consortium["org"], user="", now=later)
    assert len(searches.take()) == 3


def test_page_data_sql_does_not_grow_with_the_datasets(consortium: Any) -> None:
    # runs last in this module: it adds datasets to the consortium
    import sqlalchemy as sa

    from ckanext.publicservices.consortium import page as page_data

    engine = model.meta.engine
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    def sql_for_page() -> int:
        statements.clear()
        page_data._overdue_cache.clear()  # the same searches each time
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            page_data.publications(consortium["org"], user="")
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    before = sql_for_page()
    sysadmin = factories.Sysadmin()
    for i in range(6):
        data.dataset(
            sysadmin,
            consortium["org"]["id"],
            f"kent-extra-{i}",
            frequency=data.ANNUAL,
            modified="2019-01-01",
        )
    assert sql_for_page() == before <= 4


def test_plain_organisation_page_has_no_empty_partnership(app: Any, consortium: Any) -> None:
    org = factories.Organization()
    page = _page(app, org["name"])
    assert page.find(class_="publicservices-partnership") is None
    assert page.find(class_="publicservices-publications") is not None
