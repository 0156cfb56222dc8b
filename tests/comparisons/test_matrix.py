from __future__ import annotations

from typing import NamedTuple

from comparisons.matrix import ArticleFindings, build_matrix, report


class F(NamedTuple):
    actor_id: str | None
    term_group: str | None
    label: str
    valence: int
    voice: str = "own"
    start: int = 0
    end: int = 1


def test_an_outlets_stance_is_the_mean_of_its_own_voice_uses() -> None:
    matrix = build_matrix(
        [
            ArticleFindings("a", "Orient", [F("gov", None, "ميليشيا أسد", -2)] * 3),
            ArticleFindings("b", "Orient", [F("gov", None, "حكومة أسد", -1)]),
            ArticleFindings("c", "Mayadeen", [F("gov", None, "الجيش السوري", 0)]),
        ]
    )
    (row,) = matrix.actors
    assert row.stance == {"Orient": -1.75, "Mayadeen": 0}
    assert row.divergence == 1.75
    assert matrix.divergence == 1.75


def test_quoted_labels_are_counted_apart_and_never_in_the_stance() -> None:
    matrix = build_matrix(
        [
            ArticleFindings(
                "a",
                "Orient",
                [
                    F("gov", None, "الجيش العربي السوري", 2, "quoted"),
                    F("gov", None, "ميليشيا أسد", -2),
                ],
            ),
            ArticleFindings("b", "Sana", [F("gov", None, "الجيش العربي السوري", 2)]),
        ]
    )
    (row,) = matrix.actors
    quoted = next(u for u in row.by_outlet["Orient"] if u.label == "الجيش العربي السوري")
    assert (quoted.own_voice, quoted.quoted) == (0, 1)
    assert row.stance["Orient"] == -2
    assert row.divergence == 4


def test_one_outlet_alone_gives_no_divergence() -> None:
    matrix = build_matrix([ArticleFindings("a", "Orient", [F("sdf", None, "ميليشيا قسد", -2)])])
    assert matrix.actors[0].divergence is None
    assert matrix.divergence is None


def test_actors_with_the_widest_disagreement_come_first() -> None:
    matrix = build_matrix(
        [
            ArticleFindings(
                "a", "X", [F("sdf", None, "قسد", 0), F("gov", None, "ميليشيا أسد", -2)]
            ),
            ArticleFindings("b", "Y", [F("sdf", None, "قسد", -1), F("gov", None, "الجيش", 1)]),
        ]
    )
    assert [r.actor for r in matrix.actors] == ["gov", "sdf"]


def test_loaded_terms_and_attribution_cues_are_listed_apart() -> None:
    matrix = build_matrix(
        [
            ArticleFindings(
                "a",
                "X",
                [F(None, "casualties", "استشهد", 2), F("gov", "attribution", "لما أسمته", -1)],
            )
        ]
    )
    assert matrix.actors == []
    assert {r.actor for r in matrix.terms} == {"casualties", "attribution"}


def test_the_report_is_plain_json_data() -> None:
    matrix = build_matrix([ArticleFindings("a", "X", [F("sdf", None, "قسد", 0)])])
    data = report(matrix)
    assert data["outlets"] == ["X"]
    assert data["actors"][0]["by_outlet"]["X"][0] == {
        "label": "قسد",
        "valence": 0,
        "own_voice": 1,
        "quoted": 0,
    }
