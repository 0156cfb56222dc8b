from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from articles.models import Article, ImportBatch, ImportJob, ImportJobItem, Outlet, OutletDomain


class OutletDomainInline(admin.TabularInline):
    model = OutletDomain
    extra = 1


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "name_ar", "country", "language"]
    search_fields = ["name", "name_ar", "domains__domain"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OutletDomainInline]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "outlet", "published", "date_precision", "duplicate_of"]
    list_filter = ["outlet", "date_precision", "language"]
    search_fields = ["title", "external_id", "url"]
    raw_id_fields = ["duplicate_of", "batch"]
    readonly_fields = ["content_hash", "normalized", "search_text", "created_at", "updated_at"]
    list_select_related = ["outlet", "duplicate_of"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "created_by", "imported", "duplicates", "rejected"]
    list_filter = ["kind"]
    readonly_fields = ["created_at", "finished_at"]


class ImportJobItemInline(admin.TabularInline):
    model = ImportJobItem
    extra = 0
    can_delete = False
    readonly_fields = ["position", "url", "outcome", "message", "failed", "article", "finished_at"]

    def has_add_permission(self, request: HttpRequest, obj: ImportJob | None = None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["__str__", "created_by", "created_at", "status", "done", "total", "failed"]
    list_filter = ["kind", "status"]
    readonly_fields = ["created_at", "started_at", "finished_at", "done", "failed", "total"]
    raw_id_fields = ["batch"]
    inlines = [ImportJobItemInline]
