"""Browser tests: Debian's Chromium driven by Playwright against the real CKAN server (gunicorn).

One Chromium per session, one web server per module (started on a free port with the
harness's services), a fresh browser context (cookies, storage) per test. Data is made with
CKAN's factories in this process: the server shares the database and the search service.

Skipped only when ``PUBLICSERVICES_SKIP_BROWSER=1`` is set explicitly; a missing Chromium or
axe-core is installed by ``devstack.browser`` and, failing that, the tests fail with the reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from devstack import browser as browser_tools
from devstack.portal import BIN, JOB_QUEUES, ROOT, start_web, start_worker
from devstack.services import free_port, terminate
from tests.browser.data import PASSWORD

SKIP_VARIABLE = "PUBLICSERVICES_SKIP_BROWSER"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
BROWSER_DIR = Path(__file__).resolve().parent

# WCAG 2.0/2.1/2.2 levels A and AA, as axe-core tags them.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _in_browser_dir(item: pytest.Item) -> bool:
    return BROWSER_DIR in Path(str(item.fspath)).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = os.environ.get(SKIP_VARIABLE) == "1"
    for item in items:
        if not _in_browser_dir(item):
            continue
        item.add_marker(pytest.mark.browser)
        if skip:
            item.add_marker(
                pytest.mark.skip(
                    reason=f"{SKIP_VARIABLE}=1 is set: browser tests skipped on request"
                )
            )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    # Lets the page fixture save a screenshot of the page a failed test left behind.
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# -- the tools and the browser --------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source() -> str:
    try:
        _, axe_js = browser_tools.ensure_all()
    except browser_tools.BrowserSetupError as exc:
        pytest.fail(
            f"The browser tests need Chromium and axe-core and could not install them: {exc}\n"
            f"Set {SKIP_VARIABLE}=1 to skip the browser tests explicitly.",
            pytrace=False,
        )
    return axe_js.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def chromium(axe_source: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives every launch a new, empty --user-data-dir of its own (a temp dir).
        browser = playwright.chromium.launch(
            executable_path=str(browser_tools.CHROMIUM),
            headless=True,
            args=browser_tools.CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


# -- the server -----------------------------------------------------------------------------------


@dataclass
class Portal:
    url: str
    ini: Path
    env: dict[str, str]
    logs: Path
    processes: list[Any] = field(default_factory=list)

    def log_tail(self, name: str = "web.log", chars: int = 3000) -> str:
        path = self.logs / name
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""


@pytest.fixture(scope="module")
def portal(request: pytest.FixtureRequest) -> Iterator[Portal]:
    port = free_port()
    ini = Path(os.environ["CKAN_INI"])
    # kept after the run (git-ignored) so a failure can be read in the server's own log
    logs = ARTIFACTS / "logs" / request.module.__name__.rsplit(".", 1)[-1]
    logs.mkdir(parents=True, exist_ok=True)
    for old in logs.glob("*.log"):
        old.unlink()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "CKAN_SITE_URL": url}
    proc = start_web(ini, env, port, logs / "web.log", workers=2)
    site = Portal(url=url, ini=ini, env=env, logs=logs, processes=[proc])
    yield site
    for process in site.processes:
        terminate(process)


def start_job_worker(site: Portal) -> None:
    """A real ``ckan jobs worker`` on the portal's queues, stopped with the module's server.

    Jobs that earlier tests left queued in the shared Redis (validation of resources long since
    cleaned away) are cleared first: the worker would otherwise spend minutes on them before it
    reaches this module's.
    """
    subprocess.run(
        [str(BIN / "ckan"), "-c", str(site.ini), "jobs", "clear", *JOB_QUEUES],
        env=site.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    site.processes.append(start_worker(site.ini, site.env, site.logs / "worker.log"))


# -- pages ----------------------------------------------------------------------------------------


@pytest.fixture
def page(chromium: Any, portal: Portal, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = chromium.new_context(
        base_url=portal.url, viewport={"width": 1280, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(20_000)
    tab = context.new_page()
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        # a failed screenshot must not hide the real failure
        with contextlib.suppress(Exception):
            tab.screenshot(path=str(ARTIFACTS / f"FAILED-{name}.png"), full_page=True)
    context.close()


def screenshot(tab: Any, name: str, full_page: bool = True, docs: bool = False) -> Path:
    """A PNG of the journey step under test-artifacts/browser/ (git-ignored).

    With ``docs`` and ``PUBLICSERVICES_DOCS_SCREENSHOTS=1`` (``make screenshots``) it is also
    written to docs/screenshots/, where the README shows it.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=full_page)
    if docs and os.environ.get("PUBLICSERVICES_DOCS_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (DOCS_SCREENSHOTS / path.name).write_bytes(path.read_bytes())
    return path


def assert_no_horizontal_scroll(tab: Any, what: str) -> None:
    """Nothing wider than the window (WCAG 1.4.10 Reflow at 320-375 CSS pixels)."""
    widths = tab.evaluate(
        """() => {
            const wide = [];
            const limit = document.documentElement.clientWidth;
            for (const el of document.querySelectorAll('body *')) {
                const r = el.getBoundingClientRect();
                if (r.width && r.right > limit + 1 && getComputedStyle(el).position !== 'fixed')
                    wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                              (el.className && el.className.baseVal === undefined ?
                               '.' + String(el.className).trim().split(' ').join('.') : '') +
                              ' right=' + Math.round(r.right));
            }
            return {scroll: document.documentElement.scrollWidth, window: limit,
                    wide: wide.slice(0, 8)};
        }"""
    )
    assert widths["scroll"] <= widths["window"], (
        f"{what} scrolls sideways at {widths['window']} px ({tab.url}): the page is "
        f"{widths['scroll']} px wide; too wide: {widths['wide']}"
    )


def login(tab: Any, user: dict[str, Any], password: str = PASSWORD) -> None:
    """Log in through CKAN's real login form."""
    tab.goto("/user/login")
    tab.fill("#field-login", user["name"])
    tab.fill("#field-password", password)
    with tab.expect_navigation():
        tab.locator("#field-password").press("Enter")
    assert tab.locator("form[action*='/user/_logout']").count() > 0, (
        f"logging in as {user['name']} through the form failed; the page is {tab.url}"
    )


def axe_violations(tab: Any, axe_source: str) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.2 A/AA rules) in the page; returns the violations, and the colour
    contrasts axe could not decide (counted as failures: a checker must be able to measure)."""
    if not tab.evaluate("() => typeof window.axe !== 'undefined'"):
        tab.evaluate(f"() => {{ {axe_source}\n }}")
        tab.evaluate("() => { if (!window.axe && typeof axe !== 'undefined') window.axe = axe; }")
    result = tab.evaluate(
        """async (tags) => {
            const r = await window.axe.run(document, {runOnly: {type: 'tag', values: tags}});
            const undecided = r.incomplete.filter(v => v.id === 'color-contrast').map(v => ({
                id: 'color-contrast (undecided)', impact: v.impact,
                help: v.help + ': axe could not measure it (background image, overlap, ' +
                      'pseudo-element); the colours must be checkable',
                tags: v.tags,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 300),
                                          summary: n.failureSummary ||
                                            (n.any[0] && n.any[0].message) || ''}))}));
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, tags: v.tags,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 300),
                                          summary: n.failureSummary}))})).concat(undecided);
        }""",
        WCAG_TAGS,
    )
    return list(result)


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:6]:
            lines.append(f"    {json.dumps(node['target'])}: {node['html'][:200]}")
            lines.append(f"      {(node['summary'] or '').replace(chr(10), ' | ')[:300]}")
        if len(v["nodes"]) > 6:
            lines.append(f"    … and {len(v['nodes']) - 6} more")
    return "\n".join(lines)


def assert_accessible(tab: Any, axe_source: str, what: str) -> None:
    violations = axe_violations(tab, axe_source)
    assert not violations, (
        f"axe-core found WCAG 2.2 A/AA violations on {what} ({tab.url}):\n"
        + format_violations(violations)
    )


def wait_until(check: Any, timeout: float, what: str, interval: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


@pytest.fixture(scope="session", autouse=True)
def _fresh_failure_screenshots() -> None:
    # screenshots of an earlier run's failures would mislead
    if ARTIFACTS.exists():
        for old in ARTIFACTS.glob("FAILED-*.png"):
            old.unlink()
