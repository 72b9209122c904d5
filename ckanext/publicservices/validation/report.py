"""Turn a stored frictionless report into plain language: what is wrong, where, how to fix it."""

from __future__ import annotations

import collections
import re
from typing import Any

__all__: list[str] = []

_TYPE_WORDS = {
    "integer": (
        "a whole number",
        "Use digits only, e.g. 42 — no decimals, spaces, commas or units.",
    ),
    "number": (
        "a number",
        "Use digits with an optional decimal point, e.g. 1234.5 — no £ sign, commas or units.",
    ),
    "date": ("a date", "Write dates as YYYY-MM-DD, e.g. 2018-01-31."),
    "datetime": ("a date and time", "Write it as YYYY-MM-DDThh:mm:ss, e.g. 2018-01-31T09:30:00."),
    "time": ("a time", "Write it as hh:mm:ss, e.g. 09:30:00."),
    "year": ("a year", "Write a four-digit year, e.g. 2018."),
    "yearmonth": ("a year and month", "Write it as YYYY-MM, e.g. 2018-01."),
    "boolean": ("true or false", "Use true or false."),
    "geopoint": ("a point", "Write it as latitude,longitude, e.g. 51.5,-0.1."),
    "object": ("a JSON object", 'Write a JSON object, e.g. {"a": 1}.'),
    "array": ("a JSON list", "Write a JSON list, e.g. [1, 2]."),
}

_STRFTIME_WORDS = [
    ("%Y", "YYYY"),
    ("%y", "YY"),
    ("%m", "MM"),
    ("%d", "DD"),
    ("%H", "hh"),
    ("%M", "mm"),
    ("%S", "ss"),
    ("%b", "Mon"),
]


def _format_words(fmt: str) -> str:
    for directive, words in _STRFTIME_WORDS:
        fmt = fmt.replace(directive, words)
    return fmt


def _fields(schema: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {str(f.get("name")): f for f in (schema or {}).get("fields", []) if isinstance(f, dict)}


def _type_hint(field: dict[str, Any]) -> tuple[str, str]:
    ftype = field.get("type", "string")
    what, fix = _TYPE_WORDS.get(ftype, (ftype, "Correct the value."))
    fmt = field.get("format")
    if fmt and fmt not in ("default", "any") and "%" in str(fmt):
        example = _format_words(str(fmt))
        fix = f"Write it as {example}."
    if ftype == "number" and field.get("bareNumber") is False:
        fix = "Use a number; a £ sign and thousands commas are accepted, e.g. £1,234.50."
    return what, fix


def _constraint(note: str) -> tuple[str, str]:
    match = re.search(r'constraint "(\w+)" is "(.*)"', note or "")
    return (match.group(1), match.group(2)) if match else ("", "")


def explain(error: dict[str, Any], schema: dict[str, Any] | None) -> dict[str, Any]:
    """One error as ``{row, column, value, what, fix, type}`` in plain language."""
    etype = error.get("type", "")
    column = error.get("fieldName") or error.get("label") or ""
    position = error.get("fieldNumber")
    row = error.get("rowNumber")
    value = error.get("cell")
    field = _fields(schema).get(column, {})
    note = error.get("note") or ""
    what = error.get("message") or error.get("description") or etype
    fix = "Correct the file and upload it again."
    shown = "" if value in (None, "None") else str(value)
    if etype == "type-error":
        kind, fix = _type_hint(field) if field else ("the expected type", fix)
        what = f"“{shown}” is not {kind}."
    elif etype == "constraint-error":
        name, limit = _constraint(note)
        if name == "required":
            what, fix = "This cell is empty but the column must have a value.", "Fill in the value."
        elif name == "enum":
            allowed = (
                ", ".join(str(v) for v in (field.get("constraints") or {}).get("enum", [])) or limit
            )
            what = f"“{shown}” is not one of the allowed values."
            fix = f"Use one of: {allowed} (exactly as written, including capitals)."
        elif name == "pattern":
            what = f"“{shown}” is not in the expected form."
            fix = (field.get("description") or "Follow the pattern") + f" (pattern: {limit})."
        elif name in ("minimum", "exclusiveMinimum"):
            what, fix = f"{shown} is too small.", f"The smallest allowed value is {limit}."
        elif name in ("maximum", "exclusiveMaximum"):
            what, fix = f"{shown} is too large.", f"The largest allowed value is {limit}."
        elif name == "minLength":
            what, fix = f"“{shown}” is too short.", f"Use at least {limit} characters."
        elif name == "maxLength":
            what, fix = f"“{shown}” is too long.", f"Use at most {limit} characters."
        elif name == "unique":
            what, fix = (
                f"“{shown}” appears more than once.",
                "Each value in this column must be different.",
            )
        else:
            what = f"“{shown}” breaks the rule {name or note}."
    elif etype == "missing-cell":
        what = "This row has fewer cells than the header: this column is missing."
        fix = (
            "Add the missing values (or empty cells separated by commas) so every row has "
            "as many cells as the header."
        )
    elif etype == "extra-cell":
        what = f"This row has more cells than the header (extra value “{shown}”)."
        fix = "Remove the extra value, or put a text containing commas in double quotes."
    elif etype == "blank-row":
        what, fix = "This row is completely empty.", "Delete the empty row."
    elif etype in ("unique-error", "primary-key"):
        value = shown or ", ".join(map(str, error.get("cells") or []))
        what = f"“{value}” repeats a value that must be unique."
        fix = "Make each value in this column different, or remove the duplicate row."
    elif etype == "duplicate-row":
        what, fix = "This row is an exact copy of an earlier row.", "Remove the duplicate row."
    elif etype == "incorrect-label":
        expected = error.get("fieldName") or ""
        label = error.get("label", "")
        what = f"Column {position} is headed “{label}” but the schema expects “{expected}”."
        fix = "Rename the column heading, or put the columns in the order the schema lists them."
        column = expected
    elif etype == "missing-label":
        what = f"The column “{column}” required by the schema is missing from the header."
        fix = "Add the column (with this exact heading) in the position the schema gives."
    elif etype == "extra-label":
        what = f"Column {position} (“{error.get('label', '')}”) is not in the schema."
        fix = "Remove the column or add it to the resource's own schema."
    elif etype == "duplicate-label":
        what, fix = (
            f"The heading “{error.get('label', '')}” is used for more than one column.",
            "Give every column a different heading.",
        )
    elif etype == "blank-label":
        what, fix = (
            f"Column {position} has no heading.",
            "Give the column a heading (or delete it if it is empty).",
        )
    return {
        "row": row,
        "column": column,
        "position": position,
        "value": shown,
        "what": what,
        "fix": fix,
        "type": etype,
    }


def explain_all(report: dict[str, Any] | None, schema: dict[str, Any] | None) -> dict[str, Any]:
    """Errors explained and grouped: ``by_row`` (row -> items), ``by_column``, ``header``."""
    errors = (report or {}).get("errors") or []
    items = [explain(e, schema) for e in errors]
    header = [i for i in items if i["row"] is None]
    rows: dict[int, list[dict[str, Any]]] = collections.OrderedDict()
    for item in sorted(
        (i for i in items if i["row"] is not None), key=lambda i: (i["row"], i["position"] or 0)
    ):
        rows.setdefault(item["row"], []).append(item)
    by_column = collections.Counter(i["column"] or "(whole row)" for i in items)
    return {"items": items, "header": header, "by_row": rows, "by_column": by_column.most_common()}
