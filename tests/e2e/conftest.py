"""Browser fixtures: Debian's Chromium driven by Playwright, screenshots and accessibility checks."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

VENDOR_DIR = Path(__file__).resolve().parent / "vendor"
SCREENSHOT_DIR = Path(os.environ.get("PORTAIL_SCREENSHOT_DIR",
                                     Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"))
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-domain-reliability",
    "--disable-client-side-phishing-detection", "--no-pings", "--metrics-recording-only",
    # Chromium still looks up its vendor's hosts at start despite the flags above; resolving every
    # name but the loopback ones to "not found" keeps the browser from sending any query off the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("PORTAIL_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        pytest.fail("Chromium not found: install Debian's chromium package or set PORTAIL_CHROMIUM")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, system: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=system.base_url, locale="fr-FR", viewport={"width": 1280, "height": 800},
                                  bypass_csp=True)
    # The product must need nothing from outside: any request to another host fails the test.
    foreign: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(system.base_url):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    yield tab
    context.close()
    assert foreign == [], f"pages requested resources outside the product: {foreign}"


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_accessibility_violations(page: Any) -> list[str]:
    """Run axe-core on the page; return the serious and critical WCAG 2.1 A/AA violations."""
    page.add_script_tag(path=str(VENDOR_DIR / "axe.min.js"))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    return [f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} nodes)"
            for violation in result["violations"] if violation["impact"] in ("serious", "critical")]
