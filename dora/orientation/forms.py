"""Forms of the orientation journey (Flask-WTF: every form carries a CSRF token). Every field
says in French what is wrong with it.

The referral form is one HTML form in five steps (dora/static/js/orientation-form.js shows one
step at a time; without JavaScript they are all shown): nothing is stored before the last
step is sent and everything is valid.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import EmailField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from dora import vocabulary
from dora.accounts.forms import valid_email
from dora.accounts.models import User
from dora.catalogue.models import Service
from dora.orientation import operations, storage
from dora.orientation.models import (
    CONTACT_LABELS,
    MOTIF_LABELS,
    ContactPreference,
    Destinataire,
    MotifRefus,
)
from dora.publishing.forms import STRIP, FrenchMeta, MultiCheckboxField, find_commune
from geodata import resolve

_PHONE = re.compile(r"^\+?[0-9 .()\-]+$")
# Separators producers use to list conditions in one text field (lines, semicolons, bullets).
_CONDITION_SPLIT = re.compile(r"[\n;•]+")
MAX_CRITERIA = 20


def _phone(form, field: Field) -> None:
    value = (field.data or "").strip()
    if not value:
        return
    digits = re.sub(r"\D", "", value)
    if not _PHONE.match(value) or not 10 <= len(digits) <= 15:
        raise ValidationError(
            "Numéro de téléphone invalide : 10 chiffres, par exemple 06 12 34 56 78."
        )


def _length(maximum: int) -> Length:
    return Length(max=maximum, message=f"{maximum} caractères au plus.")


def service_criteria(service: Service) -> list[str]:
    """The service's conditions as a checklist: its publics (unless everyone), then each item
    of its access conditions (the schema's `conditions_acces`, which also lists documents)."""
    items = [
        f"Fait partie du public : {vocabulary.label(public)}"
        for public in service.publics or []
        if public != vocabulary.TOUS_PUBLICS
    ]
    for part in _CONDITION_SPLIT.split(service.conditions_acces or ""):
        part = part.strip(" .-*")
        if part:
            items.append(part[:300])
    return list(dict.fromkeys(items))[:MAX_CRITERIA]


def _publics_choices() -> list[SelectChoice]:
    return [
        SelectChoice(c.value, c.label)
        for c in vocabulary.choices(vocabulary.v1.Public)
        if c.value != vocabulary.TOUS_PUBLICS
    ]


class SummaryMixin:
    def error_summary(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) for every error, in form order (top-of-page summary)."""
        return [
            (field.id, str(field.label.text), message)
            for field in self  # type: ignore[attr-defined]
            for message in field.errors
        ]


class OrientationForm(SummaryMixin, FlaskForm):
    class Meta(FrenchMeta):
        pass

    jeton_envoi = HiddenField("Formulaire")

    # 1. La personne
    personne_prenom = StringField(
        "Prénom", [DataRequired("Indiquez le prénom de la personne."), _length(80)], filters=STRIP
    )
    personne_nom = StringField(
        "Nom", [DataRequired("Indiquez le nom de la personne."), _length(80)], filters=STRIP
    )
    personne_email = EmailField(
        "Adresse e-mail de la personne (facultatif)", [Optional(), valid_email], filters=STRIP
    )
    personne_telephone = StringField(
        "Téléphone de la personne (facultatif)", [_length(30), _phone], filters=STRIP
    )
    code_postal = StringField("Code postal", [_length(5)], filters=STRIP)
    commune = StringField("Commune de résidence", [_length(150)], filters=STRIP)
    code_insee = HiddenField(filters=STRIP)
    personne_contact = MultiCheckboxField(
        "Comment la contacter",
        choices=[SelectChoice(c.value, CONTACT_LABELS[c]) for c in ContactPreference],
    )
    personne_disponibilites = TextAreaField(
        "Quand la joindre (facultatif)", [_length(500)], filters=STRIP
    )

    # 2. Sa situation
    situation = MultiCheckboxField("Sa situation", choices=_publics_choices())
    situation_autre = TextAreaField("Autre situation, précisions", [_length(1000)], filters=STRIP)

    # 3. Conditions d'accès (choices: the service's, see __init__)
    criteres = MultiCheckboxField("Conditions remplies", choices=[])
    criteres_precisions = TextAreaField(
        "Précisions sur les conditions", [_length(2000)], filters=STRIP
    )

    # 4. Message et pièces jointes
    message = TextAreaField(
        "Motif de l’orientation",
        [
            DataRequired("Expliquez en quelques lignes pourquoi vous orientez la personne."),
            _length(5000),
        ],
        filters=STRIP,
    )
    pieces_jointes = MultipleFileField("Pièces jointes (facultatif)")

    # 5. Vous
    prescripteur_nom = StringField(
        "Vos prénom et nom",
        [DataRequired("Indiquez vos prénom et nom."), _length(120)],
        filters=STRIP,
    )
    prescripteur_structure = SelectField("Vous orientez au nom de", choices=[])
    prescripteur_organisation = StringField(
        "Votre organisation (sans structure sur dora)", [_length(150)], filters=STRIP
    )
    prescripteur_telephone = StringField(
        "Votre téléphone professionnel (facultatif)", [_length(30), _phone], filters=STRIP
    )
    consentement = BooleanField(
        "La personne a donné son accord pour que ces informations soient transmises à la structure",
        [DataRequired("Cochez cette case : l’accord de la personne est nécessaire.")],
    )

    def __init__(self, *args, service: Service, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.criteria_labels = service_criteria(service)
        self.criteres.choices = [
            SelectChoice(str(i), label) for i, label in enumerate(self.criteria_labels)
        ]
        structures = sorted((m.structure for m in user.memberships), key=lambda s: s.nom.lower())
        self.prescripteur_structure.choices = [
            *(SelectChoice(s.id, s.nom) for s in structures),
            SelectChoice("", "Aucune de mes structures sur dora (je précise mon organisation)"),
        ]
        if not self.is_submitted():
            self.jeton_envoi.data = str(uuid.uuid4())
            self.prescripteur_nom.data = user.nom_complet or ""
            self.prescripteur_structure.data = structures[0].id if structures else ""
        self.commune_found: resolve.Commune | None = None
        self.checked_files: list[storage.CheckedFile] = []

    @property
    def submission_key(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.jeton_envoi.data or "")
        except ValueError:
            return None

    def validate_jeton_envoi(self, field: Field) -> None:
        if self.submission_key is None:
            raise ValidationError("Formulaire incomplet : rechargez la page.")

    def validate_commune(self, field: Field) -> None:
        if field.errors:  # too long: not worth a look-up
            raise StopValidation()
        if not (field.data or self.code_postal.data):
            raise StopValidation("Indiquez la commune de résidence de la personne.")
        commune = find_commune(self.code_insee.data, self.code_postal.data, field.data)
        if isinstance(commune, str):
            raise StopValidation(commune)
        self.commune_found = commune
        self.code_insee.data = commune.code
        field.data = commune.nom

    def validate_prescripteur_organisation(self, field: Field) -> None:
        if not self.prescripteur_structure.data and not field.data:
            raise ValidationError("Sans structure sur dora, indiquez votre organisation.")

    def validate_pieces_jointes(self, field: Field) -> None:
        uploads = [f for f in field.data or [] if f and f.filename]
        if len(uploads) > storage.MAX_FILES:
            raise ValidationError(f"{storage.MAX_FILES} pièces jointes au plus.")
        checked, problems = [], []
        for upload in uploads:
            try:
                checked.append(storage.check(upload.stream, upload.filename))
            except storage.AttachmentError as error:
                problems.append(str(error))
        if problems:
            raise ValidationError(" ".join(problems))
        self.checked_files = checked

    def criteria_answers(self) -> list[tuple[str, bool]]:
        met = set(self.criteres.data or [])
        return [(label, str(i) in met) for i, label in enumerate(self.criteria_labels)]

    def new_orientation(self) -> operations.NewOrientation:
        """The validated form, as the operation takes it."""
        assert self.commune_found is not None and self.submission_key is not None
        return operations.NewOrientation(
            submission_key=self.submission_key,
            person=operations.Person(
                prenom=self.personne_prenom.data,
                nom=self.personne_nom.data,
                commune_code=self.commune_found.code,
                commune_nom=self.commune_found.nom,
                email=self.personne_email.data,
                telephone=self.personne_telephone.data,
                contact=self.personne_contact.data or [],
                disponibilites=self.personne_disponibilites.data,
            ),
            prescriber=operations.Prescriber(
                nom=self.prescripteur_nom.data,
                structure_id=self.prescripteur_structure.data or None,
                organisation=self.prescripteur_organisation.data,
                telephone=self.prescripteur_telephone.data,
            ),
            message=self.message.data,
            consent=bool(self.consentement.data),
            situation=self.situation.data or [],
            situation_autre=self.situation_autre.data,
            criteres=self.criteria_answers(),
            criteres_precisions=self.criteres_precisions.data,
            files=self.checked_files,
        )


class EligibilityForm(FlaskForm):
    """The commune typed in step 1, checked while the form is filled (no data stored)."""

    code_postal = StringField(filters=[*STRIP, lambda v: v[:5] if isinstance(v, str) else v])
    commune = StringField(filters=[*STRIP, lambda v: v[:150] if isinstance(v, str) else v])
    code_insee = HiddenField(filters=[*STRIP, lambda v: v[:5] if isinstance(v, str) else v])


class AcceptForm(SummaryMixin, FlaskForm):
    class Meta(FrenchMeta):
        pass

    prochaine_etape = TextAreaField(
        "Prochaine étape pour la personne",
        [DataRequired("Indiquez la prochaine étape pour la personne."), _length(1000)],
        filters=STRIP,
    )
    date_rendez_vous = DateField(
        "Date (si elle est connue)",
        [Optional()],
    )

    def validate_date_rendez_vous(self, field: Field) -> None:
        if field.data is not None and field.data < date.today():
            raise ValidationError("Cette date est passée.")


class RefuseForm(SummaryMixin, FlaskForm):
    class Meta(FrenchMeta):
        pass

    motif = RadioField(
        "Motif du refus",
        [InputRequired("Choisissez un motif de refus.")],
        choices=[SelectChoice(m.value, MOTIF_LABELS[m]) for m in MotifRefus],
    )
    precision = TextAreaField("Précisions", [_length(2000)], filters=STRIP)

    def validate_precision(self, field: Field) -> None:
        if self.motif.data == MotifRefus.AUTRE and not field.data:
            raise ValidationError("Précisez le motif du refus.")


class MessageForm(SummaryMixin, FlaskForm):
    class Meta(FrenchMeta):
        pass

    destinataire = RadioField(
        "Écrire à",
        [InputRequired("Choisissez à qui écrire.")],
        choices=[
            SelectChoice(Destinataire.PRESCRIPTEUR.value, "Au prescripteur"),
            SelectChoice(Destinataire.PERSONNE.value, "À la personne"),
        ],
        default=Destinataire.PRESCRIPTEUR.value,
    )
    texte = TextAreaField(
        "Message", [DataRequired("Écrivez votre message."), _length(5000)], filters=STRIP
    )
