"""Fetch jobs in Chromium: paste addresses, land on the job page, watch it poll and stop."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from articles.models import ImportJob, Outlet, OutletDomain
from articles.web_import import create_job
from tests.articles.pages import article_html

pytestmark = pytest.mark.browser

REFUSED = "http://10.0.0.1/secret"


@pytest.fixture
def local_server(httpserver, settings):
    """The test's own page server, the one place loopback fetches are allowed."""
    settings.ZAWIYA_FETCH_ALLOW_LOOPBACK = True
    settings.ZAWIYA_FETCH_HOST_DELAY = 0
    return httpserver


@pytest.fixture
def importer_page(analyst_page: Page, browser_user) -> Page:
    browser_user.user_permissions.add(Permission.objects.get(codename="add_importjob"))
    return analyst_page


def test_pasting_two_addresses_lands_on_the_job_page_with_both_results(
    importer_page: Page, local_server, screenshot
) -> None:
    outlet = Outlet.objects.create(name="Local News", slug="local-news", language="ar")
    OutletDomain.objects.create(outlet=outlet, domain="127.0.0.1")
    local_server.expect_request("/a").respond_with_data(
        article_html("قصف على كفرنبل").encode(), content_type="text/html; charset=utf-8"
    )
    good = local_server.url_for("/a")
    page = importer_page
    page.goto("/imports/")
    page.fill("textarea[name=urls]", f"{good}\n{REFUSED}")
    screenshot(page, "import-urls")
    page.fill("textarea[name=urls]", f"{good}\n{REFUSED}")
    with page.expect_navigation():
        page.click("#url-import button[type=submit]")

    job = ImportJob.objects.get()
    assert page.url.endswith(job.get_absolute_url())
    rows = page.locator("#job-progress tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(good)
    expect(rows.nth(0)).to_contain_text("قصف على كفرنبل")  # the imported article's link
    expect(rows.nth(1)).to_contain_text(REFUSED)
    expect(rows.nth(1)).to_contain_text("refused: 10.0.0.1 is a private address")
    expect(page.locator("progress.job__bar")).to_have_attribute("value", "2")
    expect(page.locator("#job-progress [hx-get]")).to_have_count(0)  # finished: no polling
    assert page.evaluate("document.documentElement.dir") == "rtl"
    screenshot(page, "job")


def test_a_running_job_page_updates_itself_until_the_job_finishes(
    logged_in_page: Page, browser_user, screenshot
) -> None:
    job = create_job(
        kind=ImportJob.Kind.URLS,
        urls=["https://example.com/a", "https://example.com/b"],
        user=browser_user,
    )
    page = logged_in_page
    page.goto(job.get_absolute_url())
    expect(page.locator("#job-progress [hx-trigger='every 2s']")).to_have_count(1)
    first, second = job.items.all()
    job.start()
    first.record(outcome="failed", message="refused: the first one", failed=True, article=None)
    # No reload: htmx polls the job's partial and swaps it in.
    expect(page.locator("#job-progress")).to_contain_text("refused: the first one", timeout=6000)
    expect(page.locator("progress.job__bar")).to_have_attribute("value", "1")
    screenshot(page, "job-running")
    second.record(outcome="failed", message="refused: the second one", failed=True, article=None)
    job.finish()
    expect(page.locator("#job-progress")).to_contain_text("refused: the second one", timeout=6000)
    expect(page.locator("#job-progress [hx-get]")).to_have_count(0)
