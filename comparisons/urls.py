from django.urls import path

from . import views

app_name = "comparisons"

urlpatterns = [
    path("clusters/", views.cluster_list, name="cluster_list"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster_detail"),
    path("clusters/<int:pk>/compare/", views.cluster_compare, name="cluster_compare"),
    path(
        "clusters/<int:pk>/compare/substitutions/",
        views.substitution_add,
        name="substitution_add",
    ),
    path("clusters/<int:pk>/rename/", views.cluster_rename, name="cluster_rename"),
    path("clusters/<int:pk>/merge/", views.cluster_merge, name="cluster_merge"),
    path("clusters/<int:pk>/split/", views.cluster_split, name="cluster_split"),
    path(
        "clusters/<int:pk>/articles/<int:article_pk>/move/",
        views.article_move,
        name="article_move",
    ),
    path(
        "clusters/<int:pk>/articles/<int:article_pk>/not-same/",
        views.article_not_same,
        name="article_not_same",
    ),
    path("lexicon/", views.lexicon_page, name="lexicon"),
    path("lexicon/labels/new/", views.label_edit, name="label_new"),
    path("lexicon/labels/<int:index>/", views.label_edit, name="label_edit"),
    path("lexicon/history/", views.lexicon_history_page, name="lexicon_history"),
    path("lexicon/export/", views.lexicon_export, name="lexicon_export"),
    path("lexicon/import/", views.lexicon_import, name="lexicon_import"),
]

# Analyst tagging and exports (issue 5).
from . import tagging_views  # noqa: E402

urlpatterns += [
    path("clusters/<int:pk>/tags/", tagging_views.cluster_tags, name="cluster_tags"),
    path("clusters/<int:pk>/agreement/", tagging_views.cluster_agreement, name="cluster_agreement"),
    path(
        "clusters/<int:pk>/differences/new/",
        tagging_views.difference_create,
        name="difference_create",
    ),
    path(
        "clusters/<int:pk>/suggestions/accept/",
        tagging_views.suggestion_accept,
        name="suggestion_accept",
    ),
    path(
        "clusters/<int:pk>/suggestions/reject/",
        tagging_views.suggestion_reject,
        name="suggestion_reject",
    ),
    path(
        "clusters/<int:pk>/export.json",
        tagging_views.cluster_export_json,
        name="cluster_export_json",
    ),
    path("clusters/<int:pk>/pdf/", tagging_views.pdf_export_create, name="pdf_export_create"),
    path("exports/<int:pk>/", tagging_views.pdf_export_detail, name="pdf_export_detail"),
    path(
        "exports/<int:pk>/download/",
        tagging_views.pdf_export_download,
        name="pdf_export_download",
    ),
    path("tags/new/", tagging_views.tag_create, name="tag_create"),
    path("tags/<int:tag_pk>/edit/", tagging_views.tag_edit, name="tag_edit"),
    path("tags/<int:tag_pk>/delete/", tagging_views.tag_delete, name="tag_delete"),
    path("tags/export.<str:fmt>", tagging_views.tags_export, name="tags_export"),
]
