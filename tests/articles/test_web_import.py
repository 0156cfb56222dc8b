"""Importing article URLs: fetched from a local server, extracted, imported, versioned."""

from __future__ import annotations

import zlib

import pytest
from django.core.management import call_command

from articles.models import Article, ArticleVersion, ImportBatch, Outlet, OutletDomain
from articles.versions import word_diff
from articles.web_import import FAILED, UNCHANGED, UPDATED, import_urls

from .pages import OTHER_STORY, article_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def outlet():
    outlet = Outlet.objects.create(name="Local News", slug="local-news", language="ar")
    # The tests' server is 127.0.0.1: its "domain" attributes pages to this outlet.
    OutletDomain.objects.create(outlet=outlet, domain="127.0.0.1")
    return outlet


def serve(server, path: str, html: str, *, charset: str = "utf-8", declare: bool = True) -> str:
    content_type = f"text/html; charset={charset}" if declare else "text/html"
    server.expect_request(path).respond_with_data(html.encode(charset), content_type=content_type)
    return server.url_for(path)


def test_word_diff_finds_a_changed_label():
    diff = word_diff("قصفت ميليشيا أسد البلدة", "قصفت قوات النظام البلدة")
    assert [(c.old, c.new) for c in diff.changes] == [("ميليشيا أسد", "قوات النظام")]
    assert [s.op for s in diff.segments] == ["equal", "delete", "insert", "equal"]
    assert not word_diff("نص  واحد", "نص واحد").changed


def test_imports_pages_in_utf8_and_windows_1256(local_server, outlet, analyst):
    utf8 = serve(local_server, "/a", article_html("قصف على كفرنبل"))
    cp1256 = serve(
        local_server,
        "/b",
        article_html(
            "معارك في ريف حلب", actor="قوات النظام", meta_charset=None, paragraphs=OTHER_STORY
        ),
        charset="cp1256",
        declare=False,
    )
    done = import_urls(urls=[utf8, cp1256], user=analyst)
    assert [r.outcome for r in done.results] == ["imported", "imported"]
    first, second = (r.article for r in done.results)
    assert first.outlet == outlet and second.outlet == outlet
    assert "ميليشيا أسد" in first.body
    assert "قوات النظام" in second.body
    assert first.title == "قصف على كفرنبل"
    assert second.url == cp1256
    assert done.batch.kind == ImportBatch.Kind.WEB
    assert done.batch.imported == 2
    version = ArticleVersion.objects.get(article=second)
    assert version.number == 1
    assert version.encoding == "windows-1256"
    assert version.headers["content-type"] == "text/html"
    # The raw page is kept byte for byte (compressed), and reads back in its own encoding.
    assert zlib.decompress(bytes(version.raw_compressed)).decode("cp1256").startswith("<!DOCTYPE")
    assert "معارك في ريف حلب" in version.raw


def test_reports_each_failed_url_with_its_reason(local_server, outlet, analyst):
    good = serve(local_server, "/a", article_html("قصف على كفرنبل"))
    local_server.expect_request("/gone").respond_with_data("", status=404)
    local_server.expect_request("/empty").respond_with_data(
        "<html><body><nav>الرئيسية</nav></body></html>", content_type="text/html"
    )
    urls = [
        good,
        local_server.url_for("/gone"),
        "http://169.254.169.254/latest/meta-data/",
        local_server.url_for("/empty"),
    ]
    done = import_urls(urls=urls, user=analyst)
    outcomes = {r.url: (r.outcome, r.message) for r in done.results}
    assert outcomes[good][0] == "imported"
    assert outcomes[urls[1]] == (FAILED, "the server answered 404 NOT FOUND")
    assert outcomes[urls[2]][0] == FAILED
    assert "link-local" in outcomes[urls[2]][1]
    assert outcomes[urls[3]][0] == "rejected"
    assert "words of article text" in outcomes[urls[3]][1]
    assert len(done.failed) == 3
    assert done.batch.rejected == 3
    assert Article.objects.count() == 1


def test_refetching_an_unchanged_page_changes_nothing(local_server, outlet):
    url = serve(local_server, "/a", article_html("قصف على كفرنبل"))
    import_urls(urls=[url])
    again = import_urls(urls=[url])
    assert [r.outcome for r in again.results] == [UNCHANGED]
    assert Article.objects.count() == 1
    assert ArticleVersion.objects.count() == 1


def test_a_changed_page_becomes_a_new_version_with_a_word_diff(
    local_server, outlet, analyst_client
):
    url = serve(local_server, "/a", article_html("قصف على كفرنبل", actor="ميليشيا أسد"))
    article = import_urls(urls=[url]).results[0].article
    local_server.clear()
    serve(local_server, "/a", article_html("قصف على كفرنبل", actor="قوات الحكومة"))
    done = import_urls(urls=[url])
    assert [r.outcome for r in done.results] == [UPDATED]
    article.refresh_from_db()
    assert "قوات الحكومة" in article.body and "ميليشيا أسد" not in article.body
    assert article.text_changed_at is not None
    assert article.search_text != ""
    assert list(article.versions.values_list("number", flat=True)) == [1, 2]
    assert Article.objects.count() == 1

    page = analyst_client.get(article.get_absolute_url()).content.decode()
    assert "<del>ميليشيا أسد</del> → <ins>قوات الحكومة</ins>" in page
    assert 'id="versions"' in page
    assert "notice--changed" in page


def test_a_file_imported_article_gets_its_stored_text_as_version_one(local_server, outlet):
    url = serve(local_server, "/a", article_html("قصف على كفرنبل", actor="قوات الحكومة"))
    first = import_urls(urls=[url]).results[0].article
    ArticleVersion.objects.all().delete()  # as if it had come from a file
    Article.objects.filter(pk=first.pk).update(body=first.body.replace("قوات الحكومة", "ميليشيا"))
    done = import_urls(urls=[url])
    assert done.results[0].outcome == UPDATED
    assert list(first.versions.values_list("number", "status")) == [(1, None), (2, 200)]


def test_import_urls_command_reports_and_exits_1_on_failure(local_server, outlet, tmp_path, capsys):
    good = serve(local_server, "/a", article_html("قصف على كفرنبل"))
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# today\n{good}\n\nhttp://10.0.0.1/secret\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        call_command("import_urls", str(listing))
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert f"imported #{Article.objects.get().pk}: {good}" in out
    assert "failed: http://10.0.0.1/secret: refused: 10.0.0.1 is a private address" in out
    listing.write_text(f"{good}\n", encoding="utf-8")
    call_command("import_urls", str(listing))  # unchanged, nothing failed: exit 0
    assert "unchanged" in capsys.readouterr().out
