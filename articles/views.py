from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from .forms import ArticleFilterForm, ImportForm, UrlImportForm
from .http import HtmxHttpRequest, wants_partial
from .imports import import_uploads
from .models import Article, Feed, ImportBatch, ImportJob, Outlet
from .normalization import search_keys
from .tasks import resume_job, start_feed_job, start_url_job
from .versions import word_diff

ARTICLES_PER_PAGE = 25
# Fetching from the web on the app's behalf (a job of pasted URLs, a poll of the feeds).
START_IMPORT_JOB = "articles.add_importjob"
UPLOAD_FILES = "articles.add_importbatch"


@require_GET
@vary_on_headers("HX-Request")
def article_list(request: HtmxHttpRequest) -> HttpResponse:
    form = ArticleFilterForm(request.GET)
    articles = Article.objects.select_related("outlet", "duplicate_of")
    if form.is_valid():
        data = form.cleaned_data
        if data["outlet"]:
            articles = articles.filter(outlet=data["outlet"])
        if data["date_from"]:
            articles = articles.filter(published__gte=data["date_from"])
        if data["date_to"]:
            articles = articles.filter(published__lte=data["date_to"])
        if data["q"]:
            articles = articles.search(search_keys(data["q"]))
    else:
        articles = articles.none()
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    template_name = "articles/article_list.html"
    if wants_partial(request):
        template_name += "#results"
    return render(request, template_name, {"form": form, "page": page})


@require_GET
@vary_on_headers("HX-Request")
def article_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(
        Article.objects.select_related("outlet", "batch", "duplicate_of__outlet"), pk=pk
    )
    copies = article.copies.select_related("outlet")
    versions = list(article.versions.order_by("-number").defer("raw_compressed"))
    diff = word_diff(versions[1].text, versions[0].text) if len(versions) > 1 else None
    show_original = request.GET.get("show") == "original"
    template_name = "articles/article_detail.html"
    if wants_partial(request) and "show" in request.GET:
        template_name += "#original"
    context = {
        "article": article,
        "copies": copies,
        "show_original": show_original,
        "versions": versions,
        "diff": diff,
    }
    return render(request, template_name, context)


@require_GET
def outlet_list(request: HtmxHttpRequest) -> HttpResponse:
    outlets = Outlet.objects.annotate(article_count=Count("articles")).prefetch_related("domains")
    return render(request, "articles/outlet_list.html", {"outlets": outlets})


@require_GET
def outlet_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    outlet = get_object_or_404(
        Outlet.objects.annotate(article_count=Count("articles")).prefetch_related(
            "domains", "feeds"
        ),
        slug=slug,
    )
    articles = outlet.articles.select_related("outlet", "duplicate_of")[:ARTICLES_PER_PAGE]
    return render(request, "articles/outlet_detail.html", {"outlet": outlet, "articles": articles})


@require_http_methods(["GET", "POST"])
def import_page(request: HtmxHttpRequest) -> HttpResponse:
    form, too_large = ImportForm(), False
    if request.method == "POST":
        if not request.user.has_perm(UPLOAD_FILES):
            raise PermissionDenied
        form = ImportForm(request.POST, request.FILES)
        # Reading request.FILES (above) is what runs the size-capped upload handler.
        too_large = getattr(request, "upload_too_large", False)
        if too_large:
            form = ImportForm()
        elif form.is_valid():
            # Bad records do not raise: the batch page lists them.
            batch = import_uploads(files=form.uploads(), user=request.user)
            return redirect(batch)
    status = 413 if too_large else 200
    return _import_page(request, form=form, too_large=too_large, status=status)


@require_POST
@permission_required(START_IMPORT_JOB, raise_exception=True)
def import_urls_action(request: HtmxHttpRequest) -> HttpResponse:
    url_form = UrlImportForm(request.POST)
    if url_form.is_valid():
        # The job page shows each URL's result (imported, duplicate, changed, failed and why)
        # as the background task records it.
        job = start_url_job(urls=url_form.cleaned_data["urls"], user=request.user)
        return redirect(job)
    return _import_page(request, url_form=url_form, status=400)


@require_POST
@permission_required(START_IMPORT_JOB, raise_exception=True)
def poll_feeds_action(request: HtmxHttpRequest) -> HttpResponse:
    job = start_feed_job(user=request.user)
    return redirect(job)


@require_GET
@vary_on_headers("HX-Request")
def job_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("created_by", "batch"), pk=pk)
    items = job.items.select_related("article")
    template_name = "articles/job_detail.html"
    if wants_partial(request):
        template_name += "#job-progress"
    context = {
        "job": job,
        "items": items,
        "stalled": job.is_stalled(),
        "stall_minutes": settings.ZAWIYA_JOB_STALL_MINUTES,
    }
    return render(request, template_name, context)


@require_POST
@permission_required(START_IMPORT_JOB, raise_exception=True)
def job_resume(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    if not resume_job(job=job):
        messages.info(request, _("The job is not stalled: there is nothing to resume."))
    return redirect(job)


def _import_page(
    request: HtmxHttpRequest,
    *,
    form: ImportForm | None = None,
    url_form: UrlImportForm | None = None,
    too_large: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form or ImportForm(),
        "url_form": url_form or UrlImportForm(),
        "batches": ImportBatch.objects.select_related("created_by")[:20],
        "jobs": ImportJob.objects.select_related("created_by")[:10],
        "active_feeds": Feed.objects.filter(active=True).count(),
        "max_mb": _max_upload_mb(),
        "too_large": too_large,
    }
    return render(request, "articles/import_page.html", context, status=status)


@require_GET
def import_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by"), pk=pk)
    articles = batch.articles.select_related("outlet", "duplicate_of").order_by("id")
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "articles/import_detail.html", {"batch": batch, "page": page})


def _max_upload_mb() -> int:
    return max(1, int(settings.ZAWIYA_UPLOAD_MAX_BYTES) // (1024 * 1024))
