"""The one input boundary: what any value a client sends must be before anything else sees it.

Every schema and action of the suite goes through here (the chained ``package_*``,
``resource_*`` and ``organization_*`` actions walk the whole data dict once with :func:`check`;
the suite's own actions read their ids and numbers with :func:`text_arg` and :func:`whole_number`;
the schema validators use :func:`text_problem`, :func:`check_year` and :func:`json_loads`).

- text: Unicode scalar values only — no lone surrogates, no NUL, no C0/C1 control characters
  other than tab, LF and CR, no non-characters (U+FFFE, U+FFFF, U+FDD0–U+FDEF and their kind in
  every plane): they break PostgreSQL, JSON encoders and XML for every later reader;
- numbers: finite and within ±2**53 (exact in JSON, in PostgreSQL and in every client);
- nesting depth and list lengths bounded, so no walker or encoder recurses or loops without end;
- dates: years 1000–2999 unless a field says otherwise;
- ids, limits and pages: of the declared type and range before any query or auth check.

Each refusal is a ``ValidationError`` keyed by the field, in plain words; nothing is stored.
The module depends on CKAN's toolkit only, so any schema (dataset, consortium) can build on it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import StopOnError

MAX_DEPTH = 12  # a dataset dict with resources and a Table Schema in one needs about 8
MAX_LIST = 2_000
MAX_KEYS = 500
MAX_TEXT = 2_000_000  # characters; the schema validators set each field's real limit
MAX_INT = 2**53
MAX_KEY = 100  # field names (CKAN's extras keys are at most 100 characters too)
YEAR_MIN, YEAR_MAX = 1000, 2999

_NONCHARACTERS = "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + re.escape(_NONCHARACTERS)
    + "]"
)

_ = tk._


def _describe(char: str) -> str:
    code = ord(char)
    name = f"U+{code:04X}"
    if code == 0:
        return _("{name} (NUL)").format(name=name)
    if 0xD800 <= code <= 0xDFFF:
        return _("{name} (half of a surrogate pair, not a character)").format(name=name)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return _("{name} (a control character)").format(name=name)
    return _("{name} (a non-character)").format(name=name)


def text_problem(text: str) -> str | None:
    """What is wrong with ``text`` (plain words), or None."""
    if len(text) > MAX_TEXT:
        return _("{n} characters is too long.").format(n=len(text))
    found = _FORBIDDEN.search(text)
    if found:
        return _(
            "contains the character {char} at position {pos}, which is not allowed in text. "
            "Remove it (tab, line breaks and any printable character are fine)."
        ).format(char=_describe(found.group()), pos=found.start() + 1)
    return None


def number_problem(value: int | float, low: float = -MAX_INT, high: float = MAX_INT) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return _("{value} is not a number; give a finite number.").format(value=value)
    if not low <= value <= high:
        return _("{value:.6g} is out of range; give a number from {low:g} to {high:g}.").format(
            value=float(value), low=low, high=high
        )
    return None


def value_problem(value: Any, depth: int = 0) -> tuple[str, str] | None:
    """The first problem anywhere in ``value``: (where, what), or None.

    Recursion stops at ``MAX_DEPTH``, so the walk itself cannot run out of stack.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        problem = text_problem(value)
        return ("", problem) if problem else None
    if isinstance(value, int | float):
        problem = number_problem(value)
        return ("", problem) if problem else None
    if isinstance(value, list | tuple):
        if depth >= MAX_DEPTH:
            return "", _("nested too deeply (more than {n} levels).").format(n=MAX_DEPTH)
        if len(value) > MAX_LIST:
            return "", _("{n} entries is too many; give at most {m}.").format(
                n=len(value), m=MAX_LIST
            )
        for i, item in enumerate(value):
            found = value_problem(item, depth + 1)
            if found:
                return _join(_("entry {n}").format(n=i + 1), found[0]), found[1]
        return None
    if isinstance(value, Mapping):
        if depth >= MAX_DEPTH:
            return "", _("nested too deeply (more than {n} levels).").format(n=MAX_DEPTH)
        if len(value) > MAX_KEYS:
            return "", _("{n} keys is too many; give at most {m}.").format(n=len(value), m=MAX_KEYS)
        for key, item in value.items():
            if not isinstance(key, str) or not key or len(key) > 2 * MAX_KEY:
                return "", _("keys must be text of 1 to {n} characters.").format(n=2 * MAX_KEY)
            problem = text_problem(key)
            if problem:
                return "", _("a key {problem}").format(problem=problem)
            found = value_problem(item, depth + 1)
            if found:
                return _join(key, found[0]), found[1]
        return None
    # anything else (a FileStorage of the form's upload field, …) is for the field's validator
    return None


