"""The searchable audit log and its CSV export: filters, scope per centre, constant SQL."""

from __future__ import annotations

import csv
import html as html_lib
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from cloe_portal.audit.models import AuditEntry
from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from cloe_portal.sessions.models import ExamSession, Registration

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def log(app, make_org, make_user, frozen_clock):
    """Two centres, a partner each, a registration each, and entries about all of them."""
    frozen_clock(NOW)
    lyon, brest = make_org("cel", name="CEL Lyon"), make_org("cel", name="CEL Brest")
    ours = make_org("partner", name="Lingua Pro", referent_centre=lyon)
    theirs = make_org("partner", name="Breizh Langues", referent_centre=brest)
    referent = make_user("referent", org=lyon, first_name="Claire", last_name="Martin")
    other = make_user("referent", org=brest, first_name="Yann", last_name="Le Gall")
    assessor = make_user("assessor", org=lyon, first_name="Paul", last_name="Durand")
    coordinator = make_user("coordinator")
    registrations = {}
    for partner in (ours, theirs):
        candidate = make_user("candidate", org=partner)
        session = ExamSession(partner_id=partner.id, name="Anglais", language="en",
                              written_date=date(2027, 3, 1))
        db.session.add(session)
        db.session.flush()
        registrations[partner.id] = Registration(
            session_id=session.id, candidate_id=candidate.id, partner_id=partner.id,
            target_level="B1", training_hours=20)
        db.session.add(registrations[partner.id])
    db.session.flush()
    ours_reg, theirs_reg = registrations[ours.id], registrations[theirs.id]

    def at(days_ago, hour=10):
        frozen_clock(NOW - timedelta(days=days_ago) + timedelta(hours=hour - 9))

    at(40)
    record(referent, "partner.suspend", ours, reason="Démarchage abusif",
           details={"from": "active", "to": "suspended"})
    at(20)
    record(other, "partner.suspend", theirs, reason="=HYPERLINK(\"http://evil\")")
    at(10, hour=0)  # 00:30 in Paris (UTC+1): still the 28/02 in UTC
    frozen_clock(datetime(2027, 2, 27, 23, 30, tzinfo=UTC))
    record(None, "registration.status", ours_reg, details={"from": "enrolled", "to": "identity_done"})
    at(5)
    record(other, "registration.status", theirs_reg, details={"from": "enrolled", "to": "cancelled"})
    record(assessor, "oral.availability.publish", assessor, details={"created": 4})
    record(coordinator, "item.create", object_type="item", object_id=7)
    record(other, "item.update", object_type="item", object_id=7)
    record(coordinator, "martian.landing", ours)  # an action the label table does not know
    frozen_clock(NOW)
    db.session.commit()
    return {"referent": referent, "other": other, "coordinator": coordinator, "ours": ours,
            "theirs": theirs, "ours_reg": ours_reg, "theirs_reg": theirs_reg, "assessor": assessor}


def _client(app, login, user):
    c = app.test_client()
    login(user, test_client=c)
    return c


def _rows(html):
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return body.count("<tr>")


def _csv(response):
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def _body(response):
    """The result table's rows, unescaped."""
    return html_lib.unescape(response.get_data(as_text=True).split("<tbody>")[1].split("</tbody>")[0])


def test_a_referent_reads_its_centre_partners_and_its_own_centre(app, login, log):
    page = _client(app, login, log["referent"]).get("/journal/")
    html = _body(page)
    assert "Partenariat suspendu" in html and "Démarchage abusif" in html
    assert "Changement de statut de l'inscription" in html  # its partner's registration
    assert "Disponibilités publiées" in html  # its own assessor's action
    assert "Autre action (martian.landing)" in html  # about its partner, whoever did it
    # Another centre's partner, its registration, and objects tied to no partner done by
    # people outside the centre (the item bank) stay hidden.
    assert "HYPERLINK" not in html and "cancelled" not in html
    assert "Item créé" not in html and "Item modifié" not in html
    assert "4 entrées" in page.get_data(as_text=True)


def test_the_coordinator_reads_everything(app, login, log):
    html = _client(app, login, log["coordinator"]).get("/journal/").get_data(as_text=True)
    assert "8 entrées" in html and "Item créé" in html and "HYPERLINK" in html
    assert "Autre action (martian.landing)" in html  # unknown action: family fallback


def test_filters_by_who_what_object_and_paris_days(app, login, log):
    c = _client(app, login, log["coordinator"])
    assert "3 entrées" in c.get("/journal/?qui=yann").get_data(as_text=True)
    assert "1 entrée" in c.get("/journal/?qui=le+gall+yann&action=item.update").get_data(as_text=True)
    html = c.get("/journal/?action=partner.suspend").get_data(as_text=True)
    assert "2 entrées" in html and "Item" not in html.split("<tbody>")[1]
    assert "2 entrées" in c.get("/journal/?action=item.*").get_data(as_text=True)  # a family
    ours = log["ours"]
    html = c.get(f"/journal/?objet=organisation&numero={ours.id}").get_data(as_text=True)
    assert "2 entrées" in html and "martian.landing" in html
    # 27/02 23:30 UTC is 28/02 00:30 in Paris: the entry belongs to the 28th.
    assert "1 entrée" in c.get("/journal/?du=28/02/2027&au=28/02/2027").get_data(as_text=True)
    assert "0 entrées" in c.get("/journal/?du=2027-02-27&au=2027-02-27").get_data(as_text=True)
    assert "6 entrées" in c.get("/journal/?du=28/02/2027").get_data(as_text=True)


