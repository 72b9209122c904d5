"""The translations the plugin declares are shipped, and the template lists today's strings."""

from __future__ import annotations

import subprocess
import sys

import ckan.plugins as p
import pytest
from babel.messages.pofile import read_po

from devstack.portal import ROOT

POT = ROOT / "ckanext" / "publicservices" / "i18n" / "ckanext-publicservices.pot"


def _msgids(path) -> set[str]:
    with open(path, "rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


@pytest.mark.usefixtures("with_plugins")
def test_the_declared_i18n_directory_holds_the_template():
    plugin = p.get_plugin("publicservices")
    directory = plugin.i18n_directory()
    assert directory == str(POT.parent)
    assert (POT.parent / f"{plugin.i18n_domain()}.pot").is_file()


def test_the_template_has_every_string_the_sources_mark(tmp_path):
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg"]
        + ["-k", "_", "-k", "N_", "-k", "gettext", "-k", "ngettext:1,2", "-o", str(fresh), "."],
        cwd=ROOT,
        check=True,
    )
    extracted = _msgids(fresh)
    # each kind of source is covered: a schema label, a template, Python
    assert {
        "Update frequency",
        "your profile",
        "Expecting a list of partners, each with name, role and url",
    } <= extracted
    missing = sorted(extracted - _msgids(POT))
    assert not missing, f"run `make i18n`: the .pot misses {missing[:10]} ({len(missing)})"
