from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from comparisons.models import (
    Cluster,
    ClusterAction,
    Finding,
    LexiconChange,
    LexiconVersion,
    Membership,
    NotSameEvent,
    PdfExport,
    Storyline,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["article"]
    readonly_fields = ["score", "evidence", "pinned_by", "pinned_at"]
    extra = 0


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["__str__", "start_date", "end_date", "storyline"]
    search_fields = ["title"]
    inlines = [MembershipInline]


@admin.register(Storyline)
class StorylineAdmin(admin.ModelAdmin):
    list_display = ["__str__", "created_at"]


@admin.register(ClusterAction)
class ClusterActionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "cluster"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "user", "cluster", "details", "created_at"]


@admin.register(NotSameEvent)
class NotSameEventAdmin(admin.ModelAdmin):
    list_display = ["__str__", "decided_by", "decided_at"]
    raw_id_fields = ["first", "second"]


# Tagging (issue 5): admins edit the taxonomy; tags and their history are read here, changed
# through the tagging pages (which check versions and keep revisions).
from comparisons.models import FramingDifference, Tag, TagCategory, TagRevision  # noqa: E402


@admin.register(TagCategory)
class TagCategoryAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_ar", "slug", "suggestable", "colour", "position"]
    list_editable = ["suggestable", "position"]
    search_fields = ["name_en", "name_ar", "slug"]


class TagRevisionInline(admin.TabularInline):
    model = TagRevision
    readonly_fields = ["action", "version", "user", "before", "after", "created_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["__str__", "category", "author", "version", "deleted", "updated_at"]
    list_filter = ["category", "deleted"]
    raw_id_fields = ["article"]
    readonly_fields = [
        "article",
        "field",
        "start",
        "end",
        "quote",
        "category",
        "note",
        "author",
        "version",
        "created_at",
        "updated_at",
        "deleted",
    ]
    inlines = [TagRevisionInline]


@admin.register(FramingDifference)
class FramingDifferenceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "category", "author", "created_at"]
    raw_id_fields = ["cluster", "tags"]


class LexiconChangeInline(admin.TabularInline):
    model = LexiconChange
    extra = 0
    can_delete = False
    readonly_fields = ["action", "label", "before", "after"]


@admin.register(LexiconVersion)
class LexiconVersionAdmin(admin.ModelAdmin):
    """Versions are history: read here, edited through the Lexicon page (each edit a version)."""

    list_display = ["__str__", "created_by", "note"]
    readonly_fields = ["number", "data", "created_by", "created_at", "note"]
    inlines = [LexiconChangeInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["label", "actor_id", "term_group", "valence", "voice", "article"]
    list_filter = ["voice", "valence", "actor_id", "term_group"]
    search_fields = ["label", "matched_text"]
    raw_id_fields = ["article"]
    list_select_related = ["article"]


@admin.register(PdfExport)
class PdfExportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "requested_by", "created_at", "status", "pages", "size"]
    list_filter = ["status"]
    raw_id_fields = ["cluster"]
    # The PDF itself is downloaded from the export's page, not shown here.
    readonly_fields = ["started_at", "finished_at", "size", "pages", "error"]
