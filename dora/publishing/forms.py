"""The service editor form: every data·inclusion field, French messages, strict checks.

Vocabularies come from dora.vocabulary (the data·inclusion schema package). The commune is
resolved against the reference territories (geodata.resolve) so that a service always
carries a real INSEE code; the eligibility zone is a list of known territory codes.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import EmailField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from dora import vocabulary
from dora.catalogue.models import FrequenceMaj
from dora.core.forms import FrenchMeta, phone_number, web_url
from dora.extensions import db
from dora.publishing import fields, opening_hours, queries
from geodata import resolve
from geodata.text import normalise_name

FREQUENCE_LABELS = {
    FrequenceMaj.MENSUELLE: "Tous les mois",
    FrequenceMaj.TRIMESTRIELLE: "Tous les trois mois",
    FrequenceMaj.SEMESTRIELLE: "Tous les six mois",
    FrequenceMaj.ANNUELLE: "Tous les ans",
}
MAX_TEXT = 10_000


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        known = {str(choice.value) for choice in self.iter_choices()}
        unknown = [value for value in self.data or [] if value not in known]
        if unknown:
            raise ValidationError(f"Valeur(s) inconnue(s) : {', '.join(unknown)}.")


class _NumberNotReadStops:
    """A value that is not a number gets one message, not also a range error about the
    empty value the failed conversion left (« beaucoup » is not « hors de 0–168 »)."""

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()


class FrenchFloatField(_NumberNotReadStops, FloatField):
    """Accepts the French decimal comma (7,5): a text input, since number inputs drop it."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else french_number(self.data)

    def process_formdata(self, valuelist) -> None:
        if valuelist and valuelist[0].strip():
            try:
                self.data = float(valuelist[0].replace(",", ".").replace(" ", ""))
            except ValueError:
                self.data = None
                raise ValueError("Indiquez un nombre, par exemple 7,5.") from None
        else:
            self.data = None


class FrenchIntegerField(_NumberNotReadStops, IntegerField):
    widget = TextInput()

    def process_formdata(self, valuelist) -> None:
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                self.data = None
                raise ValueError("Indiquez un nombre entier, par exemple 12.") from None
        else:
            self.data = None


def french_number(value: float) -> str:
    """7.5 → "7,5", 7.0 → "7", 48.372216 → "48,372216" (no rounding)."""
    return (str(int(value)) if float(value).is_integer() else repr(float(value))).replace(".", ",")


def _choices(enum) -> list[SelectChoice]:
    return [SelectChoice(c.value, c.label) for c in vocabulary.choices(enum)]


def _optional_choices(enum) -> list[SelectChoice]:
    return [SelectChoice("", "— Non précisé —"), *_choices(enum)]


_url = web_url


_phone = phone_number


def _opening_hours(form, field: Field) -> None:
    try:
        field.data = opening_hours.validate(field.data)
    except opening_hours.OpeningHoursError as error:
        raise ValidationError(str(error)) from None


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


STRIP = [_strip]


