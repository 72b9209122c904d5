"""The shipped vocabularies and their cached lookups and search (no CKAN needed)."""

from __future__ import annotations

import pytest

from ckanext.publicservices.vocabularies import hierarchy, terms
from ckanext.publicservices.vocabularies import search as vocab_search


def test_sizes_of_the_shipped_lists() -> None:
    assert len(terms.services()) == 1519
    assert len(terms.functions()) == 113
    assert set(terms.access_rights()) == {"PUBLIC", "RESTRICTED", "NON_PUBLIC"}
    assert "ENVI" in terms.data_themes() and "CSV" in terms.file_types()
    assert "ANNUAL" in terms.frequencies() and "financial-year" in terms.frequencies()


def test_service_by_number_or_uri() -> None:
    term = terms.service("524")
    assert term is not None and term.label == "Household waste collection"
    assert term.uri == "http://id.esd.org.uk/service/524"
    assert terms.service("http://id.esd.org.uk/service/524") == term
    assert terms.service("99999") is None
    assert terms.service({"not": "a string"}) is None


@pytest.mark.parametrize("query", ["bins", "524", "household waste", "rubbish"])
def test_search_finds_household_waste_collection_first(query: str) -> None:
    assert vocab_search.search("lgsl", query)[0].code == "524"


def test_search_by_words_needs_every_word() -> None:
    labels = [t.label for t in vocab_search.search("lgsl", "business rates", limit=4)]
    assert all("Business rate" in label for label in labels)
    assert vocab_search.search("lgsl", "zzzz qqqq") == []
    assert vocab_search.search("nope", "bins") == []


def test_councils_current_and_former_codes() -> None:
    north_lanarkshire = terms.council("S12000044")
    assert north_lanarkshire is not None and north_lanarkshire.code == "S12000050"
    assert north_lanarkshire.uri == "http://statistics.gov.scot/id/statistical-geography/S12000050"
    assert north_lanarkshire.country == "Scotland"
    kent = terms.council("E10000016")
    assert kent is not None and kent.label == "Kent County Council"
    assert kent.uri == "http://statistics.data.gov.uk/id/statistical-geography/E10000016"
    assert terms.current_gss("e08000017") == "E08000017"
    assert vocab_search.search("council", "north lanark")[0].code == "S12000050"
    assert vocab_search.search("council", "S12000044")[0].code == "S12000050"


def test_abolished_councils_are_kept_as_withdrawn() -> None:
    aylesbury = terms.council("E07000004")
    assert aylesbury is not None and aylesbury.withdrawn and aylesbury.end_date


def test_function_hierarchy_and_theme_mapping() -> None:
    assert [f.label for f in hierarchy.functions_for_service("524")] == ["Waste management"]
    assert hierarchy.function_uris_for_services(["524"]) == ["http://id.esd.org.uk/function/38"]
    assert "524" in {s.code for s in hierarchy.services_for_function("38")}
    assert hierarchy.eu_theme_uris(["524"]) == [
        "http://publications.europa.eu/resource/authority/data-theme/ENVI"
    ]
    fy = terms.lookup("frequency", "financial-year")
    assert fy is not None
    assert fy.as_dict()["rdf_uri"].endswith("/frequency/ANNUAL")


def test_lookups_are_cached() -> None:
    assert terms.get_vocabulary("lgsl") is terms.get_vocabulary("lgsl")
