"""The suite's plugins refuse to start on a CKAN the suite does not support, and say why."""

from __future__ import annotations

import os
import subprocess
import sys

import ckan
import pytest

from ckanext.publicservices.plugin import PublicservicesPlugin, PublicservicesValidationPlugin
from ckanext.publicservices.supported import UnsupportedCkanVersion, check_ckan_version


@pytest.mark.parametrize("version", ["2.11.0", "2.11.6", "2.12.0", "2.12.3b0"])
def test_supported_versions_pass(version):
    check_ckan_version(version)


@pytest.mark.parametrize("version", ["2.10.4", "2.9.11", "2.13.0", "2.13.0a0", "3.0.0", ""])
def test_unsupported_versions_are_refused_with_a_clear_message(version):
    with pytest.raises(UnsupportedCkanVersion) as raised:
        check_ckan_version(version)
    message = str(raised.value)
    assert "supports CKAN 2.11 and 2.12" in message
    assert f"this portal runs CKAN {version}." in message


def test_the_running_ckan_is_supported():
    check_ckan_version()


@pytest.mark.parametrize("plugin", [PublicservicesPlugin, PublicservicesValidationPlugin])
def test_each_plugin_checks_at_start_up(plugin, monkeypatch):
    monkeypatch.setattr(ckan, "__version__", "2.10.4")
    with pytest.raises(UnsupportedCkanVersion, match="runs CKAN 2.10.4"):
        plugin().update_config({})


@pytest.mark.e2e
def test_a_ckan_command_on_an_unsupported_ckan_stops_with_the_message(tmp_path):
    # the `ckan` console script, on a CKAN that reports itself as 2.10.4
    script = (
        "import sys, ckan; ckan.__version__ = '2.10.4'; from ckan.cli.cli import ckan as main; "
        "sys.argv[0] = 'ckan'; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "-c", os.environ["CKAN_INI"], "jobs", "list"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=180,
    )
    assert done.returncode != 0
    assert "supports CKAN 2.11 and 2.12; this portal runs CKAN 2.10.4" in done.stderr
