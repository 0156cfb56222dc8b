from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from .models import Outlet

IMPORT_EXTENSIONS = (".jsonl", ".json", ".csv", ".txt", ".html", ".htm")


class ArticleFilterForm(forms.Form):
    outlet = forms.ModelChoiceField(
        label=_("Outlet"),
        queryset=Outlet.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All outlets"),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": _("Words in the title or text")}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise ValidationError(_("The start date is after the end date."))
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files (the pattern from Django's file upload docs)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single_file_clean = super().clean
        if isinstance(data, list | tuple):
            return [single_file_clean(item, initial) for item in data]
        return [single_file_clean(data, initial)]


class ImportForm(forms.Form):
    files = MultipleFileField(
        label=_("Files"),
        help_text=_("JSON Lines, JSON, CSV, plain text or HTML files."),
        widget=MultipleFileInput(attrs={"accept": ",".join(IMPORT_EXTENSIONS)}),
    )
    manifest = forms.FileField(
        label=_("Manifest"),
        required=False,
        help_text=_("Optional manifest.json giving outlet, date and language per file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json"}),
    )

    def clean_files(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["files"]
        for upload in files:
            if PurePath(upload.name or "").suffix.lower() not in IMPORT_EXTENSIONS:
                raise ValidationError(
                    _("%(name)s: unsupported file type (use .jsonl, .json, .csv, .txt or .html)."),
                    params={"name": upload.name},
                )
        return files

    def clean_manifest(self) -> UploadedFile | None:
        manifest: UploadedFile | None = self.cleaned_data.get("manifest")
        if manifest is None:
            return None
        if PurePath(manifest.name or "").suffix.lower() != ".json":
            raise ValidationError(_("The manifest must be a .json file."))
        # The import workflow recognises the manifest among the files by its name.
        manifest.name = "manifest.json"
        return manifest

    def uploads(self) -> list[UploadedFile]:
        """The files to import, the manifest (if any) among them."""
        manifest = self.cleaned_data.get("manifest")
        return [*self.cleaned_data["files"], *([manifest] if manifest else [])]


# A job runs in the background, so a paste may be long; the cap keeps one job to a few hours
# of fetching (each page within 30 s, two seconds apart on one host) and one request small.
MAX_URLS_PER_FORM = 500
MAX_URL_LENGTH = 2000  # ImportJobItem.url and Article.url


class UrlImportForm(forms.Form):
    urls = forms.CharField(
        label=_("Article addresses"),
        help_text=_("One http or https address per line, up to 500."),
        widget=forms.Textarea(attrs={"rows": 5, "dir": "ltr", "spellcheck": "false"}),
    )

    def clean_urls(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["urls"].splitlines()]
        urls = list(dict.fromkeys(line for line in lines if line))
        if len(urls) > MAX_URLS_PER_FORM:
            raise ValidationError(
                _("%(count)d addresses: at most %(max)d at a time (the command line takes more)."),
                params={"count": len(urls), "max": MAX_URLS_PER_FORM},
            )
        validate = URLValidator(schemes=["http", "https"])
        for url in urls:
            if len(url) > MAX_URL_LENGTH:
                raise ValidationError(
                    _("%(url)s… is longer than %(max)d characters."),
                    params={"url": url[:80], "max": MAX_URL_LENGTH},
                )
            try:
                validate(url)
            except ValidationError as exc:
                raise ValidationError(
                    _("%(url)s is not an http or https address."), params={"url": url}
                ) from exc
        return urls
