"""The CKAN versions the suite supports, checked when a plugin of the suite loads.

The suite does not require CKAN in its package metadata (pip would replace a portal's CKAN), so
nothing stops it being installed beside a CKAN it was never tested with: the plugins refuse to
start there, with a message that says what to do, rather than fail later on a missing API.
"""

from __future__ import annotations

import re

import ckan
import ckan.plugins.toolkit as tk

import ckanext.publicservices

SUPPORTED = ((2, 11), (2, 12))


class UnsupportedCkanVersion(tk.CkanVersionException):
    pass


def check_ckan_version(version: str | None = None) -> None:
    """Raise :class:`UnsupportedCkanVersion` unless ``version`` (default: the running CKAN's)
    is a release or pre-release of a supported minor version."""
    version = version if version is not None else ckan.__version__
    match = re.match(r"^(\d+)\.(\d+)", version or "")
    if match and (int(match.group(1)), int(match.group(2))) in SUPPORTED:
        return
    supported = " and ".join(f"{major}.{minor}" for major, minor in SUPPORTED)
    raise UnsupportedCkanVersion(
        f"ckanext-publicservices {ckanext.publicservices.__version__} supports CKAN {supported}; "
        f"this portal runs CKAN {version}. Remove the suite's plugins from ckan.plugins, or "
        "install a CKAN or a release of the suite that supports it (see the suite's README, "
        "'Installing into an existing portal')."
    )
