from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
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
    # Clusters whose outlets frame the same actors most differently first; unknown last.
    "-divergence": (F("divergence").desc(nulls_last=True), "-start_date", "-id"),
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
            ("-divergence", _("Most divergent framing")),
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


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace("|", "\n").splitlines() if line.strip()]


class LabelForm(forms.Form):
    """One lexicon label; the choices come from the lexicon version being edited."""

    surface = forms.CharField(label=_("Label"), max_length=300)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("literal", _("literal words")), ("pattern", _("pattern with slots"))],
    )
    actor = forms.ChoiceField(label=_("Actor"), required=False)
    term_group = forms.ChoiceField(label=_("Loaded-term group"), required=False)
    valence = forms.TypedChoiceField(
        label=_("Valence"),
        coerce=int,
        choices=[
            (-2, _("−2 strongly delegitimising")),
            (-1, _("−1 delegitimising")),
            (0, _("0 neutral")),
            (1, _("+1 legitimising")),
            (2, _("+2 strongly legitimising")),
        ],
    )
    variants = forms.CharField(
        label=_("Spelling variants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    camps = forms.CharField(label=_("Camps that use it"), required=False, max_length=300)
    evidence = forms.CharField(label=_("Evidence"), required=False, max_length=500)
    date_from = forms.DateField(
        label=_("Used from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Used until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, actors: list[tuple[str, str]], groups: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", "—"), *actors]
        self.fields["term_group"].choices = [("", "—"), *((g, g) for g in groups)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        literal = cleaned.get("kind") == "literal"
        if literal and not cleaned.get("actor") and not cleaned.get("term_group"):
            raise ValidationError(_("A label names an actor or belongs to a loaded-term group."))
        if (
            cleaned.get("date_from")
            and cleaned.get("date_to")
            and cleaned["date_from"] > cleaned["date_to"]
        ):
            raise ValidationError(_("The start date is after the end date."))
        return cleaned

    def label_data(self) -> dict[str, Any]:
        """The label in the lexicon's JSON form (comparisons.lexicon)."""
        data = self.cleaned_data
        label: dict[str, Any] = {"surface": data["surface"].strip(), "valence": data["valence"]}
        if data["kind"] == "pattern":
            label["kind"] = "pattern"
        if data["actor"]:
            label["actor"] = data["actor"]
        if data["term_group"]:
            label["term_group"] = data["term_group"]
        for key in ("variants", "camps", "evidence"):
            if values := _lines(data[key].replace(",", "\n") if key != "variants" else data[key]):
                label[key] = values
        for key in ("date_from", "date_to"):
            if data[key]:
                label[key] = data[key].isoformat()
        if data["note"].strip():
            label["note"] = data["note"].strip()
        return label

    @staticmethod
    def initial_from(label: dict[str, Any], based_on: int) -> dict[str, Any]:
        return {
            "surface": label.get("surface", ""),
            "kind": label.get("kind") or "literal",
            "actor": label.get("actor", ""),
            "term_group": label.get("term_group", ""),
            "valence": label.get("valence", 0),
            "variants": "\n".join(label.get("variants", [])),
            "camps": ", ".join(label.get("camps", [])),
            "evidence": ", ".join(label.get("evidence", [])),
            "date_from": label.get("date_from"),
            "date_to": label.get("date_to"),
            "note": label.get("note", ""),
            "based_on": based_on,
        }


class LexiconImportForm(forms.Form):
    file = forms.FileField(label=_("Lexicon JSON"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


VALENCE_CHOICES = [
    (-2, _("−2 strongly delegitimising")),
    (-1, _("−1 delegitimising")),
    (0, _("0 neutral")),
    (1, _("+1 legitimising")),
    (2, _("+2 strongly legitimising")),
]


class CompareForm(forms.Form):
    """The comparison page's view options: mode, hidden outlets, emphasised actor."""

    mode = forms.ChoiceField(
        choices=[("columns", _("Side by side")), ("facts", _("Aligned facts"))], required=False
    )
    hide = forms.MultipleChoiceField(required=False)
    show = forms.MultipleChoiceField(required=False)
    actor = forms.CharField(required=False, max_length=60)

    def __init__(self, *args: Any, outlets: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hide"].choices = self.fields["show"].choices = [(s, s) for s in outlets]

    def options(self) -> tuple[str, set[str], str]:
        """Mode, hidden outlet slugs and actor; the defaults when the query is invalid."""
        if not self.is_valid():
            return "columns", set(), ""
        data = self.cleaned_data
        return data["mode"] or "columns", set(data["hide"]) - set(data["show"]), data["actor"]


MAX_SURFACE_WORDS = 4


class SurfacesField(forms.MultipleChoiceField):
    """Words offered by a substitution: any 1-4 words, since the page built the choices."""

    def valid_value(self, value: str) -> bool:
        return 1 <= len(value.split()) <= MAX_SURFACE_WORDS and len(value) <= 100


class SubstitutionForm(forms.Form):
    """Add one or both sides of a word substitution to the lexicon as labels of one actor."""

    surfaces = SurfacesField(label=_("Words to add"), widget=forms.CheckboxSelectMultiple)
    actor = forms.ChoiceField(label=_("Actor"))
    valence = forms.TypedChoiceField(label=_("Valence"), coerce=int, choices=VALENCE_CHOICES)
    based_on = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, actors: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = actors
