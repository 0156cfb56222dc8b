from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from articles.ingestion import (
    DecodeError,
    Notice,
    RawRecord,
    RecordError,
    Source,
    decode_bytes,
    parse_published,
    read_paths,
    read_source,
    read_sources,
)

TEXT = "اشتباكات عنيفة قرب عين عيسى في ريف الرقة الشمالي."


def _jsonl(*objs: object) -> bytes:
    return "\n".join(json.dumps(o, ensure_ascii=False) for o in objs).encode("utf-8")


def test_reads_utf8_with_and_without_bom() -> None:
    assert decode_bytes(TEXT.encode("utf-8")) == (TEXT, "utf-8")
    assert decode_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8")) == (TEXT, "utf-8")


def test_reads_utf16_with_bom_and_without() -> None:
    assert decode_bytes(TEXT.encode("utf-16")) == (TEXT, "utf-16")
    assert decode_bytes(TEXT.encode("utf-16-le"))[0] == TEXT


def test_reads_windows_1256_arabic() -> None:
    assert decode_bytes(TEXT.encode("cp1256")) == (TEXT, "windows-1256")


def test_refuses_binary_data_with_a_reason() -> None:
    with pytest.raises(DecodeError, match="binary"):
        decode_bytes(bytes(range(256)) * 10)


def test_refuses_an_empty_file() -> None:
    with pytest.raises(DecodeError, match="empty"):
        decode_bytes(b"  \n ")


def test_refuses_latin1_text_that_is_not_arabic() -> None:
    with pytest.raises(DecodeError, match="not UTF-8"):
        decode_bytes("Café crème, déjà vu à Paris".encode("latin-1"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-12-18", (date(2020, 12, 18), "day")),
        ("2020-12", (date(2020, 12, 1), "month")),
        ("2019", (date(2019, 1, 1), "year")),
        (None, (None, "unknown")),
        ("", (None, "unknown")),
        ("2020-12-18T10:30:00Z", (date(2020, 12, 18), "day")),
    ],
)
def test_parses_dates_with_their_precision(value: object, expected: object) -> None:
    assert parse_published(value) == expected


def test_a_stated_precision_may_only_be_coarser() -> None:
    assert parse_published("2020-12-18", "month") == (date(2020, 12, 18), "month")
    with pytest.raises(ValueError, match="finer"):
        parse_published("2020-12", "day")


