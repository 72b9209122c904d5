"""The document store: the source of truth of an on-disk core (the index is rebuilt from it)."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["DocStore"]

# Bump when the stored form changes; a store with another version is rebuilt empty.
STORE_VERSION = "1"


class DocStore:
    """SQLite table of documents as received, in index order (`seq`)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)")
        row = self._db.execute("SELECT v FROM meta WHERE k='version'").fetchone()
        if row is not None and row[0] != STORE_VERSION:
            self._db.execute("DROP TABLE IF EXISTS docs")
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (STORE_VERSION,))
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS docs (key TEXT PRIMARY KEY, seq INTEGER, doc TEXT NOT NULL)"
        )

    def load(self) -> Iterator[tuple[str, dict[str, Any]]]:
        with self._lock:
            rows = self._db.execute("SELECT key, doc FROM docs ORDER BY seq").fetchall()
        for key, doc in rows:
            yield key, json.loads(doc)

    def put(self, items: list[tuple[str, int, dict[str, Any]]]) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO docs (key, seq, doc) VALUES (?, ?, ?)",
                [(k, seq, json.dumps(doc)) for k, seq, doc in items],
            )
            self._db.execute("COMMIT")

    def renumber(self, items: list[tuple[str, int]]) -> None:
        """Record the index order given to the documents after a reload."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "UPDATE docs SET seq = ? WHERE key = ?", [(s, k) for k, s in items]
            )
            self._db.execute("COMMIT")

    def delete(self, keys: list[str]) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany("DELETE FROM docs WHERE key = ?", [(k,) for k in keys])
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()
