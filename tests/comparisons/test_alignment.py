from __future__ import annotations

import random
import time

from articles.cleaning import clean_text
from comparisons.alignment import (
    ALIGN_THRESHOLD,
    align,
    split_sentences,
    substitution_candidates,
    word_diff,
)

# --- sentences ---------------------------------------------------------------------------


def texts(text: str) -> list[str]:
    refs = split_sentences(text)
    for ref in refs:
        assert text[ref.start : ref.end] == ref.text
    return [ref.text for ref in refs]


def test_splits_on_arabic_and_latin_terminators_and_newlines() -> None:
    text = "سيطر الجيش على القرية. هل انسحبت قسد؟ نعم! قالوا ذلك؛ ثم صمتوا\nسطر جديد? آخر"
    assert texts(text) == [
        "سيطر الجيش على القرية.",
        "هل انسحبت قسد؟",
        "نعم!",
        "قالوا ذلك؛",
        "ثم صمتوا",
        "سطر جديد?",
        "آخر",
    ]


def test_does_not_split_on_decimal_points_or_initials() -> None:
    text = "قالت أ.ف.ب إن النسبة بلغت 3.5 بالمئة. وأضاف د. محمد أن م.ت.ف وافقت."
    assert texts(text) == [
        "قالت أ.ف.ب إن النسبة بلغت 3.5 بالمئة.",
        "وأضاف د. محمد أن م.ت.ف وافقت.",
    ]


def test_spaced_initials_and_latin_domains_do_not_end_a_sentence() -> None:
    text = "نقلت أ. ف. ب. عن مصدر في orient-news.net قوله. انتهى"
    assert texts(text) == ["نقلت أ. ف. ب. عن مصدر في orient-news.net قوله.", "انتهى"]


def test_a_dot_glued_to_the_next_arabic_word_still_ends_the_sentence() -> None:
    assert texts("دخلوا المدينة.وقال المصدر") == ["دخلوا المدينة.", "وقال المصدر"]


def test_closing_quotes_and_repeated_marks_stay_with_their_sentence() -> None:
    text = 'قال: "انسحبوا!" ثم ماذا؟! «لا أحد.» وانتهى...'
    assert texts(text) == ['قال: "انسحبوا!"', "ثم ماذا؟!", "«لا أحد.»", "وانتهى..."]


def test_offsets_hold_with_diacritics_and_emoji() -> None:
    text = "👍 قَصَفَ الجَيْشُ القَرْيَةَ.\n\nوَانْسَحَبَتْ «قسد»؟"
    refs = split_sentences(text)
    assert [text[r.start : r.end] for r in refs] == [r.text for r in refs]
    assert refs[1].text == "وَانْسَحَبَتْ «قسد»؟"


# --- alignment ---------------------------------------------------------------------------

ORIENT = (
    "شنت فصائل الجيش الوطني هجوما واسعا على بلدة تل حلف. "
    "وسيطرت الفصائل على مخفر الحدود ومستودع الحبوب بعد اشتباكات عنيفة مع ميليشيا أسد. "
    "ويأتي ذلك بعد أسبوع من تهديدات أنقرة."
)
MAYADEEN = (
    "سيطر مسلحون على مخفر الحدود ومستودع الحبوب بعد اشتباكات عنيفة مع الجيش السوري. "
    "وأكدت مصادر الميادين وصول تعزيزات روسية إلى المطار."
)
THIRD = "وأفاد ناشطون بوصول تعزيزات روسية إلى المطار العسكري ليلا."


def test_the_same_fact_in_two_articles_is_one_fact() -> None:
    result = align({"orient": ORIENT, "mayadeen": MAYADEEN})
    (shared,) = result.shared
    assert set(shared.sentences) == {"orient", "mayadeen"}
    assert shared.outlets_count == 2
    assert shared.score >= ALIGN_THRESHOLD
    assert "مخفر الحدود" in shared.sentences["orient"].text
    assert "مخفر الحدود" in shared.sentences["mayadeen"].text
    for article_id, ref in shared.sentences.items():
        body = {"orient": ORIENT, "mayadeen": MAYADEEN}[article_id]
        assert body[ref.start : ref.end] == ref.text


def test_facts_reported_once_are_possible_omissions_elsewhere() -> None:
    result = align({"orient": ORIENT, "mayadeen": MAYADEEN})
    single = result.single_source
    assert len(single) == 3
    assert {next(iter(f.sentences)) for f in single} == {"orient", "mayadeen"}
    (threat,) = [
        f for f in single if "orient" in f.sentences and "أنقرة" in f.sentences["orient"].text
    ]
    assert threat.missing_from(result.article_ids) == ["mayadeen"]


def test_a_fact_holds_at_most_one_sentence_per_article_and_groups_three_articles() -> None:
    doubled = MAYADEEN + " ووصلت تعزيزات روسية إلى المطار أمس."
    result = align({"a": ORIENT, "b": doubled, "c": THIRD})
    reinforcements = [f for f in result.shared if "c" in f.sentences]
    assert len(reinforcements) == 1
    assert set(reinforcements[0].sentences) == {"b", "c"}
    for fact in result.facts:
        assert len(fact.sentences) == len(set(fact.sentences))
    every = [(a, r.index) for f in result.facts for a, r in f.sentences.items()]
    assert len(every) == len(set(every)) == sum(len(s) for s in result.sentences.values())


def test_outlets_count_counts_distinct_outlets() -> None:
    result = align(
        {1: ORIENT, 2: MAYADEEN, 3: ORIENT.replace("تل حلف", "رأس العين")},
        outlets={1: "orient", 2: "mayadeen", 3: "orient"},
    )
    widest = max(result.facts, key=lambda f: len(f.sentences))
    assert len(widest.sentences) == 3
    assert widest.outlets_count == 2


