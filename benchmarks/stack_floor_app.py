"""Floors of the fixed stack for the throughput benchmark: no portal code, only the parts the
project must use (README "Stack"), doing the least a page of the portal does with them.

(s1) POST /answer — what any authenticated htmx answer costs before any domain logic:
     Flask-Login loads the user from the signed session cookie, Flask-WTF checks the CSRF
     token, the view reads one row and inserts one row through Flask-SQLAlchemy's session
     and commits, and Jinja renders a small fragment with a fresh form token (like the
     written test's next item, ~2 KB).
(s2) GET /rows — what any authenticated list page costs: the same user load, one query
     of 50 rows and a Jinja page of a 50-row table (like a dashboard page, no filters,
     counts or alerts).

A floor takes the cheapest road the stack offers: prebuilt Core statements through the
Flask-SQLAlchemy session (no ORM instances), templates compiled once.

SQLite (WAL, busy timeout, as the portal) or PostgreSQL (STACK_DATABASE_URL).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, abort, request
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect, generate_csrf
from sqlalchemy import ForeignKey, String, bindparam, event, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
app = Flask(__name__)
app.config.update(
    SECRET_KEY=os.environ.get("SECRET_KEY", "stack-floor-benchmark"),
    SQLALCHEMY_DATABASE_URI=os.environ.get(
        "STACK_DATABASE_URL", "sqlite:////tmp/cloe-stack-floor.sqlite3"
    ).replace("postgresql://", "postgresql+psycopg://"),
)
db.init_app(app)
CSRFProtect(app)
login_manager.init_app(app)
login_manager.session_protection = "basic"  # as the portal


class User(UserMixin, db.Model):
    __tablename__ = "floor_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))


class Row(db.Model):
    __tablename__ = "floor_row"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("floor_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column()


class Answer(db.Model):
    __tablename__ = "floor_answer"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("floor_user.id"))
    row_id: Mapped[int] = mapped_column(ForeignKey("floor_row.id"))
    value: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column()


class SessionUser(UserMixin):
    """The logged-in user as a plain object built from one Core row (cheaper than an ORM
    instance: this is a floor, so every step takes the cheapest road the stack offers)."""

    def __init__(self, row) -> None:  # noqa: ANN001
        self.id, self.role, self.first_name, self.last_name = row


_USER = select(User.id, User.role, User.first_name, User.last_name).where(
    User.id == bindparam("uid"))
_ROW = select(Row.id, Row.name, Row.status).where(Row.id == bindparam("rid"))
_ROWS = (select(Row.id, Row.name, Row.status, Row.created_at)
         .where(Row.owner_id == bindparam("owner")).order_by(Row.id).limit(50))
_INSERT = insert(Answer)


@login_manager.user_loader
def load_user(user_id: str) -> SessionUser | None:
    if not user_id.isdigit():
        return None
    row = db.session.execute(_USER, {"uid": int(user_id)}).first()
    return SessionUser(row) if row else None


with app.app_context():
    if db.engine.dialect.name == "sqlite":

        @event.listens_for(db.engine, "connect")
        def _pragmas(conn, _record):  # noqa: ANN001
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA foreign_keys=ON")

    db.create_all()
    if db.session.get(User, 1) is None:
        db.session.add(User(id=1, email="floor@bench.test", role="candidate", first_name="Alex",
                            last_name="Martin"))
        db.session.flush()
        db.session.add_all(Row(owner_id=1, name=f"Candidat n° {n}", status="inscrit",
                               created_at=datetime.now(UTC)) for n in range(1, 5001))
        db.session.commit()

FRAGMENT = app.jinja_env.from_string("""\
<section id="item" aria-labelledby="item-title">
  <h2 id="item-title">Question {{ position }} sur 10</h2>
  <p>{{ row.name }} — {{ row.status }}</p>
  <form method="post" action="/answer" hx-post="/answer" hx-target="#item">
    <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
    <input type="hidden" name="row" value="{{ row.id }}">
    <fieldset><legend>Choisissez la bonne réponse</legend>
    {% for n in range(4) %}
      <div><input type="radio" id="c{{ n }}" name="choice" value="{{ n }}">
      <label for="c{{ n }}">Réponse {{ n }} : {{ row.name }}</label></div>
    {% endfor %}
    </fieldset>
    <p>{{ current_user.first_name }} {{ current_user.last_name }}</p>
    <button type="submit">Valider</button>
  </form>
</section>
""")

PAGE = app.jinja_env.from_string("""\
<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Suivi</title>
<meta name="csrf-token" content="{{ csrf_token() }}"></head><body>
<header><p>{{ current_user.first_name }} {{ current_user.last_name }}</p></header>
<main><h1>Suivi des candidats</h1>
<table><caption>50 candidats</caption>
<thead><tr><th scope="col">Nom</th><th scope="col">Statut</th><th scope="col">Inscrit le</th>
<th scope="col">Action</th></tr></thead><tbody>
{% for row in rows %}<tr><td>{{ row.name }}</td><td>{{ row.status }}</td>
<td>{{ row.created_at.strftime("%d/%m/%Y") }}</td>
<td><a href="/rows/{{ row.id }}">Voir {{ row.name }}</a></td></tr>
{% endfor %}</tbody></table></main></body></html>
""")


@app.get("/healthz")
def healthz():
    return "ok"


@app.get("/start")
def start():
    """Log user 1 in (a benchmark-only shortcut) and give the form token for that session."""
    login_user(db.session.get(User, 1))
    return generate_csrf()


@app.post("/answer")
@login_required
def answer():
    row = db.session.execute(_ROW, {"rid": int(request.form.get("row", "1"))}).first()
    if row is None:
        abort(404)
    db.session.execute(_INSERT, {"user_id": current_user.id, "row_id": row.id,
                                 "value": request.form.get("choice", ""), "at": datetime.now(UTC)})
    db.session.commit()
    return FRAGMENT.render(row=row, position=row.id % 10 + 1, csrf_token=generate_csrf,
                           current_user=current_user)


@app.get("/rows")
@login_required
def rows():
    page = db.session.execute(_ROWS, {"owner": current_user.id}).all()
    return PAGE.render(rows=page, csrf_token=generate_csrf, current_user=current_user)
