// Progressive enhancement only: every page works without this file.
// "/" focuses the search box, as on many sites; Escape leaves it.
document.addEventListener("keydown", (event) => {
  const target = event.target;
  const typing = target instanceof HTMLElement &&
    (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  const search = document.getElementById("header-q");
  if (!search) return;
  if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    search.focus();
    search.select();
  } else if (event.key === "Escape" && target === search) {
    search.blur();
  }
});
