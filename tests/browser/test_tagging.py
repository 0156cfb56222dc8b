"""Tagging in Chromium: select text in a column, tag it, link a framing difference, reload.

The compare page (/clusters/<pk>/compare/) does not include the tag form yet, so these tests use
the cluster's tags page, which shows the articles through comparisons.highlighting with the
same form (templates/comparisons/_tag_form.html) and script (static/js/tagging.js).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from articles.imports import import_paths
from articles.models import Article
from comparisons.models import Cluster, FramingDifference, Tag

pytestmark = pytest.mark.browser

# Diacritics and an emoji before the phrases, so their offsets differ in UTF-16 and code points.
ORIENT = (
    "شنّت قوّاتٌ 🔥 هجوماً واسعاً على عين عيسى.\n\n"
    "وقالت مصادر إن ميليشيا أسد سيطرت على قرية المشيرفة بعد قصف عنيف، "
    "وإن الاشتباكات مستمرة 🙂 قرب الطريق الدولي."
)
MAYADEEN = (
    "أفادت مصادر 📍 ميدانية بأن الجيش السوري سيطر على قرية المشيرفة قرب عين عيسى "
    "بعد اشتباكات عنيفة، والاشتباكات مستمرة قرب الطريق الدولي."
)
RECORDS = [
    {
        "id": "tag-orient",
        "outlet": "Orient News",
        "title": "ميليشيا أسد تسيطر على المشيرفة قرب عين عيسى",
        "text": ORIENT,
        "published": "2020-12-18",
        "language": "ar",
    },
    {
        "id": "tag-mayadeen",
        "outlet": "Al Mayadeen",
        "title": "الجيش السوري يسيطر على المشيرفة قرب عين عيسى",
        "text": MAYADEEN,
        "published": "2020-12-18",
        "language": "ar",
    },
]

# Selects `phrase` (its `occurrence`-th match, from `skip` code points in) inside the field of
# one article, as a mouse drag would: range boundaries inside text nodes. Returns nothing.
SELECT = """
([article, field, phrase, skip, length]) => {
  const root = document.querySelector(
    `[data-tagging-article="${article}"] [data-tagging-field="${field}"]`);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = "";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push([node, text.length]);
    text += node.data;
  }
  let from = text.indexOf(phrase);
  // skip/length count code points inside the phrase; turn them into UTF-16 units.
  const chars = Array.from(phrase);
  from += chars.slice(0, skip).join("").length;
  const to = from + chars.slice(skip, skip + length).join("").length;
  const at = (position, isEnd) => {
    for (let i = nodes.length - 1; i >= 0; i--) {
      const [node, start] = nodes[i];
      if (isEnd ? position > start : position >= start) return [node, position - start];
    }
  };
  const range = document.createRange();
  range.setStart(...at(from, false));
  range.setEnd(...at(to, true));
  const selection = document.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}
"""


@pytest.fixture
def cluster(tmp_path: Path) -> Cluster:
    path = tmp_path / "tagging.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS))
    import_paths(paths=[path])
    orient = Article.objects.get(external_id="tag-orient")
    cluster = orient.membership.cluster
    assert Article.objects.get(external_id="tag-mayadeen").membership.cluster == cluster
    return cluster


def article(external_id: str) -> Article:
    return Article.objects.get(external_id=external_id)


def form_position(page: Page) -> tuple[int, int, str]:
    # `selectionchange` is dispatched as a task after the selection moves: wait for the form.
    form = page.locator("form[data-tag-form][data-ready=true]")
    form.wait_for()
    return (
        int(form.locator("input[name=start]").input_value()),
        int(form.locator("input[name=end]").input_value()),
        form.locator("input[name=quote]").input_value(),
    )


def drag_select(page: Page, article_pk: int, phrase: str) -> None:
    """Select `phrase` with the mouse: press at its first letter's right edge (RTL), drag."""
    rects = page.evaluate(
        """([article, phrase]) => {
          const root = document.querySelector(
            `[data-tagging-article="${article}"] [data-tagging-field="body"]`);
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.indexOf(phrase);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + phrase.length);
            return Array.from(range.getClientRects()).map(r => [r.left, r.right, r.top, r.bottom]);
          }
          return null;
        }""",
        [article_pk, phrase],
    )
    assert rects, f"{phrase} not found in one text node"
    first, last = rects[0], rects[-1]
    # From just before the first letter (on its right, RTL) to just after the last: the
    # spaces either side, if caught, are trimmed by the script.
    page.mouse.move(first[1] + 1, (first[2] + first[3]) / 2)
    page.mouse.down()
    page.mouse.move(last[0] - 1, (last[2] + last[3]) / 2, steps=8)
    page.mouse.up()


