from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import pytest

from articles.cleaning import clean_text
from comparisons import clustering
from comparisons.clustering import (
    ArticleFeatures,
    ClusterIndex,
    assign,
    build_storylines,
    date_factor,
    extract_features,
)
from comparisons.evaluation import bcubed

# Short invented reports (not corpus text).
ATTACK = (
    "هجوم على عين عيسى",
    "شنت فصائل الجيش الوطني السوري هجوما على بلدة عين عيسى بريف الرقة وسيطرت على قرية "
    "الجهبل بعد اشتباكات مع قسد أسفرت عن مقتل 14 عنصرا وإصابة آخرين قرب الطريق الدولي.",
)
ATTACK_OTHER_OUTLET = (
    "اشتباكات عنيفة في محيط عين عيسى",
    "اندلعت اشتباكات عنيفة بين قسد والفصائل الموالية لتركيا في محيط عين عيسى شمال الرقة، "
    "وقالت مصادر إن 14 عنصرا قتلوا في الهجوم على قرية الجهبل قرب الطريق الدولي.",
)
FLOOD = (
    "فيضانات في اللاذقية",
    "غمرت مياه الأمطار أحياء في مدينة اللاذقية وتضررت عشرات المنازل والمحال التجارية "
    "وأعلنت البلدية حالة الطوارئ لتصريف المياه من الشوارع.",
)
FLOOD_OTHER_OUTLET = (
    "أمطار غزيرة تغمر شوارع اللاذقية",
    "تضررت عشرات المنازل في اللاذقية بعد أن غمرت مياه الأمطار الشوارع، وقالت البلدية إن "
    "فرق الطوارئ تعمل على تصريف المياه.",
)
IDLIB_MUSHAYRIFA = (
    "قصف على المشيرفة",
    "قصفت الطائرات الحربية بلدة المشيرفة وقرى مجاورة وسط نزوح الأهالي نحو الشمال.",
)
RAQQA_MUSHAYRIFA = (
    "توتر في المشيرفة",
    "عقدت لجنة محلية اجتماعا في المشيرفة لبحث عودة الأهالي وإصلاح شبكة المياه.",
)


# The same town, and no word in common: the English report shares only the place.
FIRE_AIN_ISSA = (
    "حريق في سوق عين عيسى",
    "اندلع حريق في سوق عين عيسى والتهمت النيران محلات الخضار قبل أن تخمده فرق الإطفاء.",
)
SCHOOL_AIN_ISSA = (
    "School opens in Ain Issa",
    "A new school opened in Ain Issa, receiving hundreds of pupils at the start of the year.",
)


def feats(text: tuple[str, str], day: date | None, precision: str = "day") -> ArticleFeatures:
    return extract_features(title=text[0], body=text[1], published=day, precision=precision)


def run(articles: list[tuple[str, ArticleFeatures]]) -> dict[str, str]:
    index = ClusterIndex()
    return {aid: assign(index, aid, f).cluster_id for aid, f in articles}


def test_features_find_places_actors_numbers_and_date() -> None:
    f = feats(ATTACK, date(2020, 12, 18))
    assert {"ain-issa", "raqqa", "jahbal", "m4"} <= set(f.places)
    assert {"sna", "sdf"} <= set(f.actors)
    assert f.numbers == frozenset({14})
    assert f.interval == (date(2020, 12, 18).toordinal(),) * 2


def test_features_round_trip_through_json() -> None:
    f = feats(ATTACK, date(2020, 12, 1), "month")
    again = ArticleFeatures.from_dict(json.loads(json.dumps(f.to_dict())))
    assert again == f
    assert again.interval == (date(2020, 12, 1).toordinal(), date(2020, 12, 31).toordinal())


def test_features_read_stored_integer_counts() -> None:
    data = feats(ATTACK, date(2020, 12, 18)).to_dict()
    data["terms"] = {key: round(count) for key, count in data["terms"].items()}
    assert set(ArticleFeatures.from_dict(data).terms) == set(data["terms"])