def _join(head: str, tail: str) -> str:
    return f"{head}, {tail}" if tail else head


def _error_key(key: str, message: str) -> dict[str, list[Any]]:
    if key == "tags":  # CKAN's error summary expects tag errors as [{"name": [...]}]
        return {key: [{"name": [message]}]}
    return {key: [message]}


def check(data_dict: Any, labels: Mapping[str, str] | None = None, what: str = "request") -> None:
    """Walk the whole data dict once; raise a ValidationError naming the first bad field."""
    if not isinstance(data_dict, Mapping):
        raise tk.ValidationError(
            {"__all__": [_("The {what} must be a JSON object.").format(what=what)]}
        )
    labels = labels or {}
    errors: dict[str, list[Any]] = {}
    if len(data_dict) > MAX_KEYS:
        raise tk.ValidationError({"__all__": [_("Too many fields.")]})
    for key, value in data_dict.items():
        if not isinstance(key, str) or not key or len(key) > MAX_KEY or text_problem(key):
            raise tk.ValidationError(
                {
                    "__all__": [
                        _("A field name must be text of 1 to {n} characters.").format(n=MAX_KEY)
                    ]
                }
            )
        if key.startswith("__"):  # navl's own keys (__junk, __extras, __before, …)
            raise tk.ValidationError({key: [_("{key}: not a field.").format(key=key)]})
        found = value_problem(value, 1)
        if found:
            where, problem = found
            label = labels.get(key) or key
            subject = f"{label} ({where})" if where else label
            errors.update(_error_key(key, f"{subject}: {problem}"))
    if errors:
        raise tk.ValidationError(errors)


# ------------------------------------------------------------------------------------------
# arguments of actions: ids, names, limits, pages


def text_arg(
    data_dict: Mapping[str, Any],
    key: str,
    label: str | None = None,
    required: bool = False,
    max_length: int = 200,
) -> str | None:
    """An id, name or code argument: text of at most ``max_length`` characters, or None."""
    value = data_dict.get(key)
    label = label or key
    if value is None or value == "":
        if required:
            raise tk.ValidationError({key: [_("{label}: missing value.").format(label=label)]})
        return None
    if not isinstance(value, str):
        raise tk.ValidationError(
            {key: [_("{label}: expected text, got {kind}.").format(label=label, kind=_kind(value))]}
        )
    problem = text_problem(value) or (
        _("{n} characters is too long.").format(n=len(value)) if len(value) > max_length else None
    )
    if problem:
        raise tk.ValidationError({key: [f"{label}: {problem}"]})
    return value


def check_id_list(
    data_dict: Mapping[str, Any], key: str, label: str | None = None, required: bool = False
) -> list[str]:
    """A list of ids (each text of at most 200 characters), or an empty list."""
    value = data_dict.get(key)
    if not required and (value is None or value == "" or value == []):
        return []
    if (
        not isinstance(value, list)
        or not value
        or len(value) > MAX_LIST
        or not all(isinstance(v, str) and len(v) <= 200 and not text_problem(v) for v in value)
    ):
        raise tk.ValidationError(
            {key: [_("{label}: expected a list of ids.").format(label=label or key)]}
        )
    return value


def check_text_args(data_dict: Mapping[str, Any], keys: Iterable[str]) -> None:
    for key in keys:
        text_arg(data_dict, key)


def whole_number(
    data_dict: Mapping[str, Any],
    key: str,
    default: int,
    minimum: int,
    maximum: int,
    clamp: bool = False,
) -> int:
    """A whole number argument (a number or its digits as text) from ``minimum`` to ``maximum``.

    With ``clamp`` a larger (but exact, at most 2**53) number means ``maximum``, as a page size
    does; anything else out of range is refused.
    """
    value = data_dict.get(key)
    if value is None or value == "":
        return default
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value) if abs(value) <= MAX_INT else None
    elif isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,15}\s*", value):
        number = int(value)
    if clamp and number is not None and maximum < number <= MAX_INT:
        number = maximum
    if number is None or not minimum <= number <= maximum:
        raise tk.ValidationError(
            {
                key: [
                    _("{key}: give a whole number from {low} to {high}.").format(
                        key=key, low=minimum, high=maximum
                    )
                ]
            }
        )
    return number


