from __future__ import annotations

from django.contrib import admin

from articles.models import Article, ImportBatch, Outlet, OutletDomain


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
