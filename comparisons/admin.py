from __future__ import annotations

from django.contrib import admin

from comparisons.models import Cluster, ClusterAction, Membership, NotSameEvent, Storyline


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
