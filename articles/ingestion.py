"""Reading import files into records, one record at a time, each good or rejected on its own.

Formats:
- ``.jsonl``: one JSON object per line; ``.json``: a list of objects (or ``{"articles": [...]}``);
  ``.csv``: a header row. Fields: ``id``, ``url``, ``outlet`` (name), ``outlet_domain``, ``title``,
  ``text`` or ``html``, ``published`` (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY`` or null),
  ``date_precision`` (optional; inferred from ``published``), ``language``, ``byline``.
- ``.txt`` / ``.html`` / ``.htm``: one article per file; a ``manifest.json`` beside them maps file
  names to the same fields (``{"articles": {"name.txt": {...}}}``).

Encodings: a UTF-8 or UTF-16 byte-order mark decides; otherwise strict UTF-8; otherwise
Windows-1256 (the Arabic code page most old Arabic sites and exports use) when the decoded text is
mostly Arabic letters; anything else is reported, never guessed silently. Text with NUL bytes or
many control characters is a binary file. Each file or line that cannot be read yields a
``RecordError`` with its place (``file.jsonl:12``) and the reason; the rest of the file goes on.
Nothing here touches the database: the import workflow decides what is stored.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

RECORD_SUFFIXES = {".jsonl", ".json", ".csv"}
DOCUMENT_SUFFIXES = {".txt", ".html", ".htm"}
SUPPORTED_SUFFIXES = RECORD_SUFFIXES | DOCUMENT_SUFFIXES
MANIFEST_NAME = "manifest.json"
PRECISIONS = ("day", "month", "year", "unknown")

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
_LETTER = re.compile(r"[^\W\d_]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Source:
    """A file's name and bytes (an upload), or its path on disk (read as needed)."""

    name: str
    data: bytes = b""
    path: Path | None = None

    def read(self) -> bytes:
        return self.path.read_bytes() if self.path is not None else self.data


@dataclass(frozen=True, slots=True)
class RawRecord:
    ref: str
    source_name: str
    external_id: str
    url: str | None = None
    outlet: str | None = None
    outlet_domain: str | None = None
    title: str | None = None
    text: str | None = None
    html: str | None = None
    published: date | None = None
    date_precision: str = "unknown"
    language: str | None = None
    byline: str | None = None
    encoding: str = "utf-8"
    # Fewer words of article text than this and the record is rejected (fetched web pages: a
    # page that yields only a menu or a caption is not an article).
    min_words: int = 0


@dataclass(frozen=True, slots=True)
class RecordError:
    ref: str
    reason: str


@dataclass(frozen=True, slots=True)
class Notice:
    ref: str
    message: str


Item = RawRecord | RecordError | Notice


class DecodeError(ValueError):
    pass


@dataclass(slots=True)
class Manifest:
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read in; `DecodeError` says why not."""
    if not data.strip():
        raise DecodeError("the file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8"), "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM puts a NUL beside every ASCII character.
        for codec in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if not _looks_binary(text):
                return text, codec
        raise DecodeError("binary file (NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1256")
        except UnicodeDecodeError:
            raise DecodeError(
                f"not UTF-8 (invalid byte at offset {exc.start}) and not Windows-1256"
            ) from exc
        if _looks_binary(text) or not _mostly_arabic(text):
            raise DecodeError(
                f"not UTF-8 (invalid byte at offset {exc.start}); "
                "not Windows-1256 Arabic text either"
            ) from exc
        return text, "windows-1256"
    if _looks_binary(text):
        raise DecodeError("binary file (control characters), not text")
    return text, "utf-8"


def _strict(data: bytes, codec: str) -> str:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"invalid {codec.upper()} at byte {exc.start}") from exc
    if codec == "utf-16":
        text = text.lstrip("\ufeff")
    if not text.strip():
        raise DecodeError("the file is empty")
    return text


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    return bool(sample) and len(_CONTROL.findall(sample)) > max(2, len(sample) // 100)


def _mostly_arabic(text: str) -> bool:
    sample = text[:20000]
    letters = len(_LETTER.findall(sample))
    return letters > 0 and len(_ARABIC_LETTER.findall(sample)) / letters >= 0.5


def parse_published(value: object, precision: object = None) -> tuple[date | None, str]:
    """A date and its precision from ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY`` or null.

    A month- or year-precision date is stored as its first day; the precision says how much of
    it is known, so clustering never treats "2020-12" as the first of December.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, "unknown"
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"published must be a date string, got {type(value).__name__}")
    raw = value.strip()
    # Accept a full timestamp: the day is what clustering and display use.
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ].*)?)?)?", raw)
    if not match:
        raise ValueError(f"published {raw!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = match.groups()
    try:
        if day:
            parsed, found = date(int(year), int(month), int(day)), "day"
        elif month:
            parsed, found = date(int(year), int(month), 1), "month"
        else:
            parsed, found = date(int(year), 1, 1), "year"
    except ValueError as exc:
        raise ValueError(f"published {raw!r} is not a real date: {exc}") from exc
    if precision not in (None, ""):
        if precision not in PRECISIONS:
            raise ValueError(f"date_precision must be one of {', '.join(PRECISIONS)}")
        # A stated precision may only be coarser than what the string carries.
        if PRECISIONS.index(str(precision)) < PRECISIONS.index(found):
            raise ValueError(f"date_precision {precision!r} is finer than published {raw!r}")
        found = str(precision)
    return parsed, found


def _field(obj: dict[str, Any], name: str) -> str | None:
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"field {name!r} must be text, got {type(value).__name__}")
    value = value.strip()
    return value or None


