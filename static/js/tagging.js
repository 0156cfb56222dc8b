// Tagging: turn the reader's selection in an article's text into a tag form's position.
//
// Markup (comparisons/highlighting.py): every text node of an article's title or body is the
// only child of an element carrying data-start/data-end, its range in the stored text; the
// title and body are inside an element with data-tagging-field ("title" or "body"), itself
// inside one with data-tagging-article (the article's id). The form is
// templates/comparisons/_tag_form.html ([data-tag-form]). Its outlet name is the column's
// [data-tagging-outlet] element, else its h2. Every listener is on the document, so columns
// that htmx swaps in (the compare page's #columns) need no re-initialising.
//
// Offsets are Python code points. JavaScript strings count UTF-16 units, so an emoji (outside
// the BMP) is 2 in JS and 1 in Python: we count code points with Array.from, never .length.
// A boundary inside a text node is data-start of its element plus the code points before the
// caret in that node; any other boundary (between paragraphs, on an element) counts the code
// points of all the text before it in the field, which is the stored text itself.
(() => {
  "use strict";

  const codePoints = (text) => Array.from(text).length;

  function fieldOf(node) {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return element ? element.closest("[data-tagging-field]") : null;
  }

  function offsetIn(field, node, offset) {
    if (node.nodeType === Node.TEXT_NODE) {
      const holder = node.parentElement;
      if (holder && holder.dataset.start !== undefined && holder.childNodes.length === 1) {
        return Number(holder.dataset.start) + codePoints(node.data.slice(0, offset));
      }
    }
    const before = document.createRange();
    before.setStart(field, 0);
    before.setEnd(node, offset);
    return codePoints(before.toString());
  }

  // The selection as {article, field, start, end, quote}, or null when it is not inside one
  // article's text. Surrounding white space is left out of the tag.
  function readSelection() {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    const field = fieldOf(range.startContainer);
    if (!field || fieldOf(range.endContainer) !== field) return null;
    const article = field.closest("[data-tagging-article]");
    if (!article) return null;
    let start = offsetIn(field, range.startContainer, range.startOffset);
    let end = offsetIn(field, range.endContainer, range.endOffset);
    let quote = Array.from(range.toString());
    while (quote.length && /\s/u.test(quote[0])) {
      quote.shift();
      start += 1;
    }
    while (quote.length && /\s/u.test(quote[quote.length - 1])) {
      quote.pop();
      end -= 1;
    }
    if (!quote.length || end <= start) return null;
    return {
      article: article.dataset.taggingArticle,
      field: field.dataset.taggingField,
      start,
      end,
      quote: quote.join(""),
    };
  }

  function fill(form, chosen) {
    form.elements.article.value = chosen.article;
    form.elements.field.value = chosen.field;
    form.elements.start.value = String(chosen.start);
    form.elements.end.value = String(chosen.end);
    form.elements.quote.value = chosen.quote;
    const shown = form.querySelector("[data-tag-selection]");
    if (shown) {
      const column = document.querySelector(
        `[data-tagging-article="${CSS.escape(chosen.article)}"]`,
      );
      const outlet = column && (column.querySelector("[data-tagging-outlet]") || column.querySelector("h2"));
      // textContent, never innerHTML: the quote is article text.
      shown.textContent = `${outlet ? outlet.textContent.trim() + ": " : ""}«${chosen.quote}»`;
    }
    form.dataset.ready = "true";
  }

  document.addEventListener("selectionchange", () => {
    const form = document.querySelector("form[data-tag-form]");
    if (!form) return;
    const chosen = readSelection();
    if (chosen) fill(form, chosen);
  });

  // Keyboard: Enter, Space or "t" on a focused highlight selects its whole text. (Where
  // another handler already used Enter, e.g. to emphasise an actor, "t" still works.)
  document.addEventListener("keydown", (event) => {
    const select = event.key === "t" || ((event.key === "Enter" || event.key === " ") && !event.defaultPrevented);
    if (!select || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (!(target instanceof Element) || !target.matches("[data-tagging-field] [data-span]")) return;
    const pieces = target
      .closest("[data-tagging-field]")
      .querySelectorAll(`[data-span="${CSS.escape(target.dataset.span)}"]`);
    const range = document.createRange();
    range.setStartBefore(pieces[0]);
    range.setEndAfter(pieces[pieces.length - 1]);
    const selection = document.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    event.preventDefault();
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-tag-form]")) return;
    if (form.dataset.ready !== "true" && !form.querySelector("[data-tag-position]").open) {
      event.preventDefault();
      const shown = form.querySelector("[data-tag-selection]");
      if (shown) shown.classList.add("is-warning");
    }
  }, true);
})();
