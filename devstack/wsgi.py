"""WSGI entry point for a production server (gunicorn): the config file comes from CKAN_INI."""

import logging
import os
from collections.abc import Callable
from typing import TypeVar

from ckan.cli import load_config
from ckan.config.middleware import make_app

T = TypeVar("T")


def _keep_existing_loggers(load: Callable[[], T]) -> T:
    """Run ``load`` and re-enable the loggers that existed before it.

    CKAN's ``load_config`` applies the ini's logging with ``logging.config.fileConfig``, which
    disables every existing logger the ini does not name. Under gunicorn that silences
    ``gunicorn.error``, so the traceback of an exception raised outside Flask's error handler
    (in middleware, or while the server streams a body) and gunicorn's access log never
    reached the web log.
    """
    before = [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.disabled
    ]
    try:
        return load()
    finally:
        for logger in before:
            logger.disabled = False


application = _keep_existing_loggers(lambda: make_app(load_config(os.environ["CKAN_INI"])))
