from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Article, ImportBatch, Outlet
from articles.normalization import search_document

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script> <img src=x onerror=alert(1)> \"'><b>"


def make_article(outlet: Outlet, body: str, **fields: object) -> Article:
    """An article as the import would store it, with search keys from the one normaliser."""
    fields.setdefault("original", body)
    return Article.objects.create(
        outlet=outlet,
        body=body,
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
        search_text=search_document(f"{fields.get('title', '')}\n{body}"),
        **fields,
    )


@pytest.fixture
def orient() -> Outlet:
    return Outlet.objects.create(name="Orient News", name_ar="أورينت نت", slug="orient-news")


@pytest.fixture
def mayadeen() -> Outlet:
    return Outlet.objects.create(name="Al Mayadeen", name_ar="الميادين", slug="al-mayadeen")


@pytest.fixture
def militia_article(orient: Outlet) -> Article:
    return make_article(
        orient,
        "هاجمت ميليشيا أسد قرية المشيرفة قرب عين عيسى.\n\nوقال مصدر محلي إن القصف استمر.",
        title="قصف على عين عيسى",
        published=dt.date(2020, 12, 5),
        date_precision=Article.DatePrecision.DAY,
        language="ar",
        original="<html><body><h1>قصف على عين عيسى</h1><p>نص الصفحة</p></body></html>",
        original_format=Article.SourceFormat.HTML,
        url="https://orient-news.net/ar/news_show/1",
    )


@pytest.fixture
def army_article(mayadeen: Outlet) -> Article:
    return make_article(
        mayadeen,
        "الجيش السوري يصد هجوما في ريف الرقة الشمالي.",
        title="الجيش السوري يصد هجوما",
        published=dt.date(2020, 12, 1),
        date_precision=Article.DatePrecision.MONTH,
        language="ar",
    )


@pytest.fixture
def old_article(mayadeen: Outlet) -> Article:
    return make_article(
        mayadeen,
        "Roundup of the November fighting.",
        external_id="roundup-2019",
        published=dt.date(2019, 1, 1),
        date_precision=Article.DatePrecision.YEAR,
        language="en",
    )


def list_titles(response) -> str:
    return response.content.decode()