def test_another_centres_object_stays_hidden_even_by_id(app, login, log):
    c = _client(app, login, log["referent"])
    theirs = log["theirs"]
    html = c.get(f"/journal/?objet=organisation&numero={theirs.id}").get_data(as_text=True)
    assert "0 entrées" in html and "Aucune entrée." in html
    rows = _csv(c.get(f"/journal/export.csv?objet=registration&numero={log['theirs_reg'].id}"))
    assert len(rows) == 1  # the header only


@pytest.mark.parametrize(("query", "field", "message"), [
    ("du=31/02/2027", "du", "Date impossible."),
    ("au=hier", "au", "Date non reconnue"),
    ("du=10/03/2027&au=01/03/2027", "au", "La date de fin doit suivre la date de début."),
    ("numero=douze", "numero", "Indiquez un numéro"),
    ("numero=99999999999", "numero", "Indiquez un numéro"),
    ("action=drop.table", "action", "Action inconnue."),
    ("objet=secret", "objet", "Type d'objet inconnu."),
])
def test_bad_filters_are_refused_beside_the_field(app, login, log, query, field, message):
    c = _client(app, login, log["referent"])
    response = c.get(f"/journal/?{query}")
    html = html_lib.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and message in html.split(f'id="{field}-error"')[1][:200]
    assert _rows(html) == 1 and "Aucune entrée." in html
    count = db.session.scalar(db.select(db.func.count()).select_from(AuditEntry))
    assert c.get(f"/journal/export.csv?{query}").status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)) == count


def test_the_csv_export_is_for_french_excel_and_safe(app, login, log):
    c = _client(app, login, log["coordinator"])
    response = c.get("/journal/export.csv?action=partner.suspend")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="journal-audit-')
    rows = _csv(response)
    assert rows[0][:5] == ["Date (heure de Paris)", "Qui", "Rôle", "Organisme", "Action"]
    assert [r[5] for r in rows[1:]] == ["partner.suspend", "partner.suspend"]
    newest, oldest = rows[1], rows[2]
    assert newest[8] == "'=HYPERLINK(\"http://evil\")"  # formula neutralised
    assert oldest[0] == "29/01/2027 11:00"
    assert oldest[1:4] == ["Claire MARTIN", "Référent CEL", "CEL Lyon"]
    assert oldest[4] == "Partenariat suspendu" and oldest[6] == "Organisme ou centre"
    assert oldest[9] == '{"from": "active", "to": "suspended"}'
    exported = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "audit.exported")).one()
    assert exported.actor_id == log["coordinator"].id
    assert exported.details == {"filters": {"action": "partner.suspend"}}


def test_the_export_follows_the_referent_scope(app, login, log):
    rows = _csv(_client(app, login, log["referent"]).get("/journal/export.csv"))
    actions = sorted(r[5] for r in rows[1:])
    assert actions == ["martian.landing", "oral.availability.publish", "partner.suspend",
                       "registration.status"]


def test_the_page_paginates_with_an_htmx_fragment(app, login, log):
    for n in range(60):
        record(log["referent"], "partner.suspend", log["ours"], reason=f"motif {n}")
    db.session.commit()
    c = _client(app, login, log["referent"])
    page = c.get("/journal/").get_data(as_text=True)
    assert "64 entrées" in page and "Page 1 / 2" in page and _rows(page) == 50
    fragment = c.get("/journal/?page=2", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and "Page 2 / 2" in html and _rows(html) == 14
    assert "HX-Request" in fragment.headers["Vary"]


def test_sql_count_does_not_grow_with_the_log(app, login, log, count_queries):
    c = _client(app, login, log["referent"])

    def counts():
        c.get("/journal/")
        c.get("/journal/export.csv")
        with count_queries() as page:
            c.get("/journal/")
        with count_queries() as export:
            assert c.get("/journal/export.csv").status_code == 200
        return page(), export()

    few = counts()
    registration = log["ours_reg"]
    for n in range(1200):
        record(log["assessor"] if n % 2 else None, "registration.status", registration,
               details={"n": n})
    db.session.commit()
    many = counts()
    assert many == few
    rows = _csv(c.get("/journal/export.csv"))
    assert len(rows) > 1200


def test_partners_assessors_and_candidates_have_no_audit_log(app, login, log, make_user):
    c = _client(app, login, make_user("partner", org=log["ours"]))
    assert c.get("/journal/").status_code == 403
    assert c.get("/journal/export.csv").status_code == 403
