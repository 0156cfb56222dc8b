from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from articles import dedup, imports
from articles.imports import import_paths, import_uploads
from articles.models import Article, DuplicateBand, Outlet

pytestmark = pytest.mark.django_db

BODY_A = (
    "شنت فصائل مسلحة هجوما على مواقع قرب بلدة عين عيسى شمال الرقة فجر اليوم.\n\n"
    "وقالت مصادر محلية إن الاشتباكات استمرت ساعات وأسفرت عن سقوط قتلى من الطرفين.\n\n"
    "وتعد البلدة عقدة طرق مهمة على الطريق الدولي إم 4 الذي يربط شرق البلاد بغربها."
)
BODY_B = (
    "أعلنت الإدارة المحلية في مدينة القامشلي افتتاح مدرسة جديدة في حي الكورنيش.\n\n"
    "وقال مسؤول في المجلس إن المدرسة تستوعب خمسمئة طالب وطالبة في مرحلتها الأولى.\n\n"
    "ويأتي ذلك ضمن خطة لإعادة تأهيل المرافق التعليمية في المنطقة خلال العام الحالي."
)


def _write_jsonl(path: Path, records: list[object], extra_lines: list[str] = ()) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_mixed_batch_reports_each_problem_and_keeps_the_good_records(tmp_path: Path) -> None:
    batch_file = _write_jsonl(
        tmp_path / "batch.jsonl",
        [
            {"id": "a", "outlet": "Outlet A", "url": "https://a.example/1", "text": BODY_A},
            {"id": "empty", "outlet": "Outlet A", "text": ""},
            {"id": "dup", "outlet": "Outlet A", "text": BODY_A},
        ],
        extra_lines=['{"id": "broken", "outlet": "Outlet A", "text": '],
    )
    old = tmp_path / "old.jsonl"
    old.write_bytes(
        json.dumps({"id": "w", "outlet": "Outlet C", "text": BODY_B}, ensure_ascii=False).encode(
            "cp1256"
        )
    )
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_articles", str(batch_file), str(old), stdout=out, verbosity=0)
    assert exit_info.value.code == 1
    report = out.getvalue()
    assert "batch.jsonl:2: empty text" in report
    assert "batch.jsonl:3: same text as article #" in report
    assert "batch.jsonl:4: invalid JSON" in report
    assert "old.jsonl:1: read as windows-1256" in report
    assert "imported 2 (near-duplicates 0), duplicates 1, rejected 2" in report
    assert sorted(Article.objects.values_list("external_id", flat=True)) == ["a", "w"]
    assert Article.objects.get(external_id="w").body.startswith("أعلنت الإدارة المحلية")


def test_the_same_text_from_another_outlet_is_stored_as_a_copy(tmp_path: Path) -> None:
    path = _write_jsonl(
        tmp_path / "c.jsonl",
        [
            {"id": "first", "outlet": "Wire", "text": BODY_A},
            {"id": "again", "outlet": "Wire", "text": BODY_A},
            {"id": "reprint", "outlet": "Reprinter", "text": BODY_A},
        ],
    )
    batch = import_paths(paths=[path])
    assert (batch.imported, batch.near_duplicates, batch.duplicates) == (2, 1, 1)
    reprint = Article.objects.get(external_id="reprint")
    assert reprint.duplicate_of == Article.objects.get(external_id="first")
    assert reprint.duplicate_similarity == 1.0


def test_a_clean_import_exits_zero(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "ok.jsonl", [{"id": "a", "outlet": "O", "text": BODY_A}])
    out = io.StringIO()
    call_command("import_articles", str(path), stdout=out, verbosity=0)
    assert "imported 1" in out.getvalue()


def test_the_same_url_twice_is_a_duplicate_and_not_stored_again(tmp_path: Path) -> None:
    url = "https://a.example/story"
    first = _write_jsonl(tmp_path / "1.jsonl", [{"id": "a", "url": url, "text": BODY_A}])
    second = _write_jsonl(tmp_path / "2.jsonl", [{"id": "b", "url": url, "text": BODY_B}])
    import_paths(paths=[first])
    batch = import_paths(paths=[second])
    assert batch.duplicates == 1
    assert "same URL" in batch.errors[0]["reason"]
    assert Article.objects.count() == 1


