"""WSGI entry point for a production server (gunicorn): the config file comes from CKAN_INI."""

import os

from ckan.cli import load_config
from ckan.config.middleware import make_app

application = make_app(load_config(os.environ["CKAN_INI"]))
