"""Comparing a cluster in the browser: columns, outlet toggles, actor emphasis, aligned facts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from articles.imports import import_paths
from articles.models import Outlet
from comparisons import corrections
from comparisons.findings import current_version
from comparisons.models import Cluster, Tag
from comparisons.roles import ensure_roles
from tests.browser.test_tagging import form_position
from tests.comparisons.test_compare_views import MAYADEEN, ORIENT

pytestmark = pytest.mark.browser


@pytest.fixture
def cluster(tmp_path: Path) -> Cluster:
    path = tmp_path / "compare.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (ORIENT, MAYADEEN)))
    import_paths(paths=[path])
    first, *others = Cluster.objects.order_by("pk")
    for other in others:
        corrections.merge_clusters(target=first, other=other, user=None)
    return first


def column_x(page: Page, index: int) -> float:
    box = page.locator(".compare-column").nth(index).bounding_box()
    assert box is not None
    return box["x"]


def test_an_analyst_compares_a_cluster(
    cluster: Cluster, analyst_page: Page, browser_user, screenshot
) -> None:
    page = analyst_page
    browser_user.groups.add(ensure_roles()["admin"])  # may also add words to the lexicon
    mayadeen = Outlet.objects.get(name="Al Mayadeen").slug
    page.goto(cluster.get_absolute_url())
    page.click(".cluster__compare")  # "قارن جنبًا إلى جنب"
    expect(page).to_have_url(re.compile(rf"/clusters/{cluster.pk}/compare/$"))
    columns = page.locator(".compare-column")
    expect(columns).to_have_count(2)
    # Right to left: the first (oldest) article is the rightmost column.
    expect(columns.first).to_contain_text("Orient News")
    assert column_x(page, 0) > column_x(page, 1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.evaluate("window.zawiyaMarker = 'still here'")

    # Hide an outlet, then show it again: htmx swaps the columns in place.
    page.click(f".outlet-toggle[data-outlet='{mayadeen}']")
    expect(columns).to_have_count(1)
    expect(page).to_have_url(re.compile(r"hide="))
    expect(page.locator(".matrix__table thead")).not_to_contain_text("Al Mayadeen")
    page.click(f".outlet-toggle[data-outlet='{mayadeen}']")
    expect(columns).to_have_count(2)
    assert page.evaluate("window.zawiyaMarker") == "still here"

    # Click an actor's highlight: its highlights in every column are emphasised.
    page.locator(".compare-column mark.hl[data-actor='sdf']").first.click()
    for index in range(2):
        marks = columns.nth(index).locator("mark.hl[data-actor='sdf']")
        assert marks.count() > 0
        for mark in marks.all():
            expect(mark).to_have_class(re.compile(r"\bis-emphasised\b"))
    expect(
        columns.first.locator("mark.hl[data-actor='syrian-government']").first
    ).not_to_have_class(re.compile(r"\bis-emphasised\b"))
    expect(page.locator("tr[data-actor-row='sdf']")).to_have_class(re.compile("is-emphasised"))
    expect(page).to_have_url(re.compile(r"actor=sdf"))
    # Focus on a highlight shows what the other outlet calls the actor.
    government = columns.first.locator("mark.hl[data-actor='syrian-government']").first
    government.focus()
    tip = government.evaluate("el => getComputedStyle(el, '::after').content")
    assert "Al Mayadeen" in tip and "الجيش السوري" in tip
    screenshot(page, "compare-columns-ar")

    # The aligned facts: a second mode of the same page.
    page.click(".mode-switch__link[data-mode='facts']")
    expect(page.locator("#facts")).to_be_visible()
    expect(page).to_have_url(re.compile(r"mode=facts"))
    expect(page.locator(".fact--shared").first).to_be_visible()
    expect(page.locator(".not-reported").first).to_be_visible()
    expect(page.locator(".figure-row--contested")).to_contain_text("مقتل 5 مدنيين")
    assert page.evaluate("window.zawiyaMarker") == "still here"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "compare-facts-ar")

    # A substitution the lexicon does not know goes into it in one step.
    form = page.locator(".substitution__form").filter(has_text="عصابات النظام")
    form.get_by_label("وحدات الهندسة").uncheck()
    form.locator("select[name=actor]").select_option("syrian-government")
    form.locator("select[name=valence]").select_option("-2")
    with page.expect_navigation():
        form.get_by_role("button").click()
    expect(page.locator(".messages")).to_contain_text("عصابات النظام")
    expect(page.locator("#facts")).to_be_visible()
    labels = current_version().data["labels"]
    assert labels[-1]["surface"] == "عصابات النظام" and labels[-1]["valence"] == -2
    screenshot(page, "compare-facts-ar-added")

    # The same two modes in the English interface (left to right).
    with page.expect_navigation():
        page.click(".language-switch button[value=en]")
    assert page.get_attribute("html", "dir") == "ltr"
    expect(page.locator(".mode-switch__link[aria-current=page]")).to_have_text("Aligned facts")
    screenshot(page, "compare-facts-en")
    page.click(".mode-switch__link[data-mode='columns']")
    expect(columns).to_have_count(2)
    assert column_x(page, 0) < column_x(page, 1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "compare-columns-en")

    # On a phone the columns stack instead of scrolling sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "compare-columns-en-phone")


def test_an_actor_link_works_without_script(cluster: Cluster, logged_in_page: Page) -> None:
    page = logged_in_page
    page.goto(f"/clusters/{cluster.pk}/compare/?actor=syrian-government")
    marks = page.locator(".compare-column mark.hl[data-actor='syrian-government']")
    assert marks.count() >= 2
    for mark in marks.all():
        expect(mark).to_have_attribute("data-emphasised", "true")
    # Clicking the actor again in the matrix clears the emphasis in place.
    page.click("a[data-actor-toggle='syrian-government']")
    expect(page.locator("[data-emphasised]")).to_have_count(0)
    expect(page.locator("mark.is-emphasised")).to_have_count(0)


def test_an_analyst_tags_a_label_in_the_side_by_side_columns(
    cluster: Cluster, analyst_page: Page, screenshot
) -> None:
    page = analyst_page
    orient = cluster.articles_in_order()[0]
    assert orient.outlet.name == "Orient News"
    page.goto(f"/clusters/{cluster.pk}/compare/")
    # Hide and show an outlet first: the columns htmx swapped in still take selections.
    mayadeen = Outlet.objects.get(name="Al Mayadeen").slug
    page.click(f".outlet-toggle[data-outlet='{mayadeen}']")
    expect(page.locator(".compare-column")).to_have_count(1)
    page.click(f".outlet-toggle[data-outlet='{mayadeen}']")
    expect(page.locator(".compare-column")).to_have_count(2)

    phrase = "ميليشيا أسد"
    column = page.locator(f'[data-tagging-article="{orient.pk}"] [data-tagging-field="body"]')
    column.scroll_into_view_if_needed()
    mark = column.locator("mark.hl", has_text=phrase).first
    box = mark.bounding_box()
    assert box is not None
    # Press just outside the highlight's right edge (RTL: its start), drag past its left edge
    # (the spaces caught either side are trimmed by the script). A drag that starts on the
    # highlight itself: test_tagging.py::test_a_drag_may_start_on_a_highlighted_label...
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] + 3, y)
    page.mouse.down()
    page.mouse.move(box["x"] - 3, y, steps=8)
    page.mouse.up()
    start = orient.body.index(phrase)
    assert form_position(page) == (start, start + len(phrase), phrase)
    expect(page.locator("[data-tag-selection]")).to_contain_text("Orient News")
    page.select_option("#tag-category", "delegitimising-label")
    page.fill("#tag-note", "أورينت تسمي الجيش ميليشيا")
    with page.expect_navigation():
        page.click("[data-tag-submit]")
    expect(page).to_have_url(re.compile(rf"/clusters/{cluster.pk}/compare/"))
    tag = Tag.objects.get()
    assert (tag.article_id, tag.field, tag.start, tag.end) == (
        orient.pk,
        "body",
        start,
        start + len(phrase),
    )

    page.reload()
    underline = page.locator(f'[data-tagging-article="{orient.pk}"] span.tag[data-tag="{tag.pk}"]')
    expect(underline).to_have_text(phrase)
    assert underline.first.get_attribute("data-start") == str(start)
    assert underline.last.get_attribute("data-end") == str(start + len(phrase))
    expect(page.locator(".compare-tags .tag-item")).to_contain_text(phrase)
    screenshot(page, "compare-columns-tagged")
