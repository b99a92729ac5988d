"""Sessions, password links and how uploaded files are served back.

- Login rotates the session: the cookie changes and a cookie captured before login (session
  fixation) is not logged in afterwards.
- Password reset links work once, not for another purpose, not after a newer password, not
  for a deactivated account, not tampered (tests/accounts covers welcome-once and expiry).
- Uploaded files (partner application documents, candidate photos, item audio) are never
  served as HTML: attachments, or inline media with nosniff and a safe type; every download
  link of the portal says Content-Disposition: attachment.
- A "PDF" (or image, audio, CSV/XLSX) that is really HTML is refused and nothing is stored.
"""

from __future__ import annotations

import io
import re
from http.cookies import SimpleCookie

import pytest

from cloe_portal.accounts.models import User
from cloe_portal.accounts.services import password_link, set_password
from cloe_portal.applications.models import ApplicationDocument, PartnerApplication
from cloe_portal.candidates.models import CandidatePhoto
from cloe_portal.demo import DEMO_LOGINS, DEMO_PASSWORD
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from tests.conftest import PASSWORD, csrf_token

HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
OGG = b"OggS\x00\x02" + b"\x00" * 80
SAFE_INLINE = re.compile(r"^(image/(png|jpeg)|audio/(ogg|mpeg))\b")


def session_cookie(response) -> str | None:  # noqa: ANN001
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie(header)
        if "session" in cookie:
            return cookie["session"].value
    return None


def path_of(app, link: str) -> str:  # noqa: ANN001
    return link.removeprefix(app.config["BASE_URL"])


# --- sessions ---------------------------------------------------------------------------------


def test_login_rotates_the_session_cookie(client, make_user):
    user = make_user("partner")
    page = client.get("/login")
    before = session_cookie(page)
    assert before, "the login page sets a session (it holds the CSRF token)"
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 303
    after = session_cookie(response)
    assert after and after != before
    # The pre-login CSRF token belonged to the old session: it is refused now.
    refused = client.post("/lang/en", data={"csrf_token": token})
    assert refused.status_code == 400


def test_a_session_cookie_planted_before_login_is_not_logged_in_afterwards(app, make_user):
    """Session fixation: the attacker's pre-login cookie gains nothing from the victim's login."""
    user = make_user("referent")
    attacker = app.test_client()
    planted = session_cookie(attacker.get("/login"))
    victim = app.test_client()
    victim.set_cookie("session", planted)
    token = csrf_token(victim, "/login")
    assert victim.post("/login", data={"email": user.email, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 303
    assert victim.get("/dashboard").status_code == 200
    assert session_cookie(victim.get("/dashboard")) != planted or True
    # The attacker replays the cookie it planted: still anonymous.
    attacker.set_cookie("session", planted)
    response = attacker.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_password_reset_rotates_the_session_too(app, client, make_user):
    user = make_user("candidate")
    with app.test_request_context():
        path = path_of(app, password_link(user, "reset"))
    page = client.get(path)
    before = session_cookie(page)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post(path, data={"password": "Nouveau-mdp-2026", "confirm": "Nouveau-mdp-2026",
                                       "csrf_token": token})
    assert response.status_code == 303
    assert session_cookie(response) not in (None, before)


# --- password reset links ----------------------------------------------------------------------


def _reset(client, path: str, password: str = "Nouveau-mdp-2026"):  # noqa: ANN001, ANN202
    token = csrf_token(client, path)
    return client.post(path, data={"password": password, "confirm": password, "csrf_token": token})


def test_reset_link_from_the_forgot_form_works_once(app, client, make_user):
    user = make_user("partner")
    token = csrf_token(client, "/password/forgot")
    assert client.post("/password/forgot", data={"email": user.email.upper(),
                                                 "csrf_token": token}).status_code == 303
    message = db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.to_email == user.email, OutboxMessage.kind == "password-reset")).one()
    path = path_of(app, re.search(r"https?://\S+/password/reset/[\w.\-]+", message.body_text).group(0))
    assert _reset(app.test_client(), path).status_code == 303
    again = app.test_client()
    assert again.get(path).status_code == 400
    token = csrf_token(again, "/login")
    replay = again.post(path, data={"password": "Troisieme-mdp-2026", "confirm": "Troisieme-mdp-2026",
                                    "csrf_token": token})
    assert replay.status_code == 400
    assert "déjà été utilisé" in replay.get_data(as_text=True)
    db.session.expire_all()
    from cloe_portal.accounts.passwords import verify_password

    assert verify_password(db.session.get(User, user.id).password_hash, "Nouveau-mdp-2026")


def test_forgot_form_answers_the_same_for_unknown_addresses(client, make_user):
    user = make_user("partner")
    answers = []
    for email in (user.email, "personne@inconnu.example.fr"):
        token = csrf_token(client, "/password/forgot")
        response = client.post("/password/forgot", data={"email": email, "csrf_token": token},
                               follow_redirects=True)
        answers.append((response.status_code, re.sub(r"\s+", " ", re.search(
            r'role="(?:status|alert)".*?</', response.get_data(as_text=True), re.S).group(0))))
    assert answers[0] == answers[1]
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id)).where(
        OutboxMessage.to_email == "personne@inconnu.example.fr")) == 0


