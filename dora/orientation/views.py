"""Pages of the orientation journey: the referral form, the two inboxes, a referral (read,
answer, attachments), the secret link of structures without members, the statistics.

Authorisation (dora.orientation.access): only the two sides read a referral. Anonymous
visitors go to the login page (unless this browser opened the referral's secret link); a
user whose e-mail is not verified is sent to their dashboard; anyone else gets a 404, so
referral ids cannot be probed. The prescriber sees their referral but may not answer it:
403. Every page that shows personal data logs the read (operations.log_reads).
"""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from dora import vocabulary
from dora.accounts.permissions import verified_required
from dora.catalogue import queries as catalogue_queries
from dora.catalogue.models import Service
from dora.core.transactions import Refusal, attempt
from dora.extensions import db, limiter, login_manager
from dora.orientation import access, eligibility, operations, queries, stats, storage
from dora.orientation.access import Reader, Side
from dora.orientation.forms import (
    AcceptForm,
    EligibilityForm,
    MessageForm,
    OrientationForm,
    RefuseForm,
)
from dora.orientation.models import (
    CONTACT_LABELS,
    EVENT_LABELS,
    Objet,
    Orientation,
)
from dora.publishing.forms import find_commune

bp = Blueprint("orientation", __name__)


PARIS = ZoneInfo("Europe/Paris")


@bp.context_processor
def _clock():
    return {"now": access.now(), "paris": PARIS}


# Helpers -------------------------------------------------------------------------------------


def _public_service_or_404(service_id: str) -> Service:
    service = catalogue_queries.get_service(db.session, service_id)
    if service is None or not service.is_public():
        abort(404)
    return service


