from django.urls import path

from . import views

app_name = "comparisons"

urlpatterns = [
    path("clusters/", views.cluster_list, name="cluster_list"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster_detail"),
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
