"""Structure forms (Flask-WTF, CSRF included). Messages are in French."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from dora.accounts.forms import REQUIRED, AccountFields, valid_email
from dora.accounts.models import ROLE_LABELS, Role
from dora.core.forms import FrenchMeta, phone_number, web_url
from dora.structures.siret import InvalidSiret, clean_siret


def valid_siret(form, field) -> None:
    # Format and check digit here, so that every error shows at once; uniqueness is checked
    # by the operation.
    try:
        clean_siret(field.data or "")
    except InvalidSiret as error:
        raise ValidationError(str(error)) from None


ROLE_CHOICES = [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]


class StructureForm(FlaskForm):
    class Meta(FrenchMeta):
        pass

    nom = StringField(
        "Nom de la structure",
        [DataRequired(REQUIRED), Length(max=150, message="150 caractères au plus.")],
    )
    siret = StringField(
        "SIRET",
        [DataRequired(REQUIRED), valid_siret],
        description="14 chiffres, sur l’avis de situation INSEE ou l’annuaire des entreprises.",
    )
    # Fields are declared in page order: the error summary lists them in this order.
    description = TextAreaField("Présentation", [Optional(), Length(max=5000)])
    adresse = StringField("Adresse", [DataRequired(REQUIRED), Length(max=300)])
    complement_adresse = StringField("Complément d’adresse", [Optional(), Length(max=300)])
    code_postal = StringField(
        "Code postal",
        [DataRequired(REQUIRED), Regexp(r"^\s*\d{5}\s*$", message="5 chiffres (ex. 93200).")],
    )
    commune = StringField("Commune", [DataRequired(REQUIRED), Length(max=100)])
    code_insee = HiddenField()
    telephone = StringField("Téléphone", [Optional(), Length(max=40), phone_number])
    courriel = EmailField("Courriel de contact", [Optional(), valid_email])
    site_web = URLField("Site web", [Optional(), Length(max=300), web_url])


class StructureEditForm(StructureForm):
    siret = None  # set at creation; a different SIRET is a different structure


class JoinForm(FlaskForm):
    class Meta(FrenchMeta):
        pass

    message = TextAreaField(
        "Message aux administrateurs (facultatif)", [Optional(), Length(max=1000)]
    )


class InviteForm(FlaskForm):
    class Meta(FrenchMeta):
        pass

    email = EmailField("Adresse e-mail", [DataRequired(REQUIRED), valid_email])
    role = SelectField("Rôle", choices=ROLE_CHOICES, default=Role.MEMBRE.value)


class RoleForm(FlaskForm):
    class Meta(FrenchMeta):
        pass

    role = SelectField("Rôle", choices=ROLE_CHOICES)


class InvitationRegisterForm(AccountFields):
    """A new account for the invited address (the address comes from the link)."""


class ModerationForm(FlaskForm):
    class Meta(FrenchMeta):
        pass

    decision = RadioField(
        "Décision",
        choices=[
            SelectChoice("validee", "Valider la structure"),
            SelectChoice("refusee", "Refuser la structure"),
        ],
        validators=[DataRequired("Choisissez « Valider » ou « Refuser ».")],
    )
    motif = TextAreaField(
        "Motif",
        [Optional(), Length(max=2000)],
        description="Obligatoire pour un refus ; envoyé aux administrateurs de la structure.",
    )


class ManagerForm(FlaskForm):
    class Meta(FrenchMeta):
        pass

    email = EmailField("Adresse e-mail du compte", [DataRequired(REQUIRED), valid_email])
    departements = StringField(
        "Départements",
        [DataRequired(REQUIRED)],
        description="Codes INSEE séparés par des virgules (ex. 93, 94, 2A).",
    )
