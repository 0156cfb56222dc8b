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
//
// Keyboard: where the form is, each text is made caret-navigable (contenteditable, see
// `caretNavigable`), so Tab puts a caret in it and Shift+arrows (Ctrl+Shift+arrows by word)
// select as in any text field, with no caret browsing; Enter then takes the selection to the
// form. Nothing can be edited: every input, paste, cut, drop is cancelled, and should anything
// slip through (an input method's composition cannot be cancelled) the text is put back. The
// DOM never changes, so the offsets are the same as for a mouse selection.
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

  // ---- Caret-navigable texts ----------------------------------------------------------

  const pristine = new WeakMap();
  const caretField = (node) => {
    const field = node instanceof Node ? fieldOf(node) : null;
    return field && pristine.has(field) ? field : null;
  };

  function caretNavigable(root) {
    if (!document.querySelector("form[data-tag-form]")) return;
    for (const field of root.querySelectorAll("[data-tagging-field]")) {
      if (pristine.has(field)) continue;
      pristine.set(field, field.cloneNode(true));
      field.contentEditable = "true";
      field.inputMode = "none"; // no on-screen keyboard: there is nothing to type
      field.spellcheck = false;
      field.setAttribute("autocorrect", "off");
      field.setAttribute("autocapitalize", "off");
      field.setAttribute("aria-describedby", "tag-keys");
      field.dataset.caret = "";
    }
  }

  caretNavigable(document);
  // Columns htmx swaps in (the compare page's outlet toggles) are new elements.
  document.addEventListener("htmx:load", (event) => caretNavigable(event.target));

  for (const type of ["beforeinput", "paste", "drop"]) {
    document.addEventListener(type, (event) => {
      if (caretField(event.target)) event.preventDefault();
    }, true);
  }
  // Cut copies, as in any read-only text, but removes nothing.
  document.addEventListener("cut", (event) => {
    if (!caretField(event.target)) return;
    event.preventDefault();
    event.clipboardData.setData("text/plain", document.getSelection().toString());
  }, true);
  // What cannot be cancelled (an input method's composition) is undone: the text is put back.
  document.addEventListener("input", (event) => {
    const field = caretField(event.target);
    if (!field) return;
    field.replaceChildren(...pristine.get(field).cloneNode(true).childNodes);
  }, true);

  // ---- The selection -------------------------------------------------------------------

  document.addEventListener("selectionchange", () => {
    const form = document.querySelector("form[data-tag-form]");
    if (!form) return;
    const chosen = readSelection();
    if (chosen) fill(form, chosen);
  });

  // Enter with text selected in a column: the form takes the selection and the category list
  // gets the focus. On the window and capturing, so it runs before the page's other Enter
  // handlers (a highlight's actor emphasis), which keep Enter while nothing is selected.
  window.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing) return;
    if (event.shiftKey || event.ctrlKey || event.metaKey || event.altKey) return;
    const form = document.querySelector("form[data-tag-form]");
    const field = event.target instanceof Element ? event.target.closest("[data-tagging-field]") : null;
    const chosen = form && field ? readSelection() : null;
    if (!chosen || fieldOf(document.getSelection().anchorNode) !== field) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    fill(form, chosen);
    form.elements.category.focus();
  }, true);

  // A highlight can take the focus (tabindex, for the keyboard), and a press on a focusable
  // element at its edge, where the caret falls in the text before it, starts no selection in
  // Chromium. So while the button is down the highlight cannot take the focus: a drag may
  // start anywhere. A press without a drag (a click) still focuses it, as before.
  document.addEventListener("mousedown", (event) => {
    if (event.button !== 0 || !(event.target instanceof Element)) return;
    const mark = event.target.closest("[data-tagging-field] [tabindex]");
    if (!mark) return;
    const tabindex = mark.getAttribute("tabindex");
    mark.removeAttribute("tabindex");
    window.addEventListener("mouseup", () => {
      mark.setAttribute("tabindex", tabindex);
      const selection = document.getSelection();
      if (!selection || selection.isCollapsed) mark.focus({ preventScroll: true });
    }, { capture: true, once: true });
  }, true);

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
