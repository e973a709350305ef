"""Pure rules for what counts as news about a paper a reader watches.

Compared between the stored paper and the paper after a merge:
- a higher latest version: ``version:N``, with the abstract before and after
  when it changed and the comment field when it changed ("accepted at ICLR");
- a journal reference or a DOI where there was none;
- (``add_observations``) the first GitHub repository seen for a paper: ``code``.
Keys are unique per paper, so the same version seen again is no news.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from papertide.follows.models import NewPaperEvent
from papertide.models import Observation, Paper

GITHUB_REPO_SIGNAL = "githubRepo"


def paper_events(before: Paper | None, after: Paper) -> list[NewPaperEvent]:
    """What changed for a reader between two states of one stored paper (new papers: nothing)."""
    if before is None:
        return []
    events: list[NewPaperEvent] = []
    old_version, new_version = before.latest_version, after.latest_version
    if old_version is not None and new_version is not None and new_version > old_version:
        detail: dict[str, object] = {"version": new_version, "previous_version": old_version}
        if before.abstract and after.abstract and before.abstract.split() != \
                after.abstract.split():
            detail["abstract_before"] = before.abstract
            detail["abstract_after"] = after.abstract
        if after.comments and after.comments != before.comments:
            detail["comment"] = after.comments
        events.append(NewPaperEvent(after.arxiv_id, "version", f"version:{new_version}", detail))
    if after.journal_ref and not before.journal_ref:
        events.append(NewPaperEvent(after.arxiv_id, "journal_ref", "journal_ref",
                                    {"journal_ref": after.journal_ref}))
    if after.doi and not before.doi:
        events.append(NewPaperEvent(after.arxiv_id, "doi", "doi", {"doi": after.doi}))
    return events


def batch_events(existing: Mapping[str, Paper], changed: Mapping[str, Paper]
                 ) -> list[NewPaperEvent]:
    return [event for arxiv_id, paper in changed.items()
            for event in paper_events(existing.get(arxiv_id), paper)]


def code_events(observations: Iterable[Observation]) -> list[NewPaperEvent]:
    """A repository seen for a paper; stored only the first time (the key is ``code``)."""
    return [NewPaperEvent(observation.arxiv_id, "code", "code", {"repo": observation.value_text})
            for observation in observations
            if observation.signal == GITHUB_REPO_SIGNAL and observation.value_text]
