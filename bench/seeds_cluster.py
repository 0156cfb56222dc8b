"""The benches' 5-article cluster: the seed articles in a fresh SQLite database, one cluster.

``../shared/corpus/seeds`` (Orient News, Al Mayadeen and Awtan Post on Ain Issa, 2019-2020) is
imported through the app's own import path, and its clusters are merged, so a page or export has
five columns of real text with real label density. Production settings (DEBUG off).
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = Path(os.environ.get("ZAWIYA_CORPUS_DIR", ROOT.parent / "shared" / "corpus"))


def seeds_cluster(corpus: Path, *, prefix: str, env: dict[str, str] | None = None) -> Any:
    """Set Django up on a new database holding the seeds as one cluster; returns the cluster.

    Exits with a message when the seeds are not in ``corpus``.
    """
    seeds = corpus / "seeds"
    if not (seeds / "manifest.json").exists():
        sys.exit(f"no seeds at {seeds}")
    tmp = tempfile.mkdtemp(prefix=prefix)
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "SECRET_KEY": "bench-only",
            "DEBUG": "false",
            "STATICFILES_MANIFEST": "false",
            "AXES_ENABLED": "false",
            **(env or {}),
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    # Static files are not collected for a bench; whitenoise says so once per process.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.management import call_command

    from articles.imports import import_paths
    from comparisons import corrections
    from comparisons.models import Cluster

    call_command("migrate", verbosity=0)
    batch = import_paths(paths=[seeds])
    assert batch.imported == 5, (batch.imported, batch.rejected)  # noqa: S101
    first, *others = Cluster.objects.order_by("pk")
    for other in others:
        corrections.merge_clusters(target=first, other=other, user=None)
    return first
