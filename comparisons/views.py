from __future__ import annotations

import json
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from articles.http import HtmxHttpRequest, wants_partial
from articles.models import Article, ArticleVersion
from comparisons import comparison, corrections, lexicon_history, matrix, tagging
from comparisons.findings import current_lexicon, current_version, fresh_findings
from comparisons.forms import (
    SORTS,
    ClusterFilterForm,
    CompareForm,
    LabelForm,
    LexiconImportForm,
    MergeForm,
    MoveForm,
    RenameForm,
    SplitForm,
    SubstitutionForm,
)
from comparisons.highlighting import Span
from comparisons.models import Cluster, LexiconVersion, Membership
from comparisons.tagging_forms import TagForm

CLUSTERS_PER_PAGE = 25
CORRECT = "comparisons.correct_cluster"


@require_GET
@vary_on_headers("HX-Request")
def cluster_list(request: HtmxHttpRequest) -> HttpResponse:
    form = ClusterFilterForm(request.GET)
    clusters = Cluster.objects.with_stats().select_related("storyline")
    if form.is_valid():
        clusters = clusters.filtered(**form.cleaned_data)
        clusters = clusters.order_by(*SORTS[form.cleaned_data["sort"] or "-date"])
    else:
        clusters = clusters.none()
    page = Paginator(clusters, CLUSTERS_PER_PAGE).get_page(request.GET.get("page"))
    template_name = "comparisons/cluster_list.html"
    if wants_partial(request):
        template_name += "#results"
    return render(request, template_name, {"form": form, "page": page})


def _detail_context(cluster: Cluster) -> dict[str, object]:
    memberships = list(
        cluster.memberships.select_related("article__outlet", "pinned_by").order_by(
            "article__outlet__name", "article__published", "article_id"
        )
    )
    by_outlet = [
        (outlet, list(group)) for outlet, group in groupby(memberships, lambda m: m.article.outlet)
    ]
    return {
        "cluster": cluster,
        "by_outlet": by_outlet,
        "size": len(memberships),
        "siblings": Cluster.objects.filter(storyline_id=cluster.storyline_id)
        .exclude(pk=cluster.pk)
        .order_by("start_date", "pk")[:20]
        if cluster.storyline_id
        else [],
        "actions": cluster.actions.select_related("user")[:20],
        "rename_form": RenameForm(initial={"title": cluster.title}),
        "merge_form": MergeForm(),
        "split_form": SplitForm(cluster=cluster),
    }


@require_GET
@vary_on_headers("HX-Request")
def cluster_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(Cluster.objects.select_related("storyline"), pk=pk)
    template_name = "comparisons/cluster_detail.html"
    if wants_partial(request):
        template_name += "#cluster"
    return render(request, template_name, _detail_context(cluster))


def _after_correction(
    request: HtmxHttpRequest, cluster: Cluster | None, *, if_gone: str = ""
) -> HttpResponse:
    """Show the cluster again: the fragment for htmx, a redirect for a plain form post.

    When the correction emptied the cluster, go to `if_gone` (or the list) as a whole page:
    htmx would otherwise follow the redirect and swap that page into the vanished cluster.
    """
    if cluster is None or not Cluster.objects.filter(pk=cluster.pk).exists():
        url = if_gone or reverse("comparisons:cluster_list")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if request.htmx:
        cluster.refresh_from_db()
        response = render(
            request, "comparisons/cluster_detail.html#cluster", _detail_context(cluster)
        )
        response["HX-Trigger"] = "clusterChanged"
        return response
    return redirect(cluster)


def _refused(request: HtmxHttpRequest, cluster: Cluster, error: ValidationError) -> HttpResponse:
    for message in error.messages:
        messages.error(request, message)
    return _after_correction(request, cluster)


