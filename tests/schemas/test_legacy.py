"""Datasets made before the suite was enabled: shown, editable, and migrated by the command."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins as plugins
import pytest
from ckan.lib import search
from ckan.tests import factories, helpers
from click.testing import CliRunner

from ckanext.publicservices import migrate

pytestmark = pytest.mark.usefixtures("with_plugins")


def _legacy(name: str, extras: dict[str, str], private: bool = False) -> str:
    """A dataset as an old data.gov.uk-style portal stored it (no schema validation)."""
    pkg = model.Package(
        name=name, title=name.replace("-", " "), type="dataset", private=private, extras=extras
    )
    model.Session.add(pkg)
    model.repo.commit_and_remove()
    pkg_id = model.Package.by_name(name).id
    search.rebuild(pkg_id)
    return pkg_id


@pytest.fixture(scope="module")
def legacy(reset_db: Any) -> dict[str, Any]:
    reset_db()
    plugins.load_all()  # module fixtures run before the function-scoped with_plugins
    return {
        "bins": _legacy(
            "legacy-bins",
            {
                "la_service": "http://id.esd.org.uk/service/524 1130",
                "la_function": "38",
                "theme-primary": "Environment",
                "spatial-text": "Kent County Council; Atlantis",
            },
        ),
        "rates": _legacy(
            "legacy-rates", {"la_service": "54, 99999", "spatial-text": "North Lanarkshire"}
        ),
    }


def test_legacy_dataset_shows(app: Any, legacy: dict[str, Any]) -> None:
    pkg = helpers.call_action("package_show", id="legacy-bins")
    assert pkg["la_service"] == ["http://id.esd.org.uk/service/524", "1130"]  # as stored
    body = app.get("/dataset/legacy-bins").body
    assert "Household waste collection" in body
    assert 'href="http://id.esd.org.uk/service/524"' in body

    # and its edit form renders the stored codes
    user = factories.SysadminWithToken()
    body = app.get("/dataset/edit/legacy-bins", headers={"Authorization": user["token"]}).body
    assert 'value="524, 1130"' in body


def test_migrate_command_output(legacy: dict[str, Any]) -> None:
    from ckanext.publicservices.cli import publicservices

    result = CliRunner().invoke(publicservices, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    assert "could not map la_service: '99999'" in result.output


def test_migrate_dry_run_then_apply(legacy: dict[str, Any]) -> None:
    plans = {p.name: p for p in migrate.migrate(apply=False)}
    bins = plans["legacy-bins"]
    assert bins.changes["la_service"] == [
        "http://id.esd.org.uk/service/524",
        "http://id.esd.org.uk/service/1130",
    ]
    assert bins.changes["la_function"] == ["http://id.esd.org.uk/function/38"]
    assert bins.changes["theme"] == [
        "http://publications.europa.eu/resource/authority/data-theme/ENVI"
    ]
    assert bins.changes["area"] == ["E10000016"]
    assert bins.unmapped == {"spatial-text": ["Atlantis"]}
    assert plans["legacy-rates"].unmapped == {"la_service": ["99999"]}
    # dry run wrote nothing
    assert helpers.call_action("package_show", id="legacy-bins").get("area") in (None, "", [])

    # without the openness fields the schema refuses the update: reported, not forced
    plans = {p.name: p for p in migrate.migrate(apply=True)}
    assert "needs the publisher" in plans["legacy-bins"].result
    assert "data_spectrum" in plans["legacy-bins"].result

    plans = {p.name: p for p in migrate.migrate(apply=True, assume_public_is_open=True)}
    assert plans["legacy-bins"].result == "updated"
    pkg = helpers.call_action("package_show", id="legacy-bins")
    assert pkg["area"] == ["E10000016"]
    assert pkg["la_service"][1] == "http://id.esd.org.uk/service/1130"
    assert pkg["data_spectrum"] == "open"
    rates = helpers.call_action("package_show", id="legacy-rates")
    assert rates["la_service"] == ["http://id.esd.org.uk/service/54"]
    assert any("could not map la_service 99999" in n for n in rates["vocabulary_notes"])
