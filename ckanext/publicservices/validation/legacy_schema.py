"""Convert the older JSON Table Schema dialect (data.gov.uk, 2015) to the current Table Schema spec.

Used once to produce ``schemas/standards/lgtc-*.json`` etc. from the data.gov.uk originals; kept
(with tests) so the conversion can be re-run and reviewed.
"""

from __future__ import annotations

import copy
import re
from typing import Any

__all__: list[str] = []

# xsd datatypes used as a *constraint* in the old organogram schemas -> Table Schema field types
_XSD_TYPES = {
    "http://www.w3.org/2001/XMLSchema#int": "integer",
    "http://www.w3.org/2001/XMLSchema#integer": "integer",
    "http://www.w3.org/2001/XMLSchema#float": "number",
    "http://www.w3.org/2001/XMLSchema#double": "number",
    "http://www.w3.org/2001/XMLSchema#decimal": "number",
}
_KEPT_CONSTRAINTS = {
    "required",
    "unique",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
}
_FMT_TOKENS = [
    ("YYYY", "%Y"),
    ("YY", "%y"),
    ("MM", "%m"),
    ("DD", "%d"),
    ("hh", "%H"),
    ("mm", "%M"),
    ("ss", "%S"),
]


def fmt_to_strftime(pattern: str) -> str:
    """``fmt:DD/MM/YYYY`` (old dialect) -> ``%d/%m/%Y`` (current spec)."""
    out = pattern[4:] if pattern.startswith("fmt:") else pattern
    for token, directive in _FMT_TOKENS:
        out = re.sub(token, directive, out)
    return out


def convert_field(field: dict[str, Any]) -> dict[str, Any]:
    old = copy.deepcopy(field)
    new: dict[str, Any] = {"name": old["name"]}
    constraints = dict(old.get("constraints") or {})
    description = old.get("description") or ""
    extra_description = constraints.pop("description", None)
    if extra_description:
        description = f"{description} {extra_description}".strip()
    ftype = old.get("type") or _XSD_TYPES.get(constraints.get("type", ""), "string")
    constraints.pop("type", None)
    if description:
        new["description"] = description
    new["type"] = ftype
    fmt = old.get("format")
    if fmt and fmt.startswith("fmt:"):
        new["format"] = fmt_to_strftime(fmt)
    elif fmt == "currency" and ftype == "number":
        # the old dialect's "currency" meant "may carry a currency sign and thousands separators"
        new["bareNumber"] = False
        new["groupChar"] = ","
    elif fmt and fmt != "default":
        new["format"] = fmt
    kept = {k: v for k, v in constraints.items() if k in _KEPT_CONSTRAINTS}
    if kept.get("required") is False:
        del kept["required"]  # false is the default
    if kept:
        new["constraints"] = kept
    return new


def convert(descriptor: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    """A current-spec Table Schema; ``metadata`` (name, title, licenses, sources…) is added."""
    out: dict[str, Any] = {}
    for key in ("name", "title", "description"):
        if key in metadata:
            out[key] = metadata.pop(key)
        elif descriptor.get(key):
            out[key] = descriptor[key]
    out.update(metadata)
    out["fields"] = [convert_field(f) for f in descriptor["fields"]]
    for key in ("primaryKey", "foreignKeys", "missingValues"):
        if key in descriptor:
            out[key] = copy.deepcopy(descriptor[key])
    return out
