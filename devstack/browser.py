"""The browser tests' tools: Debian's Chromium and axe-core (from the npm registry).

``python -m devstack.browser`` installs what is missing and prints where everything is:

- ``/usr/bin/chromium`` (Debian packages ``chromium`` and ``chromium-driver``), installed with
  ``apt-get`` when absent. Playwright drives it through ``executable_path``; Playwright's own
  browser download is never used (it cannot work on a closed network).
- ``axe-core@4`` installed with ``npm`` into ``.devstack/browser/node_modules`` (git-ignored);
  axe is never committed to the repository.

Nothing here is imported by the plugins.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("PUBLICSERVICES_CHROMIUM", "/usr/bin/chromium"))
NODE_DIR = ROOT / ".devstack" / "browser"
AXE_SPEC = "axe-core@4"
AXE_JS = NODE_DIR / "node_modules" / "axe-core" / "axe.min.js"

# Flags Chromium needs on this kind of machine (closed network, root, no GPU, no screen).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--mute-audio",
]


class BrowserSetupError(RuntimeError):
    pass


def _run(cmd: list[str], what: str, cwd: Path | None = None) -> None:
    print("+", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BrowserSetupError(
            f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n"
            f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )


def ensure_chromium() -> Path:
    """Debian's Chromium at /usr/bin/chromium, installed with apt-get when it is missing."""
    if CHROMIUM.exists():
        return CHROMIUM
    apt = shutil.which("apt-get")
    if apt is None:
        raise BrowserSetupError(
            f"{CHROMIUM} is missing and there is no apt-get to install it: install Debian's "
            "`chromium` and `chromium-driver` packages (or set PUBLICSERVICES_CHROMIUM), "
            "or set PUBLICSERVICES_SKIP_BROWSER=1 to skip the browser tests explicitly."
        )
    sudo = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else [])
    env_prefix = ["env", "DEBIAN_FRONTEND=noninteractive"]
    _run([*sudo, *env_prefix, apt, "update", "-q"], "apt-get update")
    _run(
        [
            *sudo,
            *env_prefix,
            apt,
            "install",
            "-y",
            "-q",
            "--no-install-recommends",
            "chromium",
            "chromium-driver",
        ],
        "apt-get install chromium",
    )
    if not CHROMIUM.exists():
        raise BrowserSetupError(f"apt-get installed chromium but {CHROMIUM} is still missing")
    return CHROMIUM


def ensure_axe() -> Path:
    """axe-core's browser bundle, installed from the npm registry into a git-ignored folder."""
    if AXE_JS.exists():
        return AXE_JS
    npm = shutil.which("npm")
    if npm is None:
        raise BrowserSetupError(
            "npm is missing: it is needed once to install axe-core (the accessibility checker) "
            f"into {NODE_DIR}. Install Node.js and npm, or set PUBLICSERVICES_SKIP_BROWSER=1."
        )
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    package_json = NODE_DIR / "package.json"
    if not package_json.exists():
        package_json.write_text('{"name": "publicservices-browser-tools", "private": true}\n')
    _run(
        [npm, "install", "--no-audit", "--no-fund", "--no-save", "--loglevel=error", AXE_SPEC],
        "npm install axe-core",
        cwd=NODE_DIR,
    )
    if not AXE_JS.exists():
        raise BrowserSetupError(f"npm installed {AXE_SPEC} but {AXE_JS} is missing")
    return AXE_JS


def ensure_all() -> tuple[Path, Path]:
    return ensure_chromium(), ensure_axe()


def main() -> int:
    try:
        chromium, axe = ensure_all()
    except BrowserSetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    version = subprocess.run([str(chromium), "--version"], capture_output=True, text=True)
    print(f"chromium: {chromium} ({version.stdout.strip()})")
    print(f"axe-core: {axe}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
