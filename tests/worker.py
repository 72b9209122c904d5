"""A real CKAN job worker for the tests: ``ckan jobs worker QUEUE --burst`` in a subprocess,
against the same PostgreSQL, Redis and storage as the test process.

Configuration marks (``ckan_config``) only change the test process; options the worker must see
go in ``overrides``, written to a throw-away ini that extends the suite's own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping

from ckan.plugins import toolkit as tk

LOGGING_SECTIONS = [
    "[loggers]",
    "keys = root",
    "[handlers]",
    "keys = console",
    "[formatters]",
    "keys = generic",
    "[logger_root]",
    "level = WARNING",
    "handlers = console",
    "[handler_console]",
    "class = StreamHandler",
    "args = (sys.stderr,)",
    "level = NOTSET",
    "formatter = generic",
    "[formatter_generic]",
    "format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s",
]


def run_worker(
    queue: str, overrides: Mapping[str, str] | None = None, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    ini = os.environ.get("CKAN_INI") or tk.config["__file__"]
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    with tempfile.TemporaryDirectory(prefix="worker-ini-") as tmp:
        if overrides:
            lines = ["[app:main]", f"use = config:{os.path.abspath(ini)}"]
            lines += [f"{key} = {value}" for key, value in overrides.items()]
            # CKAN 2.11 reads the logging sections of the file it is given (not of the one it
            # uses), and fails without them
            lines += LOGGING_SECTIONS
            path = os.path.join(tmp, "worker.ini")
            with open(path, "w") as fh:
                fh.write("\n".join(lines) + "\n")
            ini = path
        return subprocess.run(
            [ckan, "-c", ini, "jobs", "worker", queue, "--burst"],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "CKAN_INI": ini},
        )
