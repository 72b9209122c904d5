"""``ckan publicservices vocab refresh``: load a newer vocabulary list and report the changes.

The refreshed list is written, normalised, to ``ckanext.publicservices.vocabulary_dir`` (the
shipped files are never modified). Codes missing from the new list are kept as *withdrawn*, so
datasets that use them still validate and show them as withdrawn.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from dataclasses import dataclass, field, replace

from ckanext.publicservices import vocabularies
from ckanext.publicservices.vocabularies import loaders, model
from ckanext.publicservices.vocabularies import terms as vocab_terms

REFRESHABLE = ("lgsl", "lgfl", "council")
NORMALISED_COLUMNS = [
    "code",
    "uri",
    "label",
    "description",
    "withdrawn",
    "parents",
    "country",
    "council_type",
    "former_codes",
    "alt_names",
    "end_date",
    "replaced_by",
    "extra",
    "centroid",
]
MAX_DOWNLOAD = 50 * 1024 * 1024


class RefreshError(Exception):
    """A refresh that cannot go ahead (bad source, unknown format)."""


@dataclass
class RefreshReport:
    vocabulary: str
    added: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    reinstated: list[str] = field(default_factory=list)
    total: int = 0
    written_to: str | None = None

    def summary(self) -> str:
        lines = [
            f"{self.vocabulary}: {self.total} terms; {len(self.added)} added, "
            f"{len(self.renamed)} renamed, {len(self.withdrawn)} withdrawn, "
            f"{len(self.reinstated)} reinstated"
        ]
        lines += [f"  + {code}" for code in self.added]
        lines += [f"  ~ {code}: {old!r} → {new!r}" for code, old, new in self.renamed]
        lines += [f"  - {code} (kept as withdrawn)" for code in self.withdrawn]
        lines += [f"  ^ {code} (back in the list)" for code in self.reinstated]
        lines.append(
            f"written to {self.written_to}" if self.written_to else "dry run: nothing written"
        )
        return "\n".join(lines)


def fetch(source: str) -> str:
    """A local path for ``source`` (a file, or an http(s) URL downloaded to a temp file)."""
    if source.startswith(("http://", "https://")):
        import requests

        try:
            with requests.get(source, timeout=30, stream=True) as response:
                response.raise_for_status()
                handle, path = tempfile.mkstemp(suffix=".csv")
                size = 0
                with os.fdopen(handle, "wb") as out:
                    for chunk in response.iter_content(65536):
                        size += len(chunk)
                        if size > MAX_DOWNLOAD:
                            raise RefreshError(f"{source}: larger than {MAX_DOWNLOAD} bytes")
                        out.write(chunk)
        except requests.RequestException as e:
            raise RefreshError(f"could not download {source}: {e}") from None
        return path
    if not os.path.isfile(source):
        raise RefreshError(f"no such file: {source}")
    return source


def detect(path: str) -> str:
    """Which vocabulary a CSV holds, from its header (and first rows for esd lists)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header = set(reader.fieldnames or [])
        first = next(reader, None) or {}
    if "gss-code" in header:
        return "council"
    if {"Identifier", "Label"} <= header:
        kind = (first.get("Type") or "").strip().lower()
        if kind == "function" or "Parent identifiers" in header:
            return "lgfl"
        return "lgsl"
    raise RefreshError(
        "unrecognised CSV: expected an esd-toolkit services/functions list "
        "(Identifier, Label, …) or mySociety's uk_local_authorities.csv (gss-code, …)"
    )


PARSERS = {
    "lgsl": loaders.lgsl_from_csv,
    "lgfl": loaders.lgfl_from_csv,
    "council": loaders.councils_from_csv,
}


def diff(
    name: str, old: dict[str, model.Term], new: dict[str, model.Term]
) -> tuple[dict[str, model.Term], RefreshReport]:
    """The merged list (withdrawn codes kept) and what changed."""
    report = RefreshReport(vocabulary=name)
    merged = dict(new)
    for code, term in new.items():
        before = old.get(code)
        if before is None:
            report.added.append(code)
        else:
            if before.label != term.label:
                report.renamed.append((code, before.label, term.label))
            if before.withdrawn and not term.withdrawn:
                report.reinstated.append(code)
    for code, term in old.items():
        if code not in new:
            if not term.withdrawn:
                report.withdrawn.append(code)
            merged[code] = replace(term, withdrawn=True)
    report.total = len(merged)
    return dict(sorted(merged.items(), key=lambda kv: (len(kv[0]), kv[0]))), report


def write(terms: dict[str, model.Term], path: str) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=NORMALISED_COLUMNS)
        writer.writeheader()
        for term in terms.values():
            writer.writerow(
                {
                    "code": term.code,
                    "uri": term.uri,
                    "label": term.label,
                    "description": term.description,
                    "withdrawn": "true" if term.withdrawn else "false",
                    "parents": " ".join(term.parents),
                    "country": term.country,
                    "council_type": term.council_type,
                    "former_codes": " ".join(term.former_codes),
                    "alt_names": "|".join(term.alt_names),
                    "end_date": term.end_date,
                    "replaced_by": term.replaced_by,
                    "extra": json.dumps(dict(term.extra)),
                    "centroid": " ".join(str(c) for c in term.centroid) if term.centroid else "",
                }
            )
    os.replace(tmp, path)  # readers never see half a file


def refresh(
    source: str, vocabulary: str | None = None, directory: str | None = None, dry_run: bool = False
) -> RefreshReport:
    path = fetch(source)
    name = vocabulary or detect(path)
    if name not in REFRESHABLE:
        raise RefreshError(f"{name}: only {', '.join(REFRESHABLE)} can be refreshed")
    try:
        new = PARSERS[name](path)
    except (KeyError, ValueError) as e:
        raise RefreshError(f"{source}: not a {name} list ({e})") from None
    if not new:
        raise RefreshError(f"{source}: no terms found; refusing to withdraw every code")
    old = dict(vocab_terms.get_vocabulary(name).terms)
    merged, report = diff(name, old, new)
    if not dry_run:
        directory = directory or loaders.vocabulary_dir()
        if not directory:
            raise RefreshError(
                "set ckanext.publicservices.vocabulary_dir (or pass --output-dir) to a writable "
                "directory for refreshed vocabularies"
            )
        target = os.path.join(directory, f"{name}.csv")
        write(merged, target)
        report.written_to = target
        vocabularies.clear_caches()
    return report
