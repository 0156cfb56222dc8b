"""Tagging pages and actions: the tags page of a cluster, tag and difference endpoints, exports.

Reading needs a login; each action checks its own model permission (analysts hold the tagging
ones, admins the taxonomy ones: comparisons.roles). Every action is a POST that works as a plain
form post (redirect back) and under htmx (the `#tagging` fragment, plus an `HX-Trigger:
tagsChanged` event so other components on the page can refresh).
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from articles.http import HtmxHttpRequest, wants_partial
from comparisons import exports, tagging
from comparisons.models import Cluster, Membership, PdfExport, Tag
from comparisons.tagging_forms import (
    DifferenceForm,
    SuggestionForm,
    TagDeleteForm,
    TagEditForm,
    TagFilterForm,
    TagForm,
)
from comparisons.tasks import start_pdf_export

ADD_TAG = "comparisons.add_tag"
CHANGE_TAG = "comparisons.change_tag"
DELETE_TAG = "comparisons.delete_tag"
LINK = "comparisons.add_framingdifference"
DECIDE = "comparisons.add_suggestiondecision"
EXPORT_PDF = "comparisons.add_pdfexport"


def _tags_context(request: HtmxHttpRequest, cluster: Cluster) -> dict[str, object]:
    tagging.ensure_default_categories()
    articles = tagging.cluster_articles(cluster)
    filters = TagFilterForm(request.GET)
    all_tags = tagging.number_tags(tagging.live_tags(articles=articles), articles)
    shown_ids = set(
        filters.filter(Tag.objects.live().filter(article__in=articles)).values_list("pk", flat=True)
    )
    return {
        "cluster": cluster,
        "columns": tagging.tagged_columns(articles, all_tags),
        "tags": [t for t in all_tags if t.pk in shown_ids],
        "differences": cluster.differences.select_related("category", "author").prefetch_related(
            "tags__article__outlet"
        ),
        "suggestions": tagging.suggestions(articles=articles)
        if request.user.has_perm(DECIDE)
        else [],
        "filters": filters,
        "articles": articles,
        "tag_form": TagForm(),
        "difference_form": DifferenceForm(),
        "agreement": tagging.cluster_agreement(cluster),
        "here": request.get_full_path(),
    }


@require_GET
@vary_on_headers("HX-Request")
def cluster_tags(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(Cluster, pk=pk)
    template_name = "comparisons/cluster_tags.html"
    if wants_partial(request):
        template_name += "#tags-panel" if request.htmx.target == "tags-panel" else "#tagging"
    return render(request, template_name, _tags_context(request, cluster))


@require_GET
def cluster_agreement(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(Cluster, pk=pk)
    return render(
        request,
        "comparisons/_agreement.html",
        {"cluster": cluster, "agreement": tagging.cluster_agreement(cluster)},
    )


def _cluster_of(article_id: int) -> Cluster:
    membership = get_object_or_404(
        Membership.objects.select_related("cluster"), article_id=article_id
    )
    return membership.cluster


def _done(request: HtmxHttpRequest, cluster: Cluster) -> HttpResponse:
    """After an action: the `#tagging` fragment for htmx, else back where the form was."""
    if request.htmx:
        response = render(
            request, "comparisons/cluster_tags.html#tagging", _tags_context(request, cluster)
        )
        response["HX-Trigger"] = "tagsChanged"
        return response
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("comparisons:cluster_tags", args=[cluster.pk])
    return redirect(target)


def _refuse(
    request: HtmxHttpRequest, cluster: Cluster, error: ValidationError, *, unsaved: str = ""
) -> HttpResponse:
    for message in error.messages:
        messages.error(request, message)
    if unsaved:
        messages.warning(request, unsaved)
    response = _done(request, cluster)
    if request.htmx:
        response.status_code = 200  # htmx swaps only 2xx; the message is in the fragment
    return response


def _form_error(form: object) -> ValidationError:
    errors = form.errors  # type: ignore[attr-defined]
    return ValidationError([str(e) for field in errors.values() for e in field])


@require_POST
@permission_required(ADD_TAG, raise_exception=True)
def tag_create(request: HtmxHttpRequest) -> HttpResponse:
    form = TagForm(request.POST)
    if not form.is_valid():
        article_id = request.POST.get("article", "")
        if not article_id.isdigit():
            return HttpResponse(_("Choose an article."), status=400)
        return _refuse(request, _cluster_of(int(article_id)), _form_error(form))
    data = form.cleaned_data
    cluster = _cluster_of(data["article"].pk)
    try:
        tagging.create_tag(
            article=data["article"],
            field=data["field"],
            start=data["start"],
            end=data["end"],
            quote=data["quote"],
            category=data["category"],
            note=data["note"],
            author=request.user,
        )
    except ValidationError as error:
        return _refuse(request, cluster, error)
    messages.success(request, _("Tagged “%(quote)s”.") % {"quote": data["quote"][:80]})
    return _done(request, cluster)


@require_POST
@permission_required(CHANGE_TAG, raise_exception=True)
def tag_edit(request: HtmxHttpRequest, tag_pk: int) -> HttpResponse:
    tag = get_object_or_404(Tag, pk=tag_pk)
    cluster = _cluster_of(tag.article_id)
    form = TagEditForm(request.POST)
    try:
        if not form.is_valid():
            raise _form_error(form)
        tagging.edit_tag(
            tag=tag,
            loaded_version=form.cleaned_data["version"],
            category=form.cleaned_data["category"],
            note=form.cleaned_data["note"],
            user=request.user,
        )
    except tagging.TagConflict as error:
        # Someone else's edit won: give the analyst theirs back to copy, never drop it.
        unsaved = _("Your edit was not saved; here it is to copy: “%(note)s” (%(category)s).") % {
            "note": form.cleaned_data["note"],
            "category": form.cleaned_data["category"].name,
        }
        return _refuse(request, cluster, error, unsaved=unsaved)
    except ValidationError as error:
        return _refuse(request, cluster, error)
    messages.success(request, _("Tag saved."))
    return _done(request, cluster)


@require_POST
@permission_required(DELETE_TAG, raise_exception=True)
def tag_delete(request: HtmxHttpRequest, tag_pk: int) -> HttpResponse:
    tag = get_object_or_404(Tag, pk=tag_pk)
    cluster = _cluster_of(tag.article_id)
    form = TagDeleteForm(request.POST)
    try:
        if not form.is_valid():
            raise _form_error(form)
        tagging.delete_tag(tag=tag, loaded_version=form.cleaned_data["version"], user=request.user)
    except ValidationError as error:
        return _refuse(request, cluster, error)
    messages.success(request, _("Tag deleted; its history is kept."))
    return _done(request, cluster)


@require_POST
@permission_required(LINK, raise_exception=True)
def difference_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(Cluster, pk=pk)
    form = DifferenceForm(request.POST)
    try:
        if not form.is_valid():
            raise _form_error(form)
        tagging.link_difference(
            cluster=cluster,
            tags=list(form.cleaned_data["tags"]),
            category=form.cleaned_data["category"],
            note=form.cleaned_data["note"],
            user=request.user,
        )
    except ValidationError as error:
        return _refuse(request, cluster, error)
    messages.success(request, _("Framing difference linked."))
    return _done(request, cluster)


def _decide(request: HtmxHttpRequest, pk: int, *, accept: bool) -> HttpResponse:
    cluster = get_object_or_404(Cluster, pk=pk)
    form = SuggestionForm(request.POST)
    try:
        if not form.is_valid():
            raise _form_error(form)
        data = form.cleaned_data
        if not Membership.objects.filter(cluster=cluster, article=data["article"]).exists():
            raise ValidationError(_("That article is not in this cluster."))
        decide = tagging.accept_suggestion if accept else tagging.reject_suggestion
        decide(
            article=data["article"],
            field=data["field"],
            start=data["start"],
            end=data["end"],
            category=data["category"],
            user=request.user,
        )
    except ValidationError as error:
        return _refuse(request, cluster, error)
    return _done(request, cluster)


@require_POST
@permission_required([DECIDE, ADD_TAG], raise_exception=True)
def suggestion_accept(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, accept=True)


@require_POST
@permission_required(DECIDE, raise_exception=True)
def suggestion_reject(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, accept=False)


# --------------------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------------------


@require_GET
def tags_export(request: HtmxHttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "json"):
        raise Http404
    filters = TagFilterForm(request.GET)
    tags = filters.filter(Tag.objects.live())
    if fmt == "csv":
        response = HttpResponse(exports.tags_csv(tags), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.tags_json(tags), content_type="application/json; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="zawiya-tags.{fmt}"'
    return response


@require_GET
def cluster_export_json(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(Cluster, pk=pk)
    response = HttpResponse(
        exports.cluster_json(cluster), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="cluster-{cluster.pk}.json"'
    return response


@require_POST
@permission_required(EXPORT_PDF, raise_exception=True)
def pdf_export_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(Cluster, pk=pk)
    # A background task renders it; its page polls until it has (at once, in-process).
    export = start_pdf_export(cluster=cluster, user=request.user, language=get_language())
    return redirect(export)


@require_GET
@vary_on_headers("HX-Request")
def pdf_export_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    export = get_object_or_404(
        PdfExport.objects.select_related("cluster", "requested_by").defer("pdf"), pk=pk
    )
    template_name = "comparisons/pdf_export.html"
    if wants_partial(request):
        template_name += "#export-progress"
    return render(request, template_name, {"export": export})


@require_GET
def pdf_export_download(request: HtmxHttpRequest, pk: int) -> FileResponse:
    export = get_object_or_404(PdfExport, pk=pk, status=PdfExport.Status.FINISHED)
    return FileResponse(
        io.BytesIO(bytes(export.pdf)),
        as_attachment=True,
        filename=export.filename,
        content_type="application/pdf",
    )
