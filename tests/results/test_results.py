"""Results: PDF contents, offline rendering, ownership, ledger, verification, retention, CDC."""

from __future__ import annotations

import datetime as dt
import io
import socket

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text

from cloe_portal.extensions import db
from cloe_portal.jury import services as jury
from cloe_portal.jury.models import ProcesVerbal
from cloe_portal.results import services
from cloe_portal.results.models import Certificate, LedgerEntry, Result
from cloe_portal.results.pdf import BLANK_GIF, html_to_pdf, link_callback

CHECKS_OK = {"identity_ok": True, "written_ok": True, "oral_ok": True, "fraud": False,
             "fraud_description": None}


def publish(world, *regs) -> ProcesVerbal:
    for reg in regs:
        jury.decide(world.referent, reg, decision="validated", reason=None, **CHECKS_OK)
    pv = jury.sign_pv(world.referent, regs[0].session, "Julien Moreau", "JE CERTIFIE")
    db.session.commit()
    return pv


def result_of(reg) -> Result:
    return db.session.scalar(select(Result).where(Result.registration_id == reg.id))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_text_shows_names_and_levels(make_ready, world):
    # Sample of SPEC §9: Écrit A2, B2, B1+, A2 → B1-; Oral B1, A2+, A2, A2, A2+, A2+ → A2+.
    reg = make_ready(target="B1", first_name="Michaël", last_name="Gardner",
                     scores={"vocabulary": 33, "grammar": 60, "expressions": 51, "reading": 33,
                             "listening": 47},
                     criteria={"range": "A2+", "accuracy": "A2", "fluency": "A2",
                               "pronunciation": "A2+", "interaction": "A2+"})
    winner = make_ready(session=reg.session, target="B1", score=42, criterion="B1-",
                        first_name="Élodie", last_name="Lefèvre")
    pv = publish(world, reg, winner)
    attestation = pdf_text(result_of(reg).attestation_pdf)
    assert "Michaël GARDNER" in attestation
    assert "17/05/1990" in attestation  # date of birth
    levels = result_of(reg).levels
    assert (levels["ecrit"], levels["oral"], levels["global"]) == ("B1-", "A2+", "A2+")
    assert "ÉCRIT — B1-" in attestation and "ORAL — A2+" in attestation
    assert "Niveau A2+ — Utilisateur élémentaire" in attestation
    assert "Compréhension écrite" in attestation and "Prononciation et intonation" in attestation
    assert "n'est pas atteint" in attestation
    assert result_of(reg).certificate is None
    cert = result_of(winner).certificate
    certificate = pdf_text(cert.pdf)
    assert "Élodie LEFÈVRE" in certificate
    assert cert.number in certificate and cert.level == "B1"
    assert "Certificat CLOE" in certificate and "Lingua Pro Formation" in certificate
    pv_text = pdf_text(pv.pdf)
    assert "Michaël GARDNER" in pv_text and "Élodie LEFÈVRE" in pv_text
    assert "Julien Moreau" in pv_text and "JE CERTIFIE" in pv_text
    assert cert.number in pv_text


def test_certificate_numbers_are_not_sequentially_guessable(make_ready, world):
    regs = [make_ready(score=42, criterion="B1-") for _ in range(2)]
    for reg in regs:
        publish(world, reg)
    a, b = (result_of(r).certificate.number for r in regs)
    assert a.startswith("CLOE-") and "-EN-000001-" in a and "-EN-000002-" in b
    assert len(a.rsplit("-", 1)[1]) == services.CHECK_LENGTH
    assert services.find_certificate(a[:-1] + ("A" if a[-1] != "A" else "B")) is None


def test_rendering_never_touches_the_network(app, monkeypatch):
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("network access during PDF rendering")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    html = ('<html><head><link rel="stylesheet" href="https://cdn.example.com/x.css"></head>'
            '<body><p>Accentué</p><img src="http://example.com/logo.png"></body></html>')
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF")
    assert calls == []
    assert link_callback("http://example.com/logo.png") == BLANK_GIF
    assert link_callback("/etc/passwd") == BLANK_GIF
    assert link_callback("fonts/DejaVuSans.ttf").endswith("static/fonts/DejaVuSans.ttf")