def _denied():
    """Anonymous → login page; unverified → their dashboard; others → 404."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_verified:
        flash("Confirmez d’abord votre adresse e-mail.", "warning")
        return redirect(url_for("accounts.dashboard"))
    abort(404)


BIGINT_MAX = 2**63 - 1


def _load(orientation_id: int) -> tuple[Orientation | None, Reader | None]:
    if orientation_id > BIGINT_MAX:  # no such row, and PostgreSQL would refuse the number
        return None, None
    orientation = queries.get(db.session, orientation_id)
    if orientation is None:
        return None, None
    return orientation, access.reader_of(current_user, orientation)


def _form_error(form, error: Refusal) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "error")


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 10_000 else 1


def _log_list(items: list[Orientation]) -> None:
    shown = [o.id for o in items if not o.is_purged]
    operations.log_reads(db.session, shown, access.Via.COMPTE, current_user.id, Objet.LISTE)


def _eligibility_message(eligible: bool | None, commune_nom: str) -> str:
    """Plain text (a .txt template: escaped where it is shown, in HTML or by the script)."""
    return render_template(
        "orientation/_eligibility.txt", eligible=eligible, commune_nom=commune_nom
    ).strip()


# The referral form -----------------------------------------------------------------------------


@bp.route("/services/<service_id>/orienter", methods=["GET", "POST"])
@verified_required
def new(service_id: str):
    service = _public_service_or_404(service_id)
    if not queries.can_receive(db.session, service):
        return render_template("orientation/cannot_receive.html", service=service)
    form = OrientationForm(service=service, user=current_user)
    if form.validate_on_submit():
        data = form.new_orientation()
        with attempt() as outcome:
            orientation, created = operations.create(db.session, current_user, service, data)
        if outcome.ok:
            if created:
                flash(
                    f"Orientation envoyée à {orientation.structure_nom}. Vous serez prévenu·e "
                    "par e-mail de sa réponse.",
                    "success",
                )
            else:
                flash("Cette orientation était déjà envoyée : la voici.", "info")
            return redirect(url_for("orientation.detail", orientation_id=orientation.id))
        _form_error(form, outcome.error)
    eligible = eligibility_message = None
    if form.commune_found:
        eligible = eligibility.is_eligible(db.session, service, form.commune_found.code)
        eligibility_message = _eligibility_message(eligible, form.commune_found.nom)
    # A browser cannot send files back: say so when the refused form had some.
    attachments_lost = request.method == "POST" and any(
        upload and upload.filename for upload in form.pieces_jointes.data or []
    )
    return render_template(
        "orientation/new.html",
        form=form,
        service=service,
        attachments_lost=attachments_lost,
        eligible=eligible,
        eligibility_message=eligibility_message,
    )


@bp.post("/services/<service_id>/orienter/eligibilite")
@verified_required
def check_eligibility(service_id: str):
    """Is the service eligible for the commune typed in step 1? (JSON; nothing stored, a POST
    so that the commune stays out of URLs and logs.)"""
    service = _public_service_or_404(service_id)
    form = EligibilityForm()
    commune = find_commune(form.code_insee.data, form.code_postal.data, form.commune.data)
    if isinstance(commune, str):
        return jsonify({"eligible": None, "commune": None, "message": commune})
    eligible = eligibility.is_eligible(db.session, service, commune.code)
    return jsonify(
        {
            "eligible": eligible,
            "commune": commune.nom,
            "message": _eligibility_message(eligible, commune.nom),
        }
    )


# A referral --------------------------------------------------------------------------------------


def _render_detail(orientation: Orientation, reader: Reader, **forms):
    message_form = forms.get("message_form") or MessageForm()
    if not orientation.personne_email:
        message_form.destinataire.choices = [
            c for c in message_form.destinataire.choices if c.value != "personne"
        ]
    # Always a success status: the read logged by the caller must be committed.
    return render_template(
        "orientation/detail.html",
        orientation=orientation,
        reader=reader,
        Side=Side,
        accept_form=forms.get("accept_form") or AcceptForm(),
        refuse_form=forms.get("refuse_form") or RefuseForm(),
        message_form=message_form,
        events=orientation.events,
        event_labels=EVENT_LABELS,
        contact_labels=CONTACT_LABELS,
        situation_labels=[vocabulary.label(v) for v in orientation.situation or []],
        link_valid=access.link_valid(orientation),
    )


@bp.get("/orientations/<int:orientation_id>")
def detail(orientation_id: int):
    orientation, reader = _load(orientation_id)
    if orientation is None or reader is None:
        return _denied()
    operations.open_by(db.session, orientation, reader)
    return _render_detail(orientation, reader)


def _structure_action(orientation_id: int):
    orientation, reader = _load(orientation_id)
    if orientation is None or reader is None:
        return None, None, _denied()
    if reader.side != Side.STRUCTURE:
        abort(403)
    return orientation, reader, None


def _answer(orientation_id: int, form_class, form_key: str, act, done: str):
    """A structure's answer: `act(orientation, reader, form)` in a savepoint; on success back
    to the referral with `done`, else the referral again with the form's errors."""
    orientation, reader, denied = _structure_action(orientation_id)
    if denied is not None:
        return denied
    form = form_class()
    if form.validate_on_submit():
        with attempt() as outcome:
            act(orientation, reader, form)
        if outcome.ok:
            flash(done, "success")
            return redirect(url_for("orientation.detail", orientation_id=orientation.id))
        _form_error(form, outcome.error)
    operations.open_by(db.session, orientation, reader)
    return _render_detail(orientation, reader, **{form_key: form})


@bp.post("/orientations/<int:orientation_id>/accepter")
def accept(orientation_id: int):
    return _answer(
        orientation_id,
        AcceptForm,
        "accept_form",
        lambda o, r, f: operations.accept(
            db.session, o, r, f.prochaine_etape.data, f.date_rendez_vous.data
        ),
        "Orientation acceptée : le prescripteur est prévenu.",
    )


@bp.post("/orientations/<int:orientation_id>/refuser")
def refuse(orientation_id: int):
    return _answer(
        orientation_id,
        RefuseForm,
        "refuse_form",
        lambda o, r, f: operations.refuse(db.session, o, r, f.motif.data, f.precision.data),
        "Orientation refusée : le prescripteur est prévenu.",
    )


