"""Account pages: registration, e-mail verification, login, logout, password reset, dashboard."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user

from dora.accounts import operations, queries, security, sessions, throttle
from dora.accounts.forms import (
    EmptyForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    RegisterForm,
)
from dora.accounts.permissions import login_required
from dora.core.transactions import attempt
from dora.core.urls import same_site_path
from dora.extensions import db, limiter

bp = Blueprint("accounts", __name__)

REGISTRATION_SESSION_KEY = "inscription_email"


# Rate limits (Flask-Limiter), read from the settings so deployments can tune them.
def _limit(name: str, default: str):
    return lambda: current_app.config.get(name, default)


def _form_email() -> str:
    return "email:" + throttle.normalised(request.form.get("email"))


def _form_email_and_browser() -> str:
    # Failures from elsewhere never use up the allowance of the owner's browser.
    email = request.form.get("email")
    return f"email:{throttle.normalised(email)}|{throttle.client_of(email)}"


def _known_browser() -> bool:
    return throttle.is_known_browser(request.form.get("email"))


def _failed(response) -> bool:
    # A successful login redirects; a failed one shows the form again.
    return response.status_code != 302


login_limits = [
    limiter.limit(
        _limit("LOGIN_LIMIT_PER_IP", "30 per 15 minutes"), methods=["POST"], deduct_when=_failed
    ),
    limiter.limit(
        _limit("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        key_func=_form_email_and_browser,
        methods=["POST"],
        deduct_when=_failed,
        scope="login-account-browser",
    ),
    limiter.limit(
        _limit("LOGIN_ACCOUNT_CEILING", "100 per hour"),
        key_func=_form_email,
        methods=["POST"],
        deduct_when=_failed,
        exempt_when=_known_browser,
        scope="login-account",
    ),
]
mail_limits = [
    limiter.limit(_limit("MAIL_LIMIT_PER_IP", "10 per hour"), methods=["POST"]),
    limiter.limit(
        _limit("MAIL_LIMIT_PER_ADDRESS", "3 per hour"),
        key_func=_form_email,
        methods=["POST"],
        scope="mail-address",
    ),
]


def _apply(limits):
    def decorate(view):
        for limit in reversed(limits):
            view = limit(view)
        return view

    return decorate


@bp.route("/inscription", methods=["GET", "POST"])
@_apply(mail_limits)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            operations.register(
                db.session, form.email.data, form.password.data, form.nom_complet.data
            )
        if outcome.error:
            form[outcome.error.field or "email"].errors.append(outcome.error.message)
        else:
            # Same session content whether the address was new or not (no enumeration).
            session[REGISTRATION_SESSION_KEY] = form.email.data
            return redirect(url_for("accounts.registration_sent"))
    return render_template("accounts/register.html", form=form)


@bp.get("/inscription/envoyee")
def registration_sent():
    return render_template(
        "accounts/registration_sent.html", email=session.get(REGISTRATION_SESSION_KEY)
    )


@bp.get("/inscription/confirmer/<token>")
def verify_email(token: str):
    try:
        user = operations.verify_email(db.session, token)
    except security.InvalidLink as error:
        return render_template(
            "accounts/invalid_link.html", expired=error.expired, kind="verify"
        ), 400
    # Log in the browser that registered; any other one goes through the login form.
    if session.pop(REGISTRATION_SESSION_KEY, None) == user.email or (
        current_user.is_authenticated and current_user.id == user.id
    ):
        sessions.log_in(user)
        flash("Votre adresse e-mail est confirmée. Bienvenue sur dora !", "success")
        return redirect(url_for("accounts.dashboard"))
    flash("Votre adresse e-mail est confirmée : connectez-vous.", "success")
    return redirect(url_for("accounts.login", email=user.email))


@bp.post("/inscription/renvoyer")
@login_required
@limiter.limit(_limit("MAIL_LIMIT_PER_IP", "10 per hour"))
def resend_verification():
    if EmptyForm().validate_on_submit() and not current_user.is_verified:
        operations.send_verification(current_user)
        flash(f"Un nouveau lien de confirmation a été envoyé à {current_user.email}.", "success")
    return redirect(url_for("accounts.dashboard"))


@bp.route("/connexion", methods=["GET", "POST"])
@_apply(login_limits)
def login():
    if current_user.is_authenticated:
        return redirect(same_site_path(request.args.get("next")) or url_for("accounts.dashboard"))
    form = LoginForm()
    if request.method == "GET":
        form.email.data = request.args.get("email", "")
        form.next.data = same_site_path(request.args.get("next")) or ""
    error = None
    if form.validate_on_submit():
        email = form.email.data
        wait = throttle.wait_seconds(db.session, email)
        if wait:
            error = (
                "Trop de tentatives sur ce compte depuis des appareils inconnus : réessayez "
                f"dans {_duration(wait)}, ou réinitialisez votre mot de passe."
            )
            return render_template("accounts/login.html", form=form, error=error), 429
        user = operations.authenticate(db.session, email, form.password.data)
        if user is not None:
            session.pop(REGISTRATION_SESSION_KEY, None)
            throttle.record_success(db.session, email)
            sessions.log_in(user)
            target = same_site_path(form.next.data) or url_for("accounts.dashboard")
            return throttle.remember_browser(redirect(target), email)
        throttle.record_failure(db.session, email)
        error = "Adresse e-mail ou mot de passe incorrect."
    elif request.method == "POST":
        error = "Indiquez votre adresse e-mail et votre mot de passe."
    return render_template("accounts/login.html", form=form, error=error)


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} seconde{'s' if seconds > 1 else ''}"
    minutes = (seconds + 59) // 60
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


@bp.post("/deconnexion")
def logout():
    if EmptyForm().validate_on_submit():
        sessions.log_out()
        flash("Vous êtes déconnecté·e.", "success")
    return redirect(url_for("catalogue.home"))


@bp.post("/mon-espace/deconnexion-partout")
@login_required
def logout_everywhere():
    if EmptyForm().validate_on_submit():
        count = sessions.revoke_all(db.session, current_user)
        logout_user()
        flash(
            f"Vous êtes déconnecté·e de tous vos appareils ({count} session"
            f"{'s' if count > 1 else ''} fermée{'s' if count > 1 else ''}).",
            "success",
        )
    return redirect(url_for("accounts.login"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@_apply(mail_limits)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        operations.request_password_reset(db.session, form.email.data)
        return render_template("accounts/forgot_password_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/mot-de-passe-oublie/<token>", methods=["GET", "POST"])
@limiter.limit(_limit("LOGIN_LIMIT_PER_IP", "30 per 15 minutes"), methods=["POST"])
def reset_password(token: str):
    try:
        user = operations.user_for_reset(db.session, token)
    except security.InvalidLink as error:
        return render_template(
            "accounts/invalid_link.html", expired=error.expired, kind="reset"
        ), 400
    form = NewPasswordForm(owner_email=user.email)
    if form.validate_on_submit():
        operations.reset_password(db.session, token, form.password.data)
        sessions.log_in(user)
        flash("Votre mot de passe est changé. Vous êtes connecté·e.", "success")
        return redirect(url_for("accounts.dashboard"))
    return render_template("accounts/reset_password.html", form=form, user=user)


@bp.get("/mon-espace")
@login_required
def dashboard():
    overview = queries.dashboard(db.session, current_user)
    return render_template(
        "accounts/dashboard.html",
        overview=overview,
        form=EmptyForm(),
        open_sessions=sessions.open_sessions(db.session, current_user),
    )


# Development only: the mailbox written by the fallback and by `dora mail serve`.


def _french_datetime(header) -> str:
    """« 7 décembre 2026 à 13 h 05 » (Paris time) from a Date header; as written if unreadable."""
    from zoneinfo import ZoneInfo

    from dora.core.template_helpers import french_date

    moment = getattr(header, "datetime", None)
    if moment is None:
        return str(header or "")
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo("Europe/Paris"))
    return f"{french_date(moment)} à {moment.hour}\u00a0h\u00a0{moment.minute:02d}"


@bp.get("/dev/mails")
def dev_mails():
    if current_app.config.get("DORA_ENV") != "development":
        abort(404)
    directory = Path(current_app.config.get("MAIL_FALLBACK_DIR") or "")
    files = sorted(directory.glob("*.eml"), reverse=True)[:50] if directory.is_dir() else []
    parser = BytesParser(policy=policy.default)
    mails = []
    for path in files:
        message = parser.parsebytes(path.read_bytes())
        body = message.get_body(preferencelist=("plain",))
        mails.append(
            {
                "name": path.name,
                "to": message["To"],
                "subject": message["Subject"],
                "date": _french_datetime(message["Date"]),
                "body": body.get_content() if body else "",
            }
        )
    return render_template("accounts/dev_mails.html", mails=mails, directory=directory)
