"""Server time of a cluster's comparison page (side by side, and aligned facts) for 5 articles.

The five seed articles of the sample corpus (../shared/corpus/seeds: Orient News, Al Mayadeen
and Awtan Post on Ain Issa, 2019-2020) are imported into a fresh SQLite database and merged into
one cluster, so the page has five columns of real text with real label density. A logged-in
Django test client then requests the page: a few requests first (warm: the compiled lexicon,
the templates and the findings stored on first view), then ``--requests`` timed ones; the
median and p95 are printed, full page and htmx partial. Production settings (DEBUG off).

    .venv/bin/python bench/compare_bench.py [--corpus DIR] [--requests N]

Target (issue 4): median under 100 ms for the side-by-side page of a 5-article cluster.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seeds_cluster import DEFAULT_CORPUS, seeds_cluster  # noqa: E402


def _timed(client, url: str, n: int, **extra: object) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url, **extra)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code  # noqa: S101
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    first = seeds_cluster(
        args.corpus,
        prefix="zawiya-compare-bench-",
        env={"ALLOWED_HOSTS": "testserver", "SECURE_SSL_REDIRECT": "false"},
    )
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    articles = first.memberships.count()

    user = get_user_model().objects.create_user(username="bench")
    client = Client()
    client.force_login(user)
    url = f"/clusters/{first.pk}/compare/"
    chars = sum(len(a.body) for a in first.articles_in_order())
    print(f"cluster #{first.pk}: {articles} articles, {chars} characters of cleaned text")
    for label, params, headers in (
        ("side by side, full page", {}, {}),
        ("side by side, htmx partial", {}, {"HX-Request": "true"}),
        ("aligned facts, full page", {"mode": "facts"}, {}),
    ):
        _timed(client, url, 5, data=params, headers=headers)  # warm
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url, data=params, headers=headers)
        times = _timed(client, url, args.requests, data=params, headers=headers)
        p95 = sorted(times)[int(len(times) * 0.95) - 1]
        print(
            f"{label}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
            f"{len(queries)} queries ({args.requests} requests)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
