"""The PDF export in Chromium: a click on the cluster page lands on the export's page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from articles.imports import import_paths
from comparisons import corrections, exports
from comparisons.models import Cluster, PdfExport

pytestmark = pytest.mark.browser

RECORDS = [
    {
        "id": "pdf-orient",
        "outlet": "Orient News",
        "title": "ميليشيا أسد تقصف المشيرفة قرب عين عيسى",
        "text": "قصفت ميليشيا أسد بالمدفعية الثقيلة قرية المشيرفة شرق بلدة عين عيسى صباح اليوم.",
        "published": "2020-12-18",
        "language": "ar",
    },
    {
        "id": "pdf-mayadeen",
        "outlet": "Al Mayadeen",
        "title": "الجيش السوري يقصف مواقع المسلحين في المشيرفة",
        "text": "قصف الجيش السوري بالمدفعية الثقيلة مواقع المسلحين في قرية المشيرفة شرق عين عيسى.",
        "published": "2020-12-19",
        "language": "ar",
    },
]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    path = tmp_path / "pdf.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS))
    import_paths(paths=[path])
    target, *others = Cluster.objects.order_by("pk")
    for other in others:
        corrections.merge_clusters(target=target, other=other, user=None)
    yield target
    exports.close_browser()  # the live server's renderer, not the test's browser


def test_exporting_from_the_cluster_page_lands_on_the_export_page_with_its_download(
    analyst_page: Page, cluster, screenshot
) -> None:
    page = analyst_page
    page.goto(cluster.get_absolute_url())
    screenshot(page, "cluster-export-button")
    with page.expect_navigation():
        page.click("form.cluster__export button[type=submit]")

    export = PdfExport.objects.get()
    assert page.url.endswith(export.get_absolute_url())
    # The embedded backend rendered it in the request: finished, nothing left to poll.
    assert export.status == "finished", export.error
    link = page.locator("#export-progress a[download]")
    expect(link).to_have_attribute("href", f"/exports/{export.pk}/download/")
    expect(page.locator("#export-progress [hx-get]")).to_have_count(0)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    screenshot(page, "pdf-export")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == export.filename
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
