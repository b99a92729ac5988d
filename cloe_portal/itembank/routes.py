"""Item bank management for referents and coordinators: list, edit, preview, retire, import/export."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from cloe_portal.audit.services import history
from cloe_portal.core.access import role_required
from cloe_portal.core.htmx import page_or_fragment
from cloe_portal.core.nav import register_nav
from cloe_portal.core.params import int_arg
from cloe_portal.extensions import db
from cloe_portal.itembank import services
from cloe_portal.itembank.forms import (
    ImportForm,
    ItemForm,
    field_errors,
    form_values,
    item_from_form,
)
from cloe_portal.itembank.models import ITEM_POOLS, ITEM_STATUSES, Item
from cloe_portal.reference.domains import DOMAINS
from cloe_portal.reference.languages import LANGUAGES as LANGUAGE_NAMES
from cloe_portal.rules.cefr import SECTION_ORDER, SKILL_LABELS_FR
from cloe_portal.rules.scoring import (
    ITEM_TYPE_LABELS_FR,
    ITEM_TYPES,
    default_time_limit,
    shuffle_for_display,
    validate_item,
)
from cloe_portal.rules.text import clean_labelled

bp = Blueprint("itembank", __name__, url_prefix="/items")
register_nav(("coordinator", "referent"), "Banque d'items", "itembank.index", order=40)

PREVIEW_SEED = 1
_GAP = re.compile(r"\{(\d+)\}")


@bp.app_template_filter("itembank_gaps")
def gap_parts(text: str | None) -> list[dict]:
    """Split a gap text into text parts and gaps ({"text": …} / {"gap": n}) for rendering."""
    parts: list[dict] = []
    for i, piece in enumerate(_GAP.split(text or "")):
        if i % 2:
            parts.append({"gap": int(piece), "text": ""})
        elif piece:
            parts.append({"gap": None, "text": piece})
    return parts


def _labels() -> dict:
    return {
        "language_names": LANGUAGE_NAMES,
        "skill_labels": SKILL_LABELS_FR,
        "type_labels": ITEM_TYPE_LABELS_FR,
        "pool_labels": ITEM_POOLS,
        "status_labels": ITEM_STATUSES,
    }


def _filters_from_args() -> services.ItemFilters:
    args = request.args
    band = int_arg("band")

    def pick(name: str, allowed) -> str:
        value = (args.get(name) or "").strip()
        return value if value in allowed else ""

    return services.ItemFilters(
        language=pick("language", LANGUAGE_NAMES),
        skill=pick("skill", SECTION_ORDER),
        type=pick("type", ITEM_TYPES),
        pool=pick("pool", ITEM_POOLS),
        status=pick("status", ITEM_STATUSES),
        band=band if band in services.BANDS else None,
        domain=pick("domain", DOMAINS),
        q=(args.get("q") or "").strip()[:100],
    )


@bp.route("/")
@role_required("referent")
def index():
    """List items with filters, the coverage table of a language and low-stock warnings."""
    filters = _filters_from_args()
    page = max(1, int_arg("page", 1))
    items, total = services.list_items(filters, page)
    present = services.languages_in_bank()
    coverage_language = filters.language or (present[0] if present else "en")
    query = {k: v for k, v in vars(filters).items() if v not in ("", None)}
    return page_or_fragment(
        "itembank/index.html",
        "itembank/_results.html",
        items=items,
        total=total,
        page=page,
        pages=max(1, -(-total // services.PAGE_SIZE)),
        filters=filters,
        query=query,
        coverage=services.coverage(coverage_language),
        coverage_language=coverage_language,
        bands=services.BANDS,
        band_label=services.band_label,
        low_stock=services.low_stock(),
        low_stock_threshold=services.LOW_STOCK,
        domains=DOMAINS,
        languages=present,
        item_types=ITEM_TYPES,
        skills=SECTION_ORDER,
        **_labels(),
    )


@bp.route("/new")
@role_required("referent")
def new():
    """Choose the type of the item to create."""
    return render_template("itembank/new.html", item_types=ITEM_TYPES, **_labels())


def _form_page(
    form: ItemForm, item_type: str, item: Item | None, errors: list[str], status: int = 200
) -> tuple[str, int]:
    language = item.language if item else (form.language.data or "en")
    choices = {"": "— Choisir —", **{name: name for name in services.audio_files(language)}}
    if form.audio.data and form.audio.data not in choices:
        choices[form.audio.data] = form.audio.data
    form.audio.choices = choices
    preview = _preview_context(form, item_type, item)
    html = render_template(
        "itembank/edit.html",
        form=form,
        item=item,
        item_type=item_type,
        fields=form.fields_for(item_type),
        general_errors=errors,
        history=history("item", item.id) if item else [],
        **preview,
        **_labels(),
    )
    return html, status


def _show_errors(form: ItemForm, errors: list[str], item_type: str) -> list[str]:
    by_field, general = field_errors(errors, item_type)
    for name, messages in by_field.items():
        getattr(form, name).errors = list(messages)
    return general


def _read_audio(form: ItemForm, code: str) -> tuple[str | None, str | None]:
    """Store an uploaded audio file; return (file name or None, error message or None)."""
    upload = form.audio_upload.data
    if not upload or not getattr(upload, "filename", ""):
        return None, None
    try:
        return services.store_audio(code or "item", upload.read()), None
    except services.AudioError as exc:
        return None, str(exc)


def _save(form: ItemForm, item_type: str, item: Item | None):
    """Validate and save the form (create when item is None); the page again on errors."""
    if form.errors:  # a character the text cleaning refuses: shown beside its field
        return _form_page(form, item_type, item, [], status=422)
    code = item.code if item else (form.code.data or "").strip()
    language = item.language if item else form.language.data
    audio_name, audio_error = (None, None)
    if item_type == "listening":
        audio_name, audio_error = _read_audio(form, code)
    data = item_from_form(form, item_type, code, language, audio_name)
    errors = validate_item(data)
    if item is None and code and services.code_taken(code):
        errors.append("code : ce code est déjà utilisé par une autre question")
    if item_type == "listening" and audio_name is None and not audio_error:
        audio = data["content"].get("audio")
        if audio and audio.endswith(".ogg") and services.audio_path(audio) is None:
            errors.append(f"content.audio : fichier « {audio} » introuvable")
    if audio_name:
        form.audio.data = audio_name
    general = _show_errors(form, errors, item_type)
    if audio_error:
        form.audio_upload.errors = [audio_error]
    if errors or audio_error:
        return _form_page(form, item_type, item, general, status=422)
    if item is None:
        item = services.create_item(current_user, data, status=form.status.data)
        db.session.commit()
        flash(_("Question %(code)s créée (%(status)s).", code=item.code, status=ITEM_STATUSES[item.status].lower()), "success")
    else:
        changed = services.update_item(current_user, item, data)
        db.session.commit()
        if changed:
            flash(_("Question %(code)s enregistrée : version %(version)s.", code=item.code, version=item.version), "success")
        else:
            flash(_("Aucune modification : la version reste la même."), "info")
    return redirect(url_for("itembank.edit", item_id=item.id), 303)


@bp.route("/new/<item_type>", methods=["GET", "POST"])
@role_required("referent")
def create(item_type: str):
    """Create an item of one type, with its live preview."""
    if item_type not in ITEM_TYPES:
        abort(404)
    form = ItemForm()
    if request.method == "GET":
        language = request.args.get("language")
        form.language.data = language if language in LANGUAGE_NAMES else "en"
        form.status.data = "draft"
        if item_type == "listening":
            form.skill.data = "listening"
        return _form_page(form, item_type, None, [])
    if not form.validate() and form.csrf_token.errors:
        return _form_page(form, item_type, None, ["Le formulaire a expiré : renvoyez-le."], 400)
    return _save(form, item_type, None)


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
@role_required("referent")
def edit(item_id: int):
    """Edit an item (a change bumps its version; past results keep their own copy)."""
    item = db.get_or_404(Item, item_id)
    if request.method == "GET":
        form = ItemForm(data=form_values(services.item_data(item)))
        return _form_page(form, item.type, item, [])
    form = ItemForm()
    if not form.validate() and form.csrf_token.errors:
        return _form_page(form, item.type, item, ["Le formulaire a expiré : renvoyez-le."], 400)
    return _save(form, item.type, item)


def _preview_context(form: ItemForm, item_type: str, item: Item | None) -> dict:
    code = item.code if item else (form.code.data or "").strip()
    language = item.language if item else (form.language.data or "en")
    data = item_from_form(form, item_type, code, language)
    shown = shuffle_for_display(item_type, data["content"], PREVIEW_SEED)
    difficulty = data["difficulty"] if isinstance(data["difficulty"], int) else 50
    time_limit = (
        data["time_limit"]
        if isinstance(data["time_limit"], int)
        else (default_time_limit(item_type, min(max(difficulty, 0), 100)))
    )
    audio_ok = item_type == "listening" and services.audio_path(shown.get("audio", "")) is not None
    return {"shown": shown, "preview_time_limit": time_limit, "preview_audio_ok": audio_ok}


@bp.route("/preview/<item_type>", methods=["POST"])
@role_required("referent")
def preview(item_type: str):
    """The candidate's view of the item being edited (htmx fragment; never the key)."""
    if item_type not in ITEM_TYPES:
        abort(404)
    # The app-wide CSRF check has already run on this POST (X-CSRFToken header).
    form = ItemForm(meta={"csrf": False})
    return page_or_fragment(
        "itembank/_preview.html",
        "itembank/_preview.html",
        **_preview_context(form, item_type, None),
    )


