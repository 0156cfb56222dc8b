from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from articles.imports import import_paths
from articles.models import Article
from comparisons import lexicon_history
from comparisons.findings import current_version, fresh_findings
from comparisons.models import Cluster, Finding, LexiconChange, Membership

pytestmark = pytest.mark.django_db

ORIENT_STYLE = "قصفت ميليشيا أسد قرية قرب عين عيسى، فيما تقدمت ميليشيا قسد نحو الطريق الدولي."
MAYADEEN_STYLE = "قصف الجيش السوري مواقع قرب عين عيسى، فيما تقدمت قسد نحو الطريق الدولي."


def _import(tmp_path: Path, records: list[dict[str, object]]) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records))
    import_paths(paths=[path])


@pytest.fixture
def pair(tmp_path: Path) -> Cluster:
    _import(
        tmp_path,
        [
            {"id": "o", "outlet": "Orient", "text": ORIENT_STYLE, "published": "2020-12-18"},
            {"id": "m", "outlet": "Mayadeen", "text": MAYADEEN_STYLE, "published": "2020-12-18"},
        ],
    )
    clusters = {m.cluster for m in Membership.objects.select_related("cluster")}
    assert len(clusters) == 1, "the two reports should form one incident"
    return clusters.pop()


def test_findings_are_stored_at_import_with_offsets_into_the_body(pair) -> None:
    article = Article.objects.get(external_id="o")
    findings = list(Finding.objects.filter(article=article, field="body"))
    assert {(f.actor_id, f.label) for f in findings} >= {
        ("syrian-government", "ميليشيا أسد"),
        ("sdf", "ميليشيا قسد"),
    }
    for finding in findings:
        assert article.body[finding.start : finding.end] == finding.matched_text
    assert all(f.lexicon_version == current_version().number for f in findings)


def test_the_cluster_divergence_reflects_opposite_labels(pair) -> None:
    pair.refresh_from_db()
    # ميليشيا أسد (-2) against الجيش السوري (0).
    assert pair.divergence == 2


def test_framing_report_prints_the_documented_shape(pair) -> None:
    out = io.StringIO()
    call_command("framing_report", str(pair.pk), "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["cluster"] == pair.pk
    assert report["outlets"] == ["Mayadeen", "Orient"]
    government = next(a for a in report["actors"] if a["actor"] == "syrian-government")
    assert [u["label"] for u in government["by_outlet"]["Orient"]] == ["ميليشيا أسد"]
    assert [u["label"] for u in government["by_outlet"]["Mayadeen"]] == ["الجيش السوري"]
    assert government["divergence"] == 2
    first = report["articles"]["o"][0]
    assert set(first) >= {"actor", "label", "valence", "own_voice", "start", "end"}


def test_a_lexicon_edit_makes_a_new_version_and_findings_follow(pair, analyst) -> None:
    version = current_version()
    index = next(
        i for i, lab in enumerate(version.data["labels"]) if lab["surface"] == "الجيش السوري"
    )
    label = {**version.data["labels"][index], "valence": 1}
    new = lexicon_history.save_label(
        user=analyst, based_on=version.number, index=index, label=label
    )
    assert new.number == version.number + 1
    change = LexiconChange.objects.get(version=new)
    assert (change.action, change.before["valence"], change.after["valence"]) == ("edit", 0, 1)
    mayadeen = Article.objects.get(external_id="m")
    found = fresh_findings([mayadeen])[mayadeen.pk]
    army = next(f for f in found if f.label == "الجيش السوري")
    assert (army.valence, army.lexicon_version) == (1, new.number)


def test_an_edit_based_on_an_old_version_is_refused(pair, analyst) -> None:
    version = current_version()
    label = {**version.data["labels"][0], "valence": -1}
    lexicon_history.save_label(user=analyst, based_on=version.number, index=0, label=label)
    with translation.override("en"), pytest.raises(ValidationError, match="changed since you"):
        lexicon_history.save_label(user=analyst, based_on=version.number, index=0, label=label)


def test_an_invalid_lexicon_is_refused_whole(analyst) -> None:
    data = dict(current_version().data)
    data["labels"] = [*data["labels"], {"surface": "شيء", "actor": "no-such-actor"}]
    with pytest.raises(ValidationError, match="unknown actor"):
        lexicon_history.import_lexicon(data=data, user=analyst)


def test_lexicon_pages_show_labels_and_only_admins_edit(analyst_client, pair) -> None:
    page = analyst_client.get(reverse("comparisons:lexicon"), {"actor": "sdf"})
    assert "ميليشيا قسد" in page.content.decode()
    assert analyst_client.get(reverse("comparisons:label_edit", args=[0])).status_code == 403


def test_an_admin_edits_a_label_through_the_form(client, django_user_model, pair) -> None:
    from comparisons.roles import ensure_roles

    admin = django_user_model.objects.create_user(username="lexadmin", password="x-pass-123")
    admin.groups.add(ensure_roles()["admin"])
    client.force_login(admin)
    version = current_version()
    response = client.post(
        reverse("comparisons:label_new"),
        {
            "surface": "عصابات قسد",
            "kind": "literal",
            "actor": "sdf",
            "term_group": "",
            "valence": "-2",
            "variants": "",
            "camps": "OPP",
            "evidence": "analyst reading",
            "note": "",
            "based_on": version.number,
        },
    )
    assert response.status_code == 302
    assert current_version().data["labels"][-1]["surface"] == "عصابات قسد"
    history = client.get(reverse("comparisons:lexicon_history")).content.decode()
    assert "عصابات قسد" in history


def test_seeds_december_offensive_matrix_shows_the_expected_contrasts(corpus_dir: Path) -> None:
    import_paths(paths=[corpus_dir / "seeds"])
    cluster = Membership.objects.get(article__external_id="000_c21d961c0c8a5938.txt").cluster
    out = io.StringIO()
    call_command("framing_report", str(cluster.pk), stdout=out)
    actors = {a["actor"]: a["by_outlet"] for a in json.loads(out.getvalue())["actors"]}

    def own(actor: str, outlet: str) -> set[str]:
        return {u["label"] for u in actors[actor][outlet] if u["own_voice"]}

    assert "ميليشيا أسد" in own("syrian-government", "Orient News")
    assert "الجيش السوري" in own("syrian-government", "Al Mayadeen")
    assert "الجيش السوري" not in own("syrian-government", "Orient News")  # only quoted there
    assert "الجيش الوطني السوري" in own("sna", "Orient News")
    assert {"الفصائل الموالية لتركيا", "التنظيمات المسلحة الموالية لتركيا"} <= own(
        "sna", "Al Mayadeen"
    )
    assert "الاحتلال الروسي" in own("russia", "Orient News")
    assert "القوات الروسية" in own("russia", "Al Mayadeen")
    assert "ميليشيا قسد" in own("sdf", "Orient News")
    assert "قسد" in own("sdf", "Al Mayadeen")
    assert "ميليشيا قسد" not in own("sdf", "Al Mayadeen")


def test_the_admin_lists_lexicon_versions_and_findings_read_only(admin_client, pair) -> None:
    versions = admin_client.get(reverse("admin:comparisons_lexiconversion_changelist"))
    assert versions.status_code == 200
    assert "v1" in versions.content.decode()
    assert admin_client.get(reverse("admin:comparisons_lexiconversion_add")).status_code == 403
    findings = admin_client.get(reverse("admin:comparisons_finding_changelist"))
    assert "ميليشيا أسد" in findings.content.decode()