def test_outlets_come_from_name_domain_or_url(tmp_path: Path) -> None:
    path = _write_jsonl(
        tmp_path / "o.jsonl",
        [
            {
                "id": "1",
                "outlet": "Orient News",
                "outlet_domain": "orient-news.net",
                "text": BODY_A,
            },
            {"id": "2", "url": "https://www.orient-news.net/ar/news/2", "text": BODY_B},
            {"id": "3", "outlet_domain": "new-site.example", "text": BODY_A + " جديد"},
        ],
    )
    import_paths(paths=[path])
    orient = Outlet.objects.get(name="Orient News")
    assert set(orient.articles.values_list("external_id", flat=True)) == {"1", "2"}
    assert Article.objects.get(external_id="3").outlet.name == "new-site.example"


def test_a_near_duplicate_is_stored_and_marked_as_a_copy(tmp_path: Path) -> None:
    edited = BODY_A.replace("فجر اليوم", "صباح اليوم") + "\n\nالمصدر: وكالات"
    path = _write_jsonl(
        tmp_path / "n.jsonl",
        [
            {"id": "orig", "outlet": "Wire", "text": BODY_A},
            {"id": "copy", "outlet": "Reprinter", "text": edited},
            {"id": "other", "outlet": "Wire", "text": BODY_B},
        ],
    )
    batch = import_paths(paths=[path])
    assert batch.imported == 3
    assert batch.near_duplicates == 1
    copy = Article.objects.get(external_id="copy")
    assert copy.duplicate_of == Article.objects.get(external_id="orig")
    assert copy.duplicate_similarity >= 0.7
    assert Article.objects.get(external_id="other").duplicate_of is None


def test_a_record_that_fails_validation_leaves_nothing_behind(tmp_path: Path) -> None:
    long_url = "https://a.example/" + "x" * 2100
    path = _write_jsonl(tmp_path / "v.jsonl", [{"id": "a", "url": long_url, "text": BODY_A}])
    batch = import_paths(paths=[path])
    assert batch.rejected == 1
    assert "url" in batch.errors[0]["reason"]
    assert not Article.objects.exists()
    assert not Outlet.objects.exists()


def test_uploads_take_the_same_path_with_a_manifest(analyst) -> None:
    manifest = {"articles": {"page.txt": {"outlet": "Orient News", "published": "2020-12-18"}}}
    files = [
        SimpleUploadedFile("manifest.json", json.dumps(manifest).encode()),
        SimpleUploadedFile("page.txt", BODY_A.encode()),
    ]
    batch = import_uploads(files=files, user=analyst)
    assert batch.imported == 1
    assert batch.created_by == analyst
    article = Article.objects.get()
    assert (article.external_id, article.outlet.name) == ("page.txt", "Orient News")
    assert article.original == BODY_A


def test_export_articles_prints_one_json_object_per_article(tmp_path: Path) -> None:
    path = _write_jsonl(
        tmp_path / "e.jsonl",
        [{"id": "a", "outlet": "O", "text": BODY_A, "published": "2020-12", "title": "عنوان"}],
    )
    import_paths(paths=[path])
    out = io.StringIO()
    call_command("export_articles", "--format", "jsonl", stdout=out)
    (line,) = out.getvalue().splitlines()
    record = json.loads(line)
    assert set(record) == {
        "id",
        "external_id",
        "outlet",
        "url",
        "title",
        "published",
        "date_precision",
        "language",
        "text",
        "duplicate_of",
    }
    assert (record["external_id"], record["published"], record["date_precision"]) == (
        "a",
        "2020-12-01",
        "month",
    )
    assert record["text"].startswith("شنت فصائل")


