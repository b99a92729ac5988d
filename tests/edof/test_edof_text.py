"""EDOF uploads get the portal's text cleaning: cells by line and column, file names shown safely."""

from __future__ import annotations

from cloe_portal.edof.models import EdofFile, EdofUpload
from cloe_portal.extensions import db
from tests.edof.test_edof import HEADER, _line, _post


def test_a_control_character_in_a_cell_is_reported_and_nothing_is_stored(client, make_user, login):
    login(make_user("partner"))
    content = (HEADER + _line("111", "Martin", "Julie", "01/02/2026", "28/02/2026")
               + _line("222", "Dur\x1band", "Paul", "01/02/2026", "28/02/2026"))
    response = _post(client, content)
    assert response.status_code == 422
    assert ("Ligne 3, colonne NOM : caractère de contrôle U+001B non autorisé (position 4)"
            in response.get_data(as_text=True))
    assert db.session.scalar(db.select(db.func.count(EdofFile.id))) == 0


def test_a_right_to_left_override_in_the_file_name_is_not_shown(client, make_user, login):
    login(make_user("partner"))
    content = HEADER + _line("111", "Le\u0301vy", "Julie", "01/02/2026", "28/02/2026")
    assert _post(client, content, name="\u202evsc.exe").status_code == 303
    assert db.session.scalars(db.select(EdofUpload)).one().filename == "vsc.exe"
    assert db.session.scalars(db.select(EdofFile)).one().last_name == "Lévy"
    assert "\u202e" not in client.get("/edof/").get_data(as_text=True)