class ServiceForm(FlaskForm):
    """Editor values. `values()` gives them in snapshot form for dora.publishing.operations."""

    class Meta(FrenchMeta):
        pass

    version = HiddenField()

    # Présentation
    nom = StringField(
        fields.LABELS["nom"],
        [
            InputRequired("Indiquez le nom du service."),
            Length(max=150, message="Le nom est limité à 150 caractères."),
        ],
        filters=STRIP,
    )
    type = SelectField(
        fields.LABELS["type"], choices=_optional_choices(vocabulary.v1.TypeService), default=""
    )
    description = TextAreaField(
        fields.LABELS["description"],
        [Length(max=MAX_TEXT, message=f"La description est limitée à {MAX_TEXT} caractères.")],
        filters=STRIP,
    )
    thematiques = MultiCheckboxField(
        fields.LABELS["thematiques"], choices=_choices(vocabulary.v1.Thematique)
    )

    # Publics et conditions
    publics = MultiCheckboxField(fields.LABELS["publics"], choices=_choices(vocabulary.v1.Public))
    publics_precisions = TextAreaField(
        fields.LABELS["publics_precisions"], [Length(max=MAX_TEXT)], filters=STRIP
    )
    conditions_acces = TextAreaField(
        fields.LABELS["conditions_acces"], [Length(max=MAX_TEXT)], filters=STRIP
    )
    frais = SelectField(
        fields.LABELS["frais"], choices=_optional_choices(vocabulary.v1.Frais), default=""
    )
    volume_horaire_hebdomadaire = FrenchFloatField(
        fields.LABELS["volume_horaire_hebdomadaire"],
        [
            Optional(),
            NumberRange(0, 168, "Le volume horaire est compris entre 0 et 168 heures par semaine."),
        ],
    )
    nombre_semaines = FrenchIntegerField(
        fields.LABELS["nombre_semaines"],
        [Optional(), NumberRange(1, 520, "La durée est comprise entre 1 et 520 semaines.")],
    )
    frais_precisions = TextAreaField(
        fields.LABELS["frais_precisions"], [Length(max=MAX_TEXT)], filters=STRIP
    )

    # Lieu et accueil
    modes_accueil = MultiCheckboxField(
        fields.LABELS["modes_accueil"], choices=_choices(vocabulary.v1.ModeAccueil)
    )
    adresse = StringField(fields.LABELS["adresse"], [Length(max=300)], filters=STRIP)
    complement_adresse = StringField(
        fields.LABELS["complement_adresse"], [Length(max=300)], filters=STRIP
    )
    code_postal = StringField(
        fields.LABELS["code_postal"],
        [Optional(), Regexp(r"^\d{5}$", message="Le code postal compte 5 chiffres.")],
        filters=[lambda v: v.replace(" ", "") if isinstance(v, str) else v],
    )
    commune = StringField(fields.LABELS["commune"], [Length(max=150)], filters=STRIP)
    code_insee = HiddenField(filters=STRIP)
    latitude = FrenchFloatField(
        fields.LABELS["latitude"],
        [Optional(), NumberRange(-90, 90, "La latitude est comprise entre -90 et 90.")],
    )
    longitude = FrenchFloatField(
        fields.LABELS["longitude"],
        [Optional(), NumberRange(-180, 180, "La longitude est comprise entre -180 et 180.")],
    )
    horaires_accueil = StringField(
        fields.LABELS["horaires_accueil"], [_opening_hours], filters=STRIP
    )

    # Zone d'éligibilité: codes checked in the list, plus one territory typed to add.
    zone_eligibilite = SelectMultipleField(fields.LABELS["zone_eligibilite"], choices=[])
    zone_ajout = StringField("Ajouter un territoire", filters=STRIP)

    # Mobilisation et contact
    modes_mobilisation = MultiCheckboxField(
        fields.LABELS["modes_mobilisation"], choices=_choices(vocabulary.v1.ModeMobilisation)
    )
    mobilisable_par = MultiCheckboxField(
        fields.LABELS["mobilisable_par"], choices=_choices(vocabulary.v1.PersonneMobilisatrice)
    )
    lien_mobilisation = URLField(
        fields.LABELS["lien_mobilisation"], [Length(max=500), _url], filters=STRIP
    )
    mobilisation_precisions = TextAreaField(
        fields.LABELS["mobilisation_precisions"], [Length(max=MAX_TEXT)], filters=STRIP
    )
    contact_nom_prenom = StringField(
        fields.LABELS["contact_nom_prenom"], [Length(max=150)], filters=STRIP
    )
    telephone = StringField(fields.LABELS["telephone"], [Length(max=40), _phone], filters=STRIP)
    courriel = EmailField(
        fields.LABELS["courriel"],
        [Optional(), Email("Adresse e-mail invalide, par exemple accueil@structure.fr.")],
        filters=STRIP,
    )

    # Suivi
    lien_source = URLField(fields.LABELS["lien_source"], [Length(max=500), _url], filters=STRIP)
    frequence_maj = SelectField(
        fields.LABELS["frequence_maj"],
        choices=[SelectChoice(f.value, FREQUENCE_LABELS[f]) for f in FrequenceMaj],
        default=FrequenceMaj.ANNUELLE.value,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.territories: dict[str, queries.Territory] = {}
        self.commune_found: resolve.Commune | None = None
        self._refresh_zone_choices()

    # Zone --------------------------------------------------------------------------------

    def _refresh_zone_choices(self) -> None:
        codes = list(dict.fromkeys(self.zone_eligibilite.data or []))
        self.zone_eligibilite.data = codes
        self.territories = queries.territories_by_code(db.session, codes) if codes else {}
        self.zone_eligibilite.choices = [
            SelectChoice(code, self.territories[code].libelle if code in self.territories else code)
            for code in codes
        ]

    def validate_zone_eligibilite(self, field: Field) -> None:
        self._refresh_zone_choices()
        unknown = [code for code in field.data if code not in self.territories]
        if unknown:
            raise ValidationError(f"Territoire(s) inconnu(s) : {', '.join(unknown)}.")

    def validate_zone_ajout(self, field: Field) -> None:
        if not field.data:
            return
        found = resolve_territory(field.data)
        if isinstance(found, str):
            raise ValidationError(found)
        self.zone_eligibilite.data = [*(self.zone_eligibilite.data or []), *found.zone_codes]
        self._refresh_zone_choices()
        field.data = ""

    # Commune -----------------------------------------------------------------------------

    def validate_commune(self, field: Field) -> None:
        if not (field.data or self.code_postal.data or self.code_insee.data):
            self.code_insee.data = ""
            return
        commune = find_commune(self.code_insee.data, self.code_postal.data, field.data)
        if isinstance(commune, str):
            self.code_insee.data = ""
            raise StopValidation(commune)
        self.commune_found = commune
        self.code_insee.data = commune.code
        field.data = commune.nom
        if not self.code_postal.data and len(commune.codes_postaux) == 1:
            self.code_postal.data = commune.codes_postaux[0]

    def validate_latitude(self, field: Field) -> None:
        if (field.data is None) != (self.longitude.data is None):
            raise ValidationError("Indiquez la latitude et la longitude, ou aucune des deux.")
        commune = self.commune_found
        if field.data is None or commune is None or self.longitude.data is None:
            return
        distance = _distance_km(
            field.data, self.longitude.data, commune.latitude, commune.longitude
        )
        if distance > MAX_DISTANCE_FROM_COMMUNE_KM:
            raise ValidationError(
                f"Ce point est à {distance:.0f} km de {commune.nom} : vérifiez les coordonnées, "
                "ou videz-les pour placer le service au centre de la commune."
            )

    # Values ------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """Submitted values of every editable field, in snapshot form."""
        raw = {name: getattr(self, name).data for name in fields.EDITABLE_FIELDS}
        for name in ("type", "frais"):
            raw[name] = raw[name] or None
        return fields.normalise(raw)

    def submitted_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) for every error, in form order (top-of-page summary)."""
        summary = []
        for field in self:
            for message in field.errors:
                summary.append((field.id, str(field.label.text), message))
        return summary


MAX_DISTANCE_FROM_COMMUNE_KM = 40


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), enough to catch swapped or mistyped coordinates."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))


def find_commune(code_insee: str | None, code_postal: str | None, nom: str | None):
    """The commune meant by the form's fields, or a French message saying what is wrong
    (geodata.resolve.resolve_typed_commune: the INSEE code filled by the autocomplete wins
    while the name typed still names it)."""
    resolved = resolve.resolve_typed_commune(
        db.session, nom, code_postal=code_postal, code_insee=code_insee
    )
    if resolved.commune is not None:
        return resolved.commune
    return resolved.message or f"Commune introuvable : « {nom} »."


def resolve_territory(text: str):
    """The territory typed in « Ajouter un territoire », or a French message listing choices."""
    session = db.session
    by_code = queries.territories_by_code(session, [text.strip(), text.strip().upper()])
    if by_code:
        return next(iter(by_code.values()))
    candidates = queries.search_territories(session, text, limit=8)
    wanted = normalise_name(text)
    exact = [t for t in candidates if normalise_name(t.nom) == wanted]
    largest = [t for t in exact if t.type == exact[0].type] if exact else []
    if len(largest) == 1:
        # « Bretagne » is the région rather than the communes of that name (shown once
        # added, with its type, so a wrong guess is seen before saving).
        return largest[0]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        return f"Aucun territoire ne correspond à « {text} »."
    listed = " ; ".join(f"{t.libelle} : code {t.code}" for t in (exact or candidates)[:6])
    return f"Plusieurs territoires correspondent à « {text} » ({listed}). Tapez le code voulu."


class SuspensionForm(FlaskForm):
    class Meta(FrenchMeta):
        pass

    suspendu_du = DateField(
        "Suspendu à partir du",
        [InputRequired("Indiquez la date de début de la suspension.")],
        default=date.today,
    )
    suspendu_au = DateField("Jusqu’au (inclus)", [Optional()])

    def validate_suspendu_au(self, field: Field) -> None:
        if field.data and self.suspendu_du.data and field.data < self.suspendu_du.data:
            raise ValidationError("La date de fin doit être postérieure à la date de début.")


class ActionForm(FlaskForm):
    """An empty form: the CSRF token of the one-button actions (publish, archive…)."""

    class Meta(FrenchMeta):
        pass
