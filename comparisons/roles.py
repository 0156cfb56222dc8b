"""Roles: viewer (reads), analyst (corrects clusters, tags), admin (taxonomy, lexicon, users).

Roles are Django groups holding permissions; views check permissions, never group names.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

# Role -> permissions ("app_label.codename"). Reading needs only a login.
TAGGING = [
    "comparisons.add_tag",
    "comparisons.change_tag",
    "comparisons.delete_tag",
    "comparisons.add_framingdifference",
    "comparisons.add_suggestiondecision",
]
TAXONOMY = [
    "comparisons.add_tagcategory",
    "comparisons.change_tagcategory",
    "comparisons.delete_tagcategory",
]

# Uploading files and fetching from the web add articles for everybody.
IMPORTING = ["articles.add_importbatch", "articles.add_importjob"]
# A PDF export is reading in another form, so every role may export; it is still a permission
# because it makes a worker start Chromium and stores a file: an account without a role reads
# the pages but does not make the server render.
EXPORTING = ["comparisons.add_pdfexport"]

ROLES: dict[str, list[str]] = {
    "viewer": [*EXPORTING],
    "analyst": ["comparisons.correct_cluster", *TAGGING, *IMPORTING, *EXPORTING],
    "admin": [
        *EXPORTING,
        "comparisons.correct_cluster",
        "comparisons.edit_lexicon",
        *TAGGING,
        *TAXONOMY,
        *IMPORTING,
    ],
}


def ensure_roles() -> dict[str, Group]:
    """Create the role groups with their permissions if they are missing; returns them."""
    groups = {}
    for role, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        groups[role] = group
    return groups
