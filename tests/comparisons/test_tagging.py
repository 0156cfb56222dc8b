"""Tagging workflows: offsets, optimistic concurrency, history, differences, suggestions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from articles.imports import import_paths
from articles.models import Article
from comparisons import tagging
from comparisons.models import (
    Cluster,
    FramingDifference,
    SuggestionDecision,
    Tag,
    TagCategory,
    TagRevision,
)

ORIENT = "سيطرت ميليشيا أسد على قرية المشيرفة قرب عين عيسى 🔥 بعد قصف همجي، وزعم إعلام النظام أن الفصائل انسحبت."
MAYADEEN = "سيطر الجيش السوري على قرية المشيرفة قرب عين عيسى بعد اشتباكات مع الفصائل المسلحة."

RECORDS = [
    {
        "id": "orient-1",
        "outlet": "Orient News",
        "title": "ميليشيا أسد تتقدم قرب عين عيسى",
        "text": ORIENT,
        "published": "2020-12-18",
        "language": "ar",
    },
    {
        "id": "mayadeen-1",
        "outlet": "Al Mayadeen",
        "title": "الجيش السوري يتقدم قرب عين عيسى",
        "text": MAYADEEN,
        "published": "2020-12-18",
        "language": "ar",
    },
]


@pytest.fixture
def articles(tmp_path: Path, db) -> dict[str, Article]:
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS))
    import_paths(paths=[path])
    tagging.ensure_default_categories()
    return {a.external_id: a for a in Article.objects.all()}


def category(slug: str) -> TagCategory:
    return TagCategory.objects.get(slug=slug)


def tag_on(article: Article, words: str, user, slug: str = "delegitimising-label") -> Tag:
    start = article.body.index(words)
    return tagging.create_tag(
        article=article,
        field="body",
        start=start,
        end=start + len(words),
        quote=words,
        category=category(slug),
        note="",
        author=user,
    )


def test_default_taxonomy_has_the_primer_categories(db):
    # The data migration made them; the test database keeps migration data.
    names = set(TagCategory.objects.values_list("name_en", flat=True))
    assert {"Delegitimising label", "Legitimising label", "Omission", "Contested claim"} <= names
    assert TagCategory.objects.count() == 14
    assert category("omission").suggestable == "R~"
    assert category("delegitimising-label").suggestable == "R"


def test_creates_a_tag_with_its_quote_and_a_revision(articles, analyst):
    tag = tag_on(articles["orient-1"], "ميليشيا أسد", analyst)
    assert tag.quote == articles["orient-1"].body[tag.start : tag.end] == "ميليشيا أسد"
    assert tag.author == analyst and tag.version == 1
    revision = TagRevision.objects.get(tag=tag)
    assert revision.action == "create" and revision.before is None
    assert revision.after["quote"] == "ميليشيا أسد"


def test_offsets_after_an_emoji_are_code_points(articles, analyst):
    body = articles["orient-1"].body
    start = body.index("بعد قصف")
    tag = tagging.create_tag(
        article=articles["orient-1"],
        field="body",
        start=start,
        end=start + 3,
        quote="بعد",
        category=category("emotive-language"),
        author=analyst,
    )
    assert body[tag.start : tag.end] == "بعد"


@pytest.mark.parametrize(
    ("start", "end", "quote"),
    [(-1, 3, "x"), (5, 5, ""), (0, 10_000, "x"), (0, 5, "wrong")],
)
def test_rejects_bad_offsets_and_a_quote_that_does_not_match(articles, analyst, start, end, quote):
    with pytest.raises(ValidationError):
        tagging.create_tag(
            article=articles["orient-1"],
            field="body",
            start=start,
            end=end,
            quote=quote,
            category=category("proxy"),
            author=analyst,
        )
    assert not Tag.objects.exists()


def test_a_title_tag_counts_offsets_in_the_title(articles, analyst):
    tag = tagging.create_tag(
        article=articles["orient-1"],
        field="title",
        start=0,
        end=11,
        quote="ميليشيا أسد",
        category=category("delegitimising-label"),
        author=analyst,
    )
    assert tag.field == "title"


def test_second_of_two_concurrent_edits_gets_a_conflict_and_nothing_is_lost(
    articles, analyst, django_user_model
):
    other = django_user_model.objects.create_user(username="other", password="x-pass-123456")
    tag = tag_on(articles["orient-1"], "ميليشيا أسد", analyst)
    # Both analysts loaded version 1.
    first = tagging.edit_tag(
        tag=tag, loaded_version=1, category=tag.category, note="Orient's label", user=analyst
    )
    assert first.version == 2
    with pytest.raises(tagging.TagConflict) as conflict:
        tagging.edit_tag(
            tag=tag, loaded_version=1, category=category("proxy"), note="mine", user=other
        )
    assert "analyst" in conflict.value.messages[0]
    tag.refresh_from_db()
    assert (tag.note, tag.category.slug, tag.version) == (
        "Orient's label",
        "delegitimising-label",
        2,
    )
    assert list(tag.revisions.values_list("action", "version")) == [("create", 1), ("edit", 2)]


def test_an_edit_committed_between_read_and_write_is_not_overwritten(
    articles, analyst, django_user_model, monkeypatch
):
    """The race the single UPDATE ... WHERE version = loaded closes."""
    other = django_user_model.objects.create_user(username="other", password="x-pass-123456")
    tag = tag_on(articles["orient-1"], "ميليشيا أسد", analyst)
    real_note = tagging._note
    interleaved = []

    def note_then_someone_else_edits(note: str) -> str:
        if not interleaved:
            interleaved.append(True)
            tagging.edit_tag(
                tag=tag, loaded_version=1, category=tag.category, note="theirs", user=other
            )
        return real_note(note)

    monkeypatch.setattr(tagging, "_note", note_then_someone_else_edits)
    with pytest.raises(tagging.TagConflict):
        tagging.edit_tag(
            tag=tag, loaded_version=1, category=tag.category, note="mine", user=analyst
        )
    # In this simulation the other edit ran inside our transaction, so the refusal rolled it
    # back too; with two connections it stays committed. Ours was never written either way.
    assert interleaved
    tag.refresh_from_db()
    assert tag.note != "mine"


def test_delete_is_soft_and_keeps_history(articles, analyst):
    tag = tag_on(articles["orient-1"], "ميليشيا أسد", analyst)
    tagging.delete_tag(tag=tag, loaded_version=1, user=analyst)
    tag.refresh_from_db()
    assert tag.deleted and not Tag.objects.live().exists()
    assert [r.action for r in tag.revisions.all()] == ["create", "delete"]
    with pytest.raises(tagging.TagConflict):
        tagging.edit_tag(tag=tag, loaded_version=2, category=tag.category, note="", user=analyst)


def test_links_tags_in_two_articles_of_a_cluster(articles, analyst):
    orient = tag_on(articles["orient-1"], "ميليشيا أسد", analyst)
    mayadeen = tag_on(articles["mayadeen-1"], "الجيش السوري", analyst, "legitimising-label")
    cluster = Cluster.objects.get(memberships__article=articles["orient-1"])
    assert cluster.memberships.count() == 2
    difference = tagging.link_difference(
        cluster=cluster,
        tags=[orient, mayadeen],
        category=category("delegitimising-label"),
        note="same army",
        user=analyst,
    )
    assert set(difference.tags.all()) == {orient, mayadeen}
    with pytest.raises(ValidationError):
        tagging.link_difference(
            cluster=cluster, tags=[orient], category=orient.category, user=analyst
        )
    assert FramingDifference.objects.count() == 1


@pytest.mark.parametrize(
    ("actor", "group", "valence", "voice", "slug"),
    [
        ("syrian-government", "", -2, "own", "delegitimising-label"),
        ("syrian-government", "", 2, "own", "legitimising-label"),
        ("syrian-government", "", -2, "quoted", None),
        ("syrian-government", "", 0, "own", None),
        ("", "territory", -2, "own", "occupation-liberation"),
        ("", "territory", 0, "own", None),
        ("", "terrorism", -2, "own", "terrorism-security"),
        ("", "proxy", 0, "own", "proxy"),
        ("", "casualties", 2, "own", "casualty-framing"),
        ("", "attribution", -1, "own", "epistemic"),
        ("", "attribution", 0, "own", None),
        ("", "emotive", -2, "own", "emotive-language"),
        ("", "sourcing", 0, "own", "partisan-sourcing"),
        ("", "sourcing", 0, "quoted", None),
    ],
)
def test_maps_findings_to_suggested_categories(actor, group, valence, voice, slug):
    found = tagging.suggested_category(
        actor_id=actor, term_group=group, valence=valence, voice=voice
    )
    assert found == slug


def test_accepting_a_suggestion_makes_a_tag_credited_to_the_analyst(articles, analyst):
    orient = articles["orient-1"]
    open_ = tagging.suggestions(articles=[orient])
    label = next(s for s in open_ if s.quote == "ميليشيا أسد" and s.field == "body")
    assert label.category.slug == "delegitimising-label"
    tag = tagging.accept_suggestion(
        article=orient,
        field=label.field,
        start=label.start,
        end=label.end,
        category=label.category,
        user=analyst,
    )
    assert tag.author == analyst and tag.quote == "ميليشيا أسد"
    assert SuggestionDecision.objects.get().decision == "accepted"
    assert label.key not in {s.key for s in tagging.suggestions(articles=[orient])}


def test_a_rejected_suggestion_is_not_suggested_again(articles, analyst):
    orient = articles["orient-1"]
    first = tagging.suggestions(articles=[orient])[0]
    tagging.reject_suggestion(
        article=orient,
        field=first.field,
        start=first.start,
        end=first.end,
        category=first.category,
        user=analyst,
    )
    assert first.key not in {s.key for s in tagging.suggestions(articles=[orient])}
    assert not Tag.objects.exists()
    with pytest.raises(ValidationError):
        tagging.accept_suggestion(
            article=orient,
            field=first.field,
            start=first.start,
            end=first.end,
            category=first.category,
            user=analyst,
        )


def test_roles_grant_tagging_to_analysts_and_taxonomy_to_admins(analyst, viewer):
    assert analyst.has_perm("comparisons.add_tag")
    assert analyst.has_perm("comparisons.change_tag")
    assert not analyst.has_perm("comparisons.change_tagcategory")
    assert not viewer.has_perm("comparisons.add_tag")
