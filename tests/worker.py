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


def run_worker(
    queue: str, overrides: Mapping[str, str] | None = None, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    ini = os.environ.get("CKAN_INI") or tk.config["__file__"]
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    with tempfile.TemporaryDirectory(prefix="worker-ini-") as tmp:
        if overrides:
            lines = ["[app:main]", f"use = config:{os.path.abspath(ini)}"]
            lines += [f"{key} = {value}" for key, value in overrides.items()]
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