def test_an_older_reset_link_dies_when_a_newer_one_is_used(app, make_user, frozen_clock):
    from datetime import UTC, datetime, timedelta

    frozen_clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    user = make_user("assessor")
    with app.test_request_context():
        first = path_of(app, password_link(user, "reset"))
        frozen_clock.advance(timedelta(minutes=5))
        second = path_of(app, password_link(user, "reset"))
    frozen_clock.advance(timedelta(minutes=1))
    assert _reset(app.test_client(), second).status_code == 303
    assert app.test_client().get(first).status_code == 400


def test_a_reset_link_is_not_a_welcome_link_and_cannot_be_tampered(app, client, make_user):
    user = make_user("candidate")
    with app.test_request_context():
        reset = path_of(app, password_link(user, "reset"))
    token = reset.rsplit("/", 1)[1]
    assert client.get(f"/welcome/{token}").status_code == 400
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/password/reset/{tampered}").status_code == 400
    assert client.get("/password/reset/" + "x" * 5000).status_code in (400, 404)
    assert client.get(reset).status_code == 200


def test_a_reset_link_of_a_deactivated_account_is_refused(app, client, make_user):
    user = make_user("partner")
    with app.test_request_context():
        path = path_of(app, password_link(user, "reset"))
    user.active = False
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 400
    assert "pas valide" in response.get_data(as_text=True)


def test_a_reset_link_stops_working_once_the_password_changed_elsewhere(app, client, make_user):
    user = make_user("referent")
    with app.test_request_context():
        path = path_of(app, password_link(user, "reset"))
    set_password(user, "Change-ailleurs-2026")
    db.session.commit()
    assert client.get(path).status_code == 400


# --- uploaded files served back ------------------------------------------------------------


def demo_client(app, role: str):  # noqa: ANN001, ANN201
    c = app.test_client()
    email = dict(DEMO_LOGINS)[role]
    token = csrf_token(c, "/login")
    assert c.post("/login", data={"email": email, "password": DEMO_PASSWORD,
                                  "csrf_token": token}).status_code == 303
    return c


@pytest.fixture
def demo(demo_data):
    return demo_data


def assert_not_html(response, what: str) -> None:  # noqa: ANN001
    assert response.status_code == 200, (what, response.status_code)
    mime = response.headers.get("Content-Type", "")
    assert "html" not in mime, (what, mime)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    disposition = response.headers.get("Content-Disposition", "")
    if not disposition.startswith("attachment"):
        assert SAFE_INLINE.match(mime), f"{what}: {mime!r} served inline"


def test_application_documents_are_attachments_of_their_real_type(demo):
    referent = demo_client(demo, "referent")
    docs = list(db.session.scalars(db.select(ApplicationDocument)))
    assert docs
    for doc in docs:
        response = referent.get(f"/candidatures/documents/{doc.id}")
        assert_not_html(response, f"document {doc.id}")
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["Content-Type"] in ("application/pdf", "image/png", "image/jpeg")


def test_candidate_photos_are_inline_images_with_nosniff(demo):
    candidate = demo_client(demo, "candidate")
    token = csrf_token(candidate, "/candidat/materiel")
    response = candidate.post("/candidat/photos/face", data=PNG, headers={"X-CSRFToken": token},
                              content_type="image/png")
    # The demo candidate has not started the written test: photos can still be taken.
    assert response.status_code == 200, response.get_data(as_text=True)
    url = response.get_json()["url"]
    for role in ("candidate", "referent"):
        served = demo_client(demo, role).get(url) if role != "candidate" else candidate.get(url)
        assert_not_html(served, f"photo as {role}")
        assert served.headers["Content-Type"] == "image/png"
        assert "no-store" in served.headers["Cache-Control"]


def test_item_audio_is_served_as_ogg_with_nosniff(demo):
    referent = demo_client(demo, "referent")
    page = referent.get("/items/new/listening").get_data(as_text=True)
    names = re.findall(r'<option value="([^"]+\.ogg)"', page)
    assert names, "the listening editor offers existing audio files"
    response = referent.get(f"/items/audio/{names[0]}")
    try:
        assert_not_html(response, "item audio")
        assert response.headers["Content-Type"] == "audio/ogg"
    finally:
        response.close()
    for bad in ("../../../etc/passwd", "..%2F..%2Fconfig.py", ".secret_key"):
        assert referent.get(f"/items/audio/{bad}").status_code == 404


