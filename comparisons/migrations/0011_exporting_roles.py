from django.db import migrations

# A frozen copy of comparisons.roles.EXPORTING when this was written: every role may export.
GRANTS = {
    "viewer": ["add_pdfexport"],
    "analyst": ["add_pdfexport"],
    "admin": ["add_pdfexport"],
}


def grant_exporting(apps, schema_editor):
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
                Permission.objects.get(content_type__app_label="comparisons", codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("comparisons", "0010_pdf_export"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_exporting, migrations.RunPython.noop)]
