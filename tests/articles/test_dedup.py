from __future__ import annotations

import json
from pathlib import Path

from articles import dedup
from articles.cleaning import clean_text
from articles.normalization import normalize_and_keys

STORY = (
    "قالت مصادر محلية إن قوات مدعومة من أنقرة هاجمت قرية صغيرة شمال بلدة عين عيسى "
    "فجر الجمعة، واستمرت الاشتباكات حتى ساعات الظهر وسط قصف مدفعي متبادل بين الطرفين، "
    "فيما نزحت عشرات العائلات نحو مدينة الرقة هربا من المعارك الدائرة في المنطقة."
)
OTHER = (
    "افتتحت بلدية المدينة سوقا شعبية جديدة للخضار في الحي الشرقي بعد أشهر من العمل، "
    "وقال رئيس البلدية إن السوق ستوفر فرص عمل لمئات الشبان وتخفف الازدحام في وسط المدينة."
)


def test_the_content_hash_ignores_diacritics_tatweel_and_line_breaks() -> None:
    decorated = STORY.replace("قالت", "قَالَت").replace("مصادر", "مصـــادر").replace("، ", "،\n")
    assert dedup.content_hash(decorated) == dedup.content_hash(STORY)
    assert dedup.content_hash(OTHER) != dedup.content_hash(STORY)


def test_an_edited_copy_is_a_near_duplicate() -> None:
    copy = STORY.replace("فجر الجمعة", "صباح الجمعة") + " المصدر: وكالات."
    similarity = dedup.jaccard(dedup.shingles(STORY), dedup.shingles(copy))
    assert dedup.is_near_duplicate(similarity)


def test_different_articles_are_not_near_duplicates() -> None:
    similarity = dedup.jaccard(dedup.shingles(STORY), dedup.shingles(OTHER))
    assert similarity < 0.05
    assert not dedup.is_near_duplicate(similarity)


def test_near_duplicates_share_a_band_and_strangers_do_not() -> None:
    copy = STORY.replace("فجر الجمعة", "صباح الجمعة")
    assert set(dedup.fingerprint(STORY).bands) & set(dedup.fingerprint(copy).bands)
    assert not set(dedup.fingerprint(STORY).bands) & set(dedup.fingerprint(OTHER).bands)


def test_band_keys_are_stable_across_processes() -> None:
    # Bands are stored in the database, so they must not depend on per-process hash seeds.
    first = dedup.fingerprint(STORY).bands
    assert first == dedup.band_keys(dedup.shingles(STORY))
    assert len(first) == dedup.BANDS
    assert all(key[:2].isdigit() and key[2] == ":" for key in first)


def test_seed_articles_that_share_paragraphs_are_not_near_duplicates(corpus_dir: Path) -> None:
    seeds = corpus_dir / "seeds"
    names = sorted(json.loads((seeds / "manifest.json").read_text())["articles"])
    a = clean_text((seeds / names[0]).read_text(encoding="utf-8")).body
    b = clean_text((seeds / names[1]).read_text(encoding="utf-8")).body
    similarity = dedup.jaccard(dedup.shingles(a), dedup.shingles(b))
    assert not dedup.is_near_duplicate(similarity), similarity


def test_fingerprints_are_stable_across_versions() -> None:
    # Stored band keys and hashes are compared with new ones: a faster implementation must
    # give the very same values (these were computed before the import was optimised).
    fp = dedup.fingerprint(STORY)
    assert fp.content_hash == "e044a7b4c3f7b260d0dd6725be60dbb2e66d6d1312d5632a81e3bfe440997559"
    assert fp.signature[:4] == (27407463, 159716929, 35505345, 33728425)
    assert fp.bands[:2] == ("00:9d0895e10183e51d", "01:aec6b5a76867f226")
    assert (len(fp.shingles), sum(fp.shingles) % 1000003) == (37, 118929)


def test_a_fingerprint_from_known_keys_and_matching_form_is_the_same() -> None:
    normalized, keys = normalize_and_keys(STORY)
    assert dedup.fingerprint(STORY, keys, normalized=normalized) == dedup.fingerprint(STORY)
    assert dedup.content_hash_of_normalized(normalized) == dedup.content_hash(STORY)
    assert dedup.minhash(dedup.shingles(STORY)) == dedup.fingerprint(STORY).signature
    assert dedup.fingerprint("") == dedup.Fingerprint(dedup.content_hash(""), frozenset(), (), ())