def test_seeds_import_as_five_articles_from_three_outlets(corpus_dir: Path) -> None:
    seeds = corpus_dir / "seeds"
    gold = json.loads((seeds / "gold.json").read_text())["cleaning"]
    manifest = json.loads((seeds / "manifest.json").read_text())["articles"]
    batch = import_paths(paths=[seeds])
    assert (batch.imported, batch.duplicates, batch.rejected) == (5, 0, 0)
    assert Outlet.objects.count() == 3
    for name, expected in gold.items():
        article = Article.objects.get(external_id=name)
        assert " ".join(article.title.split()) == " ".join(expected["title"].split())
        assert article.published.isoformat().startswith(manifest[name]["published"])
        assert article.date_precision == manifest[name]["date_precision"]
        for phrase in expected["body_must_contain"]:
            assert phrase in article.body, (name, phrase)
        for phrase in expected["body_must_not_contain"]:
            assert phrase not in article.body, (name, phrase)
    # 000 and 001 share whole paragraphs but are different articles.
    assert not Article.objects.filter(duplicate_of__isnull=False).exists()


def test_search_finds_plural_and_clitic_forms(tmp_path: Path) -> None:
    path = _write_jsonl(
        tmp_path / "s.jsonl",
        [
            {"id": "a", "outlet": "O", "text": BODY_A + "\n\nوهاجمت ميليشيا محلية الموقع."},
            {"id": "b", "outlet": "O", "text": BODY_B},
        ],
    )
    import_paths(paths=[path])
    from articles.normalization import search_keys

    found = Article.objects.search(search_keys("الميليشيات"))
    assert list(found.values_list("external_id", flat=True)) == ["a"]


def test_every_baly_record_is_stored(corpus_dir: Path) -> None:
    path = corpus_dir / "baly-dev" / "articles.jsonl"
    expected = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    batch = import_paths(paths=[path])
    assert batch.rejected == 0, batch.errors[:5]
    # Exact duplicates inside the corpus are reported, never lost silently.
    assert batch.imported + batch.duplicates == expected == 343
    assert Article.objects.count() == batch.imported


# The database stage reads what a commit window needs in three queries (URLs, content hashes,
# band keys) and writes the window's band rows together; records stored earlier in the same
# window must count exactly as stored ones.


def test_a_url_repeated_in_one_window_is_a_duplicate(tmp_path: Path) -> None:
    url = "https://a.example/story"
    path = _write_jsonl(
        tmp_path / "u.jsonl",
        [
            {"id": "a", "url": url, "text": BODY_A},
            {"id": "b", "url": url, "text": BODY_B},
        ],
    )
    batch = import_paths(paths=[path])
    first = Article.objects.get()
    assert (batch.imported, batch.duplicates) == (1, 1)
    assert batch.errors[0]["reason"] == f"same URL as article #{first.pk}"


@pytest.mark.parametrize("window", [64, 2, 1])
def test_copies_are_found_within_and_across_commit_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, window: int
) -> None:
    monkeypatch.setattr(imports, "COMMIT_WINDOW", window)
    edited = BODY_A.replace("فجر اليوم", "صباح اليوم") + "\n\nالمصدر: وكالات"
    long_url = "https://a.example/" + "x" * 2100
    path = _write_jsonl(
        tmp_path / "w.jsonl",
        [
            {"id": "orig", "outlet": "Wire", "text": BODY_A},
            {"id": "bad", "outlet": "Wire", "url": long_url, "text": BODY_B},
            {"id": "other", "outlet": "Wire", "text": BODY_B},
            {"id": "same", "outlet": "Wire", "text": BODY_A},
            {"id": "reprint", "outlet": "Reprinter", "text": BODY_A},
            {"id": "copy", "outlet": "Echo", "text": edited},
        ],
    )
    batch = import_paths(paths=[path])
    assert (batch.imported, batch.near_duplicates, batch.duplicates, batch.rejected) == (
        4,
        2,
        1,
        1,
    )
    orig = Article.objects.get(external_id="orig")
    assert [e["record"] for e in batch.errors] == [f"{path}:{n}" for n in (2, 4, 5, 6)]
    assert batch.errors[1]["reason"] == f"same text as article #{orig.pk}"
    assert Article.objects.get(external_id="reprint").duplicate_of == orig
    assert Article.objects.get(external_id="copy").duplicate_of == orig
    assert Article.objects.get(external_id="other").duplicate_of is None
    # Every stored article has its 16 band rows; the rejected and duplicate records none.
    stored = set(Article.objects.values_list("pk", flat=True))
    bands = list(DuplicateBand.objects.values_list("article_id", flat=True))
    assert set(bands) == stored
    assert len(bands) == dedup.BANDS * len(stored)