@bp.post("/orientations/<int:orientation_id>/message")
def write(orientation_id: int):
    return _answer(
        orientation_id,
        MessageForm,
        "message_form",
        lambda o, r, f: operations.write_message(
            db.session, o, r, f.destinataire.data, f.texte.data
        ),
        "Message envoyé.",
    )


@bp.get("/orientations/<int:orientation_id>/pieces-jointes/<int:attachment_id>")
def download(orientation_id: int, attachment_id: int):
    orientation, reader = _load(orientation_id)
    if orientation is None or reader is None:
        return _denied()
    attachment = (
        queries.attachment_of(db.session, orientation, attachment_id)
        if attachment_id <= BIGINT_MAX
        else None
    )
    if attachment is None:
        abort(404)
    content = storage.read_verified(attachment.storage_key, attachment.sha256)
    if content is None:
        return render_template(
            "errors/generic.html",
            title="Pièce jointe indisponible",
            message="Ce fichier n’est plus disponible ou a été altéré : demandez-le au "
            "prescripteur.",
        ), 410
    operations.log_reads(
        db.session, [orientation.id], reader.via, reader.user_id, Objet.PIECE_JOINTE
    )
    response = send_file(
        io.BytesIO(content),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.nom_fichier,
        max_age=0,
        etag=False,
        conditional=False,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# The secret link ----------------------------------------------------------------------------------


@bp.get("/orientations/lien/<token>")
@limiter.limit("60 per 15 minutes")
def open_link(token: str):
    orientation = queries.by_token_hash(db.session, access.hash_token(token))
    if orientation is None or orientation.is_purged:
        return render_template("orientation/link_invalid.html"), 404
    if not orientation.is_open and not access.link_valid(orientation):
        return render_template("orientation/link_closed.html", orientation=orientation), 410
    if not access.link_valid(orientation):
        return render_template(
            "orientation/link_expired.html", orientation=orientation, token=token
        )
    access.grant(orientation)
    return redirect(url_for("orientation.detail", orientation_id=orientation.id))


@bp.post("/orientations/lien/<token>/renouveler")
@limiter.limit(lambda: current_app.config.get("MAIL_LIMIT_PER_IP", "10 per hour"))
def renew_link(token: str):
    orientation = queries.by_token_hash(db.session, access.hash_token(token))
    if orientation is None or orientation.is_purged:
        return render_template("orientation/link_invalid.html"), 404
    if access.link_valid(orientation):
        return redirect(url_for("orientation.open_link", token=token))
    with attempt() as outcome:
        operations.renew_link(db.session, orientation)
    if outcome.error:
        return render_template("orientation/link_closed.html", orientation=orientation), 410
    return render_template("orientation/link_renewed.html", orientation=orientation)


# Inboxes and statistics --------------------------------------------------------------------------


@bp.get("/mon-espace/orientations")
@verified_required
def sent():
    filtre = request.args.get("statut", "toutes")
    if filtre not in queries.FILTERS:
        filtre = "toutes"
    inbox = queries.sent(db.session, current_user, filtre, _page_number())
    _log_list(inbox.items)
    return render_template("orientation/sent.html", inbox=inbox, filters=queries.FILTERS)


@bp.get("/mon-espace/orientations/recues")
@verified_required
def received():
    structures = queries.member_structures(current_user)
    wanted = request.args.get("structure")
    if wanted:
        structures = [s for s in structures if s.id == wanted]
        if not structures:
            abort(404)
    filtre = request.args.get("statut", "a-traiter")
    if filtre not in queries.FILTERS:
        filtre = "a-traiter"
    inbox = queries.received(db.session, [s.id for s in structures], filtre, _page_number())
    _log_list(inbox.items)
    return render_template(
        "orientation/received.html",
        inbox=inbox,
        filters=queries.FILTERS,
        structures=structures,
        structure_id=wanted,
        all_structures=queries.member_structures(current_user),
    )


@bp.get("/mon-espace/orientations/statistiques")
@verified_required
def statistics():
    scope = stats.scope_of(current_user)
    if scope.empty:
        abort(403)
    return render_template("orientation/statistics.html", report=stats.report(db.session, scope))
