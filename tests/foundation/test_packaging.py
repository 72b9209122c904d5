"""The suite loads into a stock CKAN 2.12 as a portal administrator configures it."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import ckan.plugins as p


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
    plugin_source = Path(__file__).resolve().parents[2] / "ckanext" / "publicservices"
    used = set()
    for path in plugin_source.rglob("*.py"):
        text = path.read_text()
        start = 0
        while (i := text.find('"ckanext.publicservices.', start)) != -1:
            end = text.find('"', i + 1)
            used.add(text[i + 1 : end])
            start = end + 1
    undeclared = {key for key in used if key not in declared and not key.endswith(".")}
    assert not undeclared, f"config options used but not declared: {sorted(undeclared)}"


def test_readme_configuration_reference_lists_every_option():
    import yaml

    root = Path(__file__).resolve().parents[2]
    declaration = yaml.safe_load(
        (root / "ckanext" / "publicservices" / "config_declaration.yaml").read_text()
    )
    keys = [option["key"] for group in declaration["groups"] for option in group["options"]]
    readme = (root / "README.md").read_text()
    reference = readme.split("## Configuration reference", 1)[1].split("\n## ", 1)[0]
    missing = [key for key in keys if f"`{key}`" not in reference]
    assert not missing, f"README's configuration reference misses: {missing}"