# Access


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("articles:article_list", []),
        ("articles:article_detail", [1]),
        ("articles:outlet_list", []),
        ("articles:outlet_detail", ["orient-news"]),
        ("articles:import_page", []),
        ("articles:import_detail", [1]),
    ],
)
def test_redirects_anonymous_users_to_login(client, name: str, args: list[object]) -> None:
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_login_page_is_public_and_arabic_by_default(client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in response.content.decode()


# Article list


def test_lists_articles_with_outlet_and_date_precision(
    analyst_client, militia_article, army_article, old_article
) -> None:
    response = analyst_client.get(reverse("articles:article_list"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "قصف على عين عيسى" in html
    assert "Orient News" in html
    assert "Dec. 5, 2020" in html
    assert "December 2020" in html
    assert '<time datetime="2019">2019</time>' in html
    # An article without a title is listed by its external id.
    assert "roundup-2019" in html
    assert "3 articles" in html


def test_says_date_unknown_when_there_is_no_date(analyst_client, orient) -> None:
    make_article(orient, "نص بلا تاريخ", title="بلا تاريخ")
    response = analyst_client.get(reverse("articles:article_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "date unknown" in response.content.decode()


def test_filters_by_outlet(analyst_client, militia_article, army_article) -> None:
    response = analyst_client.get(reverse("articles:article_list"), {"outlet": "al-mayadeen"})
    html = response.content.decode()
    assert "الجيش السوري يصد هجوما" in html
    assert "قصف على عين عيسى" not in html


def test_filters_by_date_range(analyst_client, militia_article, army_article, old_article) -> None:
    response = analyst_client.get(
        reverse("articles:article_list"), {"date_from": "2020-12-03", "date_to": "2020-12-31"}
    )
    html = response.content.decode()
    assert "قصف على عين عيسى" in html
    assert "الجيش السوري يصد هجوما" not in html
    assert "roundup-2019" not in html


def test_reports_a_reversed_date_range(analyst_client, militia_article) -> None:
    response = analyst_client.get(
        reverse("articles:article_list"),
        {"date_from": "2021-01-01", "date_to": "2020-01-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert "The start date is after the end date." in html
    assert "قصف على عين عيسى" not in html


def test_search_matches_other_forms_of_a_word(
    analyst_client, militia_article, army_article
) -> None:
    # The plural with the article finds the singular: both reduce to the same search key.
    response = analyst_client.get(reverse("articles:article_list"), {"q": "الميليشيات"})
    html = response.content.decode()
    assert "قصف على عين عيسى" in html
    assert "الجيش السوري يصد هجوما" not in html


def test_search_needs_every_word(analyst_client, militia_article, army_article) -> None:
    response = analyst_client.get(reverse("articles:article_list"), {"q": "الجيش الرقة"})
    html = response.content.decode()
    assert "الجيش السوري يصد هجوما" in html
    assert "قصف على عين عيسى" not in html


def test_htmx_request_gets_only_the_results_fragment(analyst_client, militia_article) -> None:
    response = analyst_client.get(
        reverse("articles:article_list"), {"outlet": "orient-news"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="results"')
    assert "قصف على عين عيسى" in html
    assert "HX-Request" in response["Vary"]


def test_full_page_has_the_filter_form_and_results(analyst_client, militia_article) -> None:
    html = analyst_client.get(reverse("articles:article_list")).content.decode()
    assert "<html" in html
    assert 'id="results"' in html
    assert 'hx-get="/"' in html


def test_paginates_25_per_page_keeping_the_filters(analyst_client, orient) -> None:
    for n in range(30):
        make_article(orient, f"نص رقم {n}", title=f"مقال {n}")
    response = analyst_client.get(reverse("articles:article_list"), {"outlet": "orient-news"})
    assert len(response.context["page"].object_list) == 25
    assert "?outlet=orient-news&amp;page=2" in response.content.decode()
    second = analyst_client.get(reverse("articles:article_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_list_queries_do_not_grow_with_the_page(
    analyst_client, orient, django_assert_max_num_queries
) -> None:
    first = make_article(orient, "الأصل", title="الأصل")
    for n in range(25):
        make_article(orient, f"نسخة {n}", title=f"نسخة {n}", duplicate_of=first)
    # session, user, count, page (outlets for the filter select).
    with django_assert_max_num_queries(6):
        analyst_client.get(reverse("articles:article_list"))


def test_marks_near_duplicates(analyst_client, militia_article, orient) -> None:
    copy = make_article(orient, "نسخة", title="نسخة", duplicate_of=militia_article)
    html = analyst_client.get(
        reverse("articles:article_list"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f"copy of #{militia_article.pk}" in html
    detail = analyst_client.get(copy.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert f"a copy of article #{militia_article.pk}" in detail.content.decode()
    original = analyst_client.get(militia_article.get_absolute_url()).content.decode()
    assert f'href="{copy.get_absolute_url()}"' in original


# Article detail


def test_detail_shows_the_article(analyst_client, militia_article) -> None:
    response = analyst_client.get(militia_article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<p>هاجمت ميليشيا أسد قرية المشيرفة قرب عين عيسى.</p>" in html
    assert '<div class="article__body" dir="auto" lang="ar">' in html
    assert (
        '<a href="https://orient-news.net/ar/news_show/1" rel="noopener noreferrer nofollow"'
        in html
    )
    assert "Dec. 5, 2020" in html
    assert 'href="/outlets/orient-news/"' in html


def test_detail_does_not_link_a_non_web_url(analyst_client, orient) -> None:
    article = make_article(orient, "نص", title="رابط", url="javascript:alert(1)")
    html = analyst_client.get(article.get_absolute_url()).content.decode()
    assert 'href="javascript' not in html


def test_original_is_shown_only_on_demand(analyst_client, militia_article) -> None:
    url = militia_article.get_absolute_url()
    html = analyst_client.get(url).content.decode()
    assert "نص الصفحة" not in html
    assert f'href="{url}?show=original#original"' in html
    assert f'hx-get="{url}?show=original"' in html

    html = analyst_client.get(url, {"show": "original"}).content.decode()
    assert "<html" in html
    assert "&lt;h1&gt;قصف على عين عيسى&lt;/h1&gt;&lt;p&gt;نص الصفحة&lt;/p&gt;" in html


def test_original_fragment_for_htmx(analyst_client, militia_article) -> None:
    response = analyst_client.get(
        militia_article.get_absolute_url(), {"show": "original"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="original"')
    assert "<pre" in html
    assert "&lt;p&gt;نص الصفحة&lt;/p&gt;" in html
    assert "<p>نص الصفحة</p>" not in html


def test_unknown_article_is_404(analyst_client) -> None:
    assert analyst_client.get(reverse("articles:article_detail", args=[999])).status_code == 404


# Untrusted text


def test_untrusted_text_is_escaped_everywhere(analyst_client) -> None:
    outlet = Outlet.objects.create(name=f"Evil {XSS}", name_ar=XSS, slug="evil", editorial_line=XSS)
    article = make_article(
        outlet, f"first {XSS}\n\nsecond", title=f"Title {XSS}", byline=XSS, original=XSS
    )
    batch = ImportBatch.objects.create(
        source=XSS, errors=[{"record": XSS, "reason": XSS, "level": XSS}]
    )
    article.batch = batch
    article.save()
    pages = [
        reverse("articles:article_list"),
        article.get_absolute_url(),
        f"{article.get_absolute_url()}?show=original",
        reverse("articles:outlet_list"),
        outlet.get_absolute_url(),
        reverse("articles:import_page"),
        batch.get_absolute_url(),
    ]
    for url in pages:
        html = analyst_client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "<b>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


# Language


def test_language_switch_sets_english_and_back(analyst_client) -> None:
    url = reverse("articles:outlet_list")
    html = analyst_client.get(url).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert ">وسائل الإعلام</a>" in html

    response = analyst_client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    html = analyst_client.get(url).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert ">Outlets</a>" in html

    analyst_client.post(reverse("set_language"), {"language": "ar", "next": url})
    assert '<html lang="ar" dir="rtl">' in analyst_client.get(url).content.decode()


def test_language_switch_works_before_login(client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert '<html lang="en" dir="ltr">' in client.get(reverse("login")).content.decode()


# Outlets


def test_outlet_list_counts_articles(analyst_client, militia_article, army_article, orient) -> None:
    orient.editorial_line = "Syrian opposition channel"
    orient.save()
    orient.domains.create(domain="orient-news.net")
    html = analyst_client.get(reverse("articles:outlet_list")).content.decode()
    assert "Orient News" in html
    assert "أورينت نت" in html
    assert "orient-news.net" in html
    assert "Syrian opposition channel" in html
    assert '?outlet=orient-news">1</a>' in html


def test_outlet_list_queries_do_not_grow(analyst_client, django_assert_max_num_queries) -> None:
    for n in range(10):
        outlet = Outlet.objects.create(name=f"Outlet {n}", slug=f"outlet-{n}")
        outlet.domains.create(domain=f"outlet{n}.example")
    with django_assert_max_num_queries(4):
        analyst_client.get(reverse("articles:outlet_list"))


def test_outlet_detail_lists_its_articles(analyst_client, militia_article, army_article) -> None:
    html = analyst_client.get(reverse("articles:outlet_detail", args=["orient-news"])).content
    html = html.decode()
    assert "قصف على عين عيسى" in html
    assert "الجيش السوري يصد هجوما" not in html


# Imports


def test_import_page_shows_the_form_and_recent_batches(analyst_client, analyst) -> None:
    batch = ImportBatch.objects.create(
        created_by=analyst, kind=ImportBatch.Kind.UPLOAD, source="seed.jsonl", imported=4
    )
    html = analyst_client.get(reverse("articles:import_page")).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="files"' in html and "multiple" in html
    assert f'href="{batch.get_absolute_url()}"' in html


def test_upload_imports_articles_and_shows_the_batch(analyst_client, analyst) -> None:
    records = [
        {
            "id": "a1",
            "outlet": "Orient News",
            "title": "قصف على عين عيسى",
            "text": "هاجمت ميليشيا أسد قرية المشيرفة قرب عين عيسى في ريف الرقة الشمالي.",
            "published": "2020-12-05",
            "language": "ar",
        },
        {"id": "broken"},
    ]
    jsonl = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()
    upload = SimpleUploadedFile("seed.jsonl", jsonl, content_type="application/jsonl")
    response = analyst_client.post(reverse("articles:import_page"), {"files": [upload]})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == batch.get_absolute_url()
    assert batch.created_by == analyst
    assert batch.imported == 1
    assert batch.rejected == 1

    html = analyst_client.get(batch.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content
    html = html.decode()
    assert "قصف على عين عيسى" in html
    assert "seed.jsonl:2" in html
    assert "analyst" in html


def test_upload_with_manifest(analyst_client) -> None:
    text = SimpleUploadedFile("a.txt", "عنوان\n\nهاجمت ميليشيا أسد قرية المشيرفة.".encode())
    manifest = SimpleUploadedFile(
        "my-manifest.json",
        json.dumps(
            {"articles": {"a.txt": {"outlet": "Orient News", "published": "2020-12"}}}
        ).encode(),
    )
    response = analyst_client.post(
        reverse("articles:import_page"), {"files": [text], "manifest": manifest}
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.outlet.name == "Orient News"
    assert article.date_precision == Article.DatePrecision.MONTH


def test_upload_rejects_unsupported_file_types(analyst_client) -> None:
    upload = SimpleUploadedFile("evil.exe", b"MZ")
    response = analyst_client.post(
        reverse("articles:import_page"), {"files": [upload]}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "unsupported file type" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_upload_over_the_size_limit_imports_nothing(analyst_client, settings) -> None:
    settings.ZAWIYA_UPLOAD_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("big.jsonl", b"x" * (1024 * 1024 + 10))
    response = analyst_client.post(
        reverse("articles:import_page"), {"files": [upload]}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 413
    assert "larger than the 1 MB limit" in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert not Article.objects.exists()


def test_import_detail_shows_counts_and_errors(analyst_client, analyst, militia_article) -> None:
    batch = ImportBatch.objects.create(
        created_by=analyst,
        source="seed.jsonl",
        imported=1,
        near_duplicates=2,
        duplicates=3,
        rejected=4,
        errors=[
            {"record": "seed.jsonl:12", "reason": "no text", "level": "error"},
            {"record": "seed.jsonl:13", "reason": "same as #1", "level": "duplicate"},
        ],
    )
    militia_article.batch = batch
    militia_article.save()
    html = analyst_client.get(batch.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for number, label in [(1, "imported"), (2, "near duplicates"), (3, "duplicates")]:
        assert (
            f'<span class="count__number">{number}</span> <span class="count__label">{label}'
            in html
        )
    assert "seed.jsonl:12" in html and "no text" in html
    assert '<tr class="level--duplicate">' in html
    assert f'href="{militia_article.get_absolute_url()}"' in html


def test_a_viewer_sees_no_upload_form_and_a_forged_upload_is_refused(viewer_client) -> None:
    html = viewer_client.get(reverse("articles:import_page")).content.decode()
    assert 'enctype="multipart/form-data"' not in html
    upload = SimpleUploadedFile("a.txt", "عنوان\n\nنص قصير عن قصف في الرقة.".encode())
    response = viewer_client.post(reverse("articles:import_page"), {"files": [upload]})
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db(transaction=True)  # the worker runs on its own terms: real commits
def test_an_upload_leaves_clustering_to_a_worker_under_the_database_task_backend(
    analyst_client, settings
) -> None:
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from comparisons.models import Membership

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    record = {
        "id": "a1",
        "outlet": "Orient News",
        "text": "قصفت مدفعية ثقيلة قرية المشيرفة قرب عين عيسى في ريف الرقة الشمالي.",
    }
    upload = SimpleUploadedFile("a.jsonl", json.dumps(record, ensure_ascii=False).encode())
    response = analyst_client.post(reverse("articles:import_page"), {"files": [upload]})
    assert response.status_code == 302
    assert ImportBatch.objects.get().imported == 1
    assert not Membership.objects.exists()  # the request did not wait for clustering
    assert DBTaskResult.objects.get().task_path == "comparisons.tasks.assign_unclustered"
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert Membership.objects.count() == 1
