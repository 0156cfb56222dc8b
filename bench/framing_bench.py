"""Measure framing-matcher throughput (articles per second) on recombined corpus text.

Usage: .venv/bin/python bench/framing_bench.py [--corpus DIR] [--articles N] [--chars N]

Paragraphs of every cleaned page (baly-dev and seeds) are shuffled with a fixed seed and
packed into synthetic articles of about ``--chars`` characters (default 5,000), so the
text is real Arabic news prose with real label density. Compilation is timed separately
(it happens once per lexicon version); the word-key cache is warmed first, as in a
long-running worker. Single process; the target is >= 2,000 articles/s. CPU time is
printed beside wall-clock time because a shared machine's load distorts the latter.
The corpus is third-party text; nothing of it is printed or stored.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from articles.cleaning import clean_text  # noqa: E402
from articles.normalization import TATWEEL  # noqa: E402
from comparisons.framing import _CONTROLS_RE, compile_lexicon, find_labels  # noqa: E402
from comparisons.lexicon import default_lexicon  # noqa: E402

DEFAULT_CORPUS = Path(
    os.environ.get("ZAWIYA_CORPUS_DIR", Path(__file__).resolve().parents[2] / "shared" / "corpus")
)


def synthetic_articles(corpus: Path, count: int, size: int) -> list[str]:
    bodies = [
        clean_text(json.loads(line)["text"]).body
        for line in (corpus / "baly-dev" / "articles.jsonl").open(encoding="utf-8")
    ]
    bodies += [
        clean_text(p.read_text(encoding="utf-8")).body
        for p in sorted((corpus / "seeds").glob("*.txt"))
    ]
    paragraphs = [p.strip() for body in bodies for p in body.split("\n") if len(p.strip()) > 40]
    rng = random.Random(20201218)
    articles: list[str] = []
    while len(articles) < count:
        rng.shuffle(paragraphs)
        current: list[str] = []
        length = 0
        for paragraph in paragraphs:
            current.append(paragraph)
            length += len(paragraph) + 2
            if length >= size:
                articles.append("\n\n".join(current)[: size + 500])
                current, length = [], 0
                if len(articles) == count:
                    break
    return articles


_MATCHER = None


def _count_findings(text: str) -> int:
    return len(find_labels(_MATCHER, text))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    articles = synthetic_articles(args.corpus, args.articles, args.chars)
    mean_chars = sum(map(len, articles)) / len(articles)
    started = time.perf_counter()
    matcher = compile_lexicon(default_lexicon())
    compiled = time.perf_counter() - started

    for text in articles:  # warm the word-key cache, as in a running worker
        find_labels(matcher, text)
    walls, cpus = [], []
    for _ in range(args.repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        findings = sum(len(find_labels(matcher, text)) for text in articles)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu_started)
    exact = sum(bool("_" in t or TATWEEL in t or _CONTROLS_RE.search(t)) for t in articles)
    # The import pipeline runs its CPU stage in one process per core; the same here, with the
    # matcher compiled before the fork and shared copy-on-write.
    global _MATCHER
    _MATCHER = matcher
    workers = os.cpu_count() or 1
    context = multiprocessing.get_context("fork")
    pool_walls = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        list(pool.map(_count_findings, articles, chunksize=50))  # warm each worker's cache
        for _ in range(args.repeat):
            started = time.perf_counter()
            list(pool.map(_count_findings, articles, chunksize=50))
            pool_walls.append(time.perf_counter() - started)
    print(f"compile: {compiled * 1000:.0f} ms")
    print(
        f"{len(articles)} articles of {mean_chars:.0f} chars on average ({exact} take the exact "
        f"tokenize path), {findings / len(articles):.1f} findings each; best of {args.repeat}: "
        f"{len(articles) / min(walls):.0f} articles/s wall clock, "
        f"{len(articles) / min(cpus):.0f} articles/s of CPU time (single process)"
    )
    print(
        f"{workers} processes: {len(articles) / min(pool_walls):.0f} articles/s wall clock "
        f"(target >= 2,000)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
