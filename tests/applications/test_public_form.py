"""The public application form: what the applicant sees, what is refused and why."""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from pathlib import Path

from cloe_portal import clock
from cloe_portal.applications.models import ApplicationDocument, PartnerApplication
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.reference.charter import CPF_CHARTER_CRITERIA

from .conftest import PDF, PNG, application_fields, application_files


def _count_applications() -> int:
    return db.session.scalar(db.select(db.func.count(PartnerApplication.id)))


def test_form_is_public_and_lists_the_ten_charter_criteria_each_with_a_checkbox(client):
    html = client.get("/candidature-partenaire").get_data(as_text=True)
    assert "Devenir partenaire CLOE" in html
    for n, text in enumerate(CPF_CHARTER_CRITERIA, start=1):
        assert f'name="charter_{n}"' in html
        # Lazily translated labels are rendered as markup (apostrophes not entity-escaped).
        assert text[:40] in html_lib.unescape(html)
    checkboxes = re.findall(r'<input id="charter_(\d+)" name="charter_\1" [^>]*type="checkbox"', html)
    assert checkboxes == [str(n) for n in range(1, 11)]
    for n in range(1, 11):
        assert f'<label for="charter_{n}">Critère {n} :' in html


def test_valid_application_gets_a_reference_on_screen_and_by_email(app, client, submit_application):
    response = submit_application()
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    application = db.session.scalars(db.select(PartnerApplication)).one()
    year = clock.today_paris().year
    assert re.fullmatch(rf"CLOE-AP-{year}-\d{{4}}", application.reference)
    assert application.reference in page
    assert application.status == "submitted"
    assert application.volumes == {"en": 120, "es": 30}
    assert application.charter_acknowledged == list(range(1, 11))
    mail = db.session.scalars(db.select(OutboxMessage)).one()
    assert mail.to_email == "ines.garnier@langues-metiers.example.fr"
    assert application.reference in mail.subject and application.reference in mail.body_text


def test_documents_are_stored_outside_static_with_random_names_and_sha256(app, submit_application):
    submit_application()
    docs = db.session.scalars(db.select(ApplicationDocument).order_by(ApplicationDocument.kind)).all()
    assert {d.kind for d in docs} == {"qualiopi", "programme", "establishment", "agreement"}
    upload_dir = Path(app.config["UPLOAD_DIR"]).resolve()
    static_dir = Path(app.static_folder).resolve()
    for d in docs:
        path = upload_dir / "applications" / d.stored_name
        assert path.is_file()
        assert static_dir not in path.resolve().parents
        assert d.stored_name not in d.original_name and len(d.stored_name) == 40
        assert hashlib.sha256(path.read_bytes()).hexdigest() == d.sha256
    by_kind = {d.kind: d for d in docs}
    assert by_kind["agreement"].mimetype == "image/png"
    assert by_kind["establishment"].mimetype == "image/jpeg"


def test_foreign_organisation_is_refused_with_the_rule_quoted_and_nothing_typed_is_lost(client, submit_application):
    response = submit_application(application_fields(country="Belgique", postcode="10000"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "installés à l&#39;étranger" in html and "§ 4.2" in html
    assert 'value="Langues &amp; Métiers Formation"' in html
    assert "Test de positionnement puis entretien oral" in html
    assert "sélectionner de nouveau" in html  # files must be re-selected: said clearly
    assert _count_applications() == 0


def test_foreign_call_centre_is_refused(submit_application):
    response = submit_application(application_fields(foreign_call_centre="yes"))
    assert response.status_code == 422
    assert "centres d&#39;appels à l&#39;étranger" in response.get_data(as_text=True)
    assert _count_applications() == 0


def test_a_100_percent_elearning_offer_is_refused_with_the_rule(submit_application):
    response = submit_application(application_fields(elearning_share="100"))
    assert response.status_code == 422
    assert "100 % e-learning" in response.get_data(as_text=True)
    assert _count_applications() == 0


def test_errors_sit_beside_their_fields(submit_application):
    fields = application_fields(siret="73282932000075", postcode="6900", charter_4=None)
    html = submit_application(fields).get_data(as_text=True)
    assert re.search(r'id="siret-error"[^>]*>[^<]*clé de contrôle', html)
    assert re.search(r'id="postcode-error"[^>]*>Le code postal comporte 5 chiffres', html)
    assert re.search(r'id="charter_4-error"', html)
    assert 'id="charter_3-error"' not in html
    assert _count_applications() == 0


def test_a_png_named_pdf_is_refused_beside_its_field(app, submit_application):
    stored = Path(app.config["UPLOAD_DIR"]) / "applications"
    before = set(stored.glob("*"))
    response = submit_application(files=application_files(qualiopi=(PNG, "qualiopi.pdf")))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="qualiopi-error"[^>]*>[^<]*ne correspond pas', html)
    assert _count_applications() == 0
    assert set(stored.glob("*")) == before


def test_a_text_file_named_pdf_is_refused(submit_application):
    response = submit_application(files=application_files(agreement=(b"signed!", "convention.pdf")))
    assert response.status_code == 422
    assert re.search(r'id="agreement-error"[^>]*>Format refusé', response.get_data(as_text=True))


def test_a_file_over_5_mb_is_refused_with_a_message_not_a_crash(submit_application):
    big = PDF + b"0" * (5 * 1024 * 1024)
    response = submit_application(files=application_files(programme=(big, "programme.pdf")))
    assert response.status_code == 422
    assert re.search(r'id="programme-error"[^>]*>Le fichier dépasse 5 Mo', response.get_data(as_text=True))
    assert _count_applications() == 0


def test_missing_document_is_asked_for(submit_application):
    response = submit_application(files=application_files(agreement=(None, None)))
    assert response.status_code == 422
    assert re.search(r'id="agreement-error"[^>]*>Joignez ce document', response.get_data(as_text=True))


def test_confirmation_page_shows_nothing_to_another_visitor(app, submit_application):
    submit_application()
    other = app.test_client()
    response = other.get("/candidature-partenaire/envoyee")
    assert response.status_code == 302
    assert "CLOE-AP-" not in response.get_data(as_text=True)