def test_lead_terms_weigh_more_than_the_same_terms_further_down() -> None:
    body = ATTACK[1] + " " + FLOOD[1] + " " + " ".join(["كلمة"] * 200) + " " + RAQQA_MUSHAYRIFA[1]
    f = extract_features(title="", body=body, published=None, precision="unknown")
    assert f.terms["هجوما"] > f.terms["اهالي"] > 1.0


def test_headline_not_restated_by_the_lead_is_taken_for_page_chrome() -> None:
    chrome = "برامج التلفزيون دروس الألمانية للمتقدمين"
    f = extract_features(title=chrome, body=ATTACK[1], published=None, precision="unknown")
    assert f.title_keys == () and "برامج" not in f.terms
    kept = extract_features(title=ATTACK[0], body=ATTACK[1], published=None, precision="unknown")
    assert kept.title_keys and "هجوم" in kept.terms
    title_only = extract_features(title=chrome, body="", published=None, precision="unknown")
    assert title_only.title_keys


def test_two_reports_of_one_incident_join_and_say_why() -> None:
    index = ClusterIndex()
    first = assign(index, "a", feats(ATTACK, date(2020, 12, 18)))
    second = assign(index, "b", feats(ATTACK_OTHER_OUTLET, date(2020, 12, 19)))
    assert first.is_new and not second.is_new
    assert second.cluster_id == first.cluster_id
    ev = second.evidence
    assert "ain-issa" in ev["shared_places"] and "sdf" in ev["shared_actors"]
    assert ev["shared_numbers"] == [14] and ev["date_gap_days"] == 1
    assert ev["score"] >= clustering.ASSIGN_THRESHOLD


def test_unrelated_report_starts_a_new_cluster() -> None:
    clusters = run(
        [("a", feats(ATTACK, date(2020, 12, 18))), ("f", feats(FLOOD, date(2020, 12, 18)))]
    )
    assert clusters["a"] != clusters["f"]


@pytest.mark.parametrize("year", [2015, 2019, 2021])
def test_same_place_in_another_year_stays_apart(year: int) -> None:
    clusters = run(
        [
            ("a", feats(ATTACK, date(2020, 12, 18))),
            ("b", feats(ATTACK_OTHER_OUTLET, date(year, 12, 18))),
        ]
    )
    assert clusters["a"] != clusters["b"]


def test_unknown_date_is_neither_match_nor_veto() -> None:
    assert date_factor(None, (1, 1), exact=False) == (1.0, None)
    clusters = run(
        [("a", feats(ATTACK, None, "unknown")), ("b", feats(ATTACK_OTHER_OUTLET, None, "unknown"))]
    )
    assert clusters["a"] == clusters["b"]
    clusters = run([("a", feats(ATTACK, None, "unknown")), ("f", feats(FLOOD, None, "unknown"))])
    assert clusters["a"] != clusters["f"]


def test_month_precision_lowers_but_does_not_veto() -> None:
    cluster = (date(2020, 12, 18).toordinal(), date(2020, 12, 20).toordinal())
    month = (date(2020, 12, 1).toordinal(), date(2020, 12, 31).toordinal())
    factor, gap = date_factor(month, cluster, exact=False)
    assert gap is None and 0.2 < factor < 1.0
    november = (date(2020, 11, 1).toordinal(), date(2020, 11, 30).toordinal())
    assert date_factor(november, cluster, exact=False)[0] < 0.05


def test_date_factor_decays_smoothly() -> None:
    day = date(2020, 12, 18).toordinal()
    factors = [date_factor((day + g, day + g), (day, day), exact=True)[0] for g in range(0, 40)]
    assert factors[0] == 1.0
    assert all(a >= b for a, b in zip(factors, factors[1:], strict=False))
    assert factors[9] < 0.3 < factors[4]


def test_one_ambiguous_place_name_alone_never_merges() -> None:
    clusters = run(
        [
            ("i", feats(IDLIB_MUSHAYRIFA, None, "unknown")),
            ("r", feats(RAQQA_MUSHAYRIFA, None, "unknown")),
        ]
    )
    assert clusters["i"] != clusters["r"]


