"""Measure framing-matcher throughput (articles per second) on recombined corpus text.

Usage: .venv/bin/python bench/framing_bench.py [--corpus DIR] [--articles N] [--chars N]

Paragraphs of every cleaned page (baly-dev and seeds) are shuffled with a fixed seed and
packed into synthetic articles of about ``--chars`` characters (default 5,000), so the
text is real Arabic news prose with real label density. Compilation is timed separately
(it happens once per lexicon version). Single process; the target is >= 2,000 articles/s.
The corpus is third-party text; nothing of it is printed or stored.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from articles.cleaning import clean_text  # noqa: E402
from comparisons.framing import compile_lexicon, find_labels  # noqa: E402
from comparisons.lexicon import default_lexicon  # noqa: E402

DEFAULT_CORPUS = Path(
    os.environ.get("ZAWIYA_CORPUS_DIR", Path(__file__).resolve().parents[2] / "shared" / "corpus")
)


def synthetic_articles(corpus: Path, count: int, size: int) -> list[str]:
    bodies = [
        clean_text(json.loads(line)["text"]).body
        for line in (corpus / "baly-dev" / "articles.jsonl").open(encoding="utf-8")
    ]
    bodies += [clean_text(p.read_text(encoding="utf-8")).body for p in sorted((corpus / "seeds").glob("*.txt"))]
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--chars", type=int, default=5000)
    args = parser.parse_args()

    articles = synthetic_articles(args.corpus, args.articles, args.chars)
    mean_chars = sum(map(len, articles)) / len(articles)
    started = time.perf_counter()
    matcher = compile_lexicon(default_lexicon())
    compiled = time.perf_counter() - started

    find_labels(matcher, articles[0])  # warm the key cache as a running server would be
    started = time.perf_counter()
    findings = sum(len(find_labels(matcher, text)) for text in articles)
    elapsed = time.perf_counter() - started
    tatweel = sum("\u0640" in text or "_" in text for text in articles)
    print(f"compile: {compiled * 1000:.0f} ms")
    print(
        f"{len(articles)} articles of {mean_chars:.0f} chars on average "
        f"({tatweel} take the exact tokenize path): {elapsed:.2f} s, "
        f"{len(articles) / elapsed:.0f} articles/s, {findings / len(articles):.1f} findings each"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
