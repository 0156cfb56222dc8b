"""Event clusters in the browser: an analyst corrects them and the page updates in place."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from articles.imports import import_paths
from articles.models import Article
from comparisons.models import Cluster, Membership

pytestmark = pytest.mark.browser

# Three outlets report one clash near Ain Issa; a fourth report is about a school in Qamishli.
RECORDS = [
    {
        "id": "clash-orient",
        "outlet": "Orient News",
        "title": "اشتباكات عنيفة قرب عين عيسى وسيطرة الفصائل على قريتين",
        "text": (
            "اندلعت اشتباكات عنيفة بين فصائل مسلحة وقوات سوريا الديمقراطية قرب بلدة عين عيسى "
            "شمال الرقة، وسيطرت الفصائل على قريتي المشيرفة وصيدا بعد قصف مدفعي كثيف. "
            "وقالت مصادر إن المعارك أسفرت عن مقتل 12 عنصرا من الطرفين."
        ),
        "published": "2020-12-18",
        "language": "ar",
    },
    {
        "id": "clash-mayadeen",
        "outlet": "Al Mayadeen",
        "title": "الفصائل تسيطر على صيدا والمشيرفة في ريف الرقة",
        "text": (
            "سيطرت فصائل مسلحة على قريتي صيدا والمشيرفة قرب عين عيسى في ريف الرقة الشمالي "
            "إثر اشتباكات عنيفة مع قوات سوريا الديمقراطية وقصف مدفعي، ما أدى إلى مقتل 12 عنصرا."
        ),
        "published": "2020-12-19",
        "language": "ar",
    },
    {
        "id": "clash-enab",
        "outlet": "Enab Baladi",
        "title": "مقتل 12 عنصرا في معارك المشيرفة قرب عين عيسى",
        "text": (
            "قتل 12 عنصرا في اشتباكات عنيفة بين الفصائل المسلحة وقوات سوريا الديمقراطية "
            "في قريتي المشيرفة وصيدا قرب عين عيسى شمال الرقة بعد قصف مدفعي."
        ),
        "published": "2020-12-19",
        "language": "ar",
    },
    {
        "id": "school",
        "outlet": "Enab Baladi",
        "title": "افتتاح مدرسة جديدة في القامشلي",
        "text": (
            "افتتحت بلدية القامشلي مدرسة جديدة في حي الكورنيش تتسع لخمسمئة طالب، "
            "وقال مسؤول إن المدرسة جزء من خطة لإعادة تأهيل المرافق التعليمية في المدينة."
        ),
        "published": "2021-03-02",
        "language": "ar",
    },
]


def cluster_of(external_id: str) -> Cluster:
    return (
        Membership.objects.select_related("cluster").get(article__external_id=external_id).cluster
    )


@pytest.fixture
def clusters(tmp_path: Path) -> dict[str, Cluster]:
    path = tmp_path / "clusters.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS))
    import_paths(paths=[path])
    clash, school = cluster_of("clash-orient"), cluster_of("school")
    assert clash == cluster_of("clash-mayadeen") == cluster_of("clash-enab") != school
    return {"clash": clash, "school": school}


def article(external_id: str) -> Article:
    return Article.objects.get(external_id=external_id)


def test_an_analyst_moves_an_article_to_another_cluster(
    clusters: dict[str, Cluster], analyst_page: Page, screenshot
) -> None:
    page = analyst_page
    clash, school = clusters["clash"], clusters["school"]
    moving = article("clash-enab")
    page.goto(clash.get_absolute_url())
    expect(page.locator(".membership")).to_have_count(3)
    screenshot(page, "cluster-detail-ar")

    page.evaluate("window.zawiyaMarker = 'still here'")
    item = page.locator(f"#article-{moving.pk}")
    item.get_by_label("انقل إلى المجموعة").fill(str(school.pk))
    item.get_by_role("button", name="انقل", exact=True).click()

    # htmx swapped the cluster in place: the article has gone, the page was not reloaded.
    expect(page.locator(f"#article-{moving.pk}")).to_have_count(0)
    expect(page.locator(".membership")).to_have_count(2)
    expect(page.locator(".messages")).to_contain_text(f"#{school.pk}")
    assert page.evaluate("window.zawiyaMarker") == "still here"
    assert cluster_of("clash-enab") == school
    screenshot(page, "cluster-detail-ar-moved-away")

    page.goto(school.get_absolute_url())
    expect(page.locator(f"#article-{moving.pk}")).to_contain_text(moving.title)
    expect(page.locator(f"#article-{moving.pk} .badge")).to_be_visible()
    expect(page.locator(".audit-log")).to_contain_text("نقل مقالاً")
    page.locator(f"#article-{moving.pk} .evidence summary").click()
    screenshot(page, "cluster-detail-ar-after-move")


def test_an_analyst_says_an_article_is_not_the_same_event(
    clusters: dict[str, Cluster], analyst_page: Page
) -> None:
    page = analyst_page
    clash = clusters["clash"]
    leaving = article("clash-mayadeen")
    page.goto(clash.get_absolute_url())
    page.evaluate("window.zawiyaMarker = 'still here'")
    page.locator(f"#article-{leaving.pk}").get_by_role("button", name="ليس الحدث نفسه").click()

    expect(page.locator(f"#article-{leaving.pk}")).to_have_count(0)
    expect(page.locator(".membership")).to_have_count(2)
    expect(page.locator(".audit-log")).to_contain_text("ليس الحدث نفسه")
    assert page.evaluate("window.zawiyaMarker") == "still here"
    own = cluster_of("clash-mayadeen")
    assert own not in (clash, clusters["school"])
    assert own.memberships.count() == 1


def test_an_analyst_splits_a_cluster_with_the_keyboard(
    clusters: dict[str, Cluster], analyst_page: Page, screenshot
) -> None:
    page = analyst_page
    clash = clusters["clash"]
    splitting = article("clash-orient")
    page.goto(clash.get_absolute_url())
    checkbox = page.locator(".split-form").get_by_label(splitting.title)
    expect(checkbox).to_be_visible()
    checkbox.focus()
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    page.locator(".split-form input[name=title]").fill("قصف المشيرفة")
    screenshot(page, "cluster-split-ar")
    page.evaluate("window.zawiyaMarker = 'still here'")
    page.locator(".split-form").get_by_role("button").click()

    expect(page.locator(f"#article-{splitting.pk}")).to_have_count(0)
    expect(page.locator(".membership")).to_have_count(2)
    assert page.evaluate("window.zawiyaMarker") == "still here"
    assert cluster_of("clash-orient").title == "قصف المشيرفة"


def test_a_viewer_sees_no_correction_controls(
    clusters: dict[str, Cluster], logged_in_page: Page
) -> None:
    page = logged_in_page
    page.goto(clusters["clash"].get_absolute_url())
    expect(page.locator(".membership")).to_have_count(3)
    expect(page.locator(".evidence").first).to_be_visible()
    expect(page.locator("form[method=post] [name=target]")).to_have_count(0)
    expect(page.locator(".membership__actions")).to_have_count(0)
    expect(page.locator(".corrections")).to_have_count(0)


def test_cluster_pages_in_arabic_and_english(
    clusters: dict[str, Cluster], analyst_page: Page, screenshot
) -> None:
    page = analyst_page
    page.click(".site-nav >> text=مجموعات الأحداث")
    expect(page.locator(".cluster-table tbody tr")).to_have_count(2)
    assert page.eval_on_selector(".cluster-table", "el => getComputedStyle(el).direction") == "rtl"
    screenshot(page, "cluster-list-ar")

    page.click(f".cluster-table >> text={clusters['clash'].title}")
    expect(page).to_have_url(re.compile(rf"/clusters/{clusters['clash'].pk}/$"))
    page.locator(".evidence summary").first.click()
    expect(page.locator(".evidence__list").first).to_be_visible()
    screenshot(page, "cluster-detail-ar-evidence")

    with page.expect_navigation():
        page.click(".language-switch button[value=en]")
    assert page.get_attribute("html", "dir") == "ltr"
    expect(page.locator(".corrections h2")).to_have_text("Correct this cluster")
    page.locator(".evidence summary").first.click()
    screenshot(page, "cluster-detail-en")

    page.click(".site-nav >> text=Clusters")
    expect(page.locator(".cluster-table thead")).to_contain_text("Incident")
    screenshot(page, "cluster-list-en")

    # On a phone the detail page reflows instead of scrolling sideways.
    page.goto(clusters["clash"].get_absolute_url())
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "cluster-detail-en-phone")
