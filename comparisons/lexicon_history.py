"""Editing the framing lexicon: every change is a new version with a record of what changed.

Labels are addressed by their position in the version the editor loaded, together with that
version's number: an edit based on an older version than the current one is refused (someone
else changed the lexicon meanwhile), never applied to the wrong label or silently merged.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comparisons import lexicon
from comparisons.findings import current_matcher, current_version
from comparisons.framing import find_labels
from comparisons.models import LexiconChange, LexiconVersion


class StaleLexicon(ValidationError):
    pass


def _validated(data: dict[str, Any]) -> dict[str, Any]:
    try:
        return lexicon.lexicon_to_json(lexicon.load_lexicon(data))
    except lexicon.LexiconError as exc:
        raise ValidationError(str(exc)) from exc


def _new_version(
    *, data: dict[str, Any], user: AbstractBaseUser | None, note: str, based_on: int
) -> LexiconVersion:
    current = LexiconVersion.objects.select_for_update().order_by("-number").first()
    if current is not None and current.number != based_on:
        raise StaleLexicon(
            _(
                "The lexicon changed since you opened it (now version %(now)s, you edited "
                "version %(yours)s). Reload and make your change again."
            )
            % {"now": current.number, "yours": based_on}
        )
    try:
        with transaction.atomic():
            return LexiconVersion.objects.create(
                number=based_on + 1, data=_validated(data), created_by=user, note=note
            )
    except IntegrityError as exc:
        # Two editors saved at once on a database without row locks (SQLite).
        raise StaleLexicon(_("Someone saved the lexicon at the same moment; reload.")) from exc


@transaction.atomic
def save_label(
    *,
    user: AbstractBaseUser,
    based_on: int,
    index: int | None,
    label: dict[str, Any] | None,
) -> LexiconVersion:
    """Add (index None), replace (index, label) or delete (index, label None) one label."""
    base = LexiconVersion.objects.get(number=based_on)
    data = copy.deepcopy(base.data)
    labels: list[dict[str, Any]] = data["labels"]
    if index is not None and not 0 <= index < len(labels):
        raise ValidationError(_("No such label in version %(n)s.") % {"n": based_on})
    before = labels[index] if index is not None else None
    if index is None:
        assert label is not None  # noqa: S101 - adding needs a label
        labels.append(label)
        action = LexiconChange.Action.ADD
    elif label is None:
        del labels[index]
        action = LexiconChange.Action.DELETE
    else:
        labels[index] = label
        action = LexiconChange.Action.EDIT
    surface = (label or before or {}).get("surface", "")
    version = _new_version(data=data, user=user, note=f"{action}: {surface}", based_on=based_on)
    LexiconChange.objects.create(
        version=version, action=action, label=surface, before=before, after=label
    )
    return version


@transaction.atomic
def import_lexicon(
    *, data: dict[str, Any], user: AbstractBaseUser | None, note: str = ""
) -> LexiconVersion:
    """A whole lexicon (another conflict's, or an edited export) becomes the current version."""
    number = current_version().number
    version = _new_version(data=data, user=user, note=note or "imported", based_on=number)
    LexiconChange.objects.create(
        version=version,
        action=LexiconChange.Action.IMPORT,
        label=str(data.get("name", "")),
        after={"labels": len(data.get("labels", []))},
    )
    return version


@transaction.atomic
def add_substitution(
    *,
    user: AbstractBaseUser,
    based_on: int,
    surfaces: list[str],
    actor: str,
    valence: int,
    note: str,
) -> tuple[list[str], list[str]]:
    """Add each of `surfaces` the lexicon does not already name as a label of `actor`.

    A surface is already known when the current matcher finds one actor label covering all of
    it. Returns the surfaces added and those skipped as known; each addition is a version.
    """
    _, matcher = current_matcher()
    added, known = [], []
    for surface in dict.fromkeys(s.strip() for s in surfaces if s.strip()):
        found = find_labels(matcher, surface)
        if any(f.actor_id and f.start == 0 and f.end == len(surface) for f in found):
            known.append(surface)
            continue
        label = {"surface": surface, "actor": actor, "valence": valence, "note": note}
        based_on = save_label(user=user, based_on=based_on, index=None, label=label).number
        added.append(surface)
    return added, known
