"""Typed accessors for ``ckanext.publicservices.validation.*`` (read when used, not at import)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk

__all__: list[str] = []

_P = "ckanext.publicservices.validation."


def _int(key: str, default: int) -> int:
    try:
        return int(tk.config.get(_P + key, default))
    except (TypeError, ValueError):
        return default


def formats() -> set[str]:
    value = tk.config.get(_P + "formats") or ["csv", "tsv", "xlsx", "ods"]
    if isinstance(value, str):
        value = value.split()
    return {str(v).lower().lstrip(".") for v in value}


def public_gate() -> bool:
    return tk.asbool(tk.config.get(_P + "public_gate", False))


def limit_errors() -> int:
    return max(1, _int("limit_errors", 1000))


def limit_rows() -> int:
    return max(0, _int("limit_rows", 0))


def max_bytes() -> int:
    return _int("max_size_mb", 500) * 1_000_000


def max_line_bytes() -> int:
    return _int("max_line_kb", 1024) * 1024


def max_unzipped_bytes() -> int:
    return _int("max_unzipped_mb", 1000) * 1_000_000


def memory_limit_mb() -> int:
    return _int("memory_limit_mb", 1024)


def fetch_timeout() -> int:
    return _int("fetch_timeout", 30)


def fetch_deadline() -> int:
    return _int("fetch_deadline", 300)


def fetch_allow_private() -> bool:
    return tk.asbool(tk.config.get(_P + "fetch_allow_private", False))


def job_timeout() -> int:
    return _int("job_timeout", 1800)
