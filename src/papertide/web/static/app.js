// Progressive enhancement only: every page works without this file.

// Post a form in the background with the page's session and ask for JSON (the
// enhanced votes, "not interested" and comment votes). getAttribute: a form with
// a field named "action" shadows form.action.
function postInBackground(form) {
  return fetch(form.getAttribute("action"), {
    method: "POST",
    body: new URLSearchParams(new FormData(form)),
    headers: { "Accept": "application/json" },
    credentials: "same-origin",
  });
}

// "/" focuses the search box, as on many sites; Escape leaves it.
document.addEventListener("keydown", (event) => {
  const target = event.target;
  const typing = target instanceof HTMLElement &&
    (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  // The search page has its own box and no header box.
  const search = document.getElementById("search-q") || document.getElementById("header-q");
  if (!search) return;
  if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    search.focus();
    search.select();
  } else if (event.key === "Escape" && target === search) {
    search.blur();
  }
});

// Upvote buttons post in the background and update in place; without this
// script they are ordinary forms that post and come back to the page.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.dataset.enhance !== "vote") return;
  event.preventDefault();
  const button = form.querySelector("button");
  const action = form.querySelector('input[name="action"]');
  if (!button || !action || button.disabled) return;
  button.disabled = true;
  try {
    const response = await postInBackground(form);
    if (response.status === 401) {
      window.location.assign("/signin?next=" + encodeURIComponent(location.pathname + location.search));
      return;
    }
    const answer = await response.json();
    if (!response.ok) {
      if (response.status === 409) {
        // Already in that state (another tab): reload to show the truth.
        window.location.reload();
        return;
      }
      window.alert(answer.message || "The vote could not be saved.");
      return;
    }
    const count = answer.votes;
    button.classList.toggle("voted", answer.voted);
    button.setAttribute("aria-pressed", answer.voted ? "true" : "false");
    action.value = answer.voted ? "remove" : "up";
    const shown = button.querySelector(".vote-count");
    if (shown) shown.textContent = String(count);
    const unit = button.querySelector(".vote-unit");
    if (unit) unit.textContent = ` upvote${count === 1 ? "" : "s"}`;
  } catch (error) {
    form.submit();  // the network failed: let the browser try the plain post
  } finally {
    button.disabled = false;
  }
});

// Copy buttons (hidden without this script, where the text is there to select).
for (const button of document.querySelectorAll("button[data-copy]")) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    const label = button.textContent;
    try {
      await navigator.clipboard.writeText(source.textContent);
      button.textContent = "Copied";
    } catch (error) {
      window.getSelection().selectAllChildren(source);
      button.textContent = "Selected: press Ctrl+C";
    }
    setTimeout(() => { button.textContent = label; }, 2000);
  });
}

// A fetch from arXiv in progress: look again every few seconds until the paper is here
// (without this script the page has a "Check again" link).
const fetchStatus = document.querySelector("[data-refresh]");
if (fetchStatus) {
  const seconds = Number(fetchStatus.dataset.refresh) || 5;
  setTimeout(() => window.location.reload(), seconds * 1000);
}
// "Not interested" on the For-you page hides the pick in place and turns its
// button into Undo; without this script the form posts and the page comes
// back with the same confirmation and an Undo button at its top.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.dataset.enhance !== "not-interested") return;
  const pick = form.closest(".pick");
  const button = form.querySelector("button");
  const action = form.querySelector('input[name="action"]');
  const note = pick ? pick.querySelector(".pick-hidden-note") : null;
  if (!pick || !button || !action) return;  // elsewhere than For you: a plain post
  event.preventDefault();
  if (button.disabled) return;
  button.disabled = true;
  try {
    const response = await postInBackground(form);
    if (!response.ok) {
      form.submit();  // let the server's page say what went wrong
      return;
    }
    const answer = await response.json();
    pick.classList.toggle("pick-dismissed", answer.not_interested);
    if (note) note.hidden = !answer.not_interested;
    action.value = answer.not_interested ? "undo" : "mark";
    button.textContent = answer.not_interested ? "Undo" : "Not interested";
    button.focus();
  } catch (error) {
    form.submit();
  } finally {
    button.disabled = false;
  }
});