@bp.route("/<int:item_id>/status", methods=["POST"])
@role_required("referent")
def change_status(item_id: int):
    """Retire, restore or put back in draft an item (audit-logged)."""
    item = db.get_or_404(Item, item_id)
    status = request.form.get("status", "")
    if status not in ITEM_STATUSES:
        abort(400)
    reason, refusal = clean_labelled(request.form.get("reason"), "Motif")
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("itembank.edit", item_id=item.id), 303)
    reason = reason[:500] or None
    services.set_status(current_user, item, status, reason)
    db.session.commit()
    messages = {
        "retired": _("Question %(code)s retirée : elle ne sera plus proposée aux candidats.", code=item.code),
        "live": _("Question %(code)s remise en service.", code=item.code),
        "draft": _("Question %(code)s repassée en brouillon.", code=item.code),
    }
    flash(messages[status], "success")
    return redirect(url_for("itembank.edit", item_id=item.id), 303)


@bp.route("/audio/<name>")
@role_required("referent")
def audio(name: str):
    """Play an item's audio file (referents' preview)."""
    path = services.audio_path(name)
    if path is None:
        abort(404)
    return send_file(path, mimetype="audio/ogg", conditional=True)


@bp.route("/export/<language>")
@role_required("referent")
def export(language: str):
    """Download a language's bank as JSON in the FORMAT.md shape."""
    if language not in LANGUAGE_NAMES:
        abort(404)
    response = Response(services.export_json(language), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{language}.json"'
    return response


@bp.route("/import", methods=["GET", "POST"])
@role_required("referent")
def import_bank():
    """Import a bank file: everything is checked first, and nothing is written on any error."""
    form = ImportForm()
    result = None
    status = 200
    if request.method == "POST":
        if not form.validate():
            form.file.errors = ["Le formulaire a expiré : renvoyez-le."]
            status = 400
        elif not form.file.data or not getattr(form.file.data, "filename", ""):
            form.file.errors = ["Choisissez un fichier JSON."]
            status = 422
        else:
            raw = form.file.data.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                form.file.errors = ["Le fichier n'est pas un texte UTF-8."]
                status = 422
            else:
                result = services.import_bank(current_user, text)
                if result.ok:
                    db.session.commit()
                    flash(
                        _("Import terminé (%(language)s) : %(created)s créée(s), "
                          "%(updated)s modifiée(s), %(unchanged)s inchangée(s).",
                          language=result.language, created=result.created,
                          updated=result.updated, unchanged=result.unchanged),
                        "success",
                    )
                    return redirect(url_for("itembank.index", language=result.language), 303)
                db.session.rollback()
                status = 422
    return render_template(
        "itembank/import.html",
        form=form,
        result=result,
        languages=services.languages_in_bank(),
        **_labels(),
    ), status
