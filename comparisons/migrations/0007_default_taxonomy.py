import json
from pathlib import Path

from django.db import migrations

DEFAULT = Path(__file__).resolve().parent.parent / "data" / "default_taxonomy.json"

# A frozen copy of the tagging permissions in comparisons.roles.ROLES when this was written.
GRANTS = {
    "analyst": [
        "add_tag",
        "change_tag",
        "delete_tag",
        "add_framingdifference",
        "add_suggestiondecision",
    ],
    "admin": [
        "add_tag",
        "change_tag",
        "delete_tag",
        "add_framingdifference",
        "add_suggestiondecision",
        "add_tagcategory",
        "change_tagcategory",
        "delete_tagcategory",
    ],
}


def load_taxonomy(apps, schema_editor):
    TagCategory = apps.get_model("comparisons", "TagCategory")
    if not TagCategory.objects.exists():
        for row in json.loads(DEFAULT.read_text(encoding="utf-8")):
            TagCategory.objects.create(**row)


def grant_tagging(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="comparisons", codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("comparisons", "0006_tagging"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(load_taxonomy, migrations.RunPython.noop),
        migrations.RunPython(grant_tagging, migrations.RunPython.noop),
    ]
