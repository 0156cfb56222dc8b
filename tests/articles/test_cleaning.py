from __future__ import annotations

import json
from pathlib import Path

import pytest

from articles.cleaning import CleanedArticle, clean_html, clean_text
from bench.cleaning_report import baly_report, start_is_clean

# Snippets written for these tests (not taken from any corpus page).
HEADLINE = "اشتباكات جديدة قرب سد الفرات بعد فشل المفاوضات"
PARA_1 = (
    "قالت مصادر محلية اليوم الأحد إن اشتباكات عنيفة اندلعت قرب سد الفرات بين الفصائل "
    "المحلية والقوات الحكومية، بعد فشل جولة جديدة من المفاوضات بين الطرفين."
)
PARA_2 = (
    "وأضافت المصادر أن القصف المدفعي استمر حتى ساعات الصباح الأولى، وأن عشرات العائلات "
    "نزحت نحو القرى المجاورة بحثا عن الأمان."
)
PARA_3 = (
    "ولم يصدر أي تعليق رسمي من الحكومة حتى الآن، فيما دعت منظمات إنسانية إلى فتح ممرات "
    "آمنة لخروج المدنيين من مناطق الاشتباك."
)


def page(*lines: str) -> str:
    return "\n\n".join(lines)


def test_repeated_headline_becomes_the_title_and_leaves_the_body() -> None:
    cleaned = clean_text(page(HEADLINE, HEADLINE, PARA_1, PARA_2))
    assert cleaned.title == HEADLINE
    assert HEADLINE not in cleaned.body
    assert cleaned.body.startswith("قالت مصادر محلية")


def test_known_title_is_removed_from_the_top_of_the_body() -> None:
    cleaned = clean_text(page(HEADLINE, PARA_1, PARA_2), title=HEADLINE)
    assert cleaned.title == HEADLINE
    assert cleaned.body.startswith("قالت مصادر محلية")


def test_comments_section_is_cut() -> None:
    raw = page(
        HEADLINE,
        PARA_1,
        PARA_2,
        "التعليقات (2)",
        "ابو محمد",
        "منذ سنتين",
        "كلام صحيح والله المستعان في كل الأحوال",
    )
    cleaned = clean_text(raw)
    assert cleaned.body.endswith(PARA_2)
    assert "التعليقات" not in cleaned.body
    assert "ابو محمد" not in cleaned.body


def test_most_read_list_is_cut() -> None:
    raw = page(HEADLINE, PARA_1, PARA_2, "الأكثر قراءة", "خبر أول عن الطقس", "خبر ثان عن الرياضة")
    cleaned = clean_text(raw)
    assert "الأكثر قراءة" not in cleaned.body
    assert "الطقس" not in cleaned.body
    assert PARA_2 in cleaned.body


def test_share_banner_and_follow_lines_are_removed() -> None:
    raw = page(HEADLINE, PARA_1, "شارك على فيسبوك تويتر واتساب", PARA_2, "تابعونا على تلغرام")
    cleaned = clean_text(raw)
    assert "فيسبوك" not in cleaned.body
    assert "تلغرام" not in cleaned.body
    assert PARA_1 in cleaned.body and PARA_2 in cleaned.body


def test_read_also_line_and_its_linked_headline_are_removed() -> None:
    raw = page(HEADLINE, PARA_1, "اقرأ أيضا:", "وزير الخارجية يزور العاصمة", PARA_2, PARA_3)
    cleaned = clean_text(raw)
    assert "اقرأ أيضا" not in cleaned.body
    assert "وزير الخارجية يزور العاصمة" not in cleaned.body
    assert PARA_3 in cleaned.body


def test_english_navigation_is_removed() -> None:
    raw = page(
        "Skip to content",
        "Home | World | Politics | Sports",
        "Floods force thousands from their homes in the north",
        "Heavy rain caused rivers to burst their banks on Sunday, forcing thousands of "
        "families to leave their homes, local officials said.",
        "Rescue teams worked through the night to reach villages cut off by the water, "
        "and the army sent boats to help.",
        "Share this article",
        "Related articles",
        "Copyright 2024 Example News. All rights reserved.",
    )
    cleaned = clean_text(raw)
    assert cleaned.title == "Floods force thousands from their homes in the north"
    assert cleaned.body.startswith("Heavy rain caused rivers")
    assert cleaned.body.endswith("boats to help.")
    for chrome in ("Skip to content", "Home |", "Share this", "Related", "Copyright"):
        assert chrome not in cleaned.body


def test_prose_is_preserved_whole() -> None:
    cleaned = clean_text(page(HEADLINE, PARA_1, PARA_2, PARA_3))
    assert cleaned.body == page(PARA_1, PARA_2, PARA_3)