def record_from_mapping(
    obj: object, *, ref: str, source_name: str, default_id: str, encoding: str = "utf-8"
) -> RawRecord | RecordError:
    """Validate one record's fields; a record that cannot become an article says why."""
    if not isinstance(obj, dict):
        return RecordError(ref, f"expected a JSON object, got {type(obj).__name__}")
    try:
        text = _field(obj, "text")
        html = _field(obj, "html")
        url = _field(obj, "url")
        outlet = _field(obj, "outlet")
        domain = _field(obj, "outlet_domain")
        published, precision = parse_published(obj.get("published"), obj.get("date_precision"))
        record = RawRecord(
            ref=ref,
            source_name=source_name,
            external_id=_field(obj, "id") or default_id,
            url=url,
            outlet=outlet,
            outlet_domain=domain.lower() if domain else None,
            title=_field(obj, "title"),
            text=text,
            html=html,
            published=published,
            date_precision=precision,
            language=_field(obj, "language"),
            byline=_field(obj, "byline"),
            encoding=encoding,
        )
    except ValueError as exc:
        return RecordError(ref, str(exc))
    if not text and not html:
        return RecordError(ref, "empty text: neither 'text' nor 'html' has content")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return RecordError(ref, f"url {url!r} is not an http(s) address")
    if not (outlet or domain or url):
        return RecordError(ref, "no outlet: give 'outlet', 'outlet_domain' or 'url'")
    return record


