"""The DCAT tests' independent RDF parsers: Debian's ``rapper`` and ``serdi``.

``python -m devstack.rdftools`` installs what is missing and prints where everything is:

- ``rapper`` (Raptor, Debian package ``raptor2-utils``): Turtle and RDF/XML;
- ``serdi`` (Serd, Debian package ``serdi``): strict Turtle and N-Triples.

They read every document the project's RDF writers produce in tests/dcat (tests/dcat/oracles.py),
so that the writers are checked against parsers written by others, outside Python. Installed
with ``apt-get`` when absent, like the browser tests' Chromium (devstack/browser.py).
Nothing here is imported by the plugins.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

# program → Debian package
TOOLS = {"rapper": "raptor2-utils", "serdi": "serdi"}


class RDFToolsError(RuntimeError):
    pass


def _run(cmd: list[str], what: str) -> None:
    print("+", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RDFToolsError(
            f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n"
            f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )


def missing() -> list[str]:
    return [program for program in TOOLS if shutil.which(program) is None]


def ensure() -> dict[str, str]:
    """Paths of rapper and serdi, installed with apt-get when missing."""
    absent = missing()
    if absent:
        packages = [TOOLS[p] for p in absent]
        apt = shutil.which("apt-get")
        if apt is None:
            raise RDFToolsError(
                f"{', '.join(absent)} missing and there is no apt-get to install them: install "
                f"the Debian packages {', '.join(packages)} (the DCAT tests need them)"
            )
        sudo = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else [])
        env_prefix = ["env", "DEBIAN_FRONTEND=noninteractive"]
        _run([*sudo, *env_prefix, apt, "update", "-q"], "apt-get update")
        _run(
            [*sudo, *env_prefix, apt, "install", "-y", "-q", "--no-install-recommends", *packages],
            f"apt-get install {' '.join(packages)}",
        )
        still = missing()
        if still:
            raise RDFToolsError(f"apt-get installed {packages} but {still} still missing")
    return {program: str(shutil.which(program)) for program in TOOLS}


def main() -> int:
    try:
        found = ensure()
    except RDFToolsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for program, path in found.items():
        version = subprocess.run([path, "-v"], capture_output=True, text=True)
        first = (version.stdout or version.stderr).strip().splitlines()[:1]
        print(f"{program}: {path} ({first[0] if first else '?'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
