from __future__ import annotations

from comparisons.actors import ACTOR_IDS, ACTOR_NAMES, LEXICON_IDS, actors_in


def test_free_syrian_army_is_not_the_government_army() -> None:
    assert actors_in("قاتل الجيش السوري الحر في المدينة") == ["sna"]


def test_syrian_national_army_is_sna_not_government() -> None:
    assert actors_in("شنت فصائل الجيش الوطني السوري هجوما") == ["sna"]


def test_syrian_army_is_government() -> None:
    assert actors_in("انتشر الجيش السوري في البلدة") == ["syrian-government"]


def test_labels_with_clitics_and_spelling_variants() -> None:
    assert actors_in("سلمت المواقع للقوات الروسية") == ["russia"]
    assert actors_in("انسحب عناصر لميليشيا أسد") == ["syrian-government"]
    assert actors_in("اعتقلت الاسايش شابين") == ["asayish"]
    assert actors_in("هاجمت مليشيا قسد القرية") == ["sdf"]


def test_one_noun_two_actors() -> None:
    assert actors_in("الميليشيات الروسية والإيرانية") == ["russia", "iran"]


def test_proxy_label_is_the_proxy() -> None:
    assert actors_in("الفصائل الموالية لتركيا") == ["sna"]


def test_no_actor_in_unrelated_text() -> None:
    assert actors_in("ارتفعت أسعار الخبز في السوق") == []


def test_tables_cover_the_primer_ids() -> None:
    assert set(ACTOR_NAMES) == set(ACTOR_IDS) == set(LEXICON_IDS)
