"""Forms of the tagging endpoints and the tags panel's filters (comparisons.tagging_views)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Outlet
from comparisons.models import Finding, Tag, TagCategory
from comparisons.tagging import NOTE_MAX_CHARS


class CategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _category_field(**kwargs: Any) -> CategoryField:
    return CategoryField(
        label=_("Category"), queryset=TagCategory.objects.all(), to_field_name="slug", **kwargs
    )


class TagForm(forms.Form):
    """A new tag: the span the analyst selected (filled in by static/js/tagging.js)."""

    article = forms.ModelChoiceField(queryset=Article.objects.all(), widget=forms.HiddenInput)
    field = forms.ChoiceField(
        choices=Finding.Field.choices, initial=Finding.Field.BODY, widget=forms.HiddenInput
    )
    start = forms.IntegerField(label=_("From character"), min_value=0)
    end = forms.IntegerField(label=_("To character"), min_value=1)
    quote = forms.CharField(label=_("Selected text"), strip=False, widget=forms.HiddenInput)
    category = _category_field()
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and start >= end:
            raise forms.ValidationError(_("Select some text first."))
        return data


class TagEditForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    category = _category_field()
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TagDeleteForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class DifferenceForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=Tag.objects.live(), widget=forms.CheckboxSelectMultiple
    )
    category = _category_field()
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SuggestionForm(forms.Form):
    article = forms.ModelChoiceField(queryset=Article.objects.all(), widget=forms.HiddenInput)
    field = forms.ChoiceField(choices=Finding.Field.choices, widget=forms.HiddenInput)
    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    category = _category_field(widget=forms.HiddenInput)


class TagFilterForm(forms.Form):
    category = _category_field(required=False, empty_label=_("All categories"))
    author = forms.ModelChoiceField(
        label=_("Author"),
        queryset=get_user_model().objects.filter(tags__isnull=False).distinct(),
        to_field_name="username",
        required=False,
        empty_label=_("All authors"),
    )
    outlet = forms.ModelChoiceField(
        label=_("Outlet"),
        queryset=Outlet.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All outlets"),
    )
    cluster = forms.IntegerField(label=_("Cluster"), required=False, min_value=1)

    def filter(self, tags: Any) -> Any:
        if not self.is_valid():
            return tags.none()
        data = self.cleaned_data
        if data["category"]:
            tags = tags.filter(category=data["category"])
        if data["author"]:
            tags = tags.filter(author=data["author"])
        if data["outlet"]:
            tags = tags.filter(article__outlet=data["outlet"])
        if data["cluster"]:
            tags = tags.filter(article__membership__cluster_id=data["cluster"])
        return tags
