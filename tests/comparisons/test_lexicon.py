from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from comparisons.framing import label_key
from comparisons.lexicon import (
    DEFAULT_LEXICON_PATH,
    LexiconError,
    default_lexicon,
    lexicon_to_json,
    load_lexicon,
)

ROOT = Path(__file__).resolve().parents[2]
PRIMER_ACTORS = {
    "syrian-government", "sdf", "ypg-pkk", "sna", "turkey", "russia", "iran", "hts", "isis",
    "usa", "opposition-factions", "aanes", "asayish",
}  # fmt: skip


def _label(surface: str, actor: str):
    lexicon = default_lexicon()
    found = [
        label
        for label in lexicon.labels
        if label.actor_id == actor
        and label.term_group is None
        and label.kind == "literal"
        and label_key(surface) in {label_key(s) for s in (label.surface, *label.variants)}
    ]
    assert found, f"no label {surface} for {actor}"
    return found[0]


def test_default_lexicon_uses_the_primer_actor_ids():
    assert {actor.id for actor in default_lexicon().actors} == PRIMER_ACTORS


def test_default_lexicon_round_trips_through_json():
    lexicon = default_lexicon()
    assert load_lexicon(lexicon_to_json(lexicon)) == lexicon


def test_shipped_json_is_in_canonical_form():
    on_disk = json.loads(DEFAULT_LEXICON_PATH.read_text(encoding="utf-8"))
    assert lexicon_to_json(load_lexicon(on_disk)) == on_disk


@pytest.mark.parametrize(
    ("surface", "actor", "valence"),
    [
        ("ميليشيا أسد", "syrian-government", -2),
        ("حكومة أسد", "syrian-government", -1),
        ("نظام أسد", "syrian-government", -1),
        ("الجيش السوري", "syrian-government", 0),
        ("الجيش العربي السوري", "syrian-government", 2),
        ("الجيش الوطني السوري", "sna", 1),
        ("الفصائل الموالية لتركيا", "sna", -1),
        ("التنظيمات المسلحة الموالية لتركيا", "sna", -2),
        ("الاحتلال الروسي", "russia", -2),
        ("القوات الروسية", "russia", 0),
        ("الجانب الروسي", "russia", 0),
        ("قسد", "sdf", 0),
        ("ميليشيا قسد", "sdf", -2),
        ("الفصائل الثورية", "opposition-factions", 2),
        ("التحالف الدولي", "usa", 0),
        ("الإدارة الذاتية", "aanes", 0),
        ("الأسايش", "asayish", 0),
    ],
)
def test_gold_valences(surface, actor, valence):
    assert _label(surface, actor).valence == valence


def test_tsv_stance_codes_map_to_valences():
    assert dict(default_lexicon().stance_valence) == {"L": 1, "N": 0, "D": -1, "P": -2}
    assert _label("الاحتلال التركي", "turkey").valence == -2  # P
    assert _label("قوات النظام", "syrian-government").valence == -1  # D
    assert _label("عملية نبع السلام", "turkey").valence == 1  # L


def test_spelling_variants_are_listed_on_the_label():
    assert {"مليشيا قسد", "ميلشيا قسد"} <= set(_label("ميليشيا قسد", "sdf").variants)


def test_labels_keep_evidence_camps_and_dates():
    label = _label("النظام المخلوع", "syrian-government")
    assert label.evidence == ("S70",)
    assert label.date_from is not None and label.date_from.isoformat() == "2024-12-08"
    assert "OPP" in _label("الاحتلال الروسي", "russia").camps


def test_term_groups_cover_the_primer():
    groups = {label.term_group for label in default_lexicon().labels}
    assert {"casualties", "territory", "violence", "attribution", "sourcing"} <= groups


def _tiny(**label):
    return {
        "name": "t",
        "version": "1",
        "actors": [{"id": "a", "name_ar": "أ", "name_en": "A"}],
        "slots": {"head": {"role": "modifier", "fillers": [{"surface": "ميليشيا", "valence": -2}]}},
        "labels": [label],
    }


def test_rejects_a_valence_out_of_range():
    with pytest.raises(LexiconError):
        load_lexicon(_tiny(surface="س", actor="a", valence=3))


def test_rejects_an_unknown_actor():
    with pytest.raises(LexiconError):
        load_lexicon(_tiny(surface="س", actor="nobody", valence=0))


def test_rejects_a_pattern_with_an_unknown_slot():
    with pytest.raises(LexiconError):
        load_lexicon(_tiny(surface="{head} {nowhere}", kind="pattern", actor="a"))


def test_rejects_a_literal_without_actor_or_term_group():
    with pytest.raises(LexiconError):
        load_lexicon(_tiny(surface="س", valence=0))


def test_another_conflict_round_trips():
    lexicon = load_lexicon(_tiny(surface="{head} س", kind="pattern", actor="a"))
    assert load_lexicon(lexicon_to_json(lexicon)) == lexicon


def test_shipped_json_matches_the_build_script(corpus_dir):
    tsv = corpus_dir.parent / "design" / "framing-lexicon.tsv"
    if not tsv.exists():
        pytest.skip("framing-lexicon.tsv is not beside the corpus")
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(ROOT / "bench" / "build_lexicon.py"), "--check", "--tsv", str(tsv)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