def test_analyst_tags_and_links_a_difference_that_survives_a_reload(
    analyst_page: Page, cluster: Cluster, screenshot
):
    page = analyst_page
    orient, mayadeen = article("tag-orient"), article("tag-mayadeen")
    page.goto(f"/clusters/{cluster.pk}/tags/")

    # Orient: the mouse drags over "ميليشيا أسد".
    drag_select(page, orient.pk, "ميليشيا أسد")
    start = orient.body.index("ميليشيا أسد")
    assert form_position(page) == (start, start + 11, "ميليشيا أسد")
    expect(page.locator("[data-tag-selection]")).to_contain_text("ميليشيا أسد")
    page.select_option("#tag-category", "delegitimising-label")
    page.fill("#tag-note", "أورينت تسمي الجيش ميليشيا")
    page.click("[data-tag-submit]")
    expect(page.locator(".tag-item")).to_have_count(1)

    # Al Mayadeen: the keyboard. Tab to the highlighted label, Enter selects it.
    label = page.locator(
        f'[data-tagging-article="{mayadeen.pk}"] [data-tagging-field="body"] mark[tabindex="0"]',
        has_text="الجيش السوري",
    ).first
    label.focus()
    page.keyboard.press("Enter")
    m_start = mayadeen.body.index("الجيش السوري")
    assert form_position(page) == (m_start, m_start + 12, "الجيش السوري")
    page.select_option("#tag-category", "legitimising-label")
    page.fill("#tag-note", "")
    page.click("[data-tag-submit]")
    expect(page.locator(".tag-item")).to_have_count(2)

    # Link the two as one framing difference.
    for tag in Tag.objects.all():
        page.check(f"#link-{tag.pk}")
    page.select_option("#difference-category", "delegitimising-label")
    page.fill("#difference-note", "Orient: ميليشيا أسد ↔ Al Mayadeen: الجيش السوري")
    page.click("#difference-form ~ fieldset button[type=submit], button[form=difference-form]")
    expect(page.locator(".difference")).to_have_count(1)

    page.reload()
    for a, phrase in ((orient, "ميليشيا أسد"), (mayadeen, "الجيش السوري")):
        tag = Tag.objects.get(article=a)
        assert a.body[tag.start : tag.end] == phrase == tag.quote
        underline = page.locator(f'[data-tagging-article="{a.pk}"] span.tag[data-tag="{tag.pk}"]')
        expect(underline).to_have_text(phrase)
        assert underline.first.get_attribute("data-start") == str(tag.start)
        assert underline.last.get_attribute("data-end") == str(tag.end)
        assert tag.author.username == "browser-analyst"
    difference = FramingDifference.objects.get()
    assert {t.quote for t in difference.tags.all()} == {"ميليشيا أسد", "الجيش السوري"}
    expect(page.locator(".difference")).to_contain_text("ميليشيا أسد")
    screenshot(page, "tagging-linked")


@pytest.mark.parametrize(
    ("phrase", "skip", "length"),
    [
        ("ميليشيا أسد", 3, 6),  # starts and ends inside words
        ("شنّت قوّاتٌ", 0, 11),  # diacritics (shadda, tanwin) count as characters
        ("الاشتباكات مستمرة 🙂 قرب", 0, 23),  # an emoji inside
        ("قرب الطريق الدولي", 2, 7),  # after two emoji, inside a word
    ],
)
def test_selection_offsets_are_python_code_points(
    analyst_page: Page, cluster: Cluster, phrase: str, skip: int, length: int
):
    page = analyst_page
    orient = article("tag-orient")
    page.goto(f"/clusters/{cluster.pk}/tags/")
    page.evaluate(SELECT, [orient.pk, "body", phrase, skip, length])
    start = orient.body.index(phrase) + skip
    expected = orient.body[start : start + length]
    assert form_position(page) == (start, start + length, expected.strip())


def test_viewer_has_no_tag_button_and_a_forged_post_is_forbidden(
    logged_in_page: Page, cluster: Cluster
):
    page = logged_in_page  # a user with no role reads like a viewer
    page.goto(f"/clusters/{cluster.pk}/tags/")
    expect(page.locator("[data-tagging-article]")).to_have_count(2)
    expect(page.locator("form[data-tag-form]")).to_have_count(0)
    expect(page.locator("[data-tag-submit]")).to_have_count(0)
    headers = json.loads(page.locator("body").get_attribute("hx-headers"))
    orient = article("tag-orient")
    start = orient.body.index("ميليشيا أسد")
    response = page.request.post(
        "/tags/new/",
        form={
            "article": str(orient.pk),
            "field": "body",
            "start": str(start),
            "end": str(start + 11),
            "quote": "ميليشيا أسد",
            "category": "delegitimising-label",
        },
        headers={"X-CSRFToken": headers["X-CSRFToken"], "Referer": page.url},
    )
    assert response.status == 403
    assert not Tag.objects.exists()
    assert re.search(r"/clusters/\d+/tags/", page.url)
