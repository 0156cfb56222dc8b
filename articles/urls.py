from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.article_list, name="article_list"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("outlets/", views.outlet_list, name="outlet_list"),
    path("outlets/<str:slug>/", views.outlet_detail, name="outlet_detail"),
    path("imports/", views.import_page, name="import_page"),
    path("imports/urls/", views.import_urls_action, name="import_urls"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/feeds/", views.poll_feeds_action, name="poll_feeds"),
    path("imports/jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("imports/jobs/<int:pk>/resume/", views.job_resume, name="job_resume"),
]
