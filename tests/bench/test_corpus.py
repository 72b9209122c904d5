"""The benchmark corpus generator: deterministic, complete, and loadable through the CLI."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import pytest

from bench import seed as benchseed


def test_datasets_depend_only_on_seed_and_index() -> None:
    assert benchseed.dataset_dict(7) == benchseed.dataset_dict(7)
    assert benchseed.dataset_dict(7) != benchseed.dataset_dict(8)
    assert benchseed.dataset_dict(7, seed=1) != benchseed.dataset_dict(7, seed=2)


def test_datasets_fill_the_contract() -> None:
    data = benchseed.dataset_dict(3)
    assert len(data["resources"]) == benchseed.RESOURCES_PER_DATASET
    assert all(isinstance(r["size"], int) and r["size"] > 0 for r in data["resources"])
    assert len(data["tag_string"].split(",")) == benchseed.TAGS_PER_DATASET
    for repeating in ("user_needs", "service_outcomes", "contact", "temporal_coverage"):
        assert data[repeating] and all(all(v for v in item.values()) for item in data[repeating])
    # 1 in 10 private, and then held back the way the sensitivity rules ask
    private = benchseed.dataset_dict(10)
    assert private["private"] and private["data_spectrum"] != "open"
    assert private["open_by_default_exception"]
    orgs = {benchseed.dataset_dict(i)["owner_org"] for i in range(1, 21)}
    assert len(orgs) == benchseed.ORG_COUNT


def test_baselines_keep_the_same_information_as_extras() -> None:
    stock = benchseed.fitted_dataset(5, fields=None, extras=True)
    extras = {e["key"]: e["value"] for e in stock["extras"]}
    assert "user_needs" in extras and "la_service" in extras
    assert "user_needs" not in stock
    assert stock["resources"][0]["size"] == benchseed.dataset_dict(5)["resources"][0]["size"]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_bench_seed_creates_then_extends_the_corpus(cli: Any) -> None:
    result = cli.invoke(benchseed.command, ["--datasets", "2"])
    assert result.exit_code == 0, result.output
    assert "created 2 datasets (0 existed)" in result.output
    result = cli.invoke(benchseed.command, ["--datasets", "3", "--fast"])
    assert result.exit_code == 0, result.output
    assert "created 1 datasets (2 existed)" in result.output
    names = {n for (n,) in model.Session.query(model.Package.name)}
    assert names == {"bench-00001", "bench-00002", "bench-00003"}
    assert model.Session.query(model.Group).filter(model.Group.is_organization).count() == 10
    from ckan.tests.helpers import call_action

    found = call_action("package_search", {"user": ""}, q="name:bench-00003")
    assert found["count"] == 1  # --fast indexes in one batch at the end
    shown = call_action("package_show", {"user": ""}, id="bench-00001")
    assert shown["user_needs"][0]["as_a"] and shown["resources"][0]["size"]


def test_bench_seed_refuses_a_bad_shard(cli: Any) -> None:
    result = cli.invoke(benchseed.command, ["--shard", "2/2"])
    assert result.exit_code != 0
    assert "--shard" in result.output


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_one_organisation_is_loaded_beside_the_corpus_and_purged_again(cli: Any) -> None:
    from ckan.tests.helpers import call_action

    assert cli.invoke(benchseed.command, ["--datasets", "1"]).exit_code == 0
    args = ["--datasets", "3", "--fast", "--one-organisation"]
    result = cli.invoke(benchseed.command, args)
    assert result.exit_code == 0, result.output
    assert "created 3 datasets (0 existed)" in result.output
    found = call_action(
        "package_search", {"ignore_auth": True}, fq=f"organization:{benchseed.ONE_ORG}"
    )
    assert found["count"] == 3
    assert {r["name"] for r in found["results"]} == {
        "benchorg-00001",
        "benchorg-00002",
        "benchorg-00003",
    }
    # same content as the corpus's datasets, in one organisation
    assert found["results"][0]["notes"] in {benchseed.dataset_dict(i)["notes"] for i in (1, 2, 3)}
    result = cli.invoke(benchseed.command, ["--remove-one-organisation"])
    assert result.exit_code == 0, result.output
    assert f"purged 3 datasets of {benchseed.ONE_ORG}" in result.output
    assert {n for (n,) in model.Session.query(model.Package.name)} == {"bench-00001"}
    assert model.Group.get(benchseed.ONE_ORG) is None
    assert call_action("package_search", {"ignore_auth": True}, q="")["count"] == 1
