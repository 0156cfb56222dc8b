"""The browser harness: real Chromium (Debian's, driven by Playwright) against a live server.

Fixtures:
- `browser`: one Chromium for the whole session.
- `page`: a fresh context (Arabic browser language, desktop viewport) per test. Console errors
  and page errors (a CSP violation shows up as one) fail the test, because a blocked script or
  style is otherwise silent.
- `logged_in_page`: the same, after logging in through the real login form (a user with no role,
  who may read but not correct).
- `analyst_page`: the same user, given the analyst role (may correct event clusters).
- `screenshot`: `screenshot(page, "name")` saves `tests/browser/screenshots/name.png`; look at it.

Mark every test here `@pytest.mark.browser` (run them alone with `pytest -m browser`).
Without Chromium the browser tests are skipped, except under CI (`CI` set), where they fail:
CI must never pass by silently skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
BROWSER_USER = "browser-analyst"
BROWSER_PASSWORD = "browser-pass-123"  # noqa: S105


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is not installed at {CHROMIUM}; CI must run the browser tests")
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, live_server, transactional_db) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url,
        locale="ar",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    new_page.on("console", on_console)
    new_page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    yield new_page
    context.close()
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)


@pytest.fixture
def browser_user(django_user_model):
    return django_user_model.objects.create_user(username=BROWSER_USER, password=BROWSER_PASSWORD)


@pytest.fixture
def logged_in_page(page: Page, browser_user) -> Page:
    page.goto("/login/")
    page.fill("input[name=username]", BROWSER_USER)
    page.fill("input[name=password]", BROWSER_PASSWORD)
    with page.expect_navigation():
        page.click("form[action='/login/'] button[type=submit]")
    assert "/login/" not in page.url, "login through the form failed"
    return page


@pytest.fixture
def analyst_page(logged_in_page: Page, browser_user) -> Page:
    from comparisons.roles import ensure_roles

    # Permissions are read per request, so the role counts from the next page load on.
    browser_user.groups.add(ensure_roles()["analyst"])
    return logged_in_page


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        # caret="initial": hiding the caret leaves an empty `style` attribute on every input,
        # which htmx's settle step copies onto the swapped-in inputs: a CSP violation that
        # only the screenshot caused.
        page.screenshot(path=str(path), full_page=True, caret="initial")
        return path

    return take
