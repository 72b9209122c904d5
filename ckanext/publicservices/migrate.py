"""``ckan publicservices migrate``: map legacy data.gov.uk extras onto the service-redesign fields.

Portals that followed data.gov.uk's conventions hold ``la_service`` / ``la_function`` as
space- or comma-separated LGSL/LGFL numbers or URIs, ``theme-primary`` (and
``theme-secondary``) as data.gov.uk theme names, and the area as free text. This module plans
the mapping (dry run) and, with ``apply``, writes it through ``package_patch`` so the schema's
validation runs as for any edit. Values it cannot map are reported, never dropped.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ckanext.publicservices.vocabularies import hierarchy, terms
from ckanext.publicservices.vocabularies import model as vocab_model

AREA_KEYS = ("spatial-text", "spatial_text", "spatial-name", "coverage", "geographic-coverage-text")
THEME_KEYS = ("theme-primary", "theme-secondary")
_SPLIT = re.compile(r"[\s,;]+")
_NAME_NOISE = re.compile(
    r"\b(the|council|county|borough|district|metropolitan|city of|city|london borough of|of)\b"
)


@dataclass
class DatasetPlan:
    name: str
    changes: dict[str, list[str]] = field(default_factory=dict)
    unmapped: dict[str, list[str]] = field(default_factory=dict)
    result: str = ""

    def describe(self) -> str:
        parts = [f"{self.name}:"]
        for key, values in self.changes.items():
            parts.append(f"  {key} ← {', '.join(values)}")
        for key, values in self.unmapped.items():
            parts.append(f"  could not map {key}: {', '.join(repr(v) for v in values)}")
        if self.result:
            parts.append(f"  {self.result}")
        return "\n".join(parts)


def _as_values(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, list):
        return [str(v) for v in raw if str(v).strip()]
    text = str(raw).strip()
    if text.startswith("["):
        try:
            loaded = json.loads(text)
            if isinstance(loaded, list):
                return [str(v) for v in loaded if str(v).strip()]
        except ValueError:
            pass
    return [v for v in _SPLIT.split(text) if v]


def _normalise_name(text: str) -> str:
    text = text.lower().replace("&", " and ")
    text = _NAME_NOISE.sub(" ", text)
    return " ".join(re.findall(r"[a-z0-9]+", text))


@functools.cache
def _council_names() -> dict[str, str]:
    """Normalised council name → current GSS code (current councils win over abolished ones)."""
    names: dict[str, str] = {}
    for withdrawn_pass in (True, False):
        for term in terms.councils().values():
            if term.withdrawn != withdrawn_pass:
                continue
            for name in (term.label, term.description, *term.alt_names):
                key = _normalise_name(name)
                if key:
                    names[key] = term.code
    return names


def map_areas(raw: Any) -> tuple[list[str], list[str]]:
    """GSS codes for free-text areas ("Kent County Council; Medway" or codes)."""
    if raw is None:
        return [], []
    text = raw if isinstance(raw, str) else ", ".join(_as_values(raw))
    codes: list[str] = []
    unmapped: list[str] = []
    for piece in re.split(r"[,;/\n]|\band\b", text):
        piece = piece.strip()
        if not piece:
            continue
        term = terms.council(piece)
        code = term.code if term else _council_names().get(_normalise_name(piece))
        if code:
            if code not in codes:
                codes.append(code)
        else:
            unmapped.append(piece)
    return codes, unmapped


def plan_for(name: str, extras: dict[str, Any], current: dict[str, Any]) -> DatasetPlan:
    plan = DatasetPlan(name=name)

    for key, vocabulary in (("la_service", "lgsl"), ("la_function", "lgfl")):
        raw = extras.get(key)
        if raw in (None, ""):
            continue
        uris, bad = [], []
        for value in _as_values(raw):
            term = terms.lookup(vocabulary, value)
            if term is None:
                bad.append(value)
            elif term.uri not in uris:
                uris.append(term.uri)
        if uris and _as_values(current.get(key)) != uris:
            plan.changes[key] = uris
        if bad:
            plan.unmapped[key] = bad

    themes: list[str] = []
    for key in THEME_KEYS:
        for value in _as_values_theme(extras.get(key)):
            code = hierarchy.DGU_THEME_TO_EU.get(value)
            if code is None:
                plan.unmapped.setdefault(key, []).append(value)
                continue
            uri = vocab_model.EU_AUTHORITY.format("data-theme", code)
            if uri not in themes:
                themes.append(uri)
    if themes and not _as_values(current.get("theme")):
        plan.changes["theme"] = themes

    for key in AREA_KEYS:
        codes, bad = map_areas(extras.get(key))
        if codes and not _as_values(current.get("area")):
            plan.changes.setdefault("area", [])
            plan.changes["area"] += [c for c in codes if c not in plan.changes["area"]]
        if bad:
            plan.unmapped[key] = bad
    return plan


def _as_values_notes(raw: Any) -> list[str]:
    if isinstance(raw, str) and raw.startswith("["):
        try:
            loaded = json.loads(raw)
        except ValueError:
            return []
        return [str(v) for v in loaded] if isinstance(loaded, list) else []
    return []


def _as_values_theme(raw: Any) -> list[str]:
    """Theme names contain spaces ("Business and economy"): split on commas/JSON only."""
    if raw in (None, ""):
        return []
    if isinstance(raw, list):
        return [str(v).strip() for v in raw if str(v).strip()]
    text = str(raw).strip()
    if text.startswith("["):
        try:
            loaded = json.loads(text)
            if isinstance(loaded, list):
                return [str(v).strip() for v in loaded if str(v).strip()]
        except ValueError:
            pass
    return [v.strip() for v in re.split(r"[,;]", text) if v.strip()]


def migrate(apply: bool = False, assume_public_is_open: bool = False) -> list[DatasetPlan]:
    """Plan (and with ``apply`` write) the mapping for every active dataset of type ``dataset``."""
    import ckan.model as model
    import ckan.plugins.toolkit as tk

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    packages = (
        model.Session.query(model.Package)
        .filter(model.Package.state == "active", model.Package.type == "dataset")
        .order_by(model.Package.name)
        .all()
    )
    plans: list[DatasetPlan] = []
    for pkg in packages:
        extras = dict(pkg.extras or {})
        plan = plan_for(pkg.name, extras, extras)
        if not plan.changes and not plan.unmapped:
            continue
        plans.append(plan)
        if not apply or not plan.changes:
            continue
        patch: dict[str, Any] = {"id": pkg.id, **plan.changes}
        if plan.unmapped:
            # keep what could not be mapped where the publisher will see it
            notes = _as_values_notes(extras.get("vocabulary_notes"))
            for key, values in plan.unmapped.items():
                note = f"migrate: could not map {key} {', '.join(values)}"
                if note not in notes:
                    notes.append(note)
            patch["vocabulary_notes"] = notes
        if assume_public_is_open and not pkg.private:
            for key, value in (
                ("data_spectrum", "open"),
                ("personal_data", "none"),
                ("security_classification", "OFFICIAL"),
            ):
                if not extras.get(key):
                    patch[key] = value
        try:
            tk.get_action("package_patch")({"user": site_user["name"], "ignore_auth": True}, patch)
            plan.result = "updated"
        except tk.ValidationError as e:
            fields = ", ".join(sorted(e.error_dict))
            plan.result = f"not updated — needs the publisher: {fields}"
    return plans
