"""ckanext-publicservices: CKAN plugins for open data in public-service redesign."""

# The one place the version is kept: setup.py reads it, CHANGELOG.md records it.
__version__ = "0.2.0"
