"""Discussions on papers: comments, one level of replies, upvotes, moderation, reply mail."""
