// Keep the language switch's "next" pointing at the page the analyst is looking at after
// htmx has pushed a new URL (a filtered list, say), so switching language keeps the filters.
document.addEventListener("htmx:pushedIntoHistory", () => {
  const here = window.location.pathname + window.location.search;
  for (const input of document.querySelectorAll("input[data-current-path]")) {
    input.value = here;
  }
});
