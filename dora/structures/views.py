"""Structure management pages: create, join, members, invitations, moderation.

Every handler loads its objects through `get_structure_or_404` (and the `*_of` queries that
check an id belongs to the structure in the URL), checks one permission and calls one
operation; the request's transaction is committed once, at its boundary
(dora.core.transactions), or rolled back when the operation is refused.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from dora.accounts import operations as account_operations
from dora.accounts import security, sessions
from dora.accounts.forms import EmptyForm
from dora.accounts.models import ROLE_LABELS, JoinRequest, Role
from dora.accounts.operations import OperationError
from dora.accounts.permissions import (
    can_edit_structure,
    can_manage_members,
    can_moderate,
    can_request_join,
    can_view_structure_private,
    get_structure_or_404,
    is_staff,
    login_required,
    staff_required,
    structure_departement,
    verified_required,
)
from dora.catalogue.models import Moderation, Structure
from dora.core.transactions import Refusal, attempt
from dora.extensions import db
from dora.structures import operations, queries
from dora.structures.dashboard import sections_for
from dora.structures.forms import (
    ROLE_CHOICES,
    InvitationRegisterForm,
    InviteForm,
    JoinForm,
    ManagerForm,
    ModerationForm,
    RoleForm,
    StructureEditForm,
    StructureForm,
)

bp = Blueprint("structures", __name__)

MODERATION_LABELS = {
    Moderation.EN_ATTENTE: "En attente de validation",
    Moderation.VALIDEE: "Validée",
    Moderation.REFUSEE: "Refusée",
}


@bp.app_context_processor
def _labels():
    return {
        "MODERATION_LABELS": MODERATION_LABELS,
        "ROLE_LABELS": ROLE_LABELS,
        # The public structure page shows members a link to their private dashboard.
        "can_view_structure_private": can_view_structure_private,
    }


def _form_error(form, error: Refusal) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "error")


def _back_to(structure: Structure):
    return redirect(url_for("structures.structure_dashboard", structure_id=structure.id))


# Create and join --------------------------------------------------------------------------


@bp.route("/mon-espace/structures/nouvelle", methods=["GET", "POST"])
@verified_required
def create_structure():
    form = StructureForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            structure = operations.create_structure(
                db.session,
                current_user,
                nom=form.nom.data,
                siret=form.siret.data,
                code_postal=form.code_postal.data,
                commune=form.commune.data,
                code_insee=form.code_insee.data,
                adresse=form.adresse.data,
                complement_adresse=form.complement_adresse.data,
                telephone=form.telephone.data,
                courriel=form.courriel.data,
                site_web=form.site_web.data,
                description=form.description.data,
            )
        if outcome.error:
            _form_error(form, outcome.error)
        else:
            flash(
                "Structure créée. Elle sera visible du public une fois validée par le "
                "gestionnaire de votre territoire ; vous pouvez déjà préparer ses services.",
                "success",
            )
            return _back_to(structure)
    return render_template("structures/create.html", form=form)


@bp.get("/mon-espace/structures/rejoindre")
@verified_required
def join_search():
    q = (request.args.get("q") or "").strip()[:150]
    results = queries.search_joinable(db.session, q) if q else []
    return render_template(
        "structures/join.html",
        q=q,
        results=results,
        roles={s.id: current_user.role_in(s.id) for s in results},
        pending={
            s.id for s in results if queries.open_join_request(db.session, current_user.id, s.id)
        },
        form=JoinForm(),
    )


@bp.post("/mon-espace/structures/<structure_id>/rejoindre")
@verified_required
def request_join(structure_id: str):
    structure = db.session.get(Structure, structure_id)
    # Only structures the join search can show: refused ones do not take requests.
    if structure is None or structure.moderation == Moderation.REFUSEE:
        abort(404)
    if not can_request_join(current_user, structure):
        abort(403)
    form = JoinForm()
    if not form.validate_on_submit():
        flash("Le message est trop long (1 000 caractères au plus).", "error")
        return redirect(url_for("structures.join_search", q=structure.siret or structure.nom))
    with attempt() as outcome:
        operations.request_join(db.session, current_user, structure, form.message.data)
    if outcome.error:
        flash(outcome.error.message, "error")
    else:
        flash(
            f"Demande envoyée aux administrateurs de « {structure.nom} ». Vous recevrez un "
            "e-mail avec leur réponse.",
            "success",
        )
    return redirect(url_for("accounts.dashboard"))


@bp.post("/mon-espace/demandes/<int:request_id>/annuler")
@verified_required
def cancel_join_request(request_id: int):
    join_request = db.session.get(JoinRequest, request_id)
    if join_request is None or join_request.user_id != current_user.id:
        abort(404)
    with attempt() as outcome:
        operations.cancel_join_request(db.session, join_request)
    if outcome.error:
        flash(outcome.error.message, "error")
    else:
        flash("Demande annulée.", "success")
    return redirect(url_for("accounts.dashboard"))


# The structure's private dashboard ------------------------------------------------------


@bp.get("/mon-espace/structures/<structure_id>")
@login_required
def structure_dashboard(structure_id: str):
    structure = get_structure_or_404(structure_id)
    manage = can_manage_members(current_user, structure)
    return render_template(
        "structures/dashboard.html",
        structure=structure,
        role=current_user.role_in(structure.id),
        can_edit=can_edit_structure(current_user, structure),
        can_manage=manage,
        can_moderate=can_moderate(current_user, structure),
        memberships=queries.memberships(db.session, structure.id),
        join_requests=queries.open_join_requests(db.session, structure.id) if manage else [],
        invitations=queries.open_invitations(db.session, structure.id) if manage else [],
        history=queries.moderation_history(db.session, structure.id),
        counts=queries.service_counts(db.session, structure.id),
        sections=sections_for(structure, current_user),
        invite_form=InviteForm(),
        form=EmptyForm(),
        role_choices=ROLE_CHOICES,
    )


@bp.route("/mon-espace/structures/<structure_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_structure(structure_id: str):
    structure = get_structure_or_404(structure_id, can_edit_structure)
    form = StructureEditForm(obj=structure)
    if form.validate_on_submit():
        with attempt() as outcome:
            operations.update_structure(
                db.session,
                structure,
                code_postal=form.code_postal.data,
                commune=form.commune.data,
                code_insee=form.code_insee.data,
                **{name: form[name].data for name in operations.EDITABLE_FIELDS},
            )
        if outcome.error:
            _form_error(form, outcome.error)
        else:
            flash("Structure mise à jour.", "success")
            return _back_to(structure)
    return render_template("structures/edit.html", form=form, structure=structure)


@bp.post("/mon-espace/structures/<structure_id>/revalidation")
@login_required
def resubmit(structure_id: str):
    structure = get_structure_or_404(structure_id, can_edit_structure)
    with attempt() as outcome:
        operations.resubmit(db.session, current_user, structure)
    if outcome.error:
        flash(outcome.error.message, "error")
    else:
        flash("Structure soumise à nouveau à la validation.", "success")
    return _back_to(structure)


# Join requests, invitations, members -----------------------------------------------------


@bp.post("/mon-espace/structures/<structure_id>/demandes/<int:request_id>/<decision>")
@login_required
def decide_join_request(structure_id: str, request_id: int, decision: str):
    structure = get_structure_or_404(structure_id, can_manage_members)
    join_request = queries.join_request_of(db.session, structure.id, request_id)
    if join_request is None or decision not in ("accepter", "refuser"):
        abort(404)
    with attempt() as outcome:
        operations.decide_join_request(
            db.session, current_user, join_request, accept=decision == "accepter"
        )
    if outcome.error:
        flash(outcome.error.message, "error")
    else:
        who = join_request.user.display_name
        flash(
            f"{who} a rejoint la structure."
            if decision == "accepter"
            else f"Demande de {who} refusée.",
            "success",
        )
    if request.form.get("retour") == "moderation" and can_moderate(current_user, structure):
        return redirect(url_for("structures.moderation_queue"))
    return _back_to(structure)


@bp.post("/mon-espace/structures/<structure_id>/invitations")
@login_required
def invite(structure_id: str):
    structure = get_structure_or_404(structure_id, can_manage_members)
    form = InviteForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            invitation = operations.invite(
                db.session, current_user, structure, form.email.data, form.role.data
            )
        if outcome.error:
            flash(outcome.error.message, "error")
        else:
            flash(f"Invitation envoyée à {invitation.email}.", "success")
    else:
        for field in form:
            for message in field.errors:
                flash(f"{field.label.text} : {message}", "error")
    return _back_to(structure)


@bp.post("/mon-espace/structures/<structure_id>/invitations/<int:invitation_id>/annuler")
@login_required
def cancel_invitation(structure_id: str, invitation_id: int):
    structure = get_structure_or_404(structure_id, can_manage_members)
    invitation = queries.invitation_of(db.session, structure.id, invitation_id)
    if invitation is None:
        abort(404)
    with attempt() as outcome:
        operations.cancel_invitation(db.session, invitation)
    if outcome.error:
        flash(outcome.error.message, "error")
    else:
        flash(f"Invitation de {invitation.email} annulée.", "success")
    return _back_to(structure)


@bp.post("/mon-espace/structures/<structure_id>/membres/<int:membership_id>/role")
@login_required
def change_role(structure_id: str, membership_id: int):
    structure = get_structure_or_404(structure_id, can_manage_members)
    membership = queries.membership_of(db.session, structure.id, membership_id)
    if membership is None:
        abort(404)
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Rôle inconnu : choisissez Membre ou Administrateur·rice.", "error")
        return _back_to(structure)
    with attempt() as outcome:
        operations.change_role(db.session, membership, form.role.data)
    if outcome.error:
        flash(outcome.error.message, "error")
    else:
        flash(
            f"{membership.user.display_name} : {ROLE_LABELS[Role(membership.role)].lower()}.",
            "success",
        )
    return _back_to(structure)


@bp.post("/mon-espace/structures/<structure_id>/membres/<int:membership_id>/retirer")
@login_required
def remove_member(structure_id: str, membership_id: int):
    structure = get_structure_or_404(structure_id, can_manage_members)
    membership = queries.membership_of(db.session, structure.id, membership_id)
    if membership is None:
        abort(404)
    leaving = membership.user_id == current_user.id
    name = membership.user.display_name
    with attempt() as outcome:
        operations.remove_member(db.session, membership, leaving=leaving)
    if outcome.error:
        flash(outcome.error.message, "error")
        return _back_to(structure)
    if leaving:
        flash(f"Vous avez quitté « {structure.nom} ».", "success")
        return redirect(url_for("accounts.dashboard"))
    flash(f"{name} ne fait plus partie de la structure.", "success")
    return _back_to(structure)


@bp.post("/mon-espace/structures/<structure_id>/quitter")
@login_required
def leave(structure_id: str):
    structure = get_structure_or_404(structure_id)
    membership = queries.user_membership(db.session, current_user.id, structure.id)
    if membership is None:
        abort(403)
    with attempt() as outcome:
        operations.remove_member(db.session, membership, leaving=True)
    if outcome.error:
        flash(outcome.error.message, "error")
        return _back_to(structure)
    flash(f"Vous avez quitté « {structure.nom} ».", "success")
    return redirect(url_for("accounts.dashboard"))


# Invitation links -------------------------------------------------------------------------


def _invitation_or_invalid(token: str):
    try:
        return operations.invitation_from_token(db.session, token), None
    except security.InvalidLink as error:
        page = render_template(
            "accounts/invalid_link.html", expired=error.expired, kind="invitation"
        )
        return None, (page, 400)


@bp.get("/invitations/<token>")
def invitation(token: str):
    found, invalid = _invitation_or_invalid(token)
    if invalid:
        return invalid
    has_account = account_operations.get_user_by_email(db.session, found.email) is not None
    return render_template(
        "structures/invitation.html",
        invitation=found,
        token=token,
        has_account=has_account,
        role=ROLE_LABELS[Role(found.role)],
        form=InvitationRegisterForm(owner_email=found.email),
        accept_form=EmptyForm(),
    )


@bp.post("/invitations/<token>")
@verified_required
def accept_invitation(token: str):
    found, invalid = _invitation_or_invalid(token)
    if invalid:
        return invalid
    with attempt() as outcome:
        operations.accept_invitation(db.session, current_user, found)
    if outcome.error:
        flash(outcome.error.message, "error")
        return redirect(url_for("structures.invitation", token=token))
    flash(f"Vous avez rejoint « {found.structure.nom} ».", "success")
    return _back_to(found.structure)


@bp.post("/invitations/<token>/inscription")
def register_from_invitation(token: str):
    found, invalid = _invitation_or_invalid(token)
    if invalid:
        return invalid
    if current_user.is_authenticated:
        return redirect(url_for("structures.invitation", token=token))
    form = InvitationRegisterForm(owner_email=found.email)
    if form.validate_on_submit():
        with attempt() as outcome:
            user = operations.register_from_invitation(
                db.session, found, form.password.data, form.nom_complet.data
            )
        if outcome.error:
            _form_error(form, outcome.error)
        else:
            sessions.log_in(user)
            flash(f"Compte créé : vous avez rejoint « {found.structure.nom} ».", "success")
            return _back_to(found.structure)
    return render_template(
        "structures/invitation.html",
        invitation=found,
        token=token,
        has_account=False,
        role=ROLE_LABELS[Role(found.role)],
        form=form,
        accept_form=EmptyForm(),
    )


# Moderation -------------------------------------------------------------------------------


def _moderated_departements() -> frozenset[str] | None:
    """None for staff (everywhere); the manager's départements; 404 for anybody else."""
    if is_staff(current_user):
        return None
    if current_user.is_verified and current_user.is_manager:
        return current_user.departement_codes
    abort(404)


