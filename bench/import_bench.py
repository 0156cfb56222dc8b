"""Import + clean + normalise throughput and peak memory at two batch sizes, in one run.

Synthetic articles are made by recombining sentences of the sample corpus (../shared/corpus):
each article takes sentences drawn at random, so the vocabulary is real but no two articles
are copies. The number of sentences is drawn so the mean length matches the mean
cleaned body of baly-dev (4,003 characters, measured by bench/cleaning_report.py); the mean
actually produced is printed. The import runs with one worker process per core, as the
command does. Each size runs in its own process against a fresh
database, so peak memory (ru_maxrss) is comparable between sizes. Each line also gives the CPU
time per record of the main process (reading, storing) and of the worker processes (cleaning,
normalising, fingerprinting): on a shared machine those stay meaningful when the rate does not.

    .venv/bin/python bench/import_bench.py                       # SQLite, 1k and 10k
    .venv/bin/python bench/import_bench.py --sizes 1000 --modes import   # a quick look
    .venv/bin/python bench/import_bench.py --database-url postgres://postgres@127.0.0.1:5432/test

Targets (issue 2): >= 300 articles/s; memory that does not grow with the batch size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUTLETS = ["Orient News", "Al Mayadeen", "Enab Baladi", "SANA", "North Press", "Syria TV"]


def corpus_sentences(corpus: Path) -> list[str]:
    sentences: list[str] = []
    for line in (corpus / "baly-dev" / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        sentences += [s.strip() for s in re.split(r"(?<=[.!؟?])\s+", text) if len(s) > 60]
    for path in sorted((corpus / "seeds").glob("*.txt")):
        sentences += [
            s.strip()
            for s in re.split(r"(?<=[.!؟?])\s+", path.read_text(encoding="utf-8"))
            if len(s) > 60
        ]
    return sentences


TARGET_MEAN_CHARS = 4003


def write_articles(path: Path, n: int, sentences: list[str], seed: int) -> int:
    rng = random.Random(seed)
    mean_sentence = sum(map(len, sentences)) / len(sentences)
    typical = max(2, round(TARGET_MEAN_CHARS / (mean_sentence + 1)))
    total_chars = 0
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            k = rng.randint(typical // 2, typical + typical // 2)
            # Sentences drawn at random, not in runs: articles share a sentence now and then,
            # as real reports do, but are not near-copies of each other (those are measured
            # by the dedup tests, not here).
            picked = rng.sample(sentences, k)
            paragraphs = [" ".join(picked[j : j + 3]) for j in range(0, len(picked), 3)]
            text = "\n\n".join(paragraphs)
            total_chars += len(text)
            year = rng.randint(2015, 2024)
            record = {
                "id": f"bench-{seed}-{i}",
                "outlet": rng.choice(OUTLETS),
                "title": picked[0][:90],
                "text": text,
                "published": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return total_chars // max(n, 1)


# Import alone (issue 2's figure), then the whole path with event clustering.
MODES = ("import", "import+cluster")


def run_one(jsonl: Path, database_url: str, cluster: bool) -> None:
    """Child process: fresh database, one import, a JSON line of figures on stdout."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # A shared PostgreSQL database starts each size empty too.
    call_command("flush", interactive=False, verbosity=0)
    from articles.imports import import_paths

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    batch = import_paths(paths=[jsonl], cluster=cluster, workers=os.cpu_count() or 1)
    seconds = time.perf_counter() - started
    cpu_after = _cpu_seconds()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    processed = max(batch.imported + batch.rejected + batch.duplicates, 1)
    print(
        json.dumps(
            {
                "imported": batch.imported,
                "rejected": batch.rejected,
                "duplicates": batch.duplicates,
                "near_duplicates": batch.near_duplicates,
                "seconds": seconds,
                "rate": batch.imported / seconds,
                "peak_rss_mb": rss_after / 1024,
                # CPU per record: the main process (reading, storing) and the worker
                # processes (cleaning, normalising, fingerprinting); on a busy machine these
                # are steadier than the rate.
                "main_cpu_ms": 1000 * (cpu_after[0] - cpu_before[0]) / processed,
                "workers_cpu_ms": 1000 * (cpu_after[1] - cpu_before[1]) / processed,
                "rss_growth_mb": (rss_after - rss_before) / 1024,
            }
        )
    )


def _cpu_seconds() -> tuple[float, float]:
    """User + system CPU of this process and of its finished children (the import workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=MODES,
        default=list(MODES),
        help="import alone (issue 2's figure) and/or the whole path with event clustering",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cluster", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.child, args.database_url, args.cluster)
        return
    if not (args.corpus / "baly-dev" / "articles.jsonl").exists():
        sys.exit(f"the sample corpus is not at {args.corpus}; pass --corpus")
    sentences = corpus_sentences(args.corpus)
    results: dict[tuple[str, int], dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            jsonl = Path(tmp) / f"articles-{size}.jsonl"
            mean_chars = write_articles(jsonl, size, sentences, seed=size)
            for mode in args.modes:
                url = args.database_url or f"sqlite:///{Path(tmp) / f'bench-{size}-{mode}.sqlite3'}"
                command = [sys.executable, __file__, "--child", str(jsonl), "--database-url", url]
                if mode == "import+cluster":
                    command.append("--cluster")
                done = subprocess.run(command, capture_output=True, text=True, check=False)
                if done.returncode:
                    sys.exit(done.stderr[-3000:])
                figures = json.loads(done.stdout.strip().splitlines()[-1])
                results[mode, size] = figures
                print(
                    f"{mode:>15} {size:>6} articles (mean {mean_chars} chars): "
                    f"{figures['rate']:.0f} articles/s, {figures['seconds']:.1f} s, "
                    f"peak RSS {figures['peak_rss_mb']:.0f} MB "
                    f"(+{figures['rss_growth_mb']:.0f} MB during import), "
                    f"CPU per record {figures['main_cpu_ms']:.2f} ms main + "
                    f"{figures['workers_cpu_ms']:.2f} ms workers, "
                    f"rejected {figures['rejected']}, duplicates {figures['duplicates']}, "
                    f"near-duplicates {figures['near_duplicates']}",
                    flush=True,
                )
    small, large = min(args.sizes), max(args.sizes)
    for mode in args.modes:
        a, b = results[mode, small], results[mode, large]
        print(
            f"{mode}: throughput {large}/{small} = {b['rate'] / a['rate']:.2f}; "
            f"peak memory {large}/{small} = {b['peak_rss_mb'] / a['peak_rss_mb']:.2f}"
        )
    print("targets: import >= 300 articles/s; memory ratio near 1")


if __name__ == "__main__":
    main()
