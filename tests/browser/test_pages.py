from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from articles.models import Article, Outlet

pytestmark = pytest.mark.browser

BODY = (
    "هاجمت ميليشيا أسد قرية المشيرفة قرب عين عيسى في ريف الرقة الشمالي، "
    "وقال مصدر محلي إن القصف المدفعي استمر ساعات.\n\n"
    "وتشهد المنطقة توترا منذ أسابيع بين الجيش الوطني السوري وقوات سوريا الديمقراطية."
)
ORIGINAL = "<html><body><h1>قصف على عين عيسى</h1><p>" + BODY + "</p></body></html>"


def make_article(outlet: Outlet, title: str, body: str, **fields: object) -> Article:
    return Article.objects.create(
        outlet=outlet,
        title=title,
        body=body,
        original=fields.pop("original", body),
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
        **fields,
    )


@pytest.fixture
def articles() -> list[Article]:
    orient = Outlet.objects.create(name="Orient News", name_ar="أورينت نت", slug="orient-news")
    mayadeen = Outlet.objects.create(name="Al Mayadeen", name_ar="الميادين", slug="al-mayadeen")
    first = make_article(
        orient,
        "قصف مدفعي على قرية المشيرفة قرب عين عيسى",
        BODY,
        published=dt.date(2020, 12, 5),
        date_precision=Article.DatePrecision.DAY,
        language="ar",
        original=ORIGINAL,
        original_format=Article.SourceFormat.HTML,
        url="https://orient-news.net/ar/news_show/1",
        byline="أحمد الأحمد",
    )
    return [
        first,
        make_article(
            orient,
            "فصائل المعارضة تتقدم في ريف الرقة",
            BODY + " نسخة",
            published=dt.date(2020, 12, 1),
            date_precision=Article.DatePrecision.MONTH,
            language="ar",
            duplicate_of=first,
        ),
        make_article(
            mayadeen,
            "الجيش السوري يتصدى لهجوم المسلحين شمال الرقة",
            "الجيش السوري يتصدى لهجوم في ريف الرقة.",
            published=dt.date(2020, 12, 6),
            date_precision=Article.DatePrecision.DAY,
            language="ar",
        ),
        make_article(
            mayadeen,
            "Clashes near Ain Issa",
            "Clashes were reported near Ain Issa in the northern Raqqa countryside.",
            published=dt.date(2019, 1, 1),
            date_precision=Article.DatePrecision.YEAR,
            language="en",
        ),
    ]


def direction(page: Page, selector: str = "html") -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).direction")


def test_login_page_is_arabic_rtl(page: Page, browser_user, screenshot) -> None:
    page.goto("/login/")
    assert direction(page) == "rtl"
    expect(page.locator("h1")).to_have_text("تسجيل الدخول")
    screenshot(page, "login")


def test_analyst_browses_filters_and_reads_an_article(
    articles: list[Article], logged_in_page: Page, screenshot
) -> None:
    page = logged_in_page
    assert urlsplit(page.url).path == "/"  # the article list
    assert page.get_attribute("html", "lang") == "ar"
    assert direction(page) == "rtl"
    assert direction(page, ".article-list") == "rtl"
    expect(page.locator(".article-item")).to_have_count(4)
    screenshot(page, "article-list-ar")

    # On a phone the page reflows instead of scrolling sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "article-list-ar-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The filter swaps the results in place: the page itself is not reloaded.
    page.evaluate("window.zawiyaMarker = 'still here'")
    page.select_option("select[name=outlet]", "al-mayadeen")
    expect(page.locator(".article-item")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/\?.*outlet=al-mayadeen"))
    assert page.evaluate("window.zawiyaMarker") == "still here"
    # The language switch returns to the filtered list, not the one the page was loaded with.
    next_url = page.get_attribute(".language-switch input[name=next]", "value")
    assert "outlet=al-mayadeen" in next_url

    page.click("text=الجيش السوري يتصدى لهجوم المسلحين شمال الرقة")
    expect(page.locator("h1")).to_have_text("الجيش السوري يتصدى لهجوم المسلحين شمال الرقة")

    page.goto(articles[0].get_absolute_url())
    assert direction(page, ".article__body") == "rtl"
    expect(page.locator(".original__text")).to_have_count(0)
    page.evaluate("window.zawiyaMarker = 'still here'")
    page.click("#original a")
    expect(page.locator(".original__text")).to_contain_text("<h1>قصف على عين عيسى</h1>")
    assert page.evaluate("window.zawiyaMarker") == "still here"
    screenshot(page, "article-detail-ar")

    # An English article reads left to right inside the Arabic page.
    page.goto(articles[3].get_absolute_url())
    assert direction(page) == "rtl"
    assert direction(page, ".article__body") == "ltr"


def test_switching_to_english_flips_the_layout(
    articles: list[Article], logged_in_page: Page, screenshot
) -> None:
    page = logged_in_page
    with page.expect_navigation():
        page.click(".language-switch button[value=en]")
    assert page.get_attribute("html", "lang") == "en"
    assert direction(page) == "ltr"
    expect(page.locator(".site-nav")).to_contain_text("Articles")
    expect(page.locator(".article-item").first).to_contain_text("Dec. 6, 2020")
    screenshot(page, "article-list-en")

    with page.expect_navigation():
        page.click(".language-switch button[value=ar]")
    assert direction(page) == "rtl"


def test_import_page_uploads_files(analyst_page: Page, screenshot) -> None:
    page = analyst_page
    page.click(".site-nav >> text=استيراد")
    expect(page.locator("input[type=file][name=files]")).to_have_attribute("multiple", "")
    screenshot(page, "import")

    records = [
        {
            "id": "a1",
            "outlet": "Orient News",
            "title": "قصف على عين عيسى",
            "text": BODY,
            "published": "2020-12-05",
            "language": "ar",
        },
        {
            "id": "a2",
            "outlet": "Orient News",
            "title": "نسخة",
            "text": BODY,
            "published": "2020-12-05",
            "language": "ar",
        },
        {"id": "broken", "outlet": "Orient News"},
    ]
    payload = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()
    page.set_input_files(
        "input[name=files]",
        {"name": "seed.jsonl", "mimeType": "application/jsonl", "buffer": payload},
    )
    with page.expect_navigation():
        page.click("form[enctype] button[type=submit]")
    expect(page.locator("h1")).to_contain_text("الاستيراد #")
    expect(page.locator(".article-item")).to_have_count(1)
    expect(page.locator("table")).to_contain_text("seed.jsonl:3")
    screenshot(page, "import-detail")

    page.click(".site-nav >> text=وسائل الإعلام")
    expect(page.locator("tbody tr")).to_have_count(1)
    screenshot(page, "outlet-list")