@bp.get("/moderation")
@login_required
def moderation_queue():
    departements = _moderated_departements()
    return render_template(
        "structures/moderation_queue.html",
        items=queries.moderation_queue(db.session, departements),
        orphan_requests=queries.orphan_join_requests(db.session, departements),
        departements=sorted(departements) if departements is not None else None,
        form=EmptyForm(),
    )


def _structure_to_moderate(structure_id: str) -> Structure:
    structure = db.session.get(Structure, structure_id)
    if structure is None or not can_moderate(current_user, structure):
        abort(404)
    return structure


@bp.route("/moderation/structures/<structure_id>", methods=["GET", "POST"])
@login_required
def moderation_detail(structure_id: str):
    structure = _structure_to_moderate(structure_id)
    form = ModerationForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            operations.moderate(
                db.session, current_user, structure, form.decision.data, form.motif.data
            )
        if outcome.error:
            _form_error(form, outcome.error)
        else:
            verdict = "validée" if structure.moderation == Moderation.VALIDEE else "refusée"
            flash(
                f"« {structure.nom} » est {verdict} ; ses administrateurs sont prévenus.", "success"
            )
            return redirect(url_for("structures.moderation_queue"))
    return render_template(
        "structures/moderation_detail.html",
        structure=structure,
        form=form,
        departement=structure_departement(structure),
        memberships=queries.memberships(db.session, structure.id),
        history=queries.moderation_history(db.session, structure.id),
        same_siret=[
            s
            for s in queries.search_joinable(db.session, structure.siret or "")
            if s.id != structure.id
        ]
        if structure.siret
        else [],
    )


