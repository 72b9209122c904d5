"""Payloads shared by the schema tests."""

from __future__ import annotations

from typing import Any


def valid_dataset(**overrides: Any) -> dict[str, Any]:
    """A minimal valid service dataset (public, open)."""
    data: dict[str, Any] = {
        "title": "Household waste collection days",
        "notes": "Which day each street's bins are collected.",
        "la_service": ["524"],
        "data_use_pattern": ["increasing-access"],
        "data_spectrum": "open",
        "personal_data": "none",
        "security_classification": "OFFICIAL",
    }
    data.update(overrides)
    return data
