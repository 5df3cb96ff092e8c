"""SQLite storage for Users, Accounts, roles, tokens and API keys.

One connection guarded by one lock serialises every transaction, so the store is safe to share
between threads and an ``":memory:"`` database works (it lives in that one connection). A file
database uses WAL mode and survives restarts. Tokens and API keys are stored only as SHA-256
hashes; the store never sees a full key after it is minted.

The store knows nothing about HTTP or permissions: it answers questions and applies changes.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "MEMORY",
    "AccountRow",
    "ApiKeyRow",
    "DuplicateError",
    "Store",
    "UserRow",
    "new_account_id",
]

MEMORY = ":memory:"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    user_id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_salt TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    default_account_id TEXT
);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS registered_domains (
    domain TEXT PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS accounts (
    account_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    default_of INTEGER REFERENCES users,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS roles (
    user_id INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts ON DELETE CASCADE,
    role INTEGER NOT NULL,
    PRIMARY KEY (user_id, account_id)
);
CREATE TABLE IF NOT EXISTS api_keys (
    account_id TEXT NOT NULL REFERENCES accounts ON DELETE CASCADE,
    api_key_part TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    name TEXT,
    end_date TEXT,
    created_at TEXT NOT NULL,
    minted_by INTEGER NOT NULL REFERENCES users,
    PRIMARY KEY (account_id, api_key_part)
);
"""


class DuplicateError(Exception):
    """A uniqueness rule was violated (email, domain or api_key_part)."""


@dataclass(frozen=True)
class UserRow:
    user_id: int
    email: str
    password_salt: str
    password_hash: str
    default_account_id: str | None


@dataclass(frozen=True)
class AccountRow:
    account_id: str
    name: str
    url: str
    default_of: int | None
    created_at: str


@dataclass(frozen=True)
class ApiKeyRow:
    account_id: str
    api_key_part: str
    name: str | None
    end_date: dt.date | None
    created_at: str
    minted_by: int


def new_account_id() -> str:
    return "acc_" + secrets.token_hex(6)