def test_forbidden_cluster_is_never_chosen_and_pinned_is_respected() -> None:
    index = ClusterIndex()
    first = assign(index, "a", feats(ATTACK, date(2020, 12, 18)))
    refused = assign(
        index,
        "b",
        feats(ATTACK_OTHER_OUTLET, date(2020, 12, 19)),
        forbidden=frozenset({first.cluster_id}),
    )
    assert refused.cluster_id != first.cluster_id and refused.is_new
    pinned = assign(index, "f", feats(FLOOD, date(2020, 12, 19)), pinned=first.cluster_id)
    assert pinned.cluster_id == first.cluster_id and pinned.evidence["pinned"] is True
    assert index.article_cluster["f"] == first.cluster_id


def test_dry_run_leaves_the_index_unchanged() -> None:
    index = ClusterIndex()
    assign(index, "a", feats(ATTACK, date(2020, 12, 18)))
    assign(index, "b", feats(FLOOD, date(2020, 12, 18)), add=False)
    assert index.n_docs == 1 and "b" not in index.article_cluster


def test_candidates_come_from_the_index_not_a_scan() -> None:
    index = ClusterIndex()
    assign(index, "f", feats(FLOOD, date(2020, 12, 18)))
    assert index.candidates(feats(ATTACK, date(2020, 12, 18))) == []
    assign(index, "a", feats(ATTACK, date(2020, 12, 18)))
    assert index.candidates(feats(ATTACK_OTHER_OUTLET, date(2020, 12, 19))) == [
        index.article_cluster["a"]
    ]


def test_a_busy_other_year_does_not_push_a_recent_cluster_out_of_the_postings() -> None:
    index = ClusterIndex()
    recent = assign(index, "f", feats(FLOOD, date(2020, 12, 18)))
    for i in range(clustering.POSTINGS_CAP + 8):
        # The same wording in 2016, each in a cluster of its own: every term's postings fill up.
        assign(index, f"old{i}", feats(FLOOD, date(2016, 3, 1)), pinned=f"old{i}")
    found = index.candidates(feats(FLOOD_OTHER_OUTLET, date(2020, 12, 19)))
    assert found == [recent.cluster_id]


def test_dates_in_neighbouring_time_buckets_still_meet() -> None:
    # 16-day buckets: ordinal // 16 changes between these two days.
    first = date(2020, 12, 18)
    while (
        first.toordinal() + 2
    ) // clustering.BUCKET_DAYS == first.toordinal() // clustering.BUCKET_DAYS:
        first = date.fromordinal(first.toordinal() + 1)
    index = ClusterIndex()
    a = assign(index, "a", feats(ATTACK, first))
    later = date.fromordinal(first.toordinal() + 2)
    assert index.candidates(feats(ATTACK_OTHER_OUTLET, later)) == [a.cluster_id]


def test_a_cluster_whose_dates_cross_a_time_bucket_boundary_shares_each_key_once() -> None:
    def first_day_of_a_bucket(day: date) -> date:
        while day.toordinal() % clustering.BUCKET_DAYS:
            day = date.fromordinal(day.toordinal() + 1)
        return day

    boundary = first_day_of_a_bucket(date(2020, 12, 10))
    before = date.fromordinal(boundary.toordinal() - 1)
    inside = first_day_of_a_bucket(date(2021, 3, 1))
    shared: list[dict[str, float]] = []
    for first, second in [(before, boundary), (inside, date.fromordinal(inside.toordinal() + 1))]:
        index = ClusterIndex()
        a = assign(index, "a", feats(ATTACK, first))
        assign(index, "b", feats(ATTACK, second), pinned=a.cluster_id)
        probe = feats(ATTACK_OTHER_OUTLET, second)
        found_by_terms, found_by_places_only = index.hits(probe, index.salient_terms(probe))
        assert not found_by_places_only
        shared.append(found_by_terms)
    crossing, within = shared
    assert crossing == within
    assert list(crossing.values()) and all(weight > 0 for weight in crossing.values())


