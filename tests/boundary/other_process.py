"""A second CKAN process for the tests: the same configuration (database, Redis, search) as the
test process, its own memory. It reads one URL per line on stdin, answers each with one JSON line
``{"status": …, "body": …}`` from its own app, and stops at end of input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from ckan.plugins import toolkit as tk


def main(ini: str) -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    client = make_app(load_config(ini))._wsgi_app.test_client()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        res = client.get(line.strip())
        answer = {"status": res.status_code, "body": res.get_data(as_text=True)}
        print(json.dumps(answer), flush=True)


class OtherProcess:
    def __init__(self) -> None:
        ini = os.environ.get("CKAN_INI") or tk.config["__file__"]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.boundary.other_process", ini],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self._answer() == {"ready": True}

    def _answer(self) -> Any:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, "the other CKAN process stopped"
        return json.loads(line)

    def get(self, url: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(url + "\n")
        self.proc.stdin.flush()
        return self._answer()

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


if __name__ == "__main__":
    main(sys.argv[1])
