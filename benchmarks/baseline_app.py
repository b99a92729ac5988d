"""Baselines for the throughput benchmark: bare Flask views, no portal code.

(a) GET /hello returns "hello"; (b) POST /insert inserts one row into SQLite (WAL, one
connection per worker) or PostgreSQL (BASELINE_DATABASE_URL) — the floor cost of saving
one answer.
"""

from __future__ import annotations

import os
import sqlite3

from flask import Flask

app = Flask(__name__)
_conn = None
URL = os.environ.get("BASELINE_DATABASE_URL", "sqlite:////tmp/cloe-baseline.sqlite3")


def _connection():
    global _conn
    if _conn is None:
        if URL.startswith("sqlite:///"):
            _conn = sqlite3.connect(
                URL.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False
            )
            _conn.execute("PRAGMA journal_mode=WAL")
            _conn.execute("PRAGMA busy_timeout=10000")
            _conn.execute("CREATE TABLE IF NOT EXISTS answer (id INTEGER PRIMARY KEY, v TEXT)")
        else:
            import psycopg

            _conn = psycopg.connect(
                URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
            )
            _conn.execute("CREATE TABLE IF NOT EXISTS answer (id SERIAL PRIMARY KEY, v TEXT)")
    return _conn


@app.get("/hello")
def hello():
    return "hello"


@app.post("/insert")
def insert():
    conn = _connection()
    if isinstance(conn, sqlite3.Connection):
        conn.execute("INSERT INTO answer (v) VALUES (?)", ("b",))
    else:
        conn.execute("INSERT INTO answer (v) VALUES (%s)", ("b",))
    return "ok"
