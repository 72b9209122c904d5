"""The suite loads into a stock CKAN 2.12 as a portal administrator configures it."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from pathlib import Path

import ckan.plugins as p
import pytest

pytestmark = pytest.mark.usefixtures("with_plugins")


def test_plugins_are_registered_as_entry_points():
    names = {ep.name for ep in importlib.metadata.entry_points(group="ckan.plugins")}
    assert {"publicservices", "publicservices_validation"} <= names
    profiles = {ep.name for ep in importlib.metadata.entry_points(group="ckan.rdf.profiles")}
    assert "publicservices" in profiles


def test_suite_loads_alongside_scheming_and_dcat():
    for name in (
        "publicservices",
        "publicservices_validation",
        "scheming_datasets",
        "scheming_organizations",
        "dcat",
    ):
        assert p.plugin_loaded(name), name


def test_schemas_resolve_as_package_resources():
    import ckanext.publicservices.schemas as schemas

    folder = Path(schemas.__file__).parent
    for name in (
        "dataset.yaml",
        "design_pattern.yaml",
        "learning_resource.yaml",
        "consortium.yaml",
        "presets.yaml",
    ):
        assert (folder / name).is_file(), name


def test_scheming_serves_the_suites_dataset_types():
    from ckanext.scheming.helpers import scheming_dataset_schemas

    assert {"dataset", "design-pattern", "learning-resource"} <= set(scheming_dataset_schemas())


def test_every_suite_option_is_declared():
    from ckan.common import config_declaration

    declared = {str(key) for key in config_declaration.iter_options()}
    package = Path(__file__).resolve().parents[2] / "ckanext" / "publicservices"
    used = set()
    for path in package.rglob("*.py"):
        used |= set(
            re.findall(r"[\"'](ckanext\.publicservices\.[a-z0-9_.]+)[\"']", path.read_text())
        )
    # prefixes and dotted module names (e.g. "ckanext.publicservices.schemas") are not options
    options = {key for key in used if not key.endswith(".") and not _is_module(key)}
    undeclared = sorted(options - declared)
    assert not undeclared, f"config options used but not declared: {undeclared}"


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def test_readme_configuration_reference_lists_every_option():
    from devstack import config_reference

    readme = config_reference.README.read_text()
    reference = readme.split(config_reference.HEADING, 1)[1].split("\n## ", 1)[0]
    missing = [o["key"] for o in config_reference.options() if f"`{o['key']}`" not in reference]
    assert not missing, f"run `make config-reference`; README misses: {missing}"