def test_a_shared_place_alone_admits_only_a_few_clusters_the_most_recent_first() -> None:
    index = ClusterIndex()
    day = date(2020, 12, 18)
    assign(index, "s", feats(SCHOOL_AIN_ISSA, day), pinned="school")
    fires = [f"fire{i}" for i in range(clustering.PLACE_ONLY_CANDIDATES + 4)]
    for i, cluster_id in enumerate(fires):
        assign(index, f"f{i}", feats(FIRE_AIN_ISSA, day), pinned=cluster_id)
    found = index.candidates(feats(SCHOOL_AIN_ISSA, day))
    # The oldest cluster shares words, so the quota for a place alone does not apply to it.
    assert sorted(found) == sorted(["school", *fires[-clustering.PLACE_ONLY_CANDIDATES :]])


def test_clusters_beyond_the_date_reach_do_not_use_up_the_quota_for_a_shared_place() -> None:
    index = ClusterIndex()
    day = date(2020, 12, 18)
    near = [f"near{i}" for i in range(clustering.PLACE_ONLY_CANDIDATES + 2)]
    for i, cluster_id in enumerate(near):
        assign(index, f"n{i}", feats(FIRE_AIN_ISSA, day), pinned=cluster_id)
    # Posted later, in a time bucket the lookup reads, but beyond the reach of the date factor.
    beyond = date.fromordinal(day.toordinal() + math.ceil(clustering._DATE_REACH))
    for i in range(4):
        assign(index, f"b{i}", feats(FIRE_AIN_ISSA, beyond), pinned=f"beyond{i}")
    found = index.candidates(feats(SCHOOL_AIN_ISSA, day))
    assert sorted(found) == sorted(near[-clustering.PLACE_ONLY_CANDIDATES :])


def test_dated_and_undated_reports_find_each_other() -> None:
    index = ClusterIndex()
    dated = assign(index, "a", feats(ATTACK, date(2020, 12, 18)))
    assert index.candidates(feats(ATTACK_OTHER_OUTLET, None, "unknown")) == [dated.cluster_id]
    other = ClusterIndex()
    undated = assign(other, "a", feats(ATTACK, None, "unknown"))
    assert other.candidates(feats(ATTACK_OTHER_OUTLET, date(2020, 12, 19))) == [undated.cluster_id]


def test_a_report_years_away_is_not_even_a_candidate() -> None:
    index = ClusterIndex()
    assign(index, "a", feats(ATTACK, date(2019, 11, 24)))
    assert index.candidates(feats(ATTACK_OTHER_OUTLET, date(2020, 12, 19))) == []


def test_same_input_same_order_gives_same_clusters() -> None:
    articles = [
        ("a", feats(ATTACK, date(2020, 12, 18))),
        ("f", feats(FLOOD, date(2020, 12, 18))),
        ("b", feats(ATTACK_OTHER_OUTLET, date(2020, 12, 19))),
    ]
    assert run(articles) == run(articles)


def test_storylines_link_incidents_at_one_place_within_weeks_only() -> None:
    index = ClusterIndex()
    a = assign(index, "a", feats(ATTACK, date(2020, 12, 18)), pinned="x1")
    b = assign(index, "b", feats(ATTACK_OTHER_OUTLET, date(2020, 12, 30)), pinned="x2")
    c = assign(index, "c", feats(ATTACK_OTHER_OUTLET, date(2019, 11, 24)), pinned="x3")
    f = assign(index, "f", feats(FLOOD, date(2020, 12, 19)), pinned="x4")
    story = build_storylines(index.summaries())
    assert story[a.cluster_id] == story[b.cluster_id]
    assert story[c.cluster_id] != story[a.cluster_id]
    assert story[f.cluster_id] != story[a.cluster_id]


def _seed_items(corpus_dir: Path) -> list[tuple[str, ArticleFeatures]]:
    seeds = corpus_dir / "seeds"
    manifest = json.loads((seeds / "manifest.json").read_text())["articles"]
    items = []
    for name in sorted(manifest):
        meta = manifest[name]
        published = meta["published"] + ("-01" if meta["date_precision"] == "month" else "")
        cleaned = clean_text((seeds / name).read_text())
        items.append(
            (
                name,
                extract_features(
                    title=cleaned.title,
                    body=cleaned.body,
                    published=date.fromisoformat(published),
                    precision=meta["date_precision"],
                ),
            )
        )
    return items


