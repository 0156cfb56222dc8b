"""Throughput and per-article latency of the pure clustering core as the index grows.

Usage: .venv/bin/python bench/clustering_bench.py [--sizes 1000,10000,100000] [--seed 7]

Synthetic articles are recombined from sentences of the sample corpus (seeds and baly-dev
cleaned bodies): a headline-length sentence as title and 6-12 random sentences as body, dated
uniformly over 2015-2024 with day precision (10% month, 10% unknown), in random order. To keep a
100k run affordable, features are built once per corpus sentence and summed per synthetic
article (the same counts ``extract_features`` would produce, up to names spanning a sentence
seam); ``extract_features`` itself is timed separately on 1,000 recombined texts.

For each size N, the stream is fed to one ``ClusterIndex`` and the mean time of ``assign`` is
measured over the 500 articles arriving after the index holds N - 500, so the ratios compare
per-article cost at different index sizes in one run. The CPU time of this process over the same
window is printed too: on a shared machine wall time also counts other processes' turns.
Nothing of the corpus is printed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from articles.cleaning import clean_text  # noqa: E402
from bench.clustering_eval import DEFAULT_CORPUS  # noqa: E402
from comparisons.clustering import (  # noqa: E402
    MAX_TERMS,
    ArticleFeatures,
    ClusterIndex,
    assign,
    extract_features,
)

WINDOW = 500


def corpus_sentences(corpus: Path) -> list[str]:
    bodies = []
    for line in (corpus / "baly-dev" / "articles.jsonl").open():
        bodies.append(clean_text(json.loads(line)["text"]).body)
    for path in sorted((corpus / "seeds").glob("*.txt")):
        bodies.append(clean_text(path.read_text()).body)
    sentences = []
    for body in bodies:
        sentences += [s.strip() for s in re.split(r"(?<=[.!؟?])\s+|\n+", body)]
    return [s for s in sentences if 6 <= len(s.split()) <= 60]


def random_date(rng: random.Random) -> tuple[date | None, str]:
    day = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
    roll = rng.random()
    if roll < 0.1:
        return None, "unknown"
    if roll < 0.2:
        return day.replace(day=1), "month"
    return day, "day"


def combine(parts: list[ArticleFeatures], title: ArticleFeatures, when: tuple) -> ArticleFeatures:
    terms: Counter[str] = Counter()
    places: Counter[str] = Counter()
    actors: Counter[str] = Counter()
    numbers: set[int] = set()
    for part in [title, *parts]:
        terms.update(part.terms)
        places.update(part.places)
        actors.update(part.actors)
        numbers |= part.numbers
    return ArticleFeatures(
        title=title.title,
        title_keys=title.title_keys,
        terms=dict(sorted(terms.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS]),
        places=dict(places),
        actors=dict(actors),
        numbers=frozenset(numbers),
        published=when[0],
        precision=when[1],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    rng = random.Random(args.seed)

    sentences = corpus_sentences(args.corpus)
    print(f"{len(sentences)} corpus sentences")
    start = time.perf_counter()
    for _ in range(1000):
        body = " ".join(rng.choice(sentences) for _ in range(rng.randint(6, 12)))
        extract_features(
            title=rng.choice(sentences), body=body, published=None, precision="unknown"
        )
    extract_ms = (time.perf_counter() - start) / 1000 * 1000
    print(f"extract_features: {extract_ms:.2f} ms/article ({1000 / extract_ms:.0f}/s)")

    as_body = [
        extract_features(title="", body=s, published=None, precision="unknown") for s in sentences
    ]
    as_title = [
        extract_features(title=s, body="", published=None, precision="unknown") for s in sentences
    ]
    index = ClusterIndex()
    results = {}
    total_start = time.perf_counter()
    assign_total = 0.0
    window_time = 0.0
    window_cpu = 0.0
    for n in range(1, sizes[-1] + 1):
        t = rng.randrange(len(sentences))
        body = [as_body[rng.randrange(len(sentences))] for _ in range(rng.randint(6, 12))]
        features = combine(body, as_title[t], random_date(rng))
        t0, c0 = time.perf_counter(), time.process_time()
        assign(index, f"s{n}", features)
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - c0
        assign_total += elapsed
        if any(size - WINDOW < n <= size for size in sizes):
            window_time += elapsed
            window_cpu += cpu
        if n in sizes:
            results[n] = window_time / WINDOW * 1000
            cpu_ms = window_cpu / WINDOW * 1000
            window_time = window_cpu = 0.0
            print(
                f"N={n:>7}: assign {results[n]:.3f} ms/article at this size "
                f"(CPU {cpu_ms:.3f} ms); "
                f"clusters={len(index.clusters)}; cumulative assign throughput "
                f"{n / assign_total:.0f}/s; wall {time.perf_counter() - total_start:.0f}s",
                flush=True,
            )
    base = results[sizes[0]]
    for n in sizes[1:]:
        print(f"latency ratio N={n} / N={sizes[0]}: {results[n] / base:.2f}")
    worst = max(results.values())
    print(
        f"end-to-end estimate (extract + assign at worst size): "
        f"{1000 / (extract_ms + worst):.0f} articles/s on one core"
    )


if __name__ == "__main__":
    main()
