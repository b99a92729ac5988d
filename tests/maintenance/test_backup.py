"""`flask backup` then `flask restore` brings the data (and uploads) back, on both stores."""

from __future__ import annotations

from pathlib import Path

from cloe_portal.accounts.models import User
from cloe_portal.extensions import db


def test_backup_and_restore_round_trip(app, runner, make_user, tmp_path):
    make_user("referent", email="kept@cel.fr")
    upload_dir = Path(app.config["UPLOAD_DIR"])
    upload_dir.mkdir(parents=True, exist_ok=True)
    (upload_dir / "photo.jpg").write_bytes(b"\xff\xd8\xff fake jpeg")
    db.session.commit()

    result = runner.invoke(args=["backup", "--to", str(tmp_path / "bk")])
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "bk").iterdir())
    dump = next(f for f in files if "uploads" not in f.name)
    archive = next(f for f in files if "uploads" in f.name)

    make_user("referent", email="lost@cel.fr")
    (upload_dir / "photo.jpg").unlink()
    db.session.commit()
    db.session.remove()

    result = runner.invoke(args=["restore", str(dump), "--uploads", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    emails = set(db.session.scalars(db.select(User.email)))
    assert "kept@cel.fr" in emails
    assert "lost@cel.fr" not in emails
    assert (upload_dir / "photo.jpg").read_bytes() == b"\xff\xd8\xff fake jpeg"


def test_restore_of_missing_file_fails_cleanly(runner, tmp_path):
    result = runner.invoke(args=["restore", str(tmp_path / "nope.dump"), "--yes"])
    assert result.exit_code != 0