class Store:
    """Thread-safe SQLite storage. Use ``Store(":memory:")`` for tests, a path to persist."""

    def __init__(self, path: str | Path = MEMORY) -> None:
        self.path = str(path)
        if self.path != MEMORY:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA foreign_keys = ON")
        if self.path != MEMORY:
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"Store({self.path!r})"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._db.execute(sql, args).fetchone()
            return row

    def _all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # --- users and tokens -----------------------------------------------------------------

    def register(
        self,
        *,
        email: str,
        domain: str,
        password_salt: str,
        password_hash: str,
        token_hash: str,
        account_name: str,
        account_url: str,
        created_at: str,
    ) -> tuple[UserRow, AccountRow]:
        """Create a User, their default Account (role 10) and a token, and claim the domain."""
        account_id = new_account_id()
        try:
            with self._transaction() as db:
                db.execute("INSERT INTO registered_domains (domain) VALUES (?)", (domain,))
                user_id = db.execute(
                    "INSERT INTO users (email, password_salt, password_hash, default_account_id)"
                    " VALUES (?, ?, ?, ?)",
                    (email, password_salt, password_hash, account_id),
                ).lastrowid
                db.execute(
                    "INSERT INTO accounts (account_id, name, url, default_of, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (account_id, account_name, account_url, user_id, created_at),
                )
                db.execute(
                    "INSERT INTO roles (user_id, account_id, role) VALUES (?, ?, 10)",
                    (user_id, account_id),
                )
                db.execute(
                    "INSERT INTO tokens (token_hash, user_id) VALUES (?, ?)", (token_hash, user_id)
                )
        except sqlite3.IntegrityError as exc:
            raise DuplicateError(str(exc)) from None
        user = self.user_by_id(int(user_id or 0))
        account = self.account(account_id)
        assert user is not None and account is not None
        return user, account

    def domain_registered(self, domain: str) -> bool:
        return self._one("SELECT 1 FROM registered_domains WHERE domain = ?", domain) is not None

    def user_by_id(self, user_id: int) -> UserRow | None:
        row = self._one("SELECT * FROM users WHERE user_id = ?", user_id)
        return UserRow(**row) if row else None

    def user_by_email(self, email: str) -> UserRow | None:
        row = self._one("SELECT * FROM users WHERE email = ?", email.strip())
        return UserRow(**row) if row else None

    def user_by_token(self, token_hash: str) -> UserRow | None:
        row = self._one(
            "SELECT users.* FROM tokens JOIN users USING (user_id) WHERE token_hash = ?",
            token_hash,
        )
        return UserRow(**row) if row else None

    def add_token(self, user_id: int, token_hash: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO tokens (token_hash, user_id) VALUES (?, ?)", (token_hash, user_id)
            )

    def change_password(
        self, user_id: int, *, password_salt: str, password_hash: str, token_hash: str
    ) -> None:
        """Set a new password and replace every token of the User by one new token."""
        with self._transaction() as db:
            db.execute(
                "UPDATE users SET password_salt = ?, password_hash = ? WHERE user_id = ?",
                (password_salt, password_hash, user_id),
            )
            db.execute("DELETE FROM tokens WHERE user_id = ?", (user_id,))
            db.execute(
                "INSERT INTO tokens (token_hash, user_id) VALUES (?, ?)", (token_hash, user_id)
            )

    def seed_user(
        self,
        *,
        email: str,
        password_salt: str,
        password_hash: str,
        account_id: str,
        role: int,
        token_hash: str,
    ) -> UserRow:
        """Give a (new or existing) User a role in an Account and a fresh token.

        An existing User keeps their password; a new User's default Account is this one.
        """
        with self._transaction() as db:
            row = db.execute("SELECT user_id FROM users WHERE email = ?", (email,)).fetchone()
            if row is None:
                user_id = db.execute(
                    "INSERT INTO users (email, password_salt, password_hash, default_account_id)"
                    " VALUES (?, ?, ?, ?)",
                    (email, password_salt, password_hash, account_id),
                ).lastrowid
            else:
                user_id = row["user_id"]
            db.execute(
                "INSERT INTO roles (user_id, account_id, role) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id, account_id) DO UPDATE SET role = excluded.role",
                (user_id, account_id, role),
            )
            db.execute(
                "INSERT INTO tokens (token_hash, user_id) VALUES (?, ?)", (token_hash, user_id)
            )
        user = self.user_by_id(int(user_id or 0))
        assert user is not None
        return user

    # --- accounts and roles ---------------------------------------------------------------

    def account(self, account_id: str) -> AccountRow | None:
        row = self._one("SELECT * FROM accounts WHERE account_id = ?", account_id)
        return AccountRow(**row) if row else None

    def role(self, user_id: int, account_id: str) -> int | None:
        row = self._one(
            "SELECT role FROM roles WHERE user_id = ? AND account_id = ?", user_id, account_id
        )
        return int(row["role"]) if row else None

    def accounts_of(self, user_id: int) -> list[tuple[AccountRow, int]]:
        rows = self._all(
            "SELECT accounts.*, roles.role FROM roles JOIN accounts USING (account_id)"
            " WHERE roles.user_id = ? ORDER BY accounts.rowid",
            user_id,
        )
        result = []
        for row in rows:
            fields = dict(row)
            role = fields.pop("role")
            result.append((AccountRow(**fields), int(role)))
        return result

    def create_account(self, user_id: int, *, name: str, url: str, created_at: str) -> AccountRow:
        """Create an extra Account whose creator is its Administrator."""
        account_id = new_account_id()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO accounts (account_id, name, url, default_of, created_at)"
                " VALUES (?, ?, ?, NULL, ?)",
                (account_id, name, url, created_at),
            )
            db.execute(
                "INSERT INTO roles (user_id, account_id, role) VALUES (?, ?, 10)",
                (user_id, account_id),
            )
        account = self.account(account_id)
        assert account is not None
        return account

    def update_account(self, account_id: str, changes: dict[str, str]) -> AccountRow | None:
        """Apply ``{"name": ..., "url": ...}`` (either optional) to an Account."""
        with self._transaction() as db:
            for column in ("name", "url"):
                if column in changes:
                    db.execute(
                        f"UPDATE accounts SET {column} = ? WHERE account_id = ?",
                        (changes[column], account_id),
                    )
        return self.account(account_id)

    def delete_account(self, account_id: str) -> bool:
        """Delete an Account with its roles and API keys. ``False`` if it did not exist."""
        with self._transaction() as db:
            deleted = db.execute("DELETE FROM accounts WHERE account_id = ?", (account_id,))
            # Users seeded into it (never its registrant) fall back to another Account they have.
            db.execute(
                "UPDATE users SET default_account_id = (SELECT account_id FROM roles"
                " WHERE roles.user_id = users.user_id ORDER BY rowid LIMIT 1)"
                " WHERE default_account_id = ?",
                (account_id,),
            )
            return deleted.rowcount > 0

    # --- API keys -------------------------------------------------------------------------

    def create_api_key(
        self,
        *,
        account_id: str,
        api_key_part: str,
        key_hash: str,
        name: str | None,
        end_date: dt.date | None,
        created_at: str,
        minted_by: int,
    ) -> ApiKeyRow:
        """Store a new key. Raises DuplicateError if the part is taken in this Account."""
        try:
            with self._transaction() as db:
                db.execute(
                    "INSERT INTO api_keys (account_id, api_key_part, key_hash, name, end_date,"
                    " created_at, minted_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        account_id,
                        api_key_part,
                        key_hash,
                        name,
                        end_date.isoformat() if end_date else None,
                        created_at,
                        minted_by,
                    ),
                )
        except sqlite3.IntegrityError as exc:
            raise DuplicateError(str(exc)) from None
        return ApiKeyRow(account_id, api_key_part, name, end_date, created_at, minted_by)

    def api_key_by_hash(self, key_hash: str) -> ApiKeyRow | None:
        row = self._one("SELECT * FROM api_keys WHERE key_hash = ?", key_hash)
        return _api_key_row(row) if row else None

    def api_key(self, account_id: str, api_key_part: str) -> ApiKeyRow | None:
        row = self._one(
            "SELECT * FROM api_keys WHERE account_id = ? AND api_key_part = ?",
            account_id,
            api_key_part,
        )
        return _api_key_row(row) if row else None

    def api_keys(self, account_id: str) -> list[ApiKeyRow]:
        rows = self._all("SELECT * FROM api_keys WHERE account_id = ? ORDER BY rowid", account_id)
        return [_api_key_row(row) for row in rows]

    def update_api_key(
        self, account_id: str, api_key_part: str, changes: dict[str, Any]
    ) -> ApiKeyRow | None:
        """Apply ``{"name": ..., "end_date": ...}`` (each optional, ``None`` clears)."""
        with self._transaction() as db:
            for column in ("name", "end_date"):
                if column in changes:
                    value = changes[column]
                    if isinstance(value, dt.date):
                        value = value.isoformat()
                    db.execute(
                        f"UPDATE api_keys SET {column} = ?"
                        " WHERE account_id = ? AND api_key_part = ?",
                        (value, account_id, api_key_part),
                    )
        return self.api_key(account_id, api_key_part)

    def delete_api_key(self, account_id: str, api_key_part: str) -> bool:
        with self._transaction() as db:
            deleted = db.execute(
                "DELETE FROM api_keys WHERE account_id = ? AND api_key_part = ?",
                (account_id, api_key_part),
            )
            return deleted.rowcount > 0

    # --- whole-store operations -----------------------------------------------------------

    def reset(self) -> None:
        """Delete every row of every table."""
        with self._transaction() as db:
            for table in ("api_keys", "roles", "tokens", "accounts", "users", "registered_domains"):
                db.execute(f"DELETE FROM {table}")

    def snapshot(self) -> dict[str, Any]:
        """Everything but secrets, for the admin ``/_emulator/state`` view."""
        with self._lock:
            accounts = self._all(
                "SELECT accounts.account_id, name, url, users.email AS default_of FROM accounts"
                " LEFT JOIN users ON users.user_id = accounts.default_of ORDER BY accounts.rowid"
            )
            keys = self._all("SELECT * FROM api_keys ORDER BY rowid")
            users = self._all("SELECT user_id, email FROM users ORDER BY user_id")
            roles = self._all("SELECT user_id, account_id, role FROM roles ORDER BY rowid")
        roles_of: dict[int, dict[str, int]] = {}
        for row in roles:
            roles_of.setdefault(row["user_id"], {})[row["account_id"]] = row["role"]
        return {
            "accounts": [dict(row) for row in accounts],
            "api_keys": [_api_key_row(row) for row in keys],
            "users": [
                {"email": row["email"], "roles": roles_of.get(row["user_id"], {})} for row in users
            ],
        }


def _api_key_row(row: sqlite3.Row) -> ApiKeyRow:
    end_date = row["end_date"]
    return ApiKeyRow(
        account_id=row["account_id"],
        api_key_part=row["api_key_part"],
        name=row["name"],
        end_date=dt.date.fromisoformat(end_date) if end_date else None,
        created_at=row["created_at"],
        minted_by=row["minted_by"],
    )