def test_a_paragraph_that_mentions_comments_mid_body_is_not_cut() -> None:
    mention = (
        "وأثارت التصريحات موجة من التعليقات على مواقع التواصل، إذ انتقد كثيرون غياب أي "
        "خطة واضحة لحماية المدنيين في المنطقة."
    )
    cleaned = clean_text(page(HEADLINE, PARA_1, mention, PARA_2, PARA_3))
    assert mention in cleaned.body
    assert cleaned.body.endswith(PARA_3)


def test_navigation_prefix_on_the_same_line_as_the_article_is_cut() -> None:
    line = (
        f"{HEADLINE} | موقع المثال الإخباري الأحد , 21 يناير 2018 بحث القائمة الرئيسية "
        f"حجم الخط {PARA_1}"
    )
    cleaned = clean_text(page(line, PARA_2))
    assert cleaned.body.startswith("قالت مصادر محلية")
    assert cleaned.title == HEADLINE


def test_headline_printed_twice_inside_a_line_is_found_and_skipped() -> None:
    line = f"{HEADLINE} {HEADLINE} {PARA_1}"
    cleaned = clean_text(page(line, PARA_2))
    assert cleaned.title == HEADLINE
    assert cleaned.body.startswith("قالت مصادر محلية")


def test_empty_input_gives_an_empty_article() -> None:
    assert clean_text("  \n\n ") == CleanedArticle(title="", body="")


HTML = f"""<!doctype html><html lang="ar"><head><title>{HEADLINE} - موقع المثال</title>
<meta property="article:published_time" content="2021-03-04T10:00:00Z">
<meta name="author" content="سامر الحلبي"></head>
<body><nav><a href="/">الرئيسية</a> <a href="/politics">سياسة</a> <a href="/s">بحث</a></nav>
<main><article><h1>{HEADLINE}</h1>
<p>{PARA_1}</p><p>{PARA_2}</p><p>{PARA_3}</p></article>
<aside><h3>الأكثر قراءة</h3><ul><li><a href="/a">خبر عن الطقس في الساحل</a></li></ul></aside>
<div class="comments" id="comments"><h3>التعليقات</h3><p>تعليق من زائر مجهول الهوية</p></div>
</main><footer>جميع الحقوق محفوظة 2021</footer></body></html>"""


def test_clean_html_keeps_the_article_and_drops_nav_aside_and_comments() -> None:
    cleaned = clean_html(HTML, url="https://example.org/news/1")
    assert HEADLINE in cleaned.title
    for para in (PARA_1, PARA_2, PARA_3):
        assert para in cleaned.body
    for chrome in ("الرئيسية", "الأكثر قراءة", "الطقس", "تعليق من زائر", "جميع الحقوق"):
        assert chrome not in cleaned.body
    assert cleaned.published == "2021-03-04"


def test_clean_html_falls_back_to_stripping_tags() -> None:
    html = f"<div><p>{HEADLINE}</p><p>{PARA_1}</p><p>{PARA_2}</p><nav>بحث الرئيسية</nav></div>"
    cleaned = clean_html(html)
    assert PARA_1 in cleaned.body
    assert "الرئيسية" not in cleaned.body


# --- the shared corpus (read from disk, never copied) ---------------------------------


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_seed_pages_match_the_cleaning_gold(corpus_dir: Path) -> None:
    gold = json.loads((corpus_dir / "seeds" / "gold.json").read_text(encoding="utf-8"))
    for name, expected in gold["cleaning"].items():
        cleaned = clean_text((corpus_dir / "seeds" / name).read_text(encoding="utf-8"))
        assert _squash(cleaned.title) == _squash(expected["title"]), name
        for needle in expected["body_must_contain"]:
            assert needle in cleaned.body, (name, needle)
        for needle in expected["body_must_not_contain"]:
            assert needle not in cleaned.body, (name, needle)


@pytest.fixture(scope="module")
def baly(corpus_dir: Path):  # type: ignore[no-untyped-def]
    return baly_report(corpus_dir)


def test_every_baly_dev_record_keeps_a_body(baly) -> None:  # type: ignore[no-untyped-def]
    report, cleaned, records = baly
    assert report.total == len(records) == 343
    assert all(c.body.strip() for c in cleaned)


def test_baly_dev_bodies_start_without_navigation(baly) -> None:  # type: ignore[no-untyped-def]
    report, _, _ = baly
    assert report.clean_rate >= 0.90, report.failures[:10]


def test_baly_dev_cleaning_does_not_lose_the_body(baly) -> None:  # type: ignore[no-untyped-def]
    report, _, _ = baly
    assert report.short_bodies <= 5
    assert report.median_kept >= 0.6 * report.median_raw


def test_the_start_metric_rejects_raw_pages(corpus_dir: Path) -> None:
    """The measure must discriminate: most raw pages open with navigation."""
    lines = (corpus_dir / "baly-dev" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    raw_clean = sum(start_is_clean(json.loads(line)["text"]) for line in lines)
    assert raw_clean / len(lines) < 0.6
