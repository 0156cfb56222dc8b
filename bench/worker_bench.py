"""Background workers on PostgreSQL: 500 queued fetch jobs, drained by one and by two workers.

A local HTTP server (started here, on 127.0.0.1) serves 500 distinct Arabic article pages. The
jobs are queued with `import_urls --queue` into the database task backend, then `db_worker
--batch` processes drain them; the run is repeated with one and with two workers on a fresh
database. Checked after each run: every job finished successfully, each was run by exactly one
worker, and each page became exactly one article.

    .venv/bin/python bench/worker_bench.py [--database-url postgres://postgres@127.0.0.1:5432/test]

The URL names the server; a database `zawiya_worker_bench` is created on it (and dropped after).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
JOBS = 500
BENCH_DB = "zawiya_worker_bench"

WORDS = [
    "قالت",
    "مصادر",
    "محلية",
    "إن",
    "اشتباكات",
    "عنيفة",
    "اندلعت",
    "قرب",
    "بلدة",
    "في",
    "ريف",
    "المحافظة",
    "الشمالي",
    "بين",
    "فصائل",
    "مسلحة",
    "وقوات",
    "حكومية",
    "وأسفرت",
    "عن",
    "سقوط",
    "قتلى",
    "وجرحى",
    "من",
    "الطرفين",
    "فيما",
    "نزحت",
    "عائلات",
    "نحو",
    "المدينة",
    "وأعلنت",
    "الإدارة",
    "المحلية",
    "افتتاح",
    "مدرسة",
    "جديدة",
    "ومشفى",
    "ميداني",
    "لاستقبال",
    "المصابين",
    "من",
    "القرى",
    "المجاورة",
]


def page(number: int) -> bytes:
    # Each page different enough not to be a near-duplicate of another: a numbered seed
    # reorders the vocabulary, and the number itself appears in title and text.
    words = WORDS[number % len(WORDS) :] + WORDS[: number % len(WORDS)]
    sentences = [
        " ".join(words[(i * 7 + number) % len(words) :][:14]) + f" {number * 13 + i}."
        for i in range(12)
    ]
    body = "".join(f"<p>{s}</p>" for s in sentences)
    html = (
        f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        f"<title>تقرير رقم {number}</title></head><body><article><h1>تقرير رقم {number}</h1>"
        f"{body}</article></body></html>"
    )
    return html.encode("utf-8")


class Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        try:
            number = int(self.path.strip("/").removesuffix(".html").split("/")[-1])
        except ValueError:
            self.send_error(404)
            return
        data = page(number)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def check(env: dict[str, str]) -> str:
    script = (
        "from django_tasks_db.models import DBTaskResult\n"
        "from articles.models import Article\n"
        "rows = list(DBTaskResult.objects.values_list('status', 'worker_ids', 'args_kwargs'))\n"
        "urls = [r[2]['args'][0] for r in rows]\n"
        "print(len(rows), sum(s == 'SUCCESSFUL' for s, _, _ in rows),"
        " sum(len(w) == 1 for _, w, _ in rows), len(set(urls)),"
        " Article.objects.count(), Article.objects.filter(url__in=urls).count(),"
        " len({w[0] for _, w, _ in rows if w}))\n"
    )
    return (
        run([sys.executable, "manage.py", "shell", "-v0", "-c", script], env)
        .strip()
        .splitlines()[-1]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
    )
    args = parser.parse_args()
    server_url = urlsplit(args.database_url)
    if not server_url.scheme.startswith("postgres"):
        sys.exit("this benchmark needs PostgreSQL (--database-url postgres://...)")
    import psycopg

    admin = psycopg.connect(args.database_url, autocommit=True)
    admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
    admin.execute(f"CREATE DATABASE {BENCH_DB}")
    bench_url = urlunsplit(server_url._replace(path=f"/{BENCH_DB}"))

    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    env = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "ZAWIYA_FETCH_ALLOW_LOOPBACK": "true",
        "SECRET_KEY": "worker-bench-only",
        "DEBUG": "false",
        "PYTHONPATH": str(ROOT),
    }
    os.chdir(ROOT)
    run([sys.executable, "manage.py", "migrate", "-v0"], env)
    rates = {}
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
            for number in range(JOBS):
                listing.write(f"http://127.0.0.1:{port}/news/{number}.html\n")
        for workers in (1, 2):
            run([sys.executable, "manage.py", "flush", "--noinput", "-v0"], env)
            run([sys.executable, "manage.py", "import_urls", listing.name, "--queue"], env)
            started = time.perf_counter()
            processes = [
                subprocess.Popen(
                    [
                        sys.executable,
                        "manage.py",
                        "db_worker",
                        "--batch",
                        "--no-reload",
                        "--no-startup-delay",
                        "-v0",
                        "--worker-id",
                        f"bench-{workers}-{i}",
                    ],
                    env=env,
                )
                for i in range(workers)
            ]
            codes = [p.wait() for p in processes]
            seconds = time.perf_counter() - started
            jobs, ok, once, distinct, articles, matched, worker_ids = map(int, check(env).split())
            rates[workers] = JOBS / seconds
            print(
                f"{workers} worker(s): {JOBS} jobs in {seconds:.1f} s = {rates[workers]:.1f} jobs/s; "
                f"exit codes {codes}; {ok}/{jobs} successful, {once}/{jobs} run by exactly one "
                f"worker, {distinct} distinct URLs, {articles} articles ({matched} with a job's "
                f"URL), {worker_ids} worker(s) took jobs",
                flush=True,
            )
            if not (ok == once == distinct == articles == matched == JOBS):
                sys.exit("FAILED: some job was lost, failed or ran twice")
        print(f"two workers / one worker throughput: {rates[2] / rates[1]:.2f}")
    finally:
        server.shutdown()
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (BENCH_DB,),
        )
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
