"""Account forms (Flask-WTF: every form carries a CSRF token). Messages are in French."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from dora.accounts import security
from dora.accounts.operations import OperationError, normalise_email
from dora.core.forms import FrenchMeta

REQUIRED = "Ce champ est obligatoire."


def valid_email(form, field) -> None:
    try:
        field.data = normalise_email(field.data or "")
    except OperationError as error:
        raise ValidationError(error.message) from None


def strong_password(form, field) -> None:
    # Registration has the address in the form; a password reset knows it from the link.
    email = form.email.data if "email" in form else getattr(form, "owner_email", "")
    problem = security.password_problem(field.data or "", email or "")
    if problem:
        raise ValidationError(problem)


class EmptyForm(FlaskForm):
    class Meta(FrenchMeta):
        pass

    """A button that changes something: only the CSRF token."""


class AccountFields(FlaskForm):
    class Meta(FrenchMeta):
        pass

    """Name and new password: registration, and registration from an invitation."""

    nom_complet = StringField(
        "Prénom et nom", [Optional(), Length(max=120, message="120 caractères au plus.")]
    )
    password = PasswordField("Mot de passe", [DataRequired(REQUIRED), strong_password])
    password_confirm = PasswordField(
        "Confirmez le mot de passe",
        [
            DataRequired(REQUIRED),
            EqualTo("password", message="Les deux mots de passe ne sont pas identiques."),
        ],
    )

    def __init__(self, *args, owner_email: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owner_email = owner_email


class RegisterForm(AccountFields):
    email = EmailField("Adresse e-mail professionnelle", [DataRequired(REQUIRED), valid_email])


class LoginForm(FlaskForm):
    class Meta(FrenchMeta):
        pass

    email = EmailField("Adresse e-mail", [DataRequired(REQUIRED)])
    password = PasswordField("Mot de passe", [DataRequired(REQUIRED)])
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    class Meta(FrenchMeta):
        pass

    email = EmailField("Adresse e-mail de votre compte", [DataRequired(REQUIRED), valid_email])


class NewPasswordForm(FlaskForm):
    class Meta(FrenchMeta):
        pass

    password = PasswordField("Nouveau mot de passe", [DataRequired(REQUIRED), strong_password])
    password_confirm = PasswordField(
        "Confirmez le mot de passe",
        [
            DataRequired(REQUIRED),
            EqualTo("password", message="Les deux mots de passe ne sont pas identiques."),
        ],
    )

    def __init__(self, *args, owner_email: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owner_email = owner_email
