"""Time of a cluster's side-by-side PDF export for 5 articles, cold and warm.

The five seed articles of the sample corpus (../shared/corpus/seeds) are imported into a fresh
SQLite database and merged into one cluster. The export then runs as the app runs it: a
`PdfExport` queued through the embedded task backend and rendered by headless Chromium
(`comparisons.tasks.start_pdf_export`). The first export is cold (Chromium starts, templates
and the lexicon load); the warm figure is the median of ``--runs`` exports that follow, on the
browser the process keeps. Production settings (DEBUG off).

    .venv/bin/python bench/pdf_bench.py [--corpus DIR] [--runs N]

Target (issue 5): under 2 s warm for a 5-article cluster.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seeds_cluster import DEFAULT_CORPUS, seeds_cluster  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    first = seeds_cluster(
        args.corpus,
        prefix="zawiya-pdf-bench-",
        env={"TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    )
    from django.contrib.auth import get_user_model
    from django.utils import translation

    from comparisons import exports
    from comparisons.tasks import start_pdf_export

    user = get_user_model().objects.create_user(username="bench")
    chars = sum(len(a.body) for a in first.articles_in_order())
    print(f"cluster #{first.pk}: {first.memberships.count()} articles, {chars} characters")

    def export() -> tuple[float, int, int | None]:
        started = time.perf_counter()
        done = start_pdf_export(cluster=first, user=user, language="ar")
        done.refresh_from_db()
        if done.status != "finished":
            raise SystemExit(f"the export failed: {done.error}")
        return time.perf_counter() - started, done.size, done.pages

    try:
        with translation.override("ar"):
            cold, size, pages = export()
            warm = [export()[0] for _ in range(args.runs)]
    finally:
        exports.close_browser()
    print(f"PDF: {size} bytes, {pages} pages")
    print(f"cold export (Chromium starts): {cold:.2f} s")
    print(
        f"warm export: median {statistics.median(warm):.2f} s of {args.runs} "
        f"(min {min(warm):.2f} s, max {max(warm):.2f} s); target under 2 s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
