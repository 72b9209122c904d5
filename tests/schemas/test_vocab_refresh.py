"""``vocab refresh``: a newer list is merged, changes reported, withdrawn codes kept."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from ckanext.publicservices import vocabularies
from ckanext.publicservices.cli import publicservices
from ckanext.publicservices.vocabularies import loaders, refresh, search, terms


@pytest.fixture
def vocab_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    target = tmp_path / "vocab"
    monkeypatch.setattr(loaders, "vocabulary_dir", lambda: str(target))
    vocabularies.clear_caches()
    yield target
    monkeypatch.undo()
    vocabularies.clear_caches()


def _newer_lgsl(path: Path) -> Path:
    source = Path(loaders.DATA_DIR) / "lgsl_services_okfn_2015.csv"
    with open(source, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames or []
        rows = [r for r in reader if r["Identifier"] != "1152"]  # withdrawn
    for r in rows:
        if r["Identifier"] == "524":
            r["Label"] = "Household waste and bin collection"  # renamed
    rows.append({"Identifier": "9001", "Label": "Data-enabled bin sensors", "Type": "Service"})
    out = path / "services-2026.csv"
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return out


def test_refresh_reports_and_keeps_withdrawn_codes(tmp_path: Path, vocab_dir: Path) -> None:
    source = _newer_lgsl(tmp_path)
    result = CliRunner().invoke(publicservices, ["vocab", "refresh", str(source)])
    assert result.exit_code == 0, result.output
    assert "1 added, 1 renamed, 1 withdrawn" in result.output
    assert "+ 9001" in result.output and "- 1152 (kept as withdrawn)" in result.output
    assert (vocab_dir / "lgsl.csv").exists()

    assert terms.service("524").label == "Household waste and bin collection"
    assert terms.service("9001").uri == "http://id.esd.org.uk/service/9001"
    withdrawn = terms.service("1152")
    assert withdrawn is not None and withdrawn.withdrawn
    assert all(t.code != "1152" for t in search.search("lgsl", "shopping trolleys"))
    assert len(terms.services()) == 1520

    # running it again changes nothing
    again = refresh.refresh(str(source))
    assert (again.added, again.renamed, again.withdrawn) == ([], [], [])


def test_refresh_dry_run_and_bad_sources(tmp_path: Path, vocab_dir: Path) -> None:
    source = _newer_lgsl(tmp_path)
    report = refresh.refresh(str(source), dry_run=True)
    assert report.written_to is None and not (vocab_dir / "lgsl.csv").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    result = CliRunner().invoke(publicservices, ["vocab", "refresh", str(bad)])
    assert result.exit_code != 0 and "unrecognised CSV" in result.output
    result = CliRunner().invoke(publicservices, ["vocab", "refresh", str(tmp_path / "missing.csv")])
    assert result.exit_code != 0 and "no such file" in result.output
