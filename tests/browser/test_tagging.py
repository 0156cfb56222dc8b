"""Tagging in Chromium: select text in a column, tag it, link a framing difference, reload.

The seeds' December 2020 offensive (Orient News and Al Mayadeen on Ain Issa) is tagged on its
compare page with the mouse and with the keyboard only; a viewer gets no form there and a forged
post is refused. Own texts with diacritics and emoji check the offsets on the tags page, which
shows the articles through comparisons.highlighting with the same form
(templates/comparisons/_tag_form.html) and script (static/js/tagging.js).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from articles.imports import import_paths
from articles.models import Article
from comparisons.models import Cluster, FramingDifference, Membership, Tag
from comparisons.roles import ensure_roles

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


# --------------------------------------------------------------------------------------
# The seeds' December 2020 offensive, on its compare page
# --------------------------------------------------------------------------------------

ORIENT_SEED = "000_c21d961c0c8a5938.txt"
MAYADEEN_SEED = "002_d2149961e44ccfac.txt"

# The box of the character at code point `index` of an article's stored text, scrolled into
# view: the element holding it carries data-start/data-end (comparisons.highlighting).
CHAR_BOX = """
([article, field, index]) => {
  const root = document.querySelector(
    `[data-tagging-article="${article}"] [data-tagging-field="${field}"]`);
  for (const holder of root.querySelectorAll("[data-start]")) {
    const node = holder.firstChild;
    if (holder.childNodes.length !== 1 || node.nodeType !== Node.TEXT_NODE) continue;
    const start = Number(holder.dataset.start);
    if (index < start || index >= Number(holder.dataset.end)) continue;
    const chars = Array.from(node.data);
    const from = chars.slice(0, index - start).join("").length;
    holder.scrollIntoView({block: "center"});
    const range = document.createRange();
    range.setStart(node, from);
    range.setEnd(node, from + chars[index - start].length);
    const box = range.getBoundingClientRect();
    return {left: box.left, right: box.right, y: box.top + box.height / 2};
  }
  return null;
}
"""


@pytest.fixture
def december_offensive(corpus_dir: Path) -> Cluster:
    """The seeds imported through the real import path; their Dec 2020 offensive cluster."""
    import_paths(paths=[corpus_dir / "seeds"])
    cluster = Membership.objects.get(article__external_id=ORIENT_SEED).cluster
    assert set(cluster.memberships.values_list("article__external_id", flat=True)) == {
        ORIENT_SEED,
        MAYADEEN_SEED,
    }
    return cluster


def mouse_select(page: Page, a: Article, start: int, end: int, field: str = "body") -> None:
    """Drag over characters start..end-1 of `a`'s text (right to left): press on the first
    character's right half (the caret goes before it), release on the last one's left half."""
    first = page.evaluate(CHAR_BOX, [a.pk, field, start])
    last = page.evaluate(CHAR_BOX, [a.pk, field, end - 1])
    assert first and last, "the characters are not on the page"
    page.mouse.move(first["right"] - 1, first["y"])
    page.mouse.down()
    page.mouse.move(last["left"] + 1, last["y"], steps=10)
    page.mouse.up()


def test_analyst_tags_the_december_offensive_on_its_compare_page_and_links_the_labels(
    analyst_page: Page, december_offensive: Cluster, screenshot
):
    page = analyst_page
    orient, mayadeen = article(ORIENT_SEED), article(MAYADEEN_SEED)
    page.goto(f"/clusters/{december_offensive.pk}/compare/")
    expect(page.locator("[data-tagging-article]")).to_have_count(2)

    # Orient News: the mouse drags over "ميليشيا أسد" (a highlighted label).
    o_start = orient.body.index("مع ميليشيا أسد برعاية") + len("مع ")
    o_end = o_start + len("ميليشيا أسد")
    orient_label = page.locator(f'[data-tagging-article="{orient.pk}"] mark.hl')
    expect(orient_label.filter(has_text="ميليشيا أسد").first).to_be_visible()
    mouse_select(page, orient, o_start, o_end)
    assert form_position(page) == (o_start, o_end, "ميليشيا أسد")
    expect(page.locator("[data-tag-selection]")).to_have_text("Orient News: «ميليشيا أسد»")
    page.select_option("#tag-category", "delegitimising-label")
    page.fill("#tag-note", "أورينت تسمي الجيش السوري ميليشيا")
    with page.expect_navigation():
        page.click("[data-tag-submit]")
    expect(page.locator(".compare-tags .tag-item")).to_have_count(1)

    # Al Mayadeen: "الجيش السوري", the same actor in the other column.
    m_start = mayadeen.body.index("مع الجيش السوري والقوات") + len("مع ")
    m_end = m_start + len("الجيش السوري")
    mouse_select(page, mayadeen, m_start, m_end)
    assert form_position(page) == (m_start, m_end, "الجيش السوري")
    page.select_option("#tag-category", "legitimising-label")
    with page.expect_navigation():
        page.click("[data-tag-submit]")
    expect(page.locator(".compare-tags .tag-item")).to_have_count(2)

    # One framing difference links the two.
    orient_tag, mayadeen_tag = Tag.objects.get(article=orient), Tag.objects.get(article=mayadeen)
    page.check(f"#link-{orient_tag.pk}")
    page.check(f"#link-{mayadeen_tag.pk}")
    page.select_option("#difference-category", "delegitimising-label")
    page.fill("#difference-note", "Orient: ميليشيا أسد ↔ Al Mayadeen: الجيش السوري")
    with page.expect_navigation():
        page.click("button[form=difference-form]")
    expect(page.locator(".compare-tags .difference")).to_have_count(1)

    page.reload()
    for a, tag, (start, end), phrase in (
        (orient, orient_tag, (o_start, o_end), "ميليشيا أسد"),
        (mayadeen, mayadeen_tag, (m_start, m_end), "الجيش السوري"),
    ):
        tag.refresh_from_db()
        assert (tag.field, tag.start, tag.end, tag.quote) == ("body", start, end, phrase)
        assert a.body[tag.start : tag.end] == phrase
        assert tag.author.username == "browser-analyst"
        underline = page.locator(f'[data-tagging-article="{a.pk}"] span.tag[data-tag="{tag.pk}"]')
        expect(underline).to_have_text(phrase)
        assert underline.first.get_attribute("data-start") == str(start)
        assert underline.last.get_attribute("data-end") == str(end)
    difference = FramingDifference.objects.get()
    assert set(difference.tags.all()) == {orient_tag, mayadeen_tag}
    assert difference.cluster == december_offensive
    expect(page.locator(".compare-tags .difference")).to_contain_text("الجيش السوري")
    screenshot(page, "tagging-december-offensive")


def test_a_viewer_of_the_december_offensive_gets_no_tag_form_and_a_forged_post_is_forbidden(
    logged_in_page: Page, browser_user, december_offensive: Cluster
):
    page = logged_in_page
    browser_user.groups.add(ensure_roles()["viewer"])
    page.goto(f"/clusters/{december_offensive.pk}/compare/")
    expect(page.locator("[data-tagging-article]")).to_have_count(2)
    expect(page.locator(".compare-column mark.hl").first).to_be_visible()
    for absent in ("form[data-tag-form]", "[data-tag-submit]", "[data-caret]", "#difference-form"):
        expect(page.locator(absent)).to_have_count(0)
    orient = article(ORIENT_SEED)
    start = orient.body.index("ميليشيا أسد")
    headers = json.loads(page.locator("body").get_attribute("hx-headers"))
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


def test_a_drag_may_start_on_a_highlighted_label_and_a_click_still_marks_its_actor(
    analyst_page: Page, december_offensive: Cluster
):
    page = analyst_page
    orient = article(ORIENT_SEED)
    page.goto(f"/clusters/{december_offensive.pk}/compare/")
    # From the first letter of the label "الاحتلال الروسي" (where a press used to focus the
    # label and start no selection) to the middle of the word after it, outside the label.
    label = orient.body.index("الاحتلال الروسي وقسد")
    start, end = label, label + len("الاحتلال الروسي وق")
    mark = page.locator(f'[data-tagging-article="{orient.pk}"] mark.hl[data-start="{label}"]')
    expect(mark).to_have_text("الاحتلال الروسي")
    mouse_select(page, orient, start, end)
    assert form_position(page) == (start, end, "الاحتلال الروسي وق")
    expect(page.locator(".is-emphasised")).to_have_count(0)  # a drag is not a click

    # A plain click on the label still focuses it and marks its actor in every column.
    page.mouse.click(10, 10)
    mark.click()
    expect(mark).to_be_focused()
    expect(mark).to_have_class(re.compile(r"\bis-emphasised\b"))
    expect(page.locator("tr[data-actor-row='russia']")).to_have_class(re.compile("is-emphasised"))


def test_an_analyst_selects_a_word_with_the_keyboard_only_and_tags_it(
    analyst_page: Page, december_offensive: Cluster, screenshot
):
    page = analyst_page
    orient = article(ORIENT_SEED)
    page.goto(f"/clusters/{december_offensive.pk}/compare/")
    body = page.locator(f'[data-tagging-article="{orient.pk}"] [data-tagging-field="body"]')
    text_before = body.evaluate("e => e.innerHTML")
    # Tab from the column's last link before the text: the title, its labels, then the body.
    page.locator(f'[data-tagging-article="{orient.pk}"] .compare-column__date a').focus()
    stops = []
    while len(stops) < 6 and not body.evaluate("e => e === document.activeElement"):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("document.activeElement.tagName"))
    assert stops[0] == "H2" and stops[-1] == "DIV", stops

    # The text cannot be edited: keys, shortcuts and an input method leave it as it was.
    for key in ("x", "Backspace", "Delete", "Enter", "Control+x", "Control+v", "Control+z"):
        page.keyboard.press(key)
    page.keyboard.type("كتابة")
    ime = page.context.new_cdp_session(page)
    ime.send("Input.imeSetComposition", {"text": "ز", "selectionStart": 1, "selectionEnd": 1})
    ime.send("Input.insertText", {"text": "زاي"})
    assert body.evaluate("e => e.innerHTML") == text_before
    expect(page.locator("form[data-tag-form][data-ready=true]")).to_have_count(0)

    # Caret to the start, past one word, then select the next (right to left: ArrowLeft is
    # forward). Whether the caret stops before or after the space, the tag is the word.
    page.keyboard.press("Control+Home")
    page.keyboard.press("Control+ArrowLeft")
    page.keyboard.press("Control+Shift+ArrowLeft")
    start = orient.body.index("فصائل")
    assert orient.body.startswith("شنت فصائل")
    assert form_position(page) == (start, start + len("فصائل"), "فصائل")

    # Enter takes the selection to the form; the rest is the form, by keyboard.
    page.keyboard.press("Enter")
    expect(page.locator("#tag-category")).to_be_focused()
    page.keyboard.press("ArrowDown")
    category = page.locator("#tag-category").input_value()
    page.keyboard.press("Tab")
    page.keyboard.type("تسمية الفصائل")
    page.keyboard.press("Tab")
    expect(page.locator("[data-tag-submit]")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    tag = Tag.objects.get()
    assert (tag.article_id, tag.field, tag.start, tag.end) == (
        orient.pk,
        "body",
        start,
        start + len("فصائل"),
    )
    assert orient.body[tag.start : tag.end] == tag.quote == "فصائل"
    assert (tag.category.slug, tag.note) == (category, "تسمية الفصائل")
    underline = page.locator(f'[data-tagging-article="{orient.pk}"] span.tag[data-tag="{tag.pk}"]')
    expect(underline).to_have_text("فصائل")
    screenshot(page, "tagging-keyboard")
