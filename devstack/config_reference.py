"""Regenerate README.md's configuration reference from config_declaration.yaml.

`make config-reference` runs it; tests/foundation checks that the README lists every option.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DECLARATION = ROOT / "ckanext" / "publicservices" / "config_declaration.yaml"
README = ROOT / "README.md"
HEADING = "## Configuration reference"
TABLE_HEAD = "| option | default | meaning |\n|---|---|---|\n"


def options() -> list[dict]:
    declaration = yaml.safe_load(DECLARATION.read_text())
    return [option for group in declaration["groups"] for option in group["options"]]


def table() -> str:
    rows = []
    for option in options():
        default = option.get("default", "")
        default = f"`{default}`" if default not in ("", None) else "(none)"
        meaning = " ".join(str(option.get("description", "")).split()).replace("|", "\\|")
        rows.append(f"| `{option['key']}` | {default} | {meaning} |\n")
    return TABLE_HEAD + "".join(rows)


def main() -> None:
    text = README.read_text()
    head, rest = text.split(HEADING, 1)
    section, tail = rest.split("\n## ", 1)
    intro = section.split(TABLE_HEAD, 1)[0]
    README.write_text(f"{head}{HEADING}{intro}{table()}\n## {tail}")


if __name__ == "__main__":
    main()
