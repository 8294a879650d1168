"""Writes on accounts. They flush, never commit: the view or command commits once.

E-mails are queued with `emails.send_after_commit`, so they leave only if the commit happens.
"""

from __future__ import annotations

from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email
from flask import url_for
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dora.accounts import emails, security, sessions
from dora.accounts.models import TerritoryManager, User
from dora.core.transactions import Refusal
from dora.territories.models import Departement


class OperationError(Refusal):
    """A refused change, with a French message for the user and the field concerned."""


def now() -> datetime:
    return datetime.now(UTC)


def normalise_email(raw: str) -> str:
    """Syntax-checked, lower-cased address (raises OperationError on the `email` field)."""
    try:
        address = validate_email((raw or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise OperationError(
            "Adresse e-mail invalide : vérifiez son format (ex. prenom.nom@exemple.fr).",
            field="email",
        ) from None
    return address.lower()


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(
    session: Session,
    email: str,
    password: str,
    *,
    nom_complet: str | None = None,
    verified: bool = False,
    is_staff: bool = False,
) -> User:
    email = normalise_email(email)
    problem = security.password_problem(password, email)
    if problem:
        raise OperationError(problem, field="password")
    if get_user_by_email(session, email) is not None:
        raise OperationError("Un compte existe déjà pour cette adresse e-mail.", field="email")
    user = User(
        email=email,
        password_hash=security.hash_password(password),
        nom_complet=(nom_complet or "").strip() or None,
        email_verified_at=now() if verified else None,
        is_staff=is_staff,
    )
    session.add(user)
    session.flush()
    return user


def register(
    session: Session, email: str, password: str, nom_complet: str | None = None
) -> User | None:
    """Create an unverified account and e-mail the verification link.

    When the address already has an account, nothing is created and its owner gets an e-mail
    saying so: the person registering sees the same answer either way (no enumeration).
    Returns the new user, or None when the address was taken.
    """
    email = normalise_email(email)
    problem = security.password_problem(password, email)
    if problem:
        raise OperationError(problem, field="password")
    existing = get_user_by_email(session, email)
    if existing is not None:
        # Same work as the other branch (one hash), so both answers take as long.
        security.hash_password(password)
        emails.send_after_commit(
            emails.build(
                existing.email,
                "Votre compte dora existe déjà",
                "accounts/emails/account_exists.txt",
                login_url=url_for("accounts.login", _external=True),
                reset_url=url_for("accounts.forgot_password", _external=True),
            )
        )
        return None
    user = create_user(session, email, password, nom_complet=nom_complet)
    send_verification(user)
    return user


def send_verification(user: User) -> None:
    token = security.make_token("verify-email", {"u": user.id, "e": user.email})
    emails.send_after_commit(
        emails.build(
            user.email,
            "Confirmez votre adresse e-mail sur dora",
            "accounts/emails/verify_email.txt",
            user=user,
            url=url_for("accounts.verify_email", token=token, _external=True),
            days=security.VERIFY_EMAIL_MAX_AGE // 86400,
        )
    )


def verify_email(session: Session, token: str) -> User:
    """Mark the address of the link verified (idempotent). Raises security.InvalidLink."""
    payload = security.read_token("verify-email", token, security.VERIFY_EMAIL_MAX_AGE)
    user = session.get(User, payload.get("u")) if isinstance(payload.get("u"), int) else None
    if user is None or user.email != payload.get("e"):
        raise security.InvalidLink()
    if user.email_verified_at is None:
        user.email_verified_at = now()
        session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user for these credentials, or None; as slow for unknown addresses as known ones."""
    user = get_user_by_email(session, email or "")
    if not security.verify_password(user.password_hash if user else None, password or ""):
        return None
    assert user is not None
    if security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    user.last_login_at = now()
    session.flush()
    return user


def request_password_reset(session: Session, email: str) -> None:
    """E-mail a reset link if the address has an account; silently nothing otherwise."""
    try:
        email = normalise_email(email)
    except OperationError:
        return
    user = get_user_by_email(session, email)
    if user is None:
        return
    token = security.make_token("reset-password", {"u": user.id, "p": user.password_fingerprint})
    emails.send_after_commit(
        emails.build(
            user.email,
            "Réinitialisation de votre mot de passe dora",
            "accounts/emails/reset_password.txt",
            user=user,
            url=url_for("accounts.reset_password", token=token, _external=True),
            minutes=security.RESET_PASSWORD_MAX_AGE // 60,
        )
    )


def user_for_reset(session: Session, token: str) -> User:
    """The user of a reset link still valid: signed, not expired, not used (raises)."""
    payload = security.read_token("reset-password", token, security.RESET_PASSWORD_MAX_AGE)
    user = session.get(User, payload.get("u")) if isinstance(payload.get("u"), int) else None
    # The link carries the fingerprint of the password it replaces: once used, it is dead.
    if user is None or user.password_fingerprint != payload.get("p"):
        raise security.InvalidLink()
    return user


def reset_password(session: Session, token: str, password: str) -> User:
    user = user_for_reset(session, token)
    set_password(user, password)
    # Whoever knew the old password is logged out everywhere (the reset view opens a new one).
    sessions.revoke_all(session, user)
    # Only the owner of the address could open the link.
    if user.email_verified_at is None:
        user.email_verified_at = now()
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    problem = security.password_problem(password, user.email)
    if problem:
        raise OperationError(problem, field="password")
    user.password_hash = security.hash_password(password)


# Staff and territory managers (command line and staff pages) ------------------------------


def make_staff(session: Session, email: str) -> User:
    user = _existing_user(session, email)
    user.is_staff = True
    if user.email_verified_at is None:
        user.email_verified_at = now()
    session.flush()
    return user


def _existing_user(session: Session, email: str) -> User:
    user = get_user_by_email(session, normalise_email(email))
    if user is None:
        raise OperationError(f"Aucun compte pour l’adresse « {email} ».", field="email")
    return user


def _check_departements(session: Session, codes: list[str]) -> list[str]:
    cleaned = sorted({code.strip().upper() for code in codes if code.strip()})
    if not cleaned:
        raise OperationError("Indiquez au moins un département (ex. 93).", field="departement")
    known = set(session.scalars(select(Departement.code).where(Departement.code.in_(cleaned))))
    unknown = [code for code in cleaned if code not in known]
    if unknown:
        raise OperationError(
            f"Département(s) inconnu(s) : {', '.join(unknown)} (codes INSEE, ex. 93, 2A, 971).",
            field="departement",
        )
    return cleaned


def make_manager(session: Session, email: str, departements: list[str]) -> User:
    """Make the user a territory manager of these départements (added to any they have)."""
    user = _existing_user(session, email)
    codes = _check_departements(session, departements)
    for code in sorted(set(codes) - user.departement_codes):
        user.managed_departements.append(TerritoryManager(departement_code=code))
    if user.email_verified_at is None:
        user.email_verified_at = now()
    session.flush()
    return user


def remove_manager(session: Session, email: str, departements: list[str] | None) -> User:
    """Withdraw these départements (all of them when None)."""
    user = _existing_user(session, email)
    statement = delete(TerritoryManager).where(TerritoryManager.user_id == user.id)
    if departements is not None:
        statement = statement.where(
            TerritoryManager.departement_code.in_(_check_departements(session, departements))
        )
    session.execute(statement)
    session.expire(user, ["managed_departements"])
    session.flush()
    return user
