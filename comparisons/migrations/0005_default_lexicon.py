import json
from pathlib import Path

from django.db import migrations

DEFAULT = Path(__file__).resolve().parent.parent / "data" / "default_lexicon.json"


def load_default(apps, schema_editor):
    LexiconVersion = apps.get_model("comparisons", "LexiconVersion")
    if not LexiconVersion.objects.exists():
        LexiconVersion.objects.create(
            number=1,
            data=json.loads(DEFAULT.read_text(encoding="utf-8")),
            note="default Syrian-conflict lexicon (framing-lexicon.tsv and the framing primer)",
        )


def grant_lexicon_editing(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admin, _ = Group.objects.get_or_create(name="admin")
    admin.permissions.add(
        Permission.objects.get(content_type__app_label="comparisons", codename="edit_lexicon")
    )


class Migration(migrations.Migration):
    dependencies = [("comparisons", "0004_framing"), ("comparisons", "0003_roles")]

    operations = [
        migrations.RunPython(load_default, migrations.RunPython.noop),
        migrations.RunPython(grant_lexicon_editing, migrations.RunPython.noop),
    ]
