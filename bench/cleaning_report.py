"""Measure page-chrome removal on the shared corpus (seeds gold and baly-dev).

Run: ``.venv/bin/python bench/cleaning_report.py [--corpus ../shared/corpus] [--sample 30]``

"Navigation boilerplate at the start of the body" is defined here, independently of the
cleaning rules in ``articles/cleaning.py``: the marker list below was drawn from reading the
first lines of the raw baly-dev pages (search help, menus, login boxes, section lists,
timestamps, separators) and is matched against the first 150 characters of the cleaned
body. It deliberately includes words that also occur in prose (``الرئيسية``, ``بحث``,
``عاجل``), so it errs on the strict side. A body start is clean when:

1. none of ``NAV_MARKERS`` occurs in its first 150 characters, and
2. its first paragraph begins with prose: at least 8 words in its first 150 characters, and
   letters make up at least 75% of the non-space characters there (menus of dates, counters,
   separators and numbers fall below; tokenised prose with quotes and brackets stays above).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from articles.cleaning import CleanedArticle, clean_text  # noqa: E402

START_CHARS = 150
NAV_MARKERS = [
    # Arabic navigation, search help, account boxes, section furniture
    r"تخطي",
    r"القائمة",
    r"الرئيسية",
    r"(?<!\w)(?:ال)?بحث(?!\w)",
    r"(?<!\w)ابحث(?!\w)",
    r"تسجيل الدخول",
    r"التسجيل",
    r"كلمة السر",
    r"حجم الخط",
    r"تاريخ النشر",
    r"آخر تحديث",
    r"كلمات مفتاحية",
    r"(?<!\w)اشترك",
    r"تابعونا",
    r"(?<!\w)تابعنا",
    r"(?<!\w)شارك(?!\w)",
    r"(?<!\w)مشاهد(?:ة|ات)(?!\w)",
    r"الأكثر قراءة",
    r"[إا]قرأ أيض",
    r"ذات صلة",
    r"جميع الحقوق",
    r"(?<!\w)عاجل(?!\w)",
    r"منذ \d+ ساع",
    r"الموقع الرسمي",
    r"البرامج الحلقات",
    r"برامج التلفزيون",
    r"الإعدادات",
    # English
    r"\bSkip\b",
    r"\bMenu\b",
    r"\bSearch\b",
    r"\bHome\b",
    r"\bNavigation\b",
    r"\bLog ?in\b",
    r"\bSign (?:in|up)\b",
    r"\bSubscribe\b",
    r"\bShare\b",
    r"\bCopyright\b",
    r"Untitled",
    # separators and timestamps typical of headers
    r"\|",
    r"/ /",
    r">>|> >",
    r"\{ \{",
    r"https?\b|www",
    r"(?<!\d)\d{1,2} : \d{2}(?!\d)",
]
_NAV_RE = re.compile("|".join(f"(?:{p})" for p in NAV_MARKERS), re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W\d_]{2,}")


def nav_marker(body: str) -> str | None:
    """The first navigation marker in the body's first 150 characters, or None."""
    match = _NAV_RE.search(body[:START_CHARS])
    return match.group(0) if match else None


def starts_with_prose(body: str) -> bool:
    first = body.split("\n\n", 1)[0][:START_CHARS]
    chars = [ch for ch in first if not ch.isspace()]
    if len(_WORD_RE.findall(first)) < 8 or not chars:
        return False
    return sum(1 for ch in chars if ch.isalpha()) / len(chars) >= 0.75


def start_is_clean(body: str) -> bool:
    return nav_marker(body) is None and starts_with_prose(body)


@dataclass(frozen=True, slots=True)
class BalyReport:
    total: int
    non_empty: int
    clean_start: int
    short_bodies: int
    mean_raw: float
    median_raw: float
    mean_kept: float
    median_kept: float
    ms_per_article: float
    failures: list[tuple[str, str]]

    @property
    def clean_rate(self) -> float:
        return self.clean_start / self.total if self.total else 0.0