def _csrf(client, path):
    html = client.get(path).get_data(as_text=True)
    return html.split('name="csrf-token" content="')[1].split('"')[0]


def test_partner_downloads_only_its_own_candidates_documents(
        client, login, make_ready, world, make_org, make_user):
    mine = make_ready(score=42, criterion="B1-")
    other_partner = make_org("partner", name="Atlantique Langues",
                             referent_centre=world.cel)
    theirs = make_ready(partner=other_partner)
    publish(world, mine)
    publish(world, theirs)
    own, foreign = result_of(mine), result_of(theirs)
    login(world.partner_admin)
    ok = client.get(f"/resultats/{own.id}/attestation.pdf")
    assert ok.status_code == 200 and ok.data.startswith(b"%PDF")
    assert client.get(f"/resultats/{own.id}/certificat.pdf").status_code == 200
    assert client.get(f"/resultats/{foreign.id}/attestation.pdf").status_code == 404
    listing = client.get("/resultats/partenaire").get_data(as_text=True)
    assert mine.candidate.full_name in listing and theirs.candidate.full_name not in listing
    # A candidate: only its own; staff: every result.
    client.post("/logout", data={"csrf_token": _csrf(client, "/resultats/partenaire")})
    login(mine.candidate)
    assert client.get(f"/resultats/{own.id}/attestation.pdf").status_code == 200
    assert client.get(f"/resultats/{foreign.id}/attestation.pdf").status_code == 404
    page = client.get("/resultats").get_data(as_text=True)
    assert f"/resultats/{own.id}/attestation.pdf" in page
    client.post("/logout", data={"csrf_token": _csrf(client, "/resultats")})
    login(world.referent)
    assert client.get(f"/resultats/{foreign.id}/attestation.pdf").status_code == 200


def test_ledger_check_detects_an_altered_row(app, make_ready, world, runner):
    for _ in range(3):
        publish(world, make_ready(score=42, criterion="B1-"))
    report = services.verify_ledger()
    assert report.ok and report.entries == 3 and report.certificates == 3
    assert runner.invoke(args=["verify-ledger"]).exit_code == 0
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE certificate_ledger SET certificate_number = 'CLOE-FAKE' "
                          "WHERE seq = 2"))
    db.session.expire_all()
    report = services.verify_ledger()
    assert not report.ok
    assert any("Entrée 2" in p and "modifié" in p for p in report.problems)
    result = runner.invoke(args=["verify-ledger"])
    assert result.exit_code == 1


def test_ledger_check_detects_altered_certificate_data(make_ready, world):
    publish(world, make_ready(score=42, criterion="B1-"))
    cert = db.session.scalar(select(Certificate))
    cert.data = {**cert.data, "level": "C2"}
    db.session.commit()
    assert any("données" in p for p in services.verify_ledger().problems)


def test_revocation_appends_an_entry_and_verify_page_says_so(client, make_ready, world):
    publish(world, make_ready(score=42, criterion="B1-"))
    cert = db.session.scalar(select(Certificate))
    services.revoke_certificate(world.referent, cert, "Fraude découverte après délivrance")
    db.session.commit()
    kinds = [e.kind for e in db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq))]
    assert kinds == ["issue", "revoke"]
    assert services.verify_ledger().ok
    page = client.get(f"/verify/{cert.number}").get_data(as_text=True)
    assert "révoqué" in page


