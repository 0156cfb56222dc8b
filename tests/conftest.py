from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared sample corpus. CI always has it; a bare checkout may not."""
    path = Path(settings.ZAWIYA_CORPUS_DIR)
    if not (path / "seeds" / "manifest.json").exists():
        if os.environ.get("CI"):
            pytest.fail(f"the shared corpus is missing at {path}; CI must provide ../shared")
        pytest.skip(f"the shared corpus is not at {path} (set ZAWIYA_CORPUS_DIR)")
    return path


@pytest.fixture
def analyst(django_user_model):
    from comparisons.roles import ensure_roles

    user = django_user_model.objects.create_user(username="analyst", password="analyst-pass-123")
    user.groups.add(ensure_roles()["analyst"])
    return user


@pytest.fixture
def viewer(django_user_model):
    from comparisons.roles import ensure_roles

    user = django_user_model.objects.create_user(username="viewer", password="viewer-pass-123")
    user.groups.add(ensure_roles()["viewer"])
    return user


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture(autouse=True)
def _fresh_cluster_index():
    """Each test's database starts empty; so must the process's cached clustering index."""
    from comparisons.assignment import forget_index

    forget_index()
    yield
    forget_index()
