"""``ckan publicservices …`` commands."""

from __future__ import annotations

import click


@click.group(short_help="ckanext-publicservices commands")
def publicservices() -> None:
    """Commands of ckanext-publicservices."""


__all__ = ["publicservices"]
