from django.db import migrations

# A frozen copy of comparisons.roles.IMPORTING when this was written.
GRANTS = {
    "analyst": ["add_importbatch", "add_importjob"],
    "admin": ["add_importbatch", "add_importjob"],
}


def grant_importing(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the groups need them now.
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
                Permission.objects.get(content_type__app_label="articles", codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("comparisons", "0008_clustering_epoch"),
        ("articles", "0004_importjob_importjobitem"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_importing, migrations.RunPython.noop)]
