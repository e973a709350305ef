"""Storage of people, sign-in links, sessions and rate-limit hits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from papertide.accounts.models import Session, SignInToken, User
from papertide.exceptions import StorageError
from papertide.store.sql.mixin import IntegrityViolation, SqlMixin, placeholders
from papertide.store.sql.rows import stamp, unstamp

_USER_COLUMNS = "id, email, is_admin, created_at, last_sign_in_at"
_TOKEN_COLUMNS = "token_hash, email, created_at, expires_at, next_path, used_at"
_SESSION_COLUMNS = "token_hash, user_id, created_at, expires_at, last_seen_at"


def _user(row: Sequence[Any]) -> User:
    created = unstamp(row[3])
    assert created is not None
    return User(int(row[0]), row[1], bool(row[2]), created, unstamp(row[4]))


def _token(row: Sequence[Any]) -> SignInToken:
    created, expires = unstamp(row[2]), unstamp(row[3])
    assert created is not None and expires is not None
    return SignInToken(row[0], row[1], created, expires, row[4], unstamp(row[5]))


def _session(row: Sequence[Any]) -> Session:
    created, expires, seen = unstamp(row[2]), unstamp(row[3]), unstamp(row[4])
    assert created is not None and expires is not None and seen is not None
    return Session(row[0], int(row[1]), created, expires, seen)


class AccountsMixin(SqlMixin):
    def add_user(self, email: str, is_admin: bool, now: dt.datetime) -> User:
        try:
            with self.transaction():
                cursor = self._connection().execute(
                    "INSERT INTO users (email, is_admin, created_at) VALUES (?, ?, ?) RETURNING id",
                    (email, int(is_admin), stamp(now)),
                )
                user_id = int(cursor.fetchone()[0])
        except IntegrityViolation:
            raise StorageError(f"a user with the address {email} exists already") from None
        return User(user_id, email, is_admin, now)

    def get_user(self, user_id: int) -> User | None:
        return self._one_user("id = ?", user_id)

    def user_by_email(self, email: str) -> User | None:
        return self._one_user("email = ?", email)

    def users_by_email(self, emails: Sequence[str]) -> dict[str, User]:
        found: dict[str, User] = {}
        wanted = list(dict.fromkeys(emails))
        with self._guard("reading users"):
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                for row in self._connection().execute(
                        f"SELECT {_USER_COLUMNS} FROM users WHERE email IN "
                        f"({placeholders(chunk)})", chunk):
                    found[row[1]] = _user(row)
        return found

    def _one_user(self, where: str, value: object) -> User | None:
        with self._guard("reading a user"):
            row = self._connection().execute(
                f"SELECT {_USER_COLUMNS} FROM users WHERE {where}", (value,)
            ).fetchone()
        return _user(row) if row else None

    def list_users(self) -> list[User]:
        with self._guard("listing users"):
            rows = self._connection().execute(
                f"SELECT {_USER_COLUMNS} FROM users ORDER BY email"
            ).fetchall()
        return [_user(row) for row in rows]

    def set_admin(self, user_id: int, is_admin: bool) -> None:
        with self.transaction(), self._guard("changing a user"):
            self._connection().execute(
                "UPDATE users SET is_admin = ? WHERE id = ?", (int(is_admin), user_id)
            )

    def delete_user(self, user_id: int) -> bool:
        with self.transaction(), self._guard("removing a user"):
            connection = self._connection()
            # Their comments go: removed outright, or "[deleted]" where others replied.
            connection.execute(
                "DELETE FROM comments WHERE user_id = ? AND NOT EXISTS "
                "(SELECT 1 FROM comments r WHERE r.parent_id = comments.id)", (user_id,))
            connection.execute(
                "UPDATE comments SET state = 'deleted', body = '', body_html = '' "
                "WHERE user_id = ?", (user_id,))
            cursor = connection.execute("DELETE FROM users WHERE id = ?", (user_id,))
        return cursor.rowcount > 0

    def record_sign_in(self, user_id: int, now: dt.datetime) -> None:
        with self.transaction(), self._guard("recording a sign-in"):
            self._connection().execute(
                "UPDATE users SET last_sign_in_at = ? WHERE id = ?", (stamp(now), user_id)
            )

    # -- sign-in links ------------------------------------------------------------------

    def add_sign_in_token(self, token: SignInToken) -> None:
        with self.transaction(), self._guard("saving a sign-in link"):
            self._connection().execute(
                f"INSERT INTO sign_in_tokens ({_TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                (token.token_hash, token.email, stamp(token.created_at),
                 stamp(token.expires_at), token.next_path, stamp(token.used_at)),
            )

    def get_sign_in_token(self, token_hash: str) -> SignInToken | None:
        with self._guard("reading a sign-in link"):
            row = self._connection().execute(
                f"SELECT {_TOKEN_COLUMNS} FROM sign_in_tokens WHERE token_hash = ?",
                (token_hash,),
            ).fetchone()
        return _token(row) if row else None

    def use_sign_in_token(self, token_hash: str, now: dt.datetime) -> SignInToken | None:
        with self.transaction(), self._guard("using a sign-in link"):
            cursor = self._connection().execute(
                "UPDATE sign_in_tokens SET used_at = ? "
                "WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
                (stamp(now), token_hash, stamp(now)),
            )
            if cursor.rowcount != 1:
                return None
            return self.get_sign_in_token(token_hash)

    # -- sessions -----------------------------------------------------------------------

    def add_session(self, session: Session) -> None:
        with self.transaction(), self._guard("saving a session"):
            self._connection().execute(
                f"INSERT INTO sessions ({_SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                (session.token_hash, session.user_id, stamp(session.created_at),
                 stamp(session.expires_at), stamp(session.last_seen_at)),
            )

    def get_session(self, token_hash: str) -> Session | None:
        with self._guard("reading a session"):
            row = self._connection().execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE token_hash = ?", (token_hash,)
            ).fetchone()
        return _session(row) if row else None

    def touch_session(self, token_hash: str, last_seen_at: dt.datetime) -> None:
        with self.transaction(), self._guard("updating a session"):
            self._connection().execute(
                "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
                (stamp(last_seen_at), token_hash),
            )

    def delete_session(self, token_hash: str) -> None:
        with self.transaction(), self._guard("ending a session"):
            self._connection().execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    def sessions_of(self, user_id: int, now: dt.datetime) -> list[Session]:
        with self._guard("reading sessions"):
            rows = self._connection().execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE user_id = ? AND expires_at > ? "
                "ORDER BY last_seen_at DESC, token_hash", (user_id, stamp(now)),
            ).fetchall()
        return [_session(row) for row in rows]

    def delete_other_sessions(self, user_id: int, keep_hash: str) -> int:
        with self.transaction(), self._guard("ending sessions"):
            cursor = self._connection().execute(
                "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", (user_id, keep_hash)
            )
            return int(cursor.rowcount)

    # -- rate limits --------------------------------------------------------------------

    def hit_rate_limit(
        self, buckets: dict[str, int], window_seconds: int, now: dt.datetime
    ) -> str | None:
        moment = int(now.timestamp())
        with self.transaction(), self._guard("counting a rate limit"):
            connection = self._connection()
            for bucket, limit in buckets.items():
                count = connection.execute(
                    "SELECT count(*) FROM rate_limit_hits WHERE bucket = ? AND hit_at > ?",
                    (bucket, moment - window_seconds),
                ).fetchone()[0]
                if count >= limit:
                    return bucket
            connection.executemany(
                "INSERT INTO rate_limit_hits (bucket, hit_at) VALUES (?, ?)",
                [(bucket, moment) for bucket in buckets],
            )
        return None

    def seconds_until_free(self, bucket: str, limit: int, window_seconds: int,
                           now: dt.datetime) -> int:
        moment = int(now.timestamp())
        with self._guard("reading a rate limit"):
            rows = self._connection().execute(
                "SELECT hit_at FROM rate_limit_hits WHERE bucket = ? AND hit_at > ? "
                "ORDER BY hit_at DESC LIMIT ?",
                (bucket, moment - window_seconds, max(limit, 1)),
            ).fetchall()
        if len(rows) < limit:
            return 0
        return max(int(rows[-1][0]) + window_seconds - moment, 1)

    def purge_expired(self, now: dt.datetime, rate_window_seconds: int) -> int:
        with self.transaction(), self._guard("removing expired sign-in state"):
            connection = self._connection()
            removed = connection.execute(
                "DELETE FROM sign_in_tokens WHERE expires_at <= ?", (stamp(now),)
            ).rowcount
            removed += connection.execute(
                "DELETE FROM sessions WHERE expires_at <= ?", (stamp(now),)
            ).rowcount
            removed += connection.execute(
                "DELETE FROM rate_limit_hits WHERE hit_at <= ?",
                (int(now.timestamp()) - rate_window_seconds,),
            ).rowcount
        return int(removed)