def test_sentences_sharing_only_place_and_actors_do_not_align() -> None:
    a = "قصفت قسد بلدة عين عيسى. وشهدت عين عيسى هدوءا حذرا."
    b = "انسحبت قسد من محيط عين عيسى. وعقدت قسد اجتماعا في عين عيسى."
    assert align({"a": a, "b": b}).shared == []


def test_alignment_is_deterministic() -> None:
    bodies = {"a": ORIENT, "b": MAYADEEN, "c": THIRD}
    assert align(bodies).facts == align(bodies).facts


WORDS_SOURCE = (
    "قصف سيطرة هجوم مدينة قرية طريق مخفر مستودع تعزيزات اشتباكات انسحاب مفاوضات اتفاق "
    "نقاط مراقبة حدود مطار قاعدة جسر نهر سوق مدرسة مستشفى محطة كهرباء ماء وقود قمح "
    "صوامع معبر دورية طائرة مسيرة صاروخ قذيفة لغم عبوة سيارة دبابة مدفع رشاش خندق ساتر"
)
WORDS = WORDS_SOURCE.split()


def _synthetic_cluster(articles: int, sentences: int, seed: int = 7) -> dict[str, str]:
    rng = random.Random(seed)
    pool = [" ".join(rng.choices(WORDS, k=rng.randint(8, 25))) + "." for _ in range(sentences)]
    bodies = {}
    for a in range(articles):
        chosen = [s if rng.random() < 0.6 else " ".join(rng.sample(WORDS, 12)) + "." for s in pool]
        bodies[f"art{a}"] = " ".join(chosen)
    return bodies


def test_five_articles_align_quickly() -> None:
    bodies = _synthetic_cluster(articles=5, sentences=40)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        result = align(bodies)
        best = min(best, time.perf_counter() - started)
    assert result.shared
    assert best < 0.1, f"5 x 40 sentences took {best * 1000:.1f} ms"


# --- word diff and substitutions ----------------------------------------------------------


def test_a_label_substitution_is_one_replace_op() -> None:
    a = "اشتباكات عنيفة مع ميليشيا أسد في القرية"
    b = "اشتباكات عنيفة مع الجيش السوري في القرية"
    ops = word_diff(a, b)
    assert [op.kind for op in ops] == ["equal", "replace", "equal"]
    replace = ops[1]
    assert (replace.a_text, replace.b_text) == ("ميليشيا أسد", "الجيش السوري")
    assert a[replace.a_start : replace.a_end] == "ميليشيا أسد"
    assert b[replace.b_start : replace.b_end] == "الجيش السوري"
    assert (replace.a_words, replace.b_words) == (2, 2)


def test_clitics_diacritics_and_plural_spelling_are_equal_words() -> None:
    ops = word_diff("لِمِيلِيشْيَا أسد", "مليشيات الأسد")
    assert [op.kind for op in ops] == ["equal"]


def test_insert_and_delete_ops_carry_positions() -> None:
    a = "سيطر الجيش على القرية"
    b = "سيطر الجيش التركي على القرية"
    ops = word_diff(a, b)
    insert = next(op for op in ops if op.kind == "insert")
    assert insert.b_text == "التركي"
    assert insert.a_start == insert.a_end == a.index(" على")
    delete = next(op for op in word_diff(b, a) if op.kind == "delete")
    assert delete.a_text == "التركي"


def test_substitution_candidates_are_short_replaces_with_body_offsets() -> None:
    result = align({"orient": ORIENT, "mayadeen": MAYADEEN})
    subs = substitution_candidates(result.shared)
    pairs = {(s.a_text, s.b_text) for s in subs}
    assert ("ميليشيا أسد", "الجيش السوري") in pairs
    for sub in subs:
        assert ORIENT[sub.a_start : sub.a_end] == sub.a_text
        assert MAYADEEN[sub.b_start : sub.b_end] == sub.b_text


def test_numbers_alone_and_long_rewrites_are_not_substitution_candidates() -> None:
    a = "قتل 12 عنصرا في القرية يوم أمس"
    b = "قتل 15 عنصرا في القرية يوم أمس"
    c = "قتل عنصر في القرية في هجوم شنته طائرة مسيرة تركية فجرا على أطرافها يوم أمس"
    result = align({"a": a, "b": b, "c": c}, threshold=0)
    assert all(s.a_text != "12" for s in substitution_candidates(result.shared))
    assert all(len(s.b_text.split()) <= 4 for s in substitution_candidates(result.shared))


# --- corpus -------------------------------------------------------------------------------


def test_december_2020_offensive_pair_aligns(corpus_dir) -> None:
    seeds = corpus_dir / "seeds"
    orient = clean_text((seeds / "000_c21d961c0c8a5938.txt").read_text(encoding="utf-8")).body
    mayadeen = clean_text((seeds / "002_d2149961e44ccfac.txt").read_text(encoding="utf-8")).body
    result = align({"orient": orient, "mayadeen": mayadeen})
    assert result.shared, "no fact reported by both"
    assert result.single_source
    assert any(len(f.sentences) == 1 and "orient" in f.sentences for f in result.facts)
    assert any(len(f.sentences) == 1 and "mayadeen" in f.sentences for f in result.facts)
    fact = result.shared[0]
    ops = word_diff(fact.sentences["orient"].text, fact.sentences["mayadeen"].text)
    assert any(op.kind == "replace" for op in ops)