def flag(data_dict: Mapping[str, Any], key: str, default: bool = False) -> bool:
    """A true/false argument (JSON boolean, 0/1, or CKAN's words for them)."""
    value = data_dict.get(key, default)
    if value is None or value == "":
        return default
    if isinstance(value, bool | int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("true", "yes", "on", "y", "t", "1"):
            return True
        if word in ("false", "no", "off", "n", "f", "0"):
            return False
    raise tk.ValidationError({key: [_("{key}: give true or false.").format(key=key)]})


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


# ------------------------------------------------------------------------------------------
# dates and JSON text, for the schema validators


def check_year(value: dt.date | dt.datetime, label: str) -> None:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise tk.Invalid(
            _("{label}: the year {year} is out of range; give a year from {low} to {high}.").format(
                label=label, year=value.year, low=YEAR_MIN, high=YEAR_MAX
            )
        )


def json_loads(text: str, label: str) -> Any:
    """``json.loads`` that answers Invalid for what it cannot or should not read (too deep,
    non-finite numbers, bad characters), never RecursionError or a NaN."""

    def refuse_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number")

    try:
        loaded = json.loads(text, parse_constant=refuse_constant)
    except RecursionError:
        loaded = _TOO_DEEP
    except ValueError as e:
        raise tk.Invalid(
            _("{label}: not valid JSON ({error}).").format(label=label, error=str(e)[:120])
        ) from None
    found = ("", _("nested too deeply.")) if loaded is _TOO_DEEP else value_problem(loaded)
    if found:
        raise tk.Invalid(f"{label}: {found[1]}")
    return loaded


_TOO_DEEP = object()


def publicservices_date_range(value: Any) -> Any:
    """A navl validator after ``isodate``: the year must be between 1000 and 2999."""
    if isinstance(value, dt.date | dt.datetime):
        check_year(value, _("Date"))
    return value


def publicservices_not_blank(
    key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Any
) -> None:
    """A required field given as empty, null or whitespace-only is refused, in the form and the
    API alike (``if_empty_same_as`` after it still fills a field that was not sent at all)."""
    value = data.get(key, tk.missing)
    if value is tk.missing:
        return
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.setdefault(key, []).append(_("Missing value"))
        raise StopOnError


# ------------------------------------------------------------------------------------------
# stored values that predate the boundary (or were written by other code): shown, not fatal

REPLACEMENT = "\ufffd"
# json.dumps writes C0 controls as escapes even with ensure_ascii=False
_ESCAPED_CONTROL = re.compile(r"\\u00[01][0-9a-fA-F]|\\u007[fF]|\\[bf]")


def needs_scrub(value: Any) -> bool:
    """Whether ``value`` holds text the boundary would refuse (one C-speed pass when it does
    not, which is nearly always)."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return True
    return bool(_FORBIDDEN.search(text) or _ESCAPED_CONTROL.search(text))


def scrub(value: Any, depth: int = 0) -> Any:
    """``value`` with every character the boundary refuses replaced by U+FFFD (in place for
    dicts and lists), and anything nested deeper than ``MAX_DEPTH`` cut off."""
    if isinstance(value, str):
        return _FORBIDDEN.sub(REPLACEMENT, value)
    if depth > MAX_DEPTH:
        return None
    if isinstance(value, dict):
        for key in list(value):
            clean_key = scrub(key, depth) if isinstance(key, str) else key
            item = scrub(value.pop(key), depth + 1)
            value[clean_key] = item
        return value
    if isinstance(value, list):
        value[:] = [scrub(item, depth + 1) for item in value]
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def registered_dataset_types() -> frozenset[str]:
    try:
        from ckanext.scheming.helpers import scheming_dataset_schemas

        schemas = scheming_dataset_schemas() or {}
    except Exception:  # scheming not loaded: CKAN's own type only
        schemas = {}
    # types other plugins register for themselves (ckanext-harvest's "harvest" sources)
    from ckan.lib import plugins as lib_plugins

    others = getattr(lib_plugins, "_package_plugins", None) or {}
    return frozenset(schemas) | frozenset(others) or frozenset({"dataset"})


__all__ = ["publicservices_date_range", "publicservices_not_blank"]