def test_verify_page_shows_holder_but_no_birth_date(client, make_ready, world):
    reg = make_ready(score=42, criterion="B1-", first_name="Inès", last_name="Da Silva",
                     birth_date=dt.date(1985, 11, 23))
    publish(world, reg)
    cert = result_of(reg).certificate
    response = client.get(f"/verify/{cert.number.lower()}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Certificat authentique" in page and "Inès DA SILVA" in page
    assert "B1" in page and "Anglais" in page and "Lingua Pro Formation" in page
    assert "23/11/1985" not in page and "1985" not in page
    typed = client.get(f"/verify?numero={cert.number}")
    assert typed.status_code == 303 and typed.headers["Location"].endswith(cert.number)
    missing = client.get("/verify/CLOE-2026-EN-999999-ZZZZZ")
    assert missing.status_code == 404 and "Aucun certificat" in missing.get_data(as_text=True)


def test_results_expire_after_three_years_but_certificate_stays_verifiable(
        client, login, make_ready, world, frozen_clock):
    frozen_clock(dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC))
    reg = make_ready(score=42, criterion="B1-")
    publish(world, reg)
    result = result_of(reg)
    login(reg.candidate)
    frozen_clock(dt.datetime(2029, 3, 9, 8, tzinfo=dt.UTC))
    assert client.get(f"/resultats/{result.id}/attestation.pdf").status_code == 200
    frozen_clock(dt.datetime(2029, 3, 9, 9, 0, 1, tzinfo=dt.UTC))
    gone = client.get(f"/resultats/{result.id}/attestation.pdf")
    assert gone.status_code == 410
    assert "n'est plus en ligne" in gone.get_data(as_text=True)
    assert client.get(f"/resultats/{result.id}/certificat.pdf").status_code == 410
    verify = client.get(f"/verify/{result.certificate.number}")
    assert verify.status_code == 200 and "Certificat authentique" in verify.get_data(as_text=True)


def test_publication_emails_carry_download_links(make_ready, world):
    from cloe_portal.notifications.models import OutboxMessage

    reg = make_ready(score=42, criterion="B1-")
    publish(world, reg)
    result = result_of(reg)
    to_candidate = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.key == f"results:registration-{reg.id}"))
    assert to_candidate.to_email == reg.candidate.email
    assert f"/resultats/{result.id}/attestation.pdf" in to_candidate.body_text
    assert f"/resultats/{result.id}/certificat.pdf" in to_candidate.body_text
    to_partner = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.key == f"results:registration-{reg.id}:partner-{world.partner_admin.id}"))
    assert to_partner.to_email == world.partner_admin.email


def test_cdc_export_lists_certified_holders_of_the_period(client, login, make_ready, world):
    winner = make_ready(score=42, criterion="B1-", last_name="Certifié")
    loser = make_ready(target="C1", score=42, criterion="B1-", last_name="Attesté")
    publish(world, winner)
    publish(world, loser)
    login(world.referent)
    day = db.session.scalar(select(Certificate)).certified_on
    csv_resp = client.get(f"/resultats/export-cdc?debut={day}&fin={day}&format=csv")
    body = csv_resp.data.decode("utf-8-sig")
    assert csv_resp.status_code == 200
    assert body.splitlines()[0].startswith("numero_certificat;date_certification;langue")
    assert len(body.splitlines()) == 2 and "CPF" in body
    xml = client.get(f"/resultats/export-cdc?debut={day}&fin={day}&format=xml").data.decode()
    assert "<titulaire>" in xml and 'nombre="1"' in xml
    before = day - dt.timedelta(days=10)
    empty = client.get(f"/resultats/export-cdc?debut={before}&fin={before}&format=csv")
    assert len(empty.data.decode("utf-8-sig").splitlines()) == 1


@pytest.mark.parametrize("path", ["/resultats/registre", "/resultats/export-cdc"])
def test_referent_pages_refuse_partners(client, login, world, path):
    login(world.partner_admin)
    assert client.get(path).status_code == 403


def test_partner_export_carries_published_levels_and_certificate(client, login, make_ready, world):
    certified = make_ready(target="B1", score=42, criterion="B1-", first_name="Léa")
    below = make_ready(session=certified.session, target="C1", score=42, criterion="B1-",
                       first_name="Hugo")
    publish(world, certified, below)
    login(world.partner_admin)
    response = client.get("/suivi/export.csv")
    assert response.status_code == 200
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    header = lines[0].split(";")
    rows = {line.split(";")[header.index("Prénom")]: line.split(";") for line in lines[1:]}
    cert = result_of(certified).certificate
    assert rows["Léa"][header.index("Niveau global")] == "B1-"
    assert rows["Léa"][header.index("Certificat")] == f"{cert.number} — B1"
    assert rows["Hugo"][header.index("Certificat")] == "Attestation seule"
