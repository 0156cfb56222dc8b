from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from articles.imports import import_paths
from articles.models import Article
from articles.outlet_registry import load_registry
from comparisons.roles import ensure_roles

DEMO_USERNAME = "analyst"


class Command(BaseCommand):
    help = (
        "Prepare a local demo: an analyst account (its password printed once) and the sample "
        "corpus's seed articles when ../shared/corpus is present."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        user = user_model.objects.filter(username=DEMO_USERNAME).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = user_model.objects.create_user(username=DEMO_USERNAME, password=password)
            user.groups.add(ensure_roles()["analyst"])
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo account created. Log in at http://127.0.0.1:8000/login/ as "
                    f"{DEMO_USERNAME!r} with password {password!r} (shown only this once)."
                )
            )
        else:
            self.stdout.write(
                f"Demo account {DEMO_USERNAME!r} exists (reset its password with "
                f"`manage.py changepassword {DEMO_USERNAME}`)."
            )
        registry = load_registry()
        self.stdout.write(
            f"Outlet registry: {registry.created} outlets and {registry.feeds} feeds added."
        )
        seeds = settings.ZAWIYA_CORPUS_DIR / "seeds"
        if not seeds.is_dir():
            self.stdout.write(
                f"No sample corpus at {seeds}: starting empty. Import articles on the Import "
                "page or with `manage.py import_articles PATH`."
            )
            return
        if Article.objects.exists():
            self.stdout.write("Articles already present: the sample corpus is not imported again.")
            return
        batch = import_paths(paths=[seeds], user=user)
        self.stdout.write(
            f"Imported the sample corpus from {seeds}: {batch.imported} articles, "
            f"{batch.duplicates} duplicates, {batch.rejected} rejected."
        )