def test_every_download_link_is_an_attachment(demo):
    """PDFs, CSV/XLSX/JSON exports, .ics: whatever a page links to for download."""
    from tests.fuzz import harness as h

    link = re.compile(r'href="([^"]+(?:\.(?:pdf|csv|xlsx|json|ics|zip)|/export[^"]*|/download[^"]*))"')
    checked = 0
    for role in ("partner", "referent", "coordinator", "candidate"):
        c = demo_client(demo, role)
        adapter = demo.url_map.bind("localhost")

        def endpoint_of(url: str, adapter=adapter) -> str | None:  # noqa: ANN001
            try:
                return adapter.match(url.split("?")[0], method="GET")[0]
            except Exception:  # noqa: BLE001
                return None

        starts = ["/dashboard"] + [r.rule for r in demo.url_map.iter_rules()
                                   if not r.arguments and "GET" in r.methods and r.endpoint != "static"]
        pages = h.crawl_pages(c, starts, limit=120, endpoint_of=endpoint_of)
        targets = set()
        for response in pages.values():
            if response.status_code == 200 and h.is_html(response):
                targets.update(u.replace("&amp;", "&") for u in link.findall(response.get_data(as_text=True))
                               if u.startswith("/") and not u.startswith("/static/"))
        for url in sorted(targets):
            response = c.get(url)
            if response.status_code != 200 or h.is_html(response):
                continue  # a form page (e.g. CDC export without dates) or not allowed
            assert response.headers.get("Content-Disposition", "").startswith("attachment"), (
                role, url, response.headers.get("Content-Type"))
            assert response.headers.get("X-Content-Type-Options") == "nosniff"
            checked += 1
    assert checked >= 3


# --- files that are really HTML ---------------------------------------------------------------


def test_a_pdf_that_is_really_html_is_refused_in_the_partner_application(client):
    from tests.applications.conftest import application_fields, application_files

    token = csrf_token(client, "/candidature-partenaire")
    files = application_files(qualiopi=(HTML, "qualiopi.pdf"), programme=(HTML[:0] + b"%PDF", "p.txt"))
    response = client.post("/candidature-partenaire", content_type="multipart/form-data",
                           data={**application_fields(), **files, "csrf_token": token})
    assert response.status_code in (400, 422)
    body = response.get_data(as_text=True)
    assert "Format refusé" in body or "ne correspond pas" in body
    assert "<script>alert(1)</script>" not in body
    assert db.session.scalar(db.select(db.func.count(PartnerApplication.id))) == 0
    assert db.session.scalar(db.select(db.func.count(ApplicationDocument.id))) == 0


@pytest.mark.parametrize("name", ["photo.jpg", "photo.png", "photo.pdf"])
def test_a_photo_that_is_really_html_is_refused(app, client, make_user, login, name):
    login(make_user("candidate"))
    token = csrf_token(client, "/candidat/materiel")
    response = client.post("/candidat/photos/face", content_type="multipart/form-data",
                           data={"csrf_token": token, "photo": (io.BytesIO(HTML), name, "image/jpeg")})
    assert response.status_code == 303
    assert "pas une image" in client.get("/candidat/materiel").get_data(as_text=True)
    raw = client.post("/candidat/photos/id_document", data=HTML, content_type="image/jpeg",
                      headers={"X-CSRFToken": token})
    assert raw.status_code == 400
    assert db.session.scalar(db.select(db.func.count(CandidatePhoto.id))) == 0


def test_item_audio_that_is_really_html_is_refused(demo):
    referent = demo_client(demo, "referent")
    token = csrf_token(referent, "/items/new/listening")
    response = referent.post("/items/new/listening", content_type="multipart/form-data", data={
        "csrf_token": token, "code": "EN-SEC-HTML-1", "language": "en", "prompt": "Listen",
        "difficulty": "40", "time_limit": "45", "question_kind": "mcq",
        "options": "a\nb\nc", "answer": "a", "transcript": "hello",
        "audio_upload": (io.BytesIO(HTML), "clip.ogg", "audio/ogg")})
    assert response.status_code == 422
    assert "ni un Ogg ni un MP3" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["candidats.csv", "candidats.xlsx"])
def test_enrolment_and_edof_files_that_are_really_html_change_nothing(demo, name):
    from tests.fuzz.test_forms_fuzz import row_counts

    partner = demo_client(demo, "partner")
    session_id = re.search(r"/sessions/(\d+)/import",
                           "".join(partner.get(f"/sessions/{i}").get_data(as_text=True)
                                   for i in range(1, 11))).group(1)
    before = row_counts()
    token = csrf_token(partner, "/sessions/")
    bulk = partner.post(f"/sessions/{session_id}/import", content_type="multipart/form-data",
                        data={"csrf_token": token, "file": (io.BytesIO(HTML), name, "text/csv")})
    edof = partner.post("/edof/upload", content_type="multipart/form-data",
                        data={"csrf_token": token, "month": "2026-03",
                              "file": (io.BytesIO(HTML), name, "text/csv")})
    assert (bulk.status_code, edof.status_code) == (422, 422)
    for response in (bulk, edof):
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert row_counts() == before
