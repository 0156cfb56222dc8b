// Keep the language switch's "next" pointing at the page the analyst is looking at after
// htmx has pushed a new URL (a filtered list, say), so switching language keeps the filters.
document.addEventListener("htmx:pushedIntoHistory", () => {
  const here = window.location.pathname + window.location.search;
  for (const input of document.querySelectorAll("input[data-current-path]")) {
    input.value = here;
  }
});

// Comparison page: clicking an actor (a highlight in a column, or its name in the framing
// matrix) marks that actor's highlights in every column; clicking it again clears the mark.
// The matrix names are links to `?actor=ID`, which the server renders the same way without
// this script; here the class does it in place and the address keeps up.
function emphasiseActor(root, actor) {
  const chosen = root.dataset.emphasis === actor ? "" : actor;
  root.dataset.emphasis = chosen;
  for (const mark of root.querySelectorAll("[data-emphasised]")) {
    mark.removeAttribute("data-emphasised");
  }
  for (const mark of root.querySelectorAll("mark.hl[data-actor]")) {
    mark.classList.toggle("is-emphasised", chosen !== "" && mark.dataset.actor === chosen);
  }
  for (const row of root.querySelectorAll("[data-actor-row]")) {
    row.classList.toggle("is-emphasised", chosen !== "" && row.dataset.actorRow === chosen);
  }
  const url = new URL(window.location.href);
  if (chosen) {
    url.searchParams.set("actor", chosen);
  } else {
    url.searchParams.delete("actor");
  }
  window.history.replaceState(window.history.state, "", url);
  for (const input of document.querySelectorAll("input[data-current-path]")) {
    input.value = url.pathname + url.search;
  }
}

function actorTarget(event) {
  const target = event.target.closest("[data-actor-toggle], .compare-column mark.hl[data-actor]");
  if (!target) {
    return null;
  }
  const actor = target.dataset.actorToggle || target.dataset.actor;
  const root = target.closest(".compare[data-emphasis]");
  return actor && root ? { actor, root } : null;
}

document.addEventListener("click", (event) => {
  // A drag that selects text (to tag it) is not a click on the actor.
  const selection = document.getSelection();
  if (selection && !selection.isCollapsed) {
    return;
  }
  const found = actorTarget(event);
  if (found) {
    event.preventDefault();
    emphasiseActor(found.root, found.actor);
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" && event.key !== " ") {
    return;
  }
  if (!event.target.matches || !event.target.matches("mark.hl[data-actor]")) {
    return;
  }
  const found = actorTarget(event);
  if (found) {
    event.preventDefault();
    emphasiseActor(found.root, found.actor);
  }
});
