// Progressive enhancement of discussions: comment upvotes post in the background and
// update in place. Without this file they are forms that post and come back.
// (postInBackground comes from app.js, which every page loads first.)
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.dataset.enhance !== "comment-vote") return;
  event.preventDefault();
  const button = form.querySelector("button");
  const action = form.querySelector('input[name="action"]');
  if (!button || !action || button.disabled) return;
  button.disabled = true;
  try {
    const response = await postInBackground(form);
    if (!response.ok) {
      window.location.reload();  // signed out, or already in that state: show the truth
      return;
    }
    const answer = await response.json();
    const label = `${answer.votes} upvote${answer.votes === 1 ? "" : "s"}`;
    button.classList.toggle("voted", answer.voted);
    button.setAttribute("aria-pressed", answer.voted ? "true" : "false");
    button.setAttribute("aria-label",
      `${answer.voted ? "Remove your upvote" : "Upvote this comment"} (${label})`);
    action.value = answer.voted ? "unvote" : "upvote";
    const shown = button.querySelector(".comment-vote-count");
    if (shown) shown.textContent = String(answer.votes);
  } catch (error) {
    form.submit();  // the network failed: let the browser try the plain post
  } finally {
    button.disabled = false;
  }
});