@pytest.mark.parametrize("bad", ["18/12/2020", "2020-13-01", "2021-02-30", "soon"])
def test_rejects_dates_that_are_not_dates(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_published(bad)


def test_each_jsonl_line_is_read_or_rejected_on_its_own() -> None:
    data = (
        _jsonl({"id": "a", "outlet": "Outlet A", "text": TEXT})
        + b"\n{not json\n"
        + _jsonl({"id": "c", "outlet": "Outlet A", "text": "  "})
        + b"\n"
        + _jsonl({"id": "d", "url": "https://example.org/x", "text": TEXT, "published": "2020-12"})
    )
    items = list(read_source(Source("batch.jsonl", data)))
    assert [type(i) for i in items] == [RawRecord, RecordError, RecordError, RawRecord]
    assert items[1].ref == "batch.jsonl:2"
    assert "invalid JSON" in items[1].reason
    assert items[2].ref == "batch.jsonl:3"
    assert "empty text" in items[2].reason
    assert items[3].published == date(2020, 12, 1)
    assert items[3].date_precision == "month"


def test_a_record_without_any_outlet_is_rejected() -> None:
    (item,) = read_source(Source("x.jsonl", _jsonl({"id": "a", "text": TEXT})))
    assert isinstance(item, RecordError)
    assert "no outlet" in item.reason


def test_a_record_with_a_non_http_url_is_rejected() -> None:
    record = {"id": "a", "url": "javascript:alert(1)", "text": TEXT}
    (item,) = read_source(Source("x.jsonl", _jsonl(record)))
    assert isinstance(item, RecordError)
    assert "http" in item.reason


def test_reads_a_json_list_and_an_articles_object() -> None:
    records = [{"id": "a", "outlet": "O", "text": TEXT}, {"id": "b", "outlet": "O", "text": TEXT}]
    as_list = list(read_source(Source("x.json", json.dumps(records).encode())))
    as_object = list(read_source(Source("x.json", json.dumps({"articles": records}).encode())))
    assert [r.external_id for r in as_list] == ["a", "b"]
    assert [r.external_id for r in as_object] == ["a", "b"]


def test_a_broken_json_file_is_one_error_with_its_position() -> None:
    (item,) = read_source(Source("x.json", b'[{"id": "a",'))
    assert isinstance(item, RecordError)
    assert "line 1" in item.reason


def test_reads_csv_rows_with_spreadsheet_line_numbers() -> None:
    data = f"id,outlet,title,text,published\na,O,عنوان,{TEXT},2020-12-18\nb,O,,,\n".encode()
    items = list(read_source(Source("x.csv", data)))
    assert isinstance(items[0], RawRecord)
    assert items[0].title == "عنوان"
    assert isinstance(items[1], RecordError)
    assert items[1].ref == "x.csv:3"


def test_a_windows_1256_file_is_read_and_noted() -> None:
    data = _jsonl({"id": "a", "outlet": "O", "text": TEXT}).decode().encode("cp1256")
    notice, record = read_source(Source("old.jsonl", data))
    assert isinstance(notice, Notice)
    assert "windows-1256" in notice.message
    assert isinstance(record, RawRecord)
    assert record.text == TEXT


def test_an_unsupported_file_type_is_rejected() -> None:
    (item,) = read_source(Source("photo.png", b"\x89PNG"))
    assert isinstance(item, RecordError)
    assert "unsupported" in item.reason


def test_a_manifest_gives_text_files_their_metadata() -> None:
    manifest = {
        "articles": {"a.txt": {"outlet": "Orient", "published": "2020-12", "language": "ar"}}
    }
    sources = [
        Source("manifest.json", json.dumps(manifest).encode()),
        Source("a.txt", TEXT.encode()),
        Source("b.html", f"<p>{TEXT}</p>".encode()),
    ]
    a, b = read_sources(sources)
    assert isinstance(a, RawRecord)
    assert (a.outlet, a.external_id, a.date_precision) == ("Orient", "a.txt", "month")
    # No manifest entry and no outlet: rejected, with the file named.
    assert isinstance(b, RecordError)
    assert b.ref == "b.html"


def test_folders_are_expanded_and_large_files_refused(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "manifest.json").write_text(
        json.dumps({"articles": {"one.txt": {"outlet": "O"}, "two.txt": {"outlet": "O"}}})
    )
    (folder / "one.txt").write_text(TEXT)
    (folder / "two.txt").write_text(TEXT * 100)
    (folder / "notes.md").write_text("ignored")
    items = list(read_paths([folder, tmp_path / "missing.jsonl"], max_bytes=1000))
    assert isinstance(items[0], RawRecord)
    assert items[0].external_id == "one.txt"
    assert isinstance(items[1], RecordError)
    assert "import limit" in items[1].reason
    assert isinstance(items[2], RecordError)
    assert "no such file" in items[2].reason


def test_jsonl_files_on_disk_are_streamed_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(
        _jsonl(*({"id": str(i), "outlet": "O", "text": TEXT} for i in range(3))) + b"\n\xff\xfe"
    )
    items = list(read_paths([path], max_bytes=10_000))
    assert [i.external_id for i in items if isinstance(i, RawRecord)] == ["0", "1", "2"]
    assert isinstance(items[-1], RecordError)
    assert items[-1].ref.endswith("big.jsonl:4")


def test_a_folder_with_a_manifest_imports_only_the_files_it_lists(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"articles": {"a.txt": {"outlet": "O"}}}))
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "gold.json").write_text("{}")
    items = list(read_paths([tmp_path], max_bytes=10_000))
    assert isinstance(items[0], RawRecord)
    assert isinstance(items[1], Notice)
    assert items[1].ref.endswith("gold.json")
    assert "not listed" in items[1].message