@require_POST
@permission_required(CORRECT, raise_exception=True)
def cluster_rename(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(Cluster, pk=pk)
    form = RenameForm(request.POST)
    if not form.is_valid():
        return _refused(request, cluster, ValidationError(list(form.errors["title"])))
    corrections.rename_cluster(cluster=cluster, title=form.cleaned_data["title"], user=request.user)
    return _after_correction(request, cluster)


@require_POST
@permission_required(CORRECT, raise_exception=True)
def cluster_merge(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(Cluster, pk=pk)
    form = MergeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        corrections.merge_clusters(
            target=cluster, other=form.cleaned_data["other"], user=request.user
        )
    except ValidationError as error:
        return _refused(request, cluster, error)
    return _after_correction(request, cluster)


@require_POST
@permission_required(CORRECT, raise_exception=True)
def cluster_split(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(Cluster, pk=pk)
    form = SplitForm(request.POST, cluster=cluster)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        corrections.split_cluster(
            cluster=cluster,
            articles=list(form.cleaned_data["articles"]),
            user=request.user,
            title=form.cleaned_data["title"],
        )
    except ValidationError as error:
        return _refused(request, cluster, error)
    return _after_correction(request, cluster)


@require_POST
@permission_required(CORRECT, raise_exception=True)
def article_move(request: HtmxHttpRequest, pk: int, article_pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("cluster", "article"),
        cluster_id=pk,
        article_id=article_pk,
    )
    form = MoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        moved = corrections.move_article(
            article=membership.article, to_cluster=form.cleaned_data["target"], user=request.user
        )
    except ValidationError as error:
        return _refused(request, membership.cluster, error)
    # The article leaves the page the analyst is on: say where it went.
    messages.success(
        request,
        _("Moved “%(title)s” to cluster #%(number)s.")
        % {"title": membership.article, "number": moved.cluster_id},
    )
    return _after_correction(request, membership.cluster, if_gone=moved.cluster.get_absolute_url())


@require_POST
@permission_required(CORRECT, raise_exception=True)
def article_not_same(request: HtmxHttpRequest, pk: int, article_pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("cluster", "article"),
        cluster_id=pk,
        article_id=article_pk,
    )
    article: Article = membership.article
    try:
        own = corrections.mark_not_same_event(article=article, user=request.user)
    except ValidationError as error:
        return _refused(request, membership.cluster, error)
    messages.success(
        request,
        _("“%(title)s” is now in a cluster of its own, #%(number)s.")
        % {"title": article, "number": own.pk},
    )
    return _after_correction(request, membership.cluster)


EDIT_LEXICON = "comparisons.edit_lexicon"
# The label fields LabelForm edits; other keys of a label (an attribution marker's scope and
# window) are kept as they were.
LABEL_FORM_KEYS = {
    "surface",
    "kind",
    "actor",
    "term_group",
    "valence",
    "variants",
    "camps",
    "evidence",
    "date_from",
    "date_to",
    "note",
}


def _label_form(version: LexiconVersion, *args: object, **kwargs: object) -> LabelForm:
    data = version.data
    actors = [(a["id"], f"{a.get('name_ar', '')} · {a.get('name_en', '')}") for a in data["actors"]]
    groups = sorted({lab["term_group"] for lab in data["labels"] if lab.get("term_group")})
    return LabelForm(*args, actors=actors, groups=groups, **kwargs)  # type: ignore[arg-type]


@require_GET
@vary_on_headers("HX-Request")
def lexicon_page(request: HtmxHttpRequest) -> HttpResponse:
    version = current_version()
    actor, group = request.GET.get("actor", ""), request.GET.get("group", "")
    labels = [
        (index, label)
        for index, label in enumerate(version.data["labels"])
        if (not actor or label.get("actor") == actor)
        and (not group or label.get("term_group") == group)
    ]
    context = {
        "version": version,
        "labels": labels,
        "actors": version.data["actors"],
        "groups": sorted(
            {lab["term_group"] for lab in version.data["labels"] if lab.get("term_group")}
        ),
        "actor": actor,
        "group": group,
    }
    template_name = "comparisons/lexicon.html"
    if wants_partial(request):
        template_name += "#labels"
    return render(request, template_name, context)


@require_http_methods(["GET", "POST"])
@permission_required(EDIT_LEXICON, raise_exception=True)
def label_edit(request: HtmxHttpRequest, index: int | None = None) -> HttpResponse:
    version = current_version()
    labels = version.data["labels"]
    if index is not None and not 0 <= index < len(labels):
        raise Http404
    original = labels[index] if index is not None else {}
    if request.method == "GET":
        form = _label_form(version, initial=LabelForm.initial_from(original, version.number))
        return render(request, "comparisons/label_form.html", {"form": form, "index": index})
    form = _label_form(version, request.POST)
    if form.is_valid():
        kept = {k: v for k, v in original.items() if k not in LABEL_FORM_KEYS}
        delete = "delete" in request.POST and index is not None
        try:
            lexicon_history.save_label(
                user=request.user,
                based_on=form.cleaned_data["based_on"],
                index=index,
                label=None if delete else {**kept, **form.label_data()},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Lexicon saved; findings are updated as articles are shown.")
            )
            return redirect("comparisons:lexicon")
    return render(request, "comparisons/label_form.html", {"form": form, "index": index})


@require_GET
def lexicon_history_page(request: HtmxHttpRequest) -> HttpResponse:
    versions = LexiconVersion.objects.select_related("created_by").prefetch_related("changes")[:50]
    return render(request, "comparisons/lexicon_history.html", {"versions": versions})


@require_GET
def lexicon_export(request: HtmxHttpRequest) -> HttpResponse:
    number = request.GET.get("version")
    version = get_object_or_404(LexiconVersion, number=number) if number else current_version()
    response = JsonResponse(version.data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="lexicon-v{version.number}.json"'
    return response


@require_POST
@permission_required(EDIT_LEXICON, raise_exception=True)
def lexicon_import(request: HtmxHttpRequest) -> HttpResponse:
    form = LexiconImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            data = json.loads(form.cleaned_data["file"].read().decode("utf-8"))
            lexicon_history.import_lexicon(
                data=data, user=request.user, note=form.cleaned_data["note"]
            )
        except (ValueError, ValidationError) as error:
            messages.error(request, _("Lexicon not imported: %(error)s") % {"error": error})
        else:
            messages.success(request, _("Lexicon imported as a new version."))
    return redirect("comparisons:lexicon")


def _actor_choices() -> list[tuple[str, str]]:
    """Actor ids and names in the interface language, from the current lexicon."""
    arabic = get_language() == "ar"
    return [
        (a.id, (a.name_ar if arabic else a.name_en) or a.name_en or a.name_ar or a.id)
        for a in current_lexicon().actors
    ]


def _text_changes(articles: list[Article]) -> dict[int, comparison.TextChange]:
    """The articles whose outlet changed the text after the first fetch, with their versions."""
    changed = [a for a in articles if a.text_changed_at]
    versions = dict(
        ArticleVersion.objects.filter(article__in=changed)
        .values_list("article")
        .annotate(count=Count("pk"))
    )
    return {a.pk: comparison.TextChange(a.text_changed_at, versions.get(a.pk, 0)) for a in changed}


def _compare_context(
    request: HtmxHttpRequest,
    cluster: Cluster,
    articles: list[Article],
    options: tuple[str, set[str], str],
) -> dict[str, object]:
    mode, hidden, actor = options
    visible = [a for a in articles if a.outlet.slug not in hidden]
    found = fresh_findings(visible)
    outlet_of = {a.pk: a.outlet.name for a in visible}
    framing = matrix.build_matrix(
        matrix.ArticleFindings(str(a.pk), a.outlet.name, found[a.pk]) for a in visible
    )
    names = dict(_actor_choices())
    order = list(dict.fromkeys(outlet_of.values()))
    path = request.path
    actor_urls = {
        row.actor: comparison.page_url(
            path, mode=mode, hidden=hidden, actor="" if row.actor == actor else row.actor
        )
        for row in framing.actors
    }
    context: dict[str, object] = {
        "cluster": cluster,
        "mode": mode,
        "actor": actor,
        "articles": visible,
        "size": len(articles),
        "outlets": order,
        "toggles": comparison.outlet_toggles(
            path,
            list(dict.fromkeys((a.outlet.slug, a.outlet.name) for a in articles)),
            mode=mode,
            hidden=hidden,
            actor=actor,
        ),
        "mode_urls": {
            m: comparison.page_url(path, mode=m, hidden=hidden, actor=actor)
            for m in comparison.MODES
        },
        "matrix": framing,
        "rows": comparison.matrix_rows(framing, order, names, actor_urls),
    }
    if mode == "facts":
        context["facts"] = comparison.facts(visible, outlet_of, found, framing, names)
        context["figures"] = comparison.figure_table(visible)
        context["actor_choices"] = names.items()
        context["lexicon_version"] = current_version().number
    else:
        tags = tagging.number_tags(tagging.live_tags(articles=visible), visible)
        extra: dict[int, dict[str, list[Span]]] = {}
        for tag in tags:
            extra.setdefault(tag.article_id, {}).setdefault(tag.field, []).append(
                tagging.tag_span(tag)
            )
        context["columns"] = comparison.columns(
            visible,
            outlet_of,
            found,
            framing,
            names,
            emphasis=actor,
            extra=extra,
            changes=_text_changes(visible),
        )
        context["tags"] = tags
        context["differences"] = cluster.differences.select_related(
            "category", "author"
        ).prefetch_related("tags__article__outlet")
        if request.user.has_perm("comparisons.add_tag"):
            tagging.ensure_default_categories()
            context["tag_form"] = TagForm()
            context["here"] = request.get_full_path()
    return context


@require_GET
@vary_on_headers("HX-Request")
def cluster_compare(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The cluster's articles side by side, or its facts aligned (`?mode=facts`)."""
    cluster = get_object_or_404(Cluster, pk=pk)
    articles = cluster.articles_in_order()
    form = CompareForm(request.GET, outlets=[a.outlet.slug for a in articles])
    options = form.options()
    template_name = "comparisons/cluster_compare.html"
    if wants_partial(request):
        template_name += f"#{options[0]}"
    return render(request, template_name, _compare_context(request, cluster, articles, options))


@require_POST
@permission_required(EDIT_LEXICON, raise_exception=True)
def substitution_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Add the unknown side(s) of a word substitution to the lexicon, back to the facts."""
    cluster = get_object_or_404(Cluster, pk=pk)
    form = SubstitutionForm(request.POST, actors=_actor_choices())
    if not form.is_valid():
        messages.error(request, _("Nothing added: choose the words, an actor and a valence."))
    else:
        data = form.cleaned_data
        try:
            added, known = lexicon_history.add_substitution(
                user=request.user,
                based_on=data["based_on"],
                surfaces=data["surfaces"],
                actor=data["actor"],
                valence=data["valence"],
                note=_("added from the aligned facts of cluster #%(n)s") % {"n": cluster.pk},
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if added:
                messages.success(
                    request, _("Added to the lexicon: %(words)s") % {"words": "، ".join(added)}
                )
            if known:
                messages.info(
                    request, _("Already in the lexicon: %(words)s") % {"words": "، ".join(known)}
                )
    url = reverse("comparisons:cluster_compare", args=[pk])
    return redirect(comparison.page_url(url, mode="facts", hidden=(), actor=""))