@bp.route("/moderation/gestionnaires", methods=["GET", "POST"])
@staff_required
def managers():
    form = ManagerForm()
    if form.validate_on_submit():
        codes = [c for c in form.departements.data.replace(";", ",").split(",") if c.strip()]
        with attempt() as outcome:
            account_operations.make_manager(db.session, form.email.data, codes)
        if outcome.error:
            error = outcome.error
            field = "departements" if error.field == "departement" else error.field
            _form_error(form, OperationError(error.message, field))
        else:
            listed = ", ".join(sorted(code.strip().upper() for code in codes))
            flash(f"{form.email.data} gère désormais : {listed}.", "success")
            return redirect(url_for("structures.managers"))
    return render_template(
        "structures/managers.html",
        form=form,
        managers=queries.managers(db.session),
        remove_form=EmptyForm(),
    )


@bp.post("/moderation/gestionnaires/<int:user_id>/retirer")
@staff_required
def remove_manager(user_id: int):
    from dora.accounts.models import User

    user = db.session.get(User, user_id)
    if user is None or not user.is_manager:
        abort(404)
    departement = request.form.get("departement") or None
    with attempt() as outcome:
        account_operations.remove_manager(
            db.session, user.email, [departement] if departement else None
        )
    if outcome.error:
        flash(outcome.error.message, "error")
    else:
        flash(f"{user.email} : départements retirés.", "success")
    return redirect(url_for("structures.managers"))
