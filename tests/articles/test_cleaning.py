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


SUMMARY = (
    "قالت الأمم المتحدة إن قوافل المساعدات وصلت إلى البلدات المحاصرة في الريف الشرقي "
    "للمرة الأولى منذ أشهر ."
)


def test_a_tokenised_ellipsis_does_not_split_a_headline_printed_twice() -> None:
    headline = "سوريا . . وصول المساعدات إلى البلدات المحاصرة"
    cleaned = clean_text(page(f"{headline} | موقع المثال {headline} {PARA_1}", PARA_2))
    assert cleaned.title == headline
    assert cleaned.body.startswith("قالت مصادر محلية")


def test_a_headline_phrase_repeated_in_the_lead_does_not_cut_the_lead() -> None:
    lead = (
        "قال رئيس المجلس المحلي اليوم إن الانتخابات البلدية ستجري في موعدها المحدد رغم "
        "اعتراض عدد من الأحزاب على القانون الجديد ."
    )
    line = f"صحيفة المثال | المجلس : الانتخابات البلدية ستجري في موعدها الأصلي {lead}"
    cleaned = clean_text(page(line, PARA_2))
    assert lead in cleaned.body


def test_a_list_of_linked_headlines_before_the_article_is_skipped() -> None:
    raw = page(
        HEADLINE,
        "مصادر : وصول تعزيزات عسكرية إلى ريف حلب الشمالي وسط توتر متصاعد بين الأطراف "
        "وزير الخارجية يلتقي نظيره الروسي في موسكو لبحث الحل السياسي",
        "انقطاع الكهرباء عن أحياء واسعة في العاصمة بسبب العاصفة",
        "ارتفاع أسعار الوقود للمرة الثالثة هذا العام",
        PARA_1,
        PARA_2,
    )
    cleaned = clean_text(raw)
    assert cleaned.body.startswith("قالت مصادر محلية")


def test_a_summary_printed_twice_is_kept_once_without_the_site_name() -> None:
    raw = page(f"{HEADLINE} | موقع المثال {SUMMARY}", SUMMARY, PARA_1, PARA_2)
    cleaned = clean_text(raw)
    assert cleaned.title == HEADLINE
    assert cleaned.body.startswith(SUMMARY)
    assert cleaned.body.count(SUMMARY) == 1
    assert "موقع المثال" not in cleaned.body


def test_a_headline_glued_before_a_summary_that_the_lead_repeats_is_dropped() -> None:
    first = "وصول المساعدات إلى الريف الشرقي " + SUMMARY
    lead = (
        "قالت الأمم المتحدة إن قوافل المساعدات وصلت إلى البلدات المحاصرة , يوم الأحد , "
        "بعد مفاوضات طويلة مع الأطراف المتحاربة ."
    )
    cleaned = clean_text(page(first, lead, PARA_2))
    assert cleaned.body.startswith(SUMMARY)
    assert lead in cleaned.body


def test_a_photo_caption_with_a_credit_is_dropped_before_the_lead() -> None:
    caption = "عائلات نازحة تنتظر المساعدات قرب مخيم على الحدود ( رويترز )"
    cleaned = clean_text(page(HEADLINE, f"{caption} {PARA_1}", PARA_2))
    assert cleaned.body.startswith("قالت مصادر محلية")
    assert "رويترز" not in cleaned.body


def test_a_photo_caption_on_its_own_line_is_dropped() -> None:
    caption = "عائلات نازحة تنتظر وصول المساعدات قرب مخيم على الحدود الشمالية ( أرشيفية )"
    cleaned = clean_text(page(HEADLINE, caption, PARA_1, PARA_2))
    assert cleaned.body.startswith("قالت مصادر محلية")


def test_a_dateline_keeps_its_agency_credit() -> None:
    cleaned = clean_text(page(HEADLINE, f"دمشق ( رويترز ) {PARA_1}", PARA_2))
    assert cleaned.body.startswith("دمشق ( رويترز ) قالت مصادر محلية")


def test_a_credit_inside_the_lead_is_not_taken_for_a_caption() -> None:
    lead = (
        "نقلت وكالة ( رويترز ) عن مسؤول محلي قوله : إن القصف استمر طوال الليل على "
        "الأحياء الشرقية للمدينة ."
    )
    cleaned = clean_text(page(HEADLINE, lead, PARA_2))
    assert cleaned.body.startswith(lead)


def test_a_you_are_here_marker_is_cut_before_the_article() -> None:
    line = f"موقع المثال الإخباري أنت هنا : {PARA_1}"
    cleaned = clean_text(page(HEADLINE, line, PARA_2))
    assert cleaned.body.startswith("قالت مصادر محلية")


def test_an_ad_blocker_notice_is_not_taken_for_the_article() -> None:
    notice = (
        "عزيزي القارئ العائد من الإعلانات هو مصدر دخل الموقع الوحيد ويساعدنا على الاستمرار "
        "في العمل المستقل ."
    )
    raw = page(notice, "نرجو إيقاف مانع الإعلانات في متصفحك .", f"شكرا لتفهمك {PARA_1}", PARA_2)
    cleaned = clean_text(raw)
    assert cleaned.body.startswith("قالت مصادر محلية")


def test_a_byline_closed_by_a_colon_is_cut_before_the_lead() -> None:
    cleaned = clean_text(page(HEADLINE, f"كتبت - سلمى الأحمد : {PARA_1}", PARA_2))
    assert cleaned.body.startswith("قالت مصادر محلية")


def test_a_hijri_date_in_the_header_is_cut() -> None:
    line = f"2017 / 10 / 18 الساعة 15 : 35 1439 / 1 / 28 ه - {PARA_1}"
    cleaned = clean_text(page(HEADLINE, line, PARA_2))
    assert cleaned.body.startswith("قالت مصادر محلية")


def test_a_headline_joining_two_clauses_with_an_ellipsis_is_the_title() -> None:
    headline = "سقوط قذائف على بلدة حدودية . . والجيش يرد ."
    cleaned = clean_text(page(headline, PARA_1, PARA_2))
    assert cleaned.title == headline
    assert cleaned.body.startswith("قالت مصادر محلية")


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
