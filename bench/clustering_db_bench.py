"""Incremental event clustering through the database: throughput and per-article latency.

Synthetic events are recombined from the sample corpus's sentences: each event draws a run of
sentences and a date (spread over 2012-2024), and 1-4 outlets report it with the sentences
reordered and a few dropped, within 0-3 days. Articles and their features are stored first
(not timed; features are computed in one process per core), then every article is assigned with
`assign_to_cluster` in commit windows of `ASSIGN_WINDOW`, exactly as an import and
`cluster_events` do. Each assignment is timed, and each window's commit is shared out over its
articles. Each size runs in its own process on a fresh database.

    .venv/bin/python bench/clustering_db_bench.py --sizes 1000 10000 100000
    .venv/bin/python bench/clustering_db_bench.py --database-url postgres://postgres@127.0.0.1:5432/test

Targets (issue 3): >= 200 articles/s on 2 cores; per-article time at the largest size within
1.5x of that at the smallest (median and p95 of the last 1,000 assignments are compared, so
the figure is the cost of one more article once the index holds N).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_bench import corpus_sentences  # noqa: E402


def _features(row: tuple[str, str, date]) -> dict[str, object]:
    from comparisons import clustering

    title, body, published = row
    features = clustering.extract_features(
        title=title, body=body, published=published, precision="day"
    )
    return features.to_dict()


OUTLETS = ["Orient News", "Al Mayadeen", "Enab Baladi", "SANA", "North Press", "Syria TV"]


def make_articles(n: int, sentences: list[str], seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    articles: list[dict[str, object]] = []
    start = date(2012, 1, 1).toordinal()
    span = date(2024, 12, 31).toordinal() - start
    events = 0
    while len(articles) < n:
        events += 1
        k = rng.randint(8, 16)
        first = rng.randrange(0, len(sentences) - k)
        event = sentences[first : first + k]
        day = date.fromordinal(start + rng.randrange(span))
        for outlet in rng.sample(OUTLETS, rng.randint(1, 4)):
            picked = [s for s in event if rng.random() > 0.2] or event[:3]
            rng.shuffle(picked)
            articles.append(
                {
                    "outlet": outlet,
                    "title": picked[0][:100],
                    "body": "\n\n".join(picked),
                    "published": day + timedelta(days=rng.randint(0, 3)),
                    "event": events,
                }
            )
    return articles[:n]


def run_one(n: int, database_url: str, corpus: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    from multiprocessing import get_context

    from django.db import connections, transaction

    from articles import dedup
    from articles.models import Article, Outlet
    from comparisons import clustering
    from comparisons.assignment import ASSIGN_WINDOW, assign_to_cluster
    from comparisons.models import ArticleFeatures, ClusteringState, Membership

    ClusteringState.objects.get_or_create(pk=1)
    outlets = {
        name: Outlet.objects.create(name=name, slug=f"o{i}") for i, name in enumerate(OUTLETS)
    }
    rows = make_articles(n, corpus_sentences(corpus), seed=n)
    prepared = time.perf_counter()
    connections.close_all()
    with get_context("fork").Pool(os.cpu_count()) as pool:
        features = pool.map(
            _features,
            [(str(r["title"]), str(r["body"]), r["published"]) for r in rows],
            chunksize=200,
        )
    batch: list[Article] = []
    first = 0
    for i, row in enumerate(rows):
        batch.append(
            Article(
                outlet=outlets[str(row["outlet"])],
                external_id=f"bench-{i}",
                title=str(row["title"]),
                body=str(row["body"]),
                original=str(row["body"]),
                # Unique per row: recombined events may repeat a text exactly.
                content_hash=dedup.content_hash(f"{row['body']}\n{i}"),
                published=row["published"],
                date_precision="day",
            )
        )
        if len(batch) == 2000 or i == len(rows) - 1:
            stored = Article.objects.bulk_create(batch)
            ArticleFeatures.objects.bulk_create(
                ArticleFeatures(article=a, data=features[first + k]) for k, a in enumerate(stored)
            )
            first += len(stored)
            batch = []
    prepared = time.perf_counter() - prepared

    timings: list[float] = []
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    collecting = [0.0, 0.0]  # start of the current collection, total seconds collecting

    def gc_timer(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collecting[0] = time.perf_counter()
        else:
            collecting[1] += time.perf_counter() - collecting[0]

    gc.callbacks.append(gc_timer)
    started = time.perf_counter()
    for start in range(0, len(ids), ASSIGN_WINDOW):
        window: list[float] = []
        with transaction.atomic():
            # As cluster_unassigned does: the window's features in one query, shared out.
            t0 = time.perf_counter()
            stored = ArticleFeatures.data_for(ids[start : start + ASSIGN_WINDOW])
            read = time.perf_counter() - t0
            for article in Article.objects.filter(
                pk__in=ids[start : start + ASSIGN_WINDOW]
            ).order_by("pk"):
                t0 = time.perf_counter()
                features = clustering.ArticleFeatures.from_dict(stored[article.pk])
                assign_to_cluster(article=article, features=features)
                window.append(time.perf_counter() - t0 + read / len(stored))
            t0 = time.perf_counter()
        commit = (time.perf_counter() - t0) / len(window)
        timings.extend(t + commit for t in window)
    total = time.perf_counter() - started
    gc.callbacks.remove(gc_timer)
    tail = timings[-1000:]
    print(
        json.dumps(
            {
                "n": n,
                "prepare_seconds": prepared,
                "seconds": total,
                "rate": n / total,
                "tail_median_ms": statistics.median(tail) * 1000,
                "tail_p95_ms": sorted(tail)[int(len(tail) * 0.95) - 1] * 1000,
                "clusters": Membership.objects.values("cluster").distinct().count(),
                "gc_seconds": collecting[1],
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.child, args.database_url, args.corpus)
        return
    if not (args.corpus / "baly-dev" / "articles.jsonl").exists():
        sys.exit(f"the sample corpus is not at {args.corpus}; pass --corpus")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            url = args.database_url or f"sqlite:///{Path(tmp) / f'bench-{size}.sqlite3'}"
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    str(size),
                    "--database-url",
                    url,
                    "--corpus",
                    str(args.corpus),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode:
                sys.exit(done.stderr[-3000:])
            r = json.loads(done.stdout.strip().splitlines()[-1])
            results[size] = r
            print(
                f"{size:>7} articles: {r['rate']:.0f} articles/s over the whole run; "
                f"last 1,000: median {r['tail_median_ms']:.2f} ms, p95 {r['tail_p95_ms']:.2f} ms; "
                f"{r['clusters']} clusters; {r['gc_seconds']:.1f} s of the run in garbage "
                f"collection (setup {r['prepare_seconds']:.0f} s)",
                flush=True,
            )
    small, large = min(results), max(results)
    print(
        f"per-article median at {large} / at {small}: "
        f"{results[large]['tail_median_ms'] / results[small]['tail_median_ms']:.2f} "
        f"(p95 {results[large]['tail_p95_ms'] / results[small]['tail_p95_ms']:.2f}); "
        f"targets: >= 200 articles/s, ratio <= 1.5"
    )


if __name__ == "__main__":
    main()