def test_seeds_incidents_and_storylines_match_gold(corpus_dir: Path) -> None:
    gold = json.loads((corpus_dir / "seeds" / "gold.json").read_text())
    incident = {a: i for i, v in gold["incidents"].items() for a in v["articles"]}
    story_of = {i: s for s, incs in gold["storylines"].items() for i in incs}
    index = ClusterIndex()
    predicted = {aid: assign(index, aid, f).cluster_id for aid, f in _seed_items(corpus_dir)}
    storylines = build_storylines(index.summaries())
    assert bcubed(predicted, incident).f1 == 1.0
    assert (
        bcubed(
            {a: storylines[c] for a, c in predicted.items()},
            {a: story_of[i] for a, i in incident.items()},
        ).f1
        == 1.0
    )


def test_seed_roundup_idlib_village_is_not_the_ain_issa_village(corpus_dir: Path) -> None:
    places = dict(_seed_items(corpus_dir))["003_90aeaab6560ff404.txt"].places
    assert "mushayrifa-idlib" in places and "mushayrifa-raqqa" not in places


def test_casualty_numbers_come_from_the_title_and_lead_only() -> None:
    filler = " ".join(["وتحدث السكان عن الاوضاع في المنطقة"] * 20)  # well past the lead
    body = "قتل 14 عنصرا في هجوم على البلدة. " + filler + " وفي خبر آخر قتل 37 مدنيا."
    f = extract_features(title="هجوم", body=body, published=None, precision="unknown")
    assert f.numbers == frozenset({14})


def test_text_similarity_is_the_exact_cosine_right_after_an_update() -> None:
    index = ClusterIndex()
    a, b = feats(ATTACK, None, "unknown"), feats(ATTACK_OTHER_OUTLET, None, "unknown")
    index.add("a", a, "c1")
    index.add("b", b, "c1")
    cluster = index.clusters["c1"]
    n = len(cluster.members)
    centroid = {t: s / n * index.idf(t) for t, s in cluster.term_sums.items()}
    for features in (a, feats(FLOOD, None, "unknown")):
        weights = index.weights(features.terms)
        norm = sum(w * w for w in weights.values()) ** 0.5
        dot = sum(w * weights.get(t, 0.0) for t, w in centroid.items())
        expected = dot / (norm * sum(w * w for w in centroid.values()) ** 0.5)
        similarity = index.text_similarity(index.probe(features), "c1")
        assert similarity == pytest.approx(expected, abs=1e-12)


def test_assign_picks_the_same_cluster_as_scoring_every_candidate() -> None:
    items = [ATTACK, FLOOD, ATTACK_OTHER_OUTLET, IDLIB_MUSHAYRIFA, RAQQA_MUSHAYRIFA]
    index = ClusterIndex()
    for i, text in enumerate(items):
        features = feats(text, date(2020, 12, 18 + i))
        matches = [index.score(features, c) for c in index.candidates(features)]
        best = max(matches, key=lambda m: m.score, default=None)  # first of the best
        result = assign(index, f"a{i}", features)
        if best is not None and best.score >= clustering.ASSIGN_THRESHOLD:
            assert result.cluster_id == best.evidence["cluster_id"]
            assert result.score == best.score
        else:
            assert result.is_new
            rejected = result.evidence["best_rejected"]
            assert rejected == (best.evidence if best is not None else None)


def test_no_part_of_a_score_but_text_can_add_more_than_the_bound_assign_relies_on() -> None:
    from comparisons.gazetteer import SPECIFICITY

    # assign skips a candidate when (text + MAX_BONUS) x date factor cannot beat the best.
    assert max(SPECIFICITY.values()) <= 1.0
    index = ClusterIndex()
    assign(index, "a", feats(ATTACK, date(2020, 12, 18)))
    same = feats(ATTACK, date(2020, 12, 18))
    match = index.score(same, index.article_cluster["a"])
    text = match.evidence["text_similarity"]
    assert match.score <= (text + clustering.MAX_BONUS) * match.evidence["date_factor"] + 1e-3
    parts = [match.evidence[k] for k in ("title_similarity", "place_overlap", "actor_overlap")]
    assert all(0.0 <= part <= 1.0 for part in parts)
