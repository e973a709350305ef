"""Mail to the people in a thread when someone replies, through the digest outbox.

Each message's outbox key is ``reply:<reply id>:<user id>``: the key is
unique forever, so a reply mails each person at most once however often the
notice is queued, and the outbox's delivery (leases, retries, the boundary
with SMTP) makes it arrive once. Every message carries a one-click
unsubscribe (RFC 8058) that turns discussion mail off for that person; the
link is signed with the site key, so it needs no sign-in and cannot be
moved to someone else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from urllib.parse import urlencode

from papertide.accounts.models import User
from papertide.accounts.tokens import Signer
from papertide.digest import mime
from papertide.digest.models import NewMessage
from papertide.digest.outbox import Outbox
from papertide.digest.render import MailRenderer, paper_url, shorten
from papertide.discussions.models import Comment
from papertide.models import Paper

UNSUBSCRIBE_PURPOSE = "discussion-mail"
EXCERPT_CHARS = 600


class ReplyMailer:
    """Queues reply notices and checks their unsubscribe links."""

    def __init__(self, renderer: MailRenderer, outbox: Outbox, signer: Signer) -> None:
        self.renderer = renderer
        self.outbox = outbox
        self.signer = signer

    def unsubscribe_token(self, user_id: int) -> str:
        return self.signer.token_for(UNSUBSCRIBE_PURPOSE, str(user_id))

    def token_is_valid(self, user_id: int, token: str) -> bool:
        return self.signer.check_token(UNSUBSCRIBE_PURPOSE, str(user_id), token)

    def unsubscribe_url(self, user_id: int) -> str:
        query = urlencode({"user": user_id, "token": self.unsubscribe_token(user_id)})
        return f"{self.renderer.site_url}/discussions/unsubscribe?{query}"

    def queue(self, reply: Comment, paper: Paper, recipients: Sequence[User],
              now: dt.datetime) -> list[int]:
        """Queue one notice per recipient; returns the outbox ids of new messages."""
        queued: list[int] = []
        link = f"{paper_url(self.renderer.site_url, paper.arxiv_id)}#comment-{reply.id}"
        for user in recipients:
            unsubscribe = self.unsubscribe_url(user.id)
            message = self.renderer.notice_message(
                "comment_reply", user.email, "",
                f"New reply on “{shorten(paper.title, 70)}”",
                {"paper": paper, "link": link, "excerpt": shorten(reply.body, EXCERPT_CHARS),
                 "unsubscribe": unsubscribe}, now,
                [("List-Id", f"{mime.text_value('List-Id', self.renderer.site_name)} "
                             f"discussions <discussions.{self.renderer.domain}>"),
                 ("List-Unsubscribe", f"<{unsubscribe}>"),
                 ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")])
            queued_id = self.outbox.enqueue(NewMessage(
                key=f"reply:{reply.id}:{user.id}", kind="reply", subscriber_id=None,
                recipient=user.email, sender=self.renderer.envelope_sender,
                message_id=message.message_id, data=message.data))
            if queued_id is not None:
                queued.append(queued_id)
        return queued