def read_source(source: Source, *, manifest: Manifest | None = None) -> Iterator[Item]:
    """Records, errors and notices from one file."""
    suffix = Path(source.name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        yield RecordError(
            source.name,
            f"unsupported file type {suffix or '(none)'}; "
            f"expected one of {', '.join(sorted(SUPPORTED_SUFFIXES))}",
        )
        return
    if suffix == ".jsonl" and source.path is not None:
        # Streamed line by line, so memory stays flat however large the file is.
        yield from _stream_jsonl(source.name, source.path)
        return
    try:
        text, encoding = decode_bytes(source.read())
    except DecodeError as exc:
        yield RecordError(source.name, str(exc))
        return
    if encoding not in ("utf-8",):
        yield Notice(source.name, f"read as {encoding}")
    if suffix == ".jsonl":
        yield from _read_jsonl(source.name, text, encoding)
    elif suffix == ".json":
        yield from _read_json(source.name, text, encoding)
    elif suffix == ".csv":
        yield from _read_csv(source.name, text, encoding)
    else:
        yield _read_document(source.name, text, encoding, suffix, manifest)


def _read_jsonl(name: str, text: str, encoding: str) -> Iterator[Item]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        ref = f"{name}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RecordError(ref, f"invalid JSON: {exc.msg} at column {exc.colno}")
            continue
        yield record_from_mapping(
            obj, ref=ref, source_name=name, default_id=f"{name}:{number}", encoding=encoding
        )


def _stream_jsonl(name: str, path: Path) -> Iterator[Item]:
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
            # UTF-16 has no line-by-line byte framing: read it whole.
            yield from read_source(Source(name, data=path.read_bytes()))
            return
        handle.seek(3 if head.startswith(b"\xef\xbb\xbf") else 0)
        announced = False
        seen_any = False
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            seen_any = True
            ref = f"{name}:{number}"
            try:
                line = raw.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError as exc:
                try:
                    line, encoding = raw.decode("cp1256"), "windows-1256"
                except UnicodeDecodeError:
                    line, encoding = "", ""
                if not line or not _mostly_arabic(line) or _looks_binary(line):
                    yield RecordError(ref, f"not UTF-8 (invalid byte at offset {exc.start})")
                    continue
                if not announced:
                    yield Notice(ref, "read as windows-1256")
                    announced = True
            if _CONTROL.search(line.rstrip("\r\n")):
                yield RecordError(ref, "binary data (control characters), not a JSON line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield RecordError(ref, f"invalid JSON: {exc.msg} at column {exc.colno}")
                continue
            yield record_from_mapping(
                obj, ref=ref, source_name=name, default_id=f"{name}:{number}", encoding=encoding
            )
        if not seen_any:
            yield RecordError(name, "the file is empty")


def _read_json(name: str, text: str, encoding: str) -> Iterator[Item]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield RecordError(name, f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        return
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if not isinstance(data, list):
        yield RecordError(name, "expected a JSON list of articles (or {'articles': [...]})")
        return
    for number, obj in enumerate(data, start=1):
        yield record_from_mapping(
            obj,
            ref=f"{name}[{number}]",
            source_name=name,
            default_id=f"{name}[{number}]",
            encoding=encoding,
        )


def _read_csv(name: str, text: str, encoding: str) -> Iterator[Item]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or not {"text", "html"} & set(reader.fieldnames):
        yield RecordError(name, "CSV header must name a 'text' or 'html' column")
        return
    try:
        for row in reader:
            # Rows are numbered as a spreadsheet shows them: the header is line 1.
            ref = f"{name}:{reader.line_num}"
            if None in row:
                yield RecordError(ref, "more cells than header columns")
                continue
            yield record_from_mapping(
                {k: (v if v != "" else None) for k, v in row.items()},
                ref=ref,
                source_name=name,
                default_id=f"{name}:{reader.line_num}",
                encoding=encoding,
            )
    except csv.Error as exc:
        yield RecordError(f"{name}:{reader.line_num}", f"malformed CSV: {exc}")


def _read_document(
    name: str, text: str, encoding: str, suffix: str, manifest: Manifest | None
) -> Item:
    base = Path(name).name
    meta = dict(manifest.entries.get(base, {})) if manifest else {}
    meta.setdefault("id", base)
    meta["html" if suffix in (".html", ".htm") else "text"] = text
    return record_from_mapping(meta, ref=name, source_name=base, default_id=base, encoding=encoding)


def parse_manifest(source: Source) -> Manifest | RecordError:
    try:
        text, _ = decode_bytes(source.read())
        data = json.loads(text)
    except (DecodeError, json.JSONDecodeError) as exc:
        return RecordError(source.name, f"unreadable manifest: {exc}")
    entries = data.get("articles") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        return RecordError(source.name, "manifest must be {'articles': {file name: {...}}}")
    return Manifest({k: v for k, v in entries.items() if isinstance(v, dict)})


def read_sources(sources: Iterable[Source]) -> Iterator[Item]:
    """Files given together (an upload): a manifest.json among them describes the others."""
    sources = list(sources)
    manifest: Manifest | None = None
    for source in sources:
        if Path(source.name).name == MANIFEST_NAME:
            parsed = parse_manifest(source)
            if isinstance(parsed, RecordError):
                yield parsed
            else:
                manifest = parsed
    for source in sources:
        if Path(source.name).name != MANIFEST_NAME:
            yield from read_source(source, manifest=manifest)


def expand_paths(
    paths: Iterable[Path],
) -> Iterator[tuple[Path, Manifest | None] | RecordError | Notice]:
    """Files to read, folders expanded (sorted, so imports are repeatable) with their manifests."""
    for path in paths:
        if path.is_dir():
            manifest: Manifest | None = None
            manifest_path = path / MANIFEST_NAME
            if manifest_path.is_file():
                parsed = parse_manifest(Source(str(manifest_path), path=manifest_path))
                if isinstance(parsed, RecordError):
                    yield parsed
                else:
                    manifest = parsed
            for child in sorted(path.rglob("*")):
                if not child.is_file() or child.name == MANIFEST_NAME:
                    continue
                if child.suffix.lower() not in SUPPORTED_SUFFIXES:
                    continue
                if manifest is not None and child.name not in manifest.entries:
                    # A manifest lists the folder's articles; anything else beside it (an
                    # answer key, notes) is not imported, and the report says so.
                    yield Notice(str(child), "skipped: not listed in the folder's manifest.json")
                    continue
                yield child, manifest
        elif path.is_file():
            yield path, None
        else:
            yield RecordError(str(path), "no such file or folder")


def read_paths(paths: Iterable[Path], *, max_bytes: int) -> Iterator[Item]:
    for entry in expand_paths(paths):
        if isinstance(entry, (RecordError, Notice)):
            yield entry
            continue
        path, manifest = entry
        size = path.stat().st_size
        if size > max_bytes:
            yield RecordError(
                str(path), f"file is {size:,} bytes, over the {max_bytes:,}-byte import limit"
            )
            continue
        yield from read_source(Source(str(path), path=path), manifest=manifest)


def outlet_host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname
    if not host:
        return None
    host = host.lower()
    return host[4:] if host.startswith("www.") else host
