from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Outlet
from comparisons.actors import ACTOR_IDS
from comparisons.gazetteer import PLACES
from comparisons.models import Cluster

SORTS = {
    "-date": ("-start_date", "-id"),
    "date": ("start_date", "id"),
    "-size": ("-size", "-start_date", "-id"),
    "-outlets": ("-outlet_count", "-start_date", "-id"),
}


def place_choices() -> list[tuple[str, str]]:
    return [("", _("All places"))] + sorted(
        ((p.id, f"{p.ar[0]} · {p.en[0]}" if p.en else p.ar[0]) for p in PLACES),
        key=lambda c: c[1],
    )


def actor_choices() -> list[tuple[str, str]]:
    return [("", _("All actors"))] + [(a, a) for a in ACTOR_IDS]


class ClusterFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    outlet = forms.ModelChoiceField(
        label=_("Outlet"),
        queryset=Outlet.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All outlets"),
    )
    place = forms.ChoiceField(label=_("Place"), required=False, choices=place_choices)
    actor = forms.ChoiceField(label=_("Actor"), required=False, choices=actor_choices)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-date", _("Newest first")),
            ("date", _("Oldest first")),
            ("-size", _("Most articles")),
            ("-outlets", _("Most outlets")),
        ],
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise ValidationError(_("The start date is after the end date."))
        return cleaned


class RenameForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)


class MergeForm(forms.Form):
    other = forms.ModelChoiceField(
        label=_("Merge cluster # into this one"),
        queryset=Cluster.objects.all(),
        widget=forms.NumberInput(attrs={"min": 1}),
        help_text=_("The number of the other cluster (shown as #N)."),
    )


class MoveForm(forms.Form):
    target = forms.CharField(label=_("Move to"), max_length=20)

    def clean_target(self) -> Cluster | None:
        value = self.cleaned_data["target"].strip().lstrip("#")
        if value == "new":
            return None
        try:
            return Cluster.objects.get(pk=int(value))
        except (ValueError, Cluster.DoesNotExist) as exc:
            raise ValidationError(_("No cluster #%(n)s.") % {"n": value}) from exc


class SplitForm(forms.Form):
    articles = forms.ModelMultipleChoiceField(
        label=_("Articles to split off"),
        queryset=Article.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    title = forms.CharField(label=_("Title of the new cluster"), max_length=500, required=False)

    def __init__(self, *args: Any, cluster: Cluster, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        articles = self.fields["articles"]
        articles.queryset = (
            Article.objects.filter(membership__cluster=cluster)
            .select_related("outlet")
            .order_by("outlet__name", "published", "pk")
        )
        # The outlet tells apart reports whose titles are alike.
        articles.label_from_instance = lambda article: f"{article} · {article.outlet}"