def load_baly(corpus: Path) -> list[dict[str, str]]:
    path = corpus / "baly-dev" / "articles.jsonl"
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def clean_baly(records: list[dict[str, str]]) -> tuple[list[CleanedArticle], float]:
    started = time.perf_counter()
    cleaned = [clean_text(r["text"], title=r.get("title")) for r in records]
    elapsed = time.perf_counter() - started
    return cleaned, elapsed * 1000 / max(len(records), 1)


def baly_report(corpus: Path) -> tuple[BalyReport, list[CleanedArticle], list[dict[str, str]]]:
    records = load_baly(corpus)
    cleaned, ms = clean_baly(records)
    raw_lengths = [len(r["text"]) for r in records]
    kept = [len(c.body) for c in cleaned]
    failures = [
        (r["id"], c.body[:START_CHARS])
        for r, c in zip(records, cleaned, strict=True)
        if not start_is_clean(c.body)
    ]
    report = BalyReport(
        total=len(records),
        non_empty=sum(1 for c in cleaned if c.body.strip()),
        clean_start=len(records) - len(failures),
        short_bodies=sum(1 for n in kept if n < 200),
        mean_raw=statistics.mean(raw_lengths),
        median_raw=statistics.median(raw_lengths),
        mean_kept=statistics.mean(kept),
        median_kept=statistics.median(kept),
        ms_per_article=ms,
        failures=failures,
    )
    return report, cleaned, records


def seeds_report(corpus: Path) -> list[tuple[str, list[str]]]:
    """(file, problems) for each seeds page checked against gold.json ``cleaning``."""
    gold = json.loads((corpus / "seeds" / "gold.json").read_text(encoding="utf-8"))["cleaning"]
    results = []
    for name, expected in sorted(gold.items()):
        raw = (corpus / "seeds" / name).read_text(encoding="utf-8")
        cleaned = clean_text(raw)
        problems = []
        if " ".join(cleaned.title.split()) != " ".join(expected["title"].split()):
            problems.append(f"title {cleaned.title!r}")
        problems += [
            f"missing {s!r}" for s in expected["body_must_contain"] if s not in cleaned.body
        ]
        problems += [f"kept {s!r}" for s in expected["body_must_not_contain"] if s in cleaned.body]
        results.append((name, problems))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    parser.add_argument("--corpus", type=Path, default=default)
    parser.add_argument("--sample", type=int, default=30, help="body starts to print by eye")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--failures", action="store_true", help="print every unclean start")
    args = parser.parse_args()

    seeds = seeds_report(args.corpus)
    passed = sum(1 for _, problems in seeds if not problems)
    print(f"seeds gold.json cleaning: {passed}/{len(seeds)} pages pass")
    for name, problems in seeds:
        for problem in problems:
            print(f"  {name}: {problem}")

    report, cleaned, records = baly_report(args.corpus)
    print(f"\nbaly-dev: {report.total} records, {report.non_empty} non-empty bodies")
    print(
        f"clean body start (no nav marker in first {START_CHARS} chars and prose first line): "
        f"{report.clean_start}/{report.total} = {report.clean_rate:.1%}"
    )
    print(f"body length raw:  mean {report.mean_raw:.0f}, median {report.median_raw:.0f}")
    print(f"body length kept: mean {report.mean_kept:.0f}, median {report.median_kept:.0f}")
    print(f"bodies shorter than 200 chars: {report.short_bodies}")
    print(f"clean_text: {report.ms_per_article:.2f} ms per article")
    if args.failures:
        print("\nunclean starts:")
        for ident, start in report.failures:
            print(f"  {ident}: [{nav_marker(start)}] {start}")

    rng = random.Random(args.seed)
    picks = rng.sample(range(len(records)), min(args.sample, len(records)))
    print(f"\n{len(picks)} random body starts (seed {args.seed}) to read by eye:")
    for i in picks:
        c = cleaned[i]
        flag = "ok " if start_is_clean(c.body) else "NAV"
        print(f"- [{flag}] {records[i]['id']} title={c.title[:60]!r}\n    {c.body[:200]!r}")


if __name__ == "__main__":
    main()
