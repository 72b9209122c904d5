"""The browser tools' installer fails with a clear message instead of skipping silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from devstack import browser


def test_missing_chromium_without_apt_is_a_clear_error(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    with pytest.raises(browser.BrowserSetupError, match="PUBLICSERVICES_SKIP_BROWSER=1"):
        browser.ensure_chromium()


def test_missing_npm_is_a_clear_error(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(browser, "AXE_JS", tmp_path / "node_modules" / "axe-core" / "axe.min.js")
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    with pytest.raises(browser.BrowserSetupError, match="axe-core"):
        browser.ensure_axe()


def test_a_failing_install_command_reports_its_output(tmp_path: Path) -> None:
    with pytest.raises(browser.BrowserSetupError, match="exit 3"):
        browser._run(["sh", "-c", "echo broken mirror >&2; exit 3"], "apt-get install chromium")


def test_installed_tools_are_found_without_installing(monkeypatch, tmp_path: Path) -> None:
    chromium = tmp_path / "chromium"
    chromium.write_text("")
    axe = tmp_path / "axe.min.js"
    axe.write_text("")
    monkeypatch.setattr(browser, "CHROMIUM", chromium)
    monkeypatch.setattr(browser, "AXE_JS", axe)
    monkeypatch.setattr(browser, "_run", lambda *a, **k: pytest.fail("nothing to install"))
    assert browser.ensure_all() == (chromium, axe)
