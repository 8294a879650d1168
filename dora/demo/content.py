"""The wording of the demo data: kinds of structures and the services they offer.

Only prose and weights live here; every vocabulary value is a data·inclusion value (checked by
`check_content()` and the tests), so a change of the schema package shows up at once.
Descriptions may use these placeholders: {commune}, {de_commune} (« de Lyon », « du Havre »,
« d’Arles »), {a_commune} (« à Lyon », « au Havre »), {departement} and, in structure names,
{assoc} (an association name).
They must not contain tabs, line breaks or backslashes: the generator writes them to COPY as is
and joins paragraphs itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from data_inclusion.schema import v1

from dora import vocabulary

# Eligibility levels, in the order of StructureKind.zones.
ZONE_LEVELS = ("commune", "epci", "departement", "region", "france", "aucune")


@dataclass(frozen=True)
class ServiceTemplate:
    key: str
    noms: tuple[str, ...]
    description: str
    thematiques: tuple[str, ...]
    type: str
    # One of these may be added to `thematiques` (a service rarely covers a single need).
    autres_thematiques: tuple[str, ...] = ()
    # Candidate publics; `tous_publics` is the probability of `tous-publics` instead.
    publics: tuple[str, ...] = ()
    tous_publics: float = 0.35
    payant: float = 0.05
    frais_precisions: tuple[str, ...] = ()
    # Shares of services only remote, and both remote and on site; the rest is on site only.
    a_distance: float = 0.05
    hybride: float = 0.1
    modes_mobilisation: tuple[str, ...] = ("telephoner", "se-presenter", "envoyer-un-courriel")
    # Probabilities of being mobilisable by professionals only, by users only (else both).
    professionnels_seuls: float = 0.25
    usagers_seuls: float = 0.2
    conditions_acces: tuple[str, ...] = ()
    # Weekly hours and number of weeks (formations, ateliers): inclusive ranges.
    volume_horaire: tuple[float, float] | None = None
    nombre_semaines: tuple[int, int] | None = None
    # Specific opening hours (a weekly workshop); otherwise the structure's are used.
    horaires: tuple[str, ...] = ()


@dataclass(frozen=True)
class StructureKind:
    key: str
    noms: tuple[str, ...]
    description: str
    services: dict[str, float]
    # Relative frequency in communes of < 2,000, 2,000–20,000 and > 20,000 inhabitants.
    presence: tuple[float, float, float]
    reseaux_porteurs: tuple[str, ...] = ()
    # Weights of ZONE_LEVELS for the services of this kind of structure.
    zones: tuple[float, float, float, float, float, float] = (0.3, 0.25, 0.3, 0.03, 0.07, 0.05)
    # Publics every service of this kind is for (a mission locale is for young people).
    publics_imposes: tuple[str, ...] = ()
    horaires: tuple[str, ...] = ()
    # Start of the e-mail domain: "ccas" → contact@ccas-saint-denis.example.org.
    domaine: str = "asso"


# Opening hours, OSM syntax (https://wiki.openstreetmap.org/wiki/Key:opening_hours).
HORAIRES_BUREAU = (
    "Mo-Fr 09:00-12:00,14:00-17:00; PH off",
    "Mo-Fr 08:30-12:30,13:30-17:00; PH off",
    "Mo-Th 09:00-12:00,13:30-17:30; Fr 09:00-12:00; PH off",
    "Mo,Tu,Th,Fr 09:00-12:00,13:30-17:00; We 09:00-12:00; PH off",
    "Mo-Fr 09:00-17:00; PH off",
    "Mo 13:30-17:30; Tu-Fr 09:00-12:30,13:30-17:30; PH off",
)
HORAIRES_ASSOCIATION = (
    "Tu,Th 14:00-17:00",
    "We 09:00-12:00; Sa 09:00-12:00",
    "Mo,We,Fr 14:00-18:00",
    "Tu-Fr 09:30-12:30,14:00-17:30; Sa 10:00-12:00",
    "Mo-Fr 10:00-12:30,14:00-18:00",
    "Tu,Fr 09:00-12:00; Th 14:00-19:00",
)
HORAIRES_COMMERCE = (
    "Tu-Sa 10:00-18:00",
    "Mo-Fr 08:30-12:00,13:30-18:00; Sa 08:30-12:00",
    "Tu-Fr 09:00-12:00,14:00-18:30; Sa 09:00-16:00",
)
HORAIRES_ATELIER = (
    "Tu 14:00-16:00",
    "Th 09:30-11:30",
    "We 14:00-17:00",
    "Mo,Th 14:00-16:30",
    "Fr 09:00-12:00",
    "Tu,Th 09:00-12:00",
)
HORAIRES_CONTINU = ("24/7",)
HORAIRES_CRECHE = ("Mo-Fr 07:30-18:30; PH off", "Mo-Fr 08:00-19:00; PH off")

ASSOCIATIONS = (
    "Le Relais",
    "Tremplin",
    "La Passerelle",
    "Horizons",
    "L’Escale",
    "Solidarités",
    "Entraide",
    "Le Trait d’union",
    "Ensemble",
    "Coup de pouce",
    "Le Pont",
    "Rebond",
    "Cap Avenir",
    "Élan",
    "Agir ensemble",
    "Espoir",
    "La Clé",
    "L’Étape",
    "Boussole",
    "Main tendue",
    "Les Jardins de Cocagne",
    "Parenthèse",
    "Accueil et partage",
    "Le Lien",
)

VOIES = (
    "rue de la République",
    "avenue Jean Jaurès",
    "place de la Mairie",
    "rue Victor Hugo",
    "boulevard Gambetta",
    "rue du Général de Gaulle",
    "allée des Tilleuls",
    "rue Pasteur",
    "rue de la Gare",
    "avenue de la Libération",
    "rue Jean Moulin",
    "rue des Écoles",
    "place du Marché",
    "rue Émile Zola",
    "rue de la Paix",
    "avenue du Maréchal Foch",
    "rue Paul Bert",
    "rue Carnot",
    "rue des Lilas",
    "chemin du Moulin",
    "rue Louise Michel",
    "rue Lucie Aubrac",
    "rue Jules Ferry",
    "avenue Aristide Briand",
    "rue du 8 Mai 1945",
    "rue de l’Église",
    "rue Simone Veil",
    "impasse des Artisans",
)
COMPLEMENTS = (
    "Bâtiment B",
    "1er étage",
    "Rez-de-chaussée",
    "Maison des associations",
    "Centre administratif",
    "Entrée par la cour",
    "Porte 3",
    "Hôtel de ville, aile nord",
)

PRENOMS = (
    "Camille",
    "Nadia",
    "Julien",
    "Sophie",
    "Karim",
    "Élodie",
    "Thomas",
    "Fatou",
    "Marie",
    "Mehdi",
    "Claire",
    "Nicolas",
    "Aurélie",
    "Samir",
    "Isabelle",
    "Kevin",
    "Laure",
    "Mamadou",
    "Céline",
    "Antoine",
    "Yasmina",
    "Pierre",
    "Hélène",
    "Sébastien",
)
NOMS_DE_FAMILLE = (
    "Martin",
    "Bernard",
    "Dubois",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Leroy",
    "Moreau",
    "Benali",
    "Laurent",
    "Lefèvre",
    "Diallo",
    "Garcia",
    "Fournier",
    "Rousseau",
    "Nguyen",
    "Mercier",
    "Bonnet",
    "Girard",
    "Haddad",
    "Lambert",
    "Fontaine",
    "Chevalier",
)

# Second paragraph of descriptions: how it works in practice.
PRATIQUE = (
    "Sur rendez-vous, par téléphone ou à l’accueil.",
    "Sans rendez-vous aux heures d’ouverture ; prévoir une pièce d’identité.",
    "L’orientation se fait de préférence par un travailleur social ou un conseiller en insertion,"
    " au moyen de la fiche de liaison.",
    "Un premier entretien permet de faire le point sur la situation et de convenir ensemble des"
    " étapes suivantes.",
    "Les personnes à mobilité réduite sont accueillies ; l’accueil peut se faire en langue des"
    " signes sur demande.",
    "Un interprète peut être sollicité pour les personnes qui ne parlent pas le français.",
    "L’accompagnement est confidentiel et adapté au rythme de chacun.",
    "Les places sont limitées : il est conseillé de s’inscrire à l’avance.",
)
MOBILISATION_PRECISIONS = {
    "telephoner": "Appeler l’accueil pour convenir d’un rendez-vous.",
    "se-presenter": "Se présenter à l’accueil aux heures d’ouverture.",
    "envoyer-un-courriel": "Envoyer un courriel en précisant la situation et les disponibilités.",
    "utiliser-lien-mobilisation": "Remplir le formulaire en ligne ; une réponse est donnée sous"
    " 48 heures ouvrées.",
}
CONDITIONS_COMMUNES = (
    "Se munir d’une pièce d’identité et d’un justificatif de domicile.",
    "Habiter sur le territoire de l’intercommunalité.",
    "Être orienté par un travailleur social ou un conseiller en insertion professionnelle.",
    "Être inscrit à France Travail.",
    "Aucune condition particulière.",
)

_PUBLICS_EMPLOI = ("demandeurs-emploi", "beneficiaires-des-minimas-sociaux", "jeunes")
_PUBLICS_PRECAIRES = (
    "beneficiaires-des-minimas-sociaux",
    "personnes-en-situation-durgence",
    "familles",
    "seniors",
)

SERVICE_TEMPLATES: tuple[ServiceTemplate, ...] = (
    # -- choisir-un-metier ---------------------------------------------------------------------
    ServiceTemplate(
        key="decouverte-metiers",
        noms=("Découverte des métiers", "Atelier découverte des métiers", "Forum des métiers"),
        description="Des professionnels présentent leur métier, leurs conditions de travail et"
        " les formations qui y mènent. Visites d’entreprises {a_commune} et échanges avec des"
        " salariés pour se faire une idée concrète d’un secteur qui recrute.",
        thematiques=("choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite",),
        autres_thematiques=("choisir-un-metier--connaitre-les-opportunites-demploi",),
        type="atelier",
        publics=_PUBLICS_EMPLOI,
        horaires=HORAIRES_ATELIER,
        volume_horaire=(2, 6),
        nombre_semaines=(1, 4),
    ),
    ServiceTemplate(
        key="bilan-competences",
        noms=("Bilan de compétences", "Bilan de compétences et projet professionnel"),
        description="Un bilan en plusieurs entretiens pour analyser son parcours, identifier"
        " ses compétences transférables et ses motivations, puis construire un projet"
        " professionnel réaliste assorti d’un plan d’action.",
        thematiques=("choisir-un-metier--identifier-ses-points-forts-et-ses-competences",),
        autres_thematiques=("choisir-un-metier--confirmer-son-choix-de-metier",),
        type="accompagnement",
        publics=("actifs", "demandeurs-emploi"),
        payant=0.4,
        frais_precisions=(
            "Finançable par le compte personnel de formation (CPF).",
            "Pris en charge par France Travail pour les demandeurs d’emploi.",
        ),
        hybride=0.3,
        volume_horaire=(2, 4),
        nombre_semaines=(6, 12),
    ),
    ServiceTemplate(
        key="immersion",
        noms=("Immersion en entreprise (PMSMP)", "Stage d’immersion professionnelle"),
        description="Une période de mise en situation en milieu professionnel de quelques jours"
        " à quelques semaines pour découvrir un métier, confirmer un projet ou initier une"
        " démarche de recrutement. La structure trouve l’entreprise d’accueil et suit le stage.",
        thematiques=("choisir-un-metier--confirmer-son-choix-de-metier",),
        autres_thematiques=("choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite",),
        type="accompagnement",
        publics=_PUBLICS_EMPLOI,
        tous_publics=0.1,
        professionnels_seuls=0.7,
        conditions_acces=("Être accompagné par un conseiller en insertion professionnelle.",),
    ),
    ServiceTemplate(
        key="orientation",
        noms=("Conseil en orientation", "Accompagnement à l’orientation professionnelle"),
        description="Entretiens individuels avec un conseiller pour explorer des pistes de"
        " métiers, comprendre le marché du travail local et choisir une voie de formation"
        " ou d’emploi adaptée à sa situation.",
        thematiques=("choisir-un-metier--connaitre-les-opportunites-demploi",),
        autres_thematiques=("choisir-un-metier--identifier-ses-points-forts-et-ses-competences",),
        type="information",
        publics=("jeunes", "demandeurs-emploi", "actifs"),
        hybride=0.3,
        a_distance=0.1,
    ),
    # -- creer-une-entreprise ------------------------------------------------------------------
    ServiceTemplate(
        key="creation-entreprise",
        noms=("Accompagnement à la création d’entreprise", "Du projet à la création d’entreprise"),
        description="Un conseiller aide à formaliser l’idée, étudier le marché, bâtir le"
        " prévisionnel financier et choisir le statut juridique. Mise en relation avec les"
        " financeurs et les réseaux d’entrepreneurs {de_commune}.",
        thematiques=(
            "creer-une-entreprise--definir-son-projet-de-creation-dentreprise",
            "creer-une-entreprise--structurer-son-projet-de-creation-dentreprise",
        ),
        type="accompagnement",
        publics=("demandeurs-emploi", "beneficiaires-des-minimas-sociaux", "femmes", "actifs"),
        hybride=0.3,
    ),
    ServiceTemplate(
        key="microcredit",
        noms=("Microcrédit professionnel", "Prêt d’honneur pour créer son activité"),
        description="Financement de petits projets de création ou de développement d’activité"
        " pour les personnes qui n’ont pas accès au crédit bancaire, avec un accompagnement"
        " gratuit avant et après le démarrage.",
        thematiques=("creer-une-entreprise--structurer-son-projet-de-creation-dentreprise",),
        autres_thematiques=("creer-une-entreprise--developper-son-entreprise",),
        type="aide-financiere",
        publics=("demandeurs-emploi", "beneficiaires-des-minimas-sociaux"),
        tous_publics=0.2,
        payant=0.8,
        frais_precisions=(
            "Prêt remboursable sur 6 à 48 mois ; le taux dépend du projet.",
            "Prêt d’honneur à taux zéro, sans garantie personnelle.",
        ),
        a_distance=0.3,
        hybride=0.3,
        modes_mobilisation=("utiliser-lien-mobilisation", "telephoner"),
    ),
    ServiceTemplate(
        key="atelier-creation",
        noms=("Atelier « Créer son activité »", "Réunion d’information sur la création"),
        description="Une demi-journée collective pour découvrir les étapes de la création"
        " d’entreprise, les aides existantes et les erreurs à éviter, avant d’engager un"
        " accompagnement individuel.",
        thematiques=("creer-une-entreprise--definir-son-projet-de-creation-dentreprise",),
        type="atelier",
        publics=("demandeurs-emploi", "actifs", "femmes"),
        horaires=HORAIRES_ATELIER,
        volume_horaire=(3, 3),
        nombre_semaines=(1, 1),
        a_distance=0.15,
    ),
    ServiceTemplate(
        key="couveuse",
        noms=("Couveuse d’entreprises", "Tester son activité en couveuse"),
        description="La couveuse permet de tester une activité en grandeur réelle, sans créer"
        " d’entreprise, en facturant sous le numéro SIRET de la structure et avec un suivi"
        " régulier pour développer sa clientèle.",
        thematiques=("creer-une-entreprise--developper-son-entreprise",),
        autres_thematiques=("creer-une-entreprise--structurer-son-projet-de-creation-dentreprise",),
        type="accompagnement",
        publics=("demandeurs-emploi", "beneficiaires-des-minimas-sociaux"),
        payant=0.3,
        frais_precisions=("Contribution de 10 % du chiffre d’affaires réalisé.",),
        nombre_semaines=(12, 52),
    ),
    # -- difficultes-administratives-ou-juridiques --------------------------------------------
    ServiceTemplate(
        key="acces-droits",
        noms=("Permanence d’accès aux droits", "Point d’accès aux droits"),
        description="Information et aide pour faire valoir ses droits sociaux : RSA, prime"
        " d’activité, allocations familiales, complémentaire santé solidaire, retraite."
        " Vérification des dossiers et lien avec les organismes.",
        thematiques=(
            "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",
        ),
        autres_thematiques=(
            "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
        ),
        type="accompagnement",
        publics=_PUBLICS_PRECAIRES,
        tous_publics=0.5,
    ),
    ServiceTemplate(
        key="aide-demarches",
        noms=("Aide aux démarches administratives", "Accompagnement aux démarches en ligne"),
        description="Un agent aide à remplir les formulaires, créer les comptes en ligne"
        " (CAF, impôts, ANTS, Ameli) et suivre les dossiers. Un ordinateur et une"
        " imprimante sont à disposition.",
        thematiques=(
            "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
        ),
        autres_thematiques=("numerique--acceder-a-des-services-en-ligne",),
        type="accompagnement",
        tous_publics=0.7,
        publics=("seniors", "personnes-exilees", "beneficiaires-des-minimas-sociaux"),
        usagers_seuls=0.4,
    ),
    ServiceTemplate(
        key="domiciliation",
        noms=("Domiciliation administrative", "Élection de domicile"),
        description="Une adresse pour recevoir son courrier et faire valoir ses droits quand on"
        " n’a pas de domicile stable. Le courrier est conservé et remis sur présentation d’une"
        " pièce d’identité.",
        thematiques=(
            "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
        ),
        type="aide-materielle",
        publics=("personnes-en-situation-durgence", "personnes-exilees"),
        tous_publics=0.0,
        conditions_acces=("Avoir un lien avec la commune (séjour, travail, démarches).",),
    ),
    ServiceTemplate(
        key="consultation-juridique",
        noms=("Consultation juridique gratuite", "Permanence d’avocat", "Point justice"),
        description="Des juristes et avocats répondent gratuitement et confidentiellement aux"
        " questions de droit du quotidien : travail, logement, famille, consommation,"
        " discriminations, démarches devant le tribunal.",
        thematiques=(
            "difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire",
        ),
        autres_thematiques=(
            "difficultes-administratives-ou-juridiques--connaitre-ses-droits-face-a-une-discrimination",
        ),
        type="information",
        tous_publics=0.8,
        publics=("femmes", "personnes-en-situation-juridique-specifique"),
        modes_mobilisation=("telephoner", "se-presenter"),
    ),
    ServiceTemplate(
        key="ecrivain-public",
        noms=("Écrivain public", "Aide à la rédaction de courriers"),
        description="Aide à la lecture et à la rédaction de courriers administratifs ou"
        " personnels, de réclamations et de recours, en toute confidentialité.",
        thematiques=(
            "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
        ),
        autres_thematiques=("lecture-ecriture-calcul--maitriser-le-francais",),
        type="accompagnement",
        tous_publics=0.8,
        publics=("seniors", "personnes-exilees"),
        horaires=HORAIRES_ATELIER,
    ),
    ServiceTemplate(
        key="accompagnement-exiles",
        noms=("Accompagnement des personnes exilées", "Aide aux démarches de séjour"),
        description="Information sur le droit au séjour et l’asile, aide à la constitution des"
        " dossiers, accompagnement vers l’apprentissage du français et la citoyenneté.",
        thematiques=(
            "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-a-la-citoyennete",
        ),
        autres_thematiques=(
            "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
        ),
        type="accompagnement",
        publics=("personnes-exilees",),
        tous_publics=0.0,
    ),
    ServiceTemplate(
        key="masp",
        noms=("Mesure d’accompagnement social personnalisé (MASP)",),
        description="Un accompagnement contractualisé pour les personnes qui perçoivent des"
        " prestations sociales et dont la santé ou la sécurité est menacée par des difficultés"
        " à gérer leurs ressources.",
        thematiques=(
            "difficultes-administratives-ou-juridiques--beneficier-dune-mesure-daccompagnement-adapte",
        ),
        autres_thematiques=("difficultes-financieres--acquerir-une-autonomie-budgetaire",),
        type="accompagnement",
        publics=("beneficiaires-des-minimas-sociaux",),
        tous_publics=0.0,
        professionnels_seuls=1.0,
        modes_mobilisation=("envoyer-un-courriel",),
    ),
    # -- difficultes-financieres ---------------------------------------------------------------
    ServiceTemplate(
        key="point-conseil-budget",
        noms=("Point conseil budget", "Conseil budgétaire"),
        description="Des conseillers aident à faire le point sur son budget, à prévenir les"
        " impayés et le surendettement, à négocier avec les créanciers et, si besoin, à"
        " constituer un dossier auprès de la Banque de France.",
        thematiques=(
            "difficultes-financieres--ameliorer-sa-gestion-budgetaire",
            "difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere",
        ),
        autres_thematiques=("difficultes-financieres--situation-dendettement-surendettement",),
        type="accompagnement",
        tous_publics=0.8,
        publics=("familles", "seniors"),
        hybride=0.25,
    ),
    ServiceTemplate(
        key="surendettement",
        noms=("Aide au dossier de surendettement",),
        description="Accompagnement pas à pas pour déposer un dossier de surendettement, suivre"
        " la procédure et mettre en place le plan de remboursement.",
        thematiques=("difficultes-financieres--situation-dendettement-surendettement",),
        type="accompagnement",
        tous_publics=0.7,
        publics=("beneficiaires-des-minimas-sociaux", "familles"),
    ),
    ServiceTemplate(
        key="aide-financiere-urgence",
        noms=("Aide financière d’urgence", "Secours exceptionnel"),
        description="Une aide ponctuelle pour faire face à une dépense imprévue ou à une"
        " facture d’énergie, après étude de la situation par un travailleur social"
        " {de_commune}.",
        thematiques=(
            "difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere",
        ),
        type="aide-financiere",
        publics=_PUBLICS_PRECAIRES,
        tous_publics=0.2,
        professionnels_seuls=0.6,
        conditions_acces=("Résider dans la commune ; ressources inférieures au barème.",),
    ),
    ServiceTemplate(
        key="atelier-budget",
        noms=("Atelier « Gérer son budget »", "Atelier budget et consommation"),
        description="Ateliers collectifs pour apprendre à tenir un budget, comprendre ses"
        " factures, réduire ses dépenses d’énergie et éviter les pièges du crédit.",
        thematiques=("difficultes-financieres--acquerir-une-autonomie-budgetaire",),
        type="atelier",
        publics=("familles", "beneficiaires-des-minimas-sociaux", "jeunes"),
        horaires=HORAIRES_ATELIER,
        volume_horaire=(2, 3),
        nombre_semaines=(3, 8),
    ),
    ServiceTemplate(
        key="protection-majeurs",
        noms=("Information et soutien aux tuteurs familiaux",),
        description="Information sur les mesures de protection (sauvegarde de justice,"
        " curatelle, tutelle) et soutien aux proches qui exercent une mesure.",
        thematiques=(
            "difficultes-financieres--mettre-en-place-une-mesure-de-protection-financiere",
        ),
        autres_thematiques=("famille--soutien-aidants",),
        type="information",
        publics=("familles", "seniors", "personnes-en-situation-de-handicap"),
        a_distance=0.2,
    ),
    # -- equipement-et-alimentation ------------------------------------------------------------
    ServiceTemplate(
        key="epicerie-solidaire",
        noms=("Épicerie solidaire", "Épicerie sociale"),
        description="Une épicerie où l’on choisit ses produits (frais, secs, hygiène) pour"
        " 10 à 30 % de leur prix. L’accès est ouvert pour une durée limitée, le temps de"
        " réaliser un projet (payer une dette, passer le permis…).",
        thematiques=("equipement-et-alimentation--alimentation",),
        type="aide-materielle",
        publics=_PUBLICS_PRECAIRES,
        tous_publics=0.1,
        payant=0.9,
        frais_precisions=(
            "Participation de 10 à 30 % du prix des produits.",
            "Adhésion de 2 € par mois et participation aux achats.",
        ),
        professionnels_seuls=0.5,
        conditions_acces=("Reste à vivre inférieur au barème, sur orientation sociale.",),
        a_distance=0.0,
        hybride=0.0,
    ),
    ServiceTemplate(
        key="distribution-alimentaire",
        noms=("Distribution alimentaire", "Colis alimentaires", "Aide alimentaire"),
        description="Distribution de denrées alimentaires et de produits d’hygiène aux"
        " personnes et familles en difficulté, avec un temps d’accueil et d’écoute.",
        thematiques=("equipement-et-alimentation--alimentation",),
        type="aide-materielle",
        publics=_PUBLICS_PRECAIRES,
        tous_publics=0.3,
        a_distance=0.0,
        hybride=0.0,
        modes_mobilisation=("se-presenter",),
        horaires=HORAIRES_ASSOCIATION,
    ),
    ServiceTemplate(
        key="vestiaire-solidaire",
        noms=("Vestiaire solidaire", "Boutique solidaire"),
        description="Vêtements, chaussures et linge de maison de seconde main à petits prix,"
        " ouverts à tous ; gratuité possible sur orientation d’un travailleur social.",
        thematiques=("equipement-et-alimentation--habillement",),
        type="aide-materielle",
        tous_publics=0.8,
        publics=("familles",),
        payant=0.6,
        frais_precisions=("Vêtements de 0,50 € à 5 €.",),
        a_distance=0.0,
        hybride=0.0,
        modes_mobilisation=("se-presenter",),
        horaires=HORAIRES_COMMERCE,
    ),
    ServiceTemplate(
        key="electromenager-solidaire",
        noms=("Électroménager reconditionné", "Équipement du logement à prix solidaire"),
        description="Appareils électroménagers et meubles réemployés, contrôlés et garantis,"
        " vendus à prix solidaire pour équiper un premier logement.",
        thematiques=("equipement-et-alimentation--electromenager",),
        type="aide-materielle",
        tous_publics=0.6,
        publics=("familles", "jeunes"),
        payant=0.9,
        frais_precisions=("Lave-linge à partir de 60 €, réfrigérateur à partir de 50 €.",),
        a_distance=0.0,
        hybride=0.05,
        horaires=HORAIRES_COMMERCE,
    ),
    ServiceTemplate(
        key="aide-menagere",
        noms=("Aide ménagère à domicile", "Aide à domicile"),
        description="Une aide à domicile pour l’entretien du logement, les courses et la"
        " préparation des repas, pour les personnes âgées ou en situation de handicap.",
        thematiques=("equipement-et-alimentation--aide-menagere",),
        autres_thematiques=("famille--prise-en-charge-personne-dependante",),
        type="aide-materielle",
        publics=("seniors", "personnes-en-situation-de-handicap"),
        tous_publics=0.0,
        payant=0.9,
        frais_precisions=(
            "Participation selon les ressources ; prise en charge possible par le Département"
            " (APA, PCH).",
        ),
    ),
    ServiceTemplate(
        key="repas-solidaires",
        noms=("Repas solidaires", "Restaurant social"),
        description="Un repas chaud et équilibré le midi, dans un lieu convivial, pour les"
        " personnes isolées ou en difficulté.",
        thematiques=("equipement-et-alimentation--alimentation",),
        autres_thematiques=("remobilisation--lien-social",),
        type="aide-materielle",
        publics=("personnes-en-situation-durgence", "seniors"),
        tous_publics=0.4,
        payant=0.5,
        frais_precisions=("1 € le repas.", "Repas à 3,50 € ; gratuit sur orientation."),
        a_distance=0.0,
        hybride=0.0,
        modes_mobilisation=("se-presenter",),
    ),
    # -- famille -------------------------------------------------------------------------------
    ServiceTemplate(
        key="creche-avip",
        noms=("Crèche AVIP", "Places en crèche à vocation d’insertion professionnelle"),
        description="Des places en crèche réservées aux parents de jeunes enfants qui cherchent"
        " un emploi ou une formation, pour leur laisser le temps de leurs démarches. Un"
        " accompagnement vers l’emploi est assuré en lien avec France Travail.",
        thematiques=("famille--garde-denfants",),
        autres_thematiques=("trouver-un-emploi--repondre-a-des-offres-demploi",),
        type="aide-materielle",
        publics=("familles", "demandeurs-emploi", "beneficiaires-des-minimas-sociaux"),
        tous_publics=0.0,
        payant=0.95,
        frais_precisions=("Tarif selon le barème national de la CAF.",),
        a_distance=0.0,
        hybride=0.0,
        professionnels_seuls=0.5,
        horaires=HORAIRES_CRECHE,
        conditions_acces=("Enfant de moins de 3 ans ; parent en recherche d’emploi.",),
    ),
    ServiceTemplate(
        key="halte-garderie",
        noms=("Halte-garderie", "Accueil occasionnel des jeunes enfants"),
        description="Accueil ponctuel des enfants de 3 mois à 4 ans quelques heures par"
        " semaine, pour permettre aux parents d’aller à un entretien ou à une formation.",
        thematiques=("famille--garde-denfants",),
        type="aide-materielle",
        publics=("familles",),
        tous_publics=0.0,
        payant=0.8,
        frais_precisions=("Tarif horaire selon les revenus (barème CAF).",),
        a_distance=0.0,
        hybride=0.0,
        horaires=HORAIRES_CRECHE,
    ),
    ServiceTemplate(
        key="parentalite",
        noms=("Lieu d’accueil enfants-parents", "Soutien à la parentalité"),
        description="Un lieu d’écoute et d’échange pour les parents et leurs enfants de moins"
        " de 6 ans, animé par des professionnels de la petite enfance, anonyme et sans"
        " inscription.",
        thematiques=("famille--soutien-a-la-parentalite-et-a-leducation",),
        type="accompagnement",
        publics=("familles",),
        tous_publics=0.0,
        horaires=HORAIRES_ATELIER,
        modes_mobilisation=("se-presenter",),
    ),
    ServiceTemplate(
        key="violences",
        noms=(
            "Accueil des femmes victimes de violences",
            "Écoute et accompagnement des victimes de violences conjugales",
        ),
        description="Écoute, information sur les droits, accompagnement dans les démarches"
        " (plainte, ordonnance de protection, hébergement) et soutien psychologique, en lien"
        " avec les forces de l’ordre et la justice.",
        thematiques=("famille--surmonter-conflits-separation-violence",),
        autres_thematiques=(
            "difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire",
        ),
        type="accompagnement",
        publics=("femmes", "familles"),
        tous_publics=0.0,
        hybride=0.3,
        modes_mobilisation=("telephoner", "se-presenter"),
    ),
    ServiceTemplate(
        key="mediation-familiale",
        noms=("Médiation familiale",),
        description="Des entretiens avec un médiateur diplômé pour renouer le dialogue et"
        " trouver des accords en cas de séparation, de conflit familial ou de rupture des"
        " liens entre générations.",
        thematiques=("famille--surmonter-conflits-separation-violence",),
        autres_thematiques=("famille--soutien-a-la-parentalite-et-a-leducation",),
        type="accompagnement",
        publics=("familles",),
        tous_publics=0.4,
        payant=0.7,
        frais_precisions=("Participation selon le barème national de la CNAF (2 € à 131 €).",),
    ),
    ServiceTemplate(
        key="aidants",
        noms=("Café des aidants", "Soutien aux aidants familiaux"),
        description="Des rencontres mensuelles pour les proches qui accompagnent une personne"
        " âgée, malade ou en situation de handicap : échanges, informations pratiques et"
        " solutions de répit.",
        thematiques=("famille--soutien-aidants",),
        autres_thematiques=("famille--prise-en-charge-personne-dependante",),
        type="atelier",
        publics=("familles", "seniors"),
        tous_publics=0.3,
        horaires=HORAIRES_ATELIER,
        volume_horaire=(2, 2),
        nombre_semaines=(4, 12),
    ),
    # -- lecture-ecriture-calcul ---------------------------------------------------------------
    ServiceTemplate(
        key="asl",
        noms=("Atelier sociolinguistique (ASL)", "Cours de français langue étrangère"),
        description="Apprendre le français à l’oral et à l’écrit à partir de situations de la"
        " vie quotidienne : rendez-vous médical, école des enfants, démarches, recherche"
        " d’emploi. Groupes par niveau.",
        thematiques=("lecture-ecriture-calcul--maitriser-le-francais",),
        type="atelier",
        publics=("personnes-exilees", "femmes"),
        tous_publics=0.3,
        payant=0.3,
        frais_precisions=("Adhésion annuelle de 15 €.",),
        horaires=HORAIRES_ATELIER,
        volume_horaire=(3, 8),
        nombre_semaines=(12, 36),
    ),
    ServiceTemplate(
        key="savoirs-de-base",
        noms=("Remise à niveau en français et en mathématiques", "Savoirs de base"),
        description="Une formation pour consolider la lecture, l’écriture, le calcul et le"
        " raisonnement avant une formation qualifiante ou une reprise d’emploi.",
        thematiques=(
            "lecture-ecriture-calcul--maitriser-le-francais",
            "lecture-ecriture-calcul--maitriser-le-calcul",
        ),
        type="formation",
        publics=_PUBLICS_EMPLOI,
        tous_publics=0.1,
        professionnels_seuls=0.6,
        volume_horaire=(12, 30),
        nombre_semaines=(6, 20),
    ),
    ServiceTemplate(
        key="illettrisme",
        noms=("Ateliers de lutte contre l’illettrisme", "Ateliers lecture et écriture"),
        description="Des ateliers en petits groupes, sans jugement, pour reprendre confiance"
        " et progresser en lecture et en écriture à son rythme.",
        thematiques=("lecture-ecriture-calcul--maitriser-le-francais",),
        type="atelier",
        tous_publics=0.6,
        publics=("demandeurs-emploi", "actifs"),
        horaires=HORAIRES_ATELIER,
        volume_horaire=(2, 6),
        nombre_semaines=(10, 30),
    ),
    ServiceTemplate(
        key="calcul-quotidien",
        noms=("Atelier « Compter au quotidien »",),
        description="Calculer un budget, comprendre une fiche de paie, mesurer, convertir :"
        " les mathématiques utiles au quotidien et au travail.",
        thematiques=("lecture-ecriture-calcul--maitriser-le-calcul",),
        autres_thematiques=("difficultes-financieres--acquerir-une-autonomie-budgetaire",),
        type="atelier",
        publics=("demandeurs-emploi", "personnes-exilees"),
        horaires=HORAIRES_ATELIER,
        volume_horaire=(2, 4),
        nombre_semaines=(6, 12),
    ),
    # -- logement-hebergement ------------------------------------------------------------------
    ServiceTemplate(
        key="hebergement-urgence",
        noms=("Hébergement d’urgence", "Mise à l’abri"),
        description="Un hébergement immédiat et inconditionnel pour les personnes sans abri,"
        " avec un repas, une douche et un accompagnement social vers une solution durable."
        " Orientation par le 115.",
        thematiques=("logement-hebergement--rechercher-une-solution-dhebergement-temporaire",),
        type="aide-materielle",
        publics=("personnes-en-situation-durgence",),
        tous_publics=0.0,
        a_distance=0.0,
        hybride=0.0,
        modes_mobilisation=("telephoner",),
        professionnels_seuls=0.3,
        horaires=HORAIRES_CONTINU,
    ),
    ServiceTemplate(
        key="acces-logement",
        noms=("Accompagnement à l’accès au logement", "Recherche de logement accompagnée"),
        description="Aide à la demande de logement social, au montage des dossiers de garantie"
        " (Visale, FSL) et à l’installation dans le logement.",
        thematiques=(
            "logement-hebergement--louer-un-logement",
            "logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement",
        ),
        type="accompagnement",
        publics=("jeunes", "familles", "beneficiaires-des-minimas-sociaux"),
        tous_publics=0.3,
        professionnels_seuls=0.4,
    ),
    ServiceTemplate(
        key="prevention-expulsions",
        noms=("Prévention des expulsions locatives", "Aide aux impayés de loyer"),
        description="Dès le premier impayé, un accompagnement pour reprendre contact avec le"
        " bailleur, mobiliser les aides (FSL, CAF) et mettre en place un plan d’apurement.",
        thematiques=(
            "logement-hebergement--reduire-les-impayes-de-loyer",
            "logement-hebergement--se-maintenir-dans-le-logement",
        ),
        type="accompagnement",
        tous_publics=0.6,
        publics=("familles", "seniors"),
    ),
    ServiceTemplate(
        key="residence-jeunes",
        noms=("Logement en résidence jeunes actifs", "Foyer de jeunes travailleurs"),
        description="Des logements meublés pour les jeunes de 16 à 30 ans en formation, en"
        " stage ou en emploi, avec un accompagnement socio-éducatif et des espaces collectifs.",
        thematiques=(
            "logement-hebergement--louer-un-logement",
            "logement-hebergement--rechercher-une-solution-dhebergement-temporaire",
        ),
        type="aide-materielle",
        publics=("jeunes",),
        tous_publics=0.0,
        payant=1.0,
        frais_precisions=("Redevance mensuelle de 400 à 550 €, éligible à l’APL.",),
        a_distance=0.0,
        hybride=0.0,
        modes_mobilisation=("utiliser-lien-mobilisation", "telephoner"),
    ),
    ServiceTemplate(
        key="info-logement",
        noms=("Permanence information logement", "Conseil juridique logement"),
        description="Des conseillers juristes répondent aux questions sur le bail, les charges,"
        " la décence du logement, les aides et les recours, pour les locataires comme pour"
        " les propriétaires.",
        thematiques=(
            "logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement",
        ),
        autres_thematiques=("logement-hebergement--se-maintenir-dans-le-logement",),
        type="information",
        tous_publics=0.9,
        publics=("familles",),
        a_distance=0.2,
        hybride=0.3,
    ),
    ServiceTemplate(
        key="accession",
        noms=("Conseil en accession à la propriété",),
        description="Un conseiller étudie la faisabilité du projet d’achat, les prêts aidés"
        " (PTZ, prêt Action Logement) et l’accession sociale.",
        thematiques=("logement-hebergement--acheter-un-logement",),
        type="information",
        publics=("actifs", "familles"),
        a_distance=0.3,
        hybride=0.3,
        modes_mobilisation=("utiliser-lien-mobilisation", "telephoner"),
    ),
    ServiceTemplate(
        key="mutation-logement",
        noms=("Aide au changement de logement", "Échange de logement social"),
        description="Accompagnement des locataires dont le logement n’est plus adapté (taille,"
        " handicap, coût) vers un logement plus adapté, y compris par échange.",
        thematiques=("logement-hebergement--changer-de-logement",),
        type="accompagnement",
        publics=("familles", "seniors", "personnes-en-situation-de-handicap"),
    ),
    # -- mobilite ------------------------------------------------------------------------------
    ServiceTemplate(
        key="garage-solidaire",
        noms=("Garage solidaire", "Garage associatif"),
        description="Entretien et réparation de véhicules à tarif solidaire pour les personnes"
        " qui en ont besoin pour travailler ou se former. Des ateliers permettent aussi"
        " d’apprendre à entretenir soi-même sa voiture.",
        thematiques=("mobilite--entretenir-reparer-son-vehicule",),
        autres_thematiques=("mobilite--acceder-a-un-vehicule",),
        type="aide-materielle",
        publics=_PUBLICS_EMPLOI,
        tous_publics=0.3,
        payant=0.9,
        frais_precisions=(
            "Main-d’œuvre à 15 € de l’heure, pièces à prix coûtant.",
            "Adhésion annuelle de 20 € et tarif solidaire selon les ressources.",
        ),
        a_distance=0.0,
        hybride=0.0,
        horaires=HORAIRES_COMMERCE,
    ),
    ServiceTemplate(
        key="auto-ecole-sociale",
        noms=("Auto-école sociale", "Permis B accompagné"),
        description="Une préparation au code et à la conduite adaptée aux personnes qui"
        " rencontrent des difficultés d’apprentissage, en petits groupes et avec un"
        " accompagnement renforcé jusqu’à l’examen.",
        thematiques=("mobilite--preparer-un-permis",),
        type="formation",
        publics=_PUBLICS_EMPLOI,
        tous_publics=0.0,
        payant=0.8,
        frais_precisions=(
            "Reste à charge de 100 à 300 € selon les aides mobilisées.",
            "Prise en charge possible par France Travail ou le Département.",
        ),
        a_distance=0.0,
        hybride=0.15,
        professionnels_seuls=0.7,
        volume_horaire=(4, 10),
        nombre_semaines=(8, 24),
    ),
    ServiceTemplate(
        key="location-scooters",
        noms=("Location de scooters", "Location solidaire de deux-roues"),
        description="Des scooters et vélos électriques loués à petit prix pour se rendre à un"
        " emploi, un stage ou une formation, le temps de trouver une solution durable."
        " Casque et antivol fournis.",
        thematiques=("mobilite--acceder-a-un-vehicule",),
        autres_thematiques=("mobilite--mobilite-douce-partagee-collective",),
        type="aide-materielle",
        publics=_PUBLICS_EMPLOI,
        tous_publics=0.0,
        payant=1.0,
        frais_precisions=("2 € par jour, caution de 150 €.", "30 € par mois, assurance comprise."),
        a_distance=0.0,
        hybride=0.0,
        professionnels_seuls=0.6,
        conditions_acces=("Avoir un contrat de travail, un stage ou une entrée en formation.",),
    ),
    ServiceTemplate(
        key="location-voitures",
        noms=("Location de voitures à tarif solidaire", "Prêt de véhicule"),
        description="Des voitures mises à disposition pour quelques semaines lors d’une reprise"
        " d’emploi, avec un accompagnement vers l’achat d’un véhicule.",
        thematiques=("mobilite--acceder-a-un-vehicule",),
        type="aide-materielle",
        publics=_PUBLICS_EMPLOI,
        tous_publics=0.0,
        payant=1.0,
        frais_precisions=("5 € par jour, carburant à la charge du locataire.",),
        a_distance=0.0,
        hybride=0.0,
        professionnels_seuls=0.8,
    ),
    ServiceTemplate(
        key="conseil-mobilite",
        noms=("Bilan et conseil en mobilité", "Plateforme mobilité"),
        description="Un conseiller mobilité fait le point sur les freins à la mobilité et"
        " construit un parcours : apprendre à utiliser les transports, préparer le permis,"
        " trouver un véhicule, mobiliser les aides.",
        thematiques=("mobilite--etre-accompagne-dans-son-parcours-mobilite",),
        autres_thematiques=("mobilite--financer-ma-mobilite",),
        type="accompagnement",
        publics=_PUBLICS_EMPLOI,
        tous_publics=0.1,
        professionnels_seuls=0.6,
        hybride=0.2,
    ),
    ServiceTemplate(
        key="aide-mobilite",
        noms=("Aide financière à la mobilité", "Aide au permis de conduire"),
        description="Une aide pour financer le permis, les réparations d’un véhicule, des"
        " titres de transport ou des frais de déplacement liés à une reprise d’emploi.",
        thematiques=("mobilite--financer-ma-mobilite",),
        type="aide-financiere",
        publics=_PUBLICS_EMPLOI,
        tous_publics=0.0,
        a_distance=0.4,
        hybride=0.2,
        professionnels_seuls=0.5,
        modes_mobilisation=("utiliser-lien-mobilisation", "envoyer-un-courriel"),
    ),
    ServiceTemplate(
        key="atelier-velo",
        noms=("Atelier vélo solidaire", "Vélo-école"),
        description="Apprendre à réparer son vélo ou à circuler en ville en sécurité, et"
        " acquérir un vélo d’occasion révisé à petit prix.",
        thematiques=("mobilite--mobilite-douce-partagee-collective",),
        autres_thematiques=("mobilite--entretenir-reparer-son-vehicule",),
        type="atelier",
        tous_publics=0.8,
        publics=("jeunes", "femmes"),
        payant=0.7,
        frais_precisions=("Adhésion annuelle de 10 €.",),
        a_distance=0.0,
        hybride=0.0,
        horaires=HORAIRES_ATELIER,
        volume_horaire=(2, 3),
        nombre_semaines=(1, 10),
    ),
    ServiceTemplate(
        key="transport-solidaire",
        noms=("Transport solidaire", "Transport à la demande solidaire"),
        description="Des chauffeurs bénévoles accompagnent les personnes sans moyen de"
        " locomotion à leurs rendez-vous médicaux, administratifs ou d’embauche.",
        thematiques=("mobilite--mobilite-douce-partagee-collective",),
        type="aide-materielle",
        publics=("seniors", "personnes-en-situation-de-handicap", "demandeurs-emploi"),
        tous_publics=0.3,
        payant=0.8,
        frais_precisions=("0,40 € par kilomètre, adhésion de 5 €.",),
        modes_mobilisation=("telephoner",),
        a_distance=0.0,
        hybride=0.0,
    ),
    # -- numerique -----------------------------------------------------------------------------
    ServiceTemplate(
        key="accompagnement-numerique",
        noms=("Accompagnement au numérique", "Aide numérique individuelle"),
        description="Un conseiller numérique aide à utiliser un smartphone ou un ordinateur,"
        " créer une adresse électronique, sécuriser ses comptes et réaliser ses démarches"
        " en ligne en autonomie.",
        thematiques=(
            "numerique--maitriser-les-fondamentaux-du-numerique",
            "numerique--acceder-a-des-services-en-ligne",
        ),
        type="accompagnement",
        tous_publics=0.7,
        publics=("seniors", "demandeurs-emploi"),
        a_distance=0.1,
        hybride=0.25,
    ),
    ServiceTemplate(
        key="atelier-numerique",
        noms=("Initiation à l’informatique", "Ateliers numériques"),
        description="Un cycle d’ateliers en petit groupe pour prendre en main l’ordinateur,"
        " naviguer sur Internet, envoyer des courriels et utiliser les services publics en"
        " ligne.",
        thematiques=("numerique--maitriser-les-fondamentaux-du-numerique",),
        type="atelier",
        tous_publics=0.6,
        publics=("seniors", "demandeurs-emploi"),
        horaires=HORAIRES_ATELIER,
        volume_horaire=(2, 4),
        nombre_semaines=(4, 10),
        a_distance=0.1,
        hybride=0.1,
    ),
    ServiceTemplate(
        key="ordinateurs-reconditionnes",
        noms=("Ordinateurs reconditionnés à prix solidaire", "Équipement informatique solidaire"),
        description="Des ordinateurs et smartphones reconditionnés, garantis un an, vendus à"
        " prix solidaire avec une prise en main offerte.",
        thematiques=("numerique--acquerir-un-equipement",),
        type="aide-materielle",
        publics=("beneficiaires-des-minimas-sociaux", "demandeurs-emploi", "etudiants"),
        tous_publics=0.2,
        payant=0.9,
        frais_precisions=("Ordinateur portable à partir de 50 €.",),
        a_distance=0.1,
        hybride=0.1,
    ),
    ServiceTemplate(
        key="acces-internet",
        noms=("Accès libre à Internet", "Espace public numérique"),
        description="Des ordinateurs connectés, une imprimante et un scanner en libre accès,"
        " avec un animateur pour aider si besoin.",
        thematiques=("numerique--acceder-a-une-connexion-internet",),
        autres_thematiques=("numerique--acceder-a-des-services-en-ligne",),
        type="aide-materielle",
        tous_publics=0.9,
        publics=("seniors",),
        a_distance=0.0,
        hybride=0.0,
        modes_mobilisation=("se-presenter",),
    ),
    ServiceTemplate(
        key="aidants-connect",
        noms=("Démarches en ligne avec Aidants Connect",),
        description="Un aidant habilité réalise les démarches en ligne à la place de la"
        " personne qui ne peut pas les faire seule, de façon sécurisée et avec son accord.",
        thematiques=("numerique--acceder-a-des-services-en-ligne",),
        type="accompagnement",
        tous_publics=0.6,
        publics=("seniors", "personnes-exilees"),
    ),
    # -- preparer-sa-candidature ---------------------------------------------------------------
    ServiceTemplate(
        key="atelier-cv",
        noms=("Atelier CV", "Atelier CV et lettre de motivation"),
        description="Rédiger ou actualiser son CV et ses lettres de motivation, les adapter à"
        " chaque offre et les déposer sur les sites d’emploi, avec un conseiller.",
        thematiques=("preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation",),
        autres_thematiques=("preparer-sa-candidature--valoriser-ses-competences",),
        type="atelier",
        publics=_PUBLICS_EMPLOI,
        tous_publics=0.3,
        horaires=HORAIRES_ATELIER,
        volume_horaire=(2, 3),
        nombre_semaines=(1, 4),
        a_distance=0.1,
        hybride=0.2,
    ),
    ServiceTemplate(
        key="valoriser-competences",
        noms=("Valoriser ses compétences", "Atelier « Parler de soi »"),
        description="Identifier ses savoir-faire, y compris ceux acquis hors emploi (bénévolat,"
        " vie familiale), et apprendre à les présenter à un employeur.",
        thematiques=("preparer-sa-candidature--valoriser-ses-competences",),
        autres_thematiques=("choisir-un-metier--identifier-ses-points-forts-et-ses-competences",),
        type="atelier",
        publics=_PUBLICS_EMPLOI,
        horaires=HORAIRES_ATELIER,
        volume_horaire=(3, 6),
        nombre_semaines=(2, 6),
    ),
    ServiceTemplate(
        key="parrainage",
        noms=("Parrainage vers l’emploi", "Développer son réseau professionnel"),
        description="Un parrain ou une marraine en activité partage son réseau et ses conseils"
        " pendant six mois pour accélérer l’accès à l’emploi.",
        thematiques=("preparer-sa-candidature--developper-son-reseau",),
        type="accompagnement",
        publics=("jeunes", "demandeurs-emploi", "residents-qpv-frr", "femmes"),
        tous_publics=0.1,
        hybride=0.3,
        a_distance=0.1,
        nombre_semaines=(12, 26),
    ),
    ServiceTemplate(
        key="club-recherche-emploi",
        noms=("Club de recherche d’emploi", "Espace recherche d’emploi"),
        description="Des séances collectives et un suivi individuel pour organiser sa recherche"
        " d’emploi, cibler les entreprises, suivre ses candidatures et rester motivé.",
        thematiques=("preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi",),
        autres_thematiques=(
            "trouver-un-emploi--suivre-ses-candidatures-et-relancer-les-employeurs",
        ),
        type="atelier",
        publics=_PUBLICS_EMPLOI,
        horaires=HORAIRES_ATELIER,
        volume_horaire=(6, 12),
        nombre_semaines=(3, 8),
    ),
    # -- remobilisation ------------------------------------------------------------------------
    ServiceTemplate(
        key="sport-insertion",
        noms=("Sport et insertion", "Remobilisation par le sport"),
        description="Des séances sportives encadrées pour reprendre un rythme, retrouver"
        " confiance et travailler des savoir-être utiles à l’emploi.",
        thematiques=("remobilisation--activites-sportives-et-culturelles",),
        autres_thematiques=("remobilisation--bien-etre-confiance-en-soi",),
        type="atelier",
        publics=("jeunes", "beneficiaires-des-minimas-sociaux", "residents-qpv-frr"),
        tous_publics=0.2,
        horaires=HORAIRES_ATELIER,
        volume_horaire=(2, 6),
        nombre_semaines=(6, 12),
        a_distance=0.0,
        hybride=0.0,
    ),
    ServiceTemplate(
        key="sorties-culturelles",
        noms=("Sorties culturelles", "Accès à la culture et aux loisirs"),
        description="Spectacles, musées, cinéma et sorties en famille à prix réduit ou"
        " gratuits, pour rompre l’isolement et s’ouvrir à de nouveaux horizons.",
        thematiques=("remobilisation--activites-sportives-et-culturelles",),
        autres_thematiques=("remobilisation--lien-social",),
        type="aide-materielle",
        tous_publics=0.6,
        publics=("familles", "seniors"),
        payant=0.3,
        frais_precisions=("Participation de 2 € par sortie.",),
    ),
    ServiceTemplate(
        key="estime-de-soi",
        noms=("Atelier estime de soi", "Atelier socio-esthétique"),
        description="Prendre soin de soi, travailler son image et sa confiance avant une"
        " reprise d’activité, avec une socio-esthéticienne ou une psychologue.",
        thematiques=("remobilisation--bien-etre-confiance-en-soi",),
        type="atelier",
        publics=("femmes", "demandeurs-emploi", "beneficiaires-des-minimas-sociaux"),
        tous_publics=0.1,
        horaires=HORAIRES_ATELIER,
        volume_horaire=(2, 4),
        nombre_semaines=(4, 8),
        professionnels_seuls=0.6,
    ),
    ServiceTemplate(
        key="lien-social",
        noms=("Café solidaire", "Accueil de jour convivial"),
        description="Un lieu ouvert pour boire un café, rencontrer du monde, participer à des"
        " activités et trouver une oreille attentive.",
        thematiques=("remobilisation--lien-social",),
        type="accompagnement",
        tous_publics=0.8,
        publics=("seniors", "personnes-en-situation-durgence"),
        a_distance=0.0,
        hybride=0.0,
        modes_mobilisation=("se-presenter",),
    ),
    ServiceTemplate(
        key="benevolat",
        noms=("Mission de bénévolat", "Service civique"),
        description="S’engager quelques heures par semaine dans une association"
        " {de_commune} : une expérience utile, valorisable sur un CV, pour reprendre"
        " confiance et élargir son réseau.",
        thematiques=("remobilisation--benevolat-action-citoyenne",),
        autres_thematiques=("remobilisation--lien-social",),
        type="accompagnement",
        tous_publics=0.5,
        publics=("jeunes", "seniors"),
        usagers_seuls=0.5,
        volume_horaire=(3, 24),
        nombre_semaines=(8, 40),
    ),
    ServiceTemplate(
        key="jardin-partage",
        noms=("Jardin partagé", "Jardin solidaire"),
        description="Cultiver une parcelle en collectif, apprendre le jardinage écologique et"
        " repartir avec ses légumes, dans une ambiance conviviale.",
        thematiques=("remobilisation--lien-social", "remobilisation--bien-etre-confiance-en-soi"),
        type="atelier",
        tous_publics=0.8,
        publics=("familles", "seniors"),
        payant=0.3,
        frais_precisions=("Adhésion annuelle de 5 €.",),
        a_distance=0.0,
        hybride=0.0,
        horaires=HORAIRES_ATELIER,
    ),
    # -- sante ---------------------------------------------------------------------------------
    ServiceTemplate(
        key="acces-soins",
        noms=("Accompagnement à l’accès aux soins", "Aide à l’ouverture des droits santé"),
        description="Aide pour ouvrir ses droits à l’assurance maladie et à la complémentaire"
        " santé solidaire, trouver un médecin traitant et renouer avec le soin.",
        thematiques=("sante--acces-aux-soins",),
        type="accompagnement",
        publics=_PUBLICS_PRECAIRES,
        tous_publics=0.4,
    ),
    ServiceTemplate(
        key="bilan-sante",
        noms=("Examen de prévention en santé", "Bilan de santé gratuit"),
        description="Un bilan de santé complet et gratuit, pris en charge par l’assurance"
        " maladie, avec des conseils de prévention et une orientation si besoin.",
        thematiques=("sante--acces-aux-soins",),
        type="information",
        tous_publics=0.6,
        publics=("demandeurs-emploi", "beneficiaires-des-minimas-sociaux"),
        modes_mobilisation=("utiliser-lien-mobilisation", "telephoner"),
    ),
    ServiceTemplate(
        key="addictions",
        noms=("Consultation jeunes consommateurs", "Accompagnement en addictologie"),
        description="Consultations gratuites et confidentielles pour faire le point sur sa"
        " consommation (alcool, tabac, cannabis, jeux, écrans) et être accompagné, seul ou"
        " avec son entourage.",
        thematiques=("sante--addictions",),
        type="accompagnement",
        tous_publics=0.6,
        publics=("jeunes", "familles"),
        hybride=0.2,
    ),
    ServiceTemplate(
        key="sante-mentale",
        noms=("Écoute et soutien psychologique", "Consultation psychologique"),
        description="Des entretiens avec un psychologue pour traverser une période difficile"
        " (perte d’emploi, isolement, deuil) ; orientation vers le centre médico-psychologique"
        " si nécessaire.",
        thematiques=("sante--sante-mentale",),
        autres_thematiques=("remobilisation--bien-etre-confiance-en-soi",),
        type="accompagnement",
        tous_publics=0.5,
        publics=("jeunes", "demandeurs-emploi", "personnes-exilees"),
        a_distance=0.1,
        hybride=0.3,
    ),
    ServiceTemplate(
        key="dossier-mdph",
        noms=("Aide au dossier MDPH", "Accompagnement à la reconnaissance du handicap"),
        description="Aide à remplir le dossier MDPH (RQTH, AAH, PCH), à réunir les pièces"
        " médicales et à suivre la demande.",
        thematiques=("sante--constituer-un-dossier-mdph-invalidite",),
        type="accompagnement",
        publics=("personnes-en-situation-de-handicap",),
        tous_publics=0.0,
    ),
    ServiceTemplate(
        key="sante-sexuelle",
        noms=("Centre de santé sexuelle", "Dépistage et information en santé sexuelle"),
        description="Consultations, dépistages, contraception et information, gratuits et"
        " anonymes pour les mineurs et les personnes sans couverture sociale.",
        thematiques=("sante--sante-sexuelle",),
        type="accompagnement",
        tous_publics=0.7,
        publics=("jeunes", "femmes"),
        a_distance=0.0,
        hybride=0.1,
    ),
    # -- se-former -----------------------------------------------------------------------------
    ServiceTemplate(
        key="conseil-formation",
        noms=("Conseil en formation", "Information sur les formations"),
        description="Trouver une formation adaptée à son projet, connaître les financements"
        " possibles (CPF, région, France Travail) et les démarches d’inscription.",
        thematiques=("se-former--trouver-sa-formation",),
        autres_thematiques=("se-former--monter-son-dossier-de-formation",),
        type="information",
        publics=_PUBLICS_EMPLOI,
        hybride=0.3,
        a_distance=0.15,
    ),
    ServiceTemplate(
        key="dossier-formation",
        noms=("Aide au montage du dossier de formation",),
        description="Un conseiller aide à constituer le dossier de financement, à obtenir les"
        " devis et à suivre l’entrée en formation.",
        thematiques=("se-former--monter-son-dossier-de-formation",),
        type="accompagnement",
        publics=_PUBLICS_EMPLOI,
        tous_publics=0.1,
        professionnels_seuls=0.5,
    ),
    ServiceTemplate(
        key="formation-qualifiante",
        noms=(
            "Formation d’agent de propreté et d’hygiène",
            "Formation aux métiers de l’aide à domicile",
            "Formation cariste avec CACES",
            "Formation préparatoire aux métiers du bâtiment",
            "Formation d’employé polyvalent de restauration",
            "Formation de vendeur en magasin",
            "Formation d’agent de sécurité",
            "Formation aux métiers de la logistique",
        ),
        description="Une formation qualifiante avec des périodes en entreprise, pour accéder"
        " rapidement à un métier qui recrute sur le territoire. Rémunération possible pendant"
        " la formation.",
        thematiques=("se-former--trouver-sa-formation",),
        autres_thematiques=("trouver-un-emploi--repondre-a-des-offres-demploi",),
        type="formation",
        publics=_PUBLICS_EMPLOI,
        tous_publics=0.0,
        payant=0.2,
        frais_precisions=("Financée par la Région pour les demandeurs d’emploi.",),
        professionnels_seuls=0.5,
        conditions_acces=("Réunion d’information collective puis entretien de sélection.",),
        volume_horaire=(30, 35),
        nombre_semaines=(8, 30),
        hybride=0.1,
    ),
    # -- souvrir-a-linternational -------------------------------------------------------------
    ServiceTemplate(
        key="emploi-etranger",
        noms=("Travailler à l’étranger : information", "Mobilité internationale"),
        description="Information sur les opportunités d’emploi, de stage et de volontariat"
        " en Europe et dans le monde, et sur les démarches pour partir.",
        thematiques=("souvrir-a-linternational--connaitre-les-opportunites-demploi-a-letranger",),
        autres_thematiques=(
            "souvrir-a-linternational--sinformer-sur-les-aides-pour-travailler-a-letranger",
        ),
        type="information",
        publics=("jeunes", "etudiants", "demandeurs-emploi"),
        tous_publics=0.2,
        a_distance=0.3,
        hybride=0.3,
    ),
    ServiceTemplate(
        key="volontariat-europeen",
        noms=("Volontariat européen", "Corps européen de solidarité"),
        description="Partir de 2 à 12 mois dans un pays européen pour une mission d’intérêt"
        " général ; transport, logement et argent de poche pris en charge.",
        thematiques=(
            "souvrir-a-linternational--sinformer-sur-les-aides-pour-travailler-a-letranger",
        ),
        type="accompagnement",
        publics=("jeunes",),
        tous_publics=0.0,
        a_distance=0.3,
        hybride=0.3,
        modes_mobilisation=("utiliser-lien-mobilisation", "envoyer-un-courriel"),
    ),
    ServiceTemplate(
        key="retour-en-france",
        noms=("Accompagnement au retour en France",),
        description="Aide aux Français revenant de l’étranger pour rouvrir leurs droits"
        " (assurance maladie, France Travail), trouver un logement et faire reconnaître leur"
        " expérience.",
        thematiques=("souvrir-a-linternational--sorganiser-suite-a-son-retour-en-france",),
        type="accompagnement",
        tous_publics=0.6,
        publics=("demandeurs-emploi", "familles"),
        a_distance=0.4,
        hybride=0.3,
    ),
    # -- trouver-un-emploi ---------------------------------------------------------------------
    ServiceTemplate(
        key="simulation-entretien",
        noms=("Simulation d’entretien", "Préparer son entretien d’embauche"),
        description="S’entraîner à l’entretien d’embauche face à un recruteur bénévole, filmé"
        " ou non, puis analyser ensemble les points forts et les axes de progrès.",
        thematiques=("trouver-un-emploi--convaincre-un-recruteur-en-entretien",),
        type="atelier",
        publics=_PUBLICS_EMPLOI,
        tous_publics=0.3,
        horaires=HORAIRES_ATELIER,
        volume_horaire=(2, 3),
        nombre_semaines=(1, 2),
        a_distance=0.1,
        hybride=0.2,
    ),
    ServiceTemplate(
        key="job-dating",
        noms=("Job dating", "Rencontres avec les employeurs"),
        description="Des rencontres rapides avec des entreprises {de_commune} qui recrutent :"
        " venir avec plusieurs CV, les offres sont présentées en début de séance.",
        thematiques=("trouver-un-emploi--repondre-a-des-offres-demploi",),
        type="atelier",
        tous_publics=0.7,
        publics=("jeunes", "demandeurs-emploi"),
        horaires=HORAIRES_ATELIER,
        modes_mobilisation=("se-presenter", "utiliser-lien-mobilisation"),
    ),
    ServiceTemplate(
        key="accompagnement-emploi",
        noms=("Accompagnement renforcé vers l’emploi", "Accompagnement global"),
        description="Un référent unique accompagne la personne dans la durée, lève les freins"
        " périphériques (garde d’enfants, mobilité, santé) et l’aide à décrocher un emploi"
        " durable.",
        thematiques=(
            "trouver-un-emploi--repondre-a-des-offres-demploi",
            "trouver-un-emploi--faire-des-candidatures-spontanees",
        ),
        autres_thematiques=(
            "preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi",
        ),
        type="accompagnement",
        publics=_PUBLICS_EMPLOI,
        tous_publics=0.0,
        professionnels_seuls=0.7,
        hybride=0.2,
        nombre_semaines=(12, 52),
    ),
    ServiceTemplate(
        key="candidatures-spontanees",
        noms=("Atelier candidatures spontanées",),
        description="Repérer les entreprises qui recrutent sans publier d’offres, préparer une"
        " candidature ciblée et savoir relancer.",
        thematiques=("trouver-un-emploi--faire-des-candidatures-spontanees",),
        autres_thematiques=(
            "trouver-un-emploi--suivre-ses-candidatures-et-relancer-les-employeurs",
        ),
        type="atelier",
        publics=_PUBLICS_EMPLOI,
        horaires=HORAIRES_ATELIER,
        volume_horaire=(2, 3),
        nombre_semaines=(1, 3),
    ),
    ServiceTemplate(
        key="maintien-emploi",
        noms=("Maintien dans l’emploi", "Aménagement du poste de travail"),
        description="Quand la santé rend le poste difficile à tenir, un conseiller étudie avec"
        " le salarié et l’employeur les aménagements possibles et les aides mobilisables.",
        thematiques=("trouver-un-emploi--maintien-dans-lemploi",),
        type="accompagnement",
        publics=("personnes-en-situation-de-handicap", "actifs"),
        tous_publics=0.0,
        hybride=0.3,
    ),
    ServiceTemplate(
        key="cddi",
        noms=(
            "Chantier d’insertion : espaces verts",
            "Chantier d’insertion : bâtiment second œuvre",
            "Chantier d’insertion : maraîchage biologique",
            "Chantier d’insertion : recyclerie",
            "Chantier d’insertion : restauration collective",
        ),
        description="Un contrat à durée déterminée d’insertion de 26 heures par semaine, avec"
        " un encadrant technique pour apprendre un métier et un accompagnement"
        " socioprofessionnel pour préparer la suite du parcours.",
        thematiques=("trouver-un-emploi--repondre-a-des-offres-demploi",),
        autres_thematiques=("se-former--trouver-sa-formation",),
        type="accompagnement",
        publics=("beneficiaires-des-minimas-sociaux", "demandeurs-emploi"),
        tous_publics=0.0,
        a_distance=0.0,
        hybride=0.0,
        professionnels_seuls=0.8,
        volume_horaire=(20, 26),
        nombre_semaines=(16, 52),
        conditions_acces=("Éligibilité à l’insertion par l’activité économique.",),
    ),
    ServiceTemplate(
        key="missions-interim",
        noms=("Missions de travail temporaire d’insertion", "Mises à disposition"),
        description="Des missions rémunérées chez des particuliers, des collectivités ou des"
        " entreprises, pour reprendre pied dans l’emploi à son rythme avec un suivi.",
        thematiques=("trouver-un-emploi--repondre-a-des-offres-demploi",),
        type="accompagnement",
        publics=("beneficiaires-des-minimas-sociaux", "demandeurs-emploi"),
        tous_publics=0.0,
        a_distance=0.0,
        hybride=0.0,
        volume_horaire=(10, 35),
        nombre_semaines=(4, 52),
    ),
    ServiceTemplate(
        key="tenue-entretien",
        noms=("Une tenue pour l’entretien d’embauche", "Coaching image"),
        description="Une tenue professionnelle offerte, choisie avec un bénévole, et des"
        " conseils d’image et de posture juste avant un entretien.",
        thematiques=("trouver-un-emploi--convaincre-un-recruteur-en-entretien",),
        autres_thematiques=("equipement-et-alimentation--habillement",),
        type="aide-materielle",
        publics=_PUBLICS_EMPLOI,
        tous_publics=0.0,
        professionnels_seuls=0.9,
        a_distance=0.0,
        hybride=0.0,
    ),
    ServiceTemplate(
        key="suivi-candidatures",
        noms=("Suivi des candidatures et relances",),
        description="Un point régulier pour suivre ses candidatures, relancer les employeurs"
        " et ajuster sa stratégie de recherche.",
        thematiques=("trouver-un-emploi--suivre-ses-candidatures-et-relancer-les-employeurs",),
        type="accompagnement",
        publics=_PUBLICS_EMPLOI,
        a_distance=0.2,
        hybride=0.3,
    ),
)

_ACTION_SOCIALE = {
    "acces-droits": 3,
    "aide-demarches": 3,
    "domiciliation": 2,
    "aide-financiere-urgence": 3,
    "point-conseil-budget": 1,
    "masp": 0.5,
    "distribution-alimentaire": 1,
    "repas-solidaires": 1,
    "acces-logement": 1.5,
    "prevention-expulsions": 1.5,
    "aide-menagere": 1,
    "aidants": 1,
    "acces-soins": 1,
    "transport-solidaire": 0.5,
    "accompagnement-numerique": 1,
}

STRUCTURE_KINDS: tuple[StructureKind, ...] = (
    StructureKind(
        key="ccas",
        noms=("CCAS {de_commune}", "Centre communal d’action sociale {de_commune}"),
        description="Le centre communal d’action sociale {de_commune} accueille les habitants"
        " pour l’accès aux droits, les aides facultatives et l’accompagnement social.",
        services=_ACTION_SOCIALE,
        presence=(8, 6, 5),
        reseaux_porteurs=("ccas-cias", "communes"),
        zones=(0.85, 0.05, 0.02, 0.0, 0.0, 0.05),
        horaires=HORAIRES_BUREAU,
        domaine="ccas",
    ),
    StructureKind(
        key="cias",
        noms=("CIAS du territoire {de_commune}", "Centre intercommunal d’action sociale"),
        description="Le centre intercommunal d’action sociale assure l’accueil social de"
        " proximité dans toutes les communes de l’intercommunalité.",
        services=_ACTION_SOCIALE,
        presence=(2, 2, 0.5),
        reseaux_porteurs=("ccas-cias",),
        zones=(0.05, 0.85, 0.02, 0.0, 0.04, 0.05),
        horaires=HORAIRES_BUREAU,
        domaine="cias",
    ),
    StructureKind(
        key="mission-locale",
        noms=("Mission locale {de_commune}", "Mission locale du bassin {de_commune}"),
        description="La mission locale accompagne les jeunes de 16 à 25 ans sortis du système"
        " scolaire dans leur insertion professionnelle et sociale : emploi, formation,"
        " logement, santé, mobilité.",
        services={
            "orientation": 3,
            "accompagnement-emploi": 3,
            "atelier-cv": 2,
            "simulation-entretien": 2,
            "immersion": 2,
            "conseil-formation": 2,
            "acces-logement": 1,
            "conseil-mobilite": 1,
            "aide-mobilite": 1,
            "sante-mentale": 0.5,
            "acces-soins": 0.5,
            "parrainage": 1,
            "emploi-etranger": 0.5,
            "sport-insertion": 0.5,
        },
        presence=(0, 0.6, 3),
        reseaux_porteurs=("mission-locale",),
        zones=(0.05, 0.7, 0.2, 0.0, 0.04, 0.05),
        publics_imposes=("jeunes",),
        horaires=HORAIRES_BUREAU,
        domaine="mission-locale",
    ),
    StructureKind(
        key="france-travail",
        noms=("France Travail {commune}", "Agence France Travail {de_commune}"),
        description="L’agence France Travail {de_commune} accompagne les demandeurs d’emploi"
        " et les entreprises du bassin d’emploi.",
        services={
            "accompagnement-emploi": 2,
            "atelier-cv": 2,
            "simulation-entretien": 2,
            "job-dating": 2,
            "conseil-formation": 2,
            "dossier-formation": 1,
            "immersion": 1,
            "aide-mobilite": 1,
            "atelier-creation": 1,
            "club-recherche-emploi": 1,
            "emploi-etranger": 0.5,
            "bilan-sante": 0.5,
        },
        presence=(0, 0.5, 3),
        reseaux_porteurs=("france-travail",),
        zones=(0.02, 0.4, 0.45, 0.0, 0.1, 0.03),
        horaires=("Mo-Th 08:30-12:30,13:30-16:30; Fr 08:30-12:30; PH off",),
        domaine="agence-france-travail",
    ),
    StructureKind(
        key="secours-populaire",
        noms=("Secours populaire français – comité {de_commune}",),
        description="Le comité local du Secours populaire apporte une aide alimentaire,"
        " vestimentaire et un accès aux vacances, à la culture et aux droits.",
        services={
            "distribution-alimentaire": 3,
            "vestiaire-solidaire": 2,
            "sorties-culturelles": 1,
            "acces-droits": 1,
            "accompagnement-numerique": 0.5,
            "lien-social": 0.5,
        },
        presence=(0.5, 1.5, 2),
        reseaux_porteurs=("secours-populaire",),
        zones=(0.5, 0.2, 0.1, 0.0, 0.04, 0.05),
        horaires=HORAIRES_ASSOCIATION,
        domaine="secours-populaire",
    ),
    StructureKind(
        key="restos-du-coeur",
        noms=("Les Restos du Cœur – centre {de_commune}",),
        description="Le centre des Restos du Cœur distribue des repas et des colis et propose"
        " une aide à la personne : accès aux droits, ateliers, micro-crédit, logement.",
        services={
            "distribution-alimentaire": 4,
            "repas-solidaires": 1,
            "point-conseil-budget": 0.5,
            "atelier-numerique": 0.5,
            "asl": 0.5,
            "microcredit": 0.2,
        },
        presence=(0.3, 1.5, 2),
        reseaux_porteurs=("restos-du-coeur",),
        zones=(0.5, 0.25, 0.05, 0.0, 0.04, 0.05),
        horaires=HORAIRES_ASSOCIATION,
        domaine="restosducoeur",
    ),
    StructureKind(
        key="croix-rouge",
        noms=("Croix-Rouge française – unité locale {de_commune}",),
        description="L’unité locale de la Croix-Rouge agit contre la précarité : aide"
        " alimentaire, vestiboutique, maraudes, accueil de jour et accès aux droits.",
        services={
            "distribution-alimentaire": 2,
            "vestiaire-solidaire": 2,
            "lien-social": 1,
            "hebergement-urgence": 0.5,
            "acces-soins": 1,
            "atelier-numerique": 0.5,
        },
        presence=(0.3, 1, 1.5),
        reseaux_porteurs=("croix-rouge",),
        zones=(0.4, 0.3, 0.1, 0.0, 0.04, 0.05),
        horaires=HORAIRES_ASSOCIATION,
        domaine="croix-rouge",
    ),
    StructureKind(
        key="emmaus",
        noms=("Communauté Emmaüs {de_commune}", "Emmaüs {commune}"),
        description="La communauté Emmaüs accueille des compagnes et compagnons et revend à"
        " petits prix les objets donnés, remis en état.",
        services={
            "electromenager-solidaire": 2,
            "vestiaire-solidaire": 2,
            "cddi": 1,
            "hebergement-urgence": 0.5,
        },
        presence=(0.3, 0.5, 0.5),
        reseaux_porteurs=("emmaus",),
        zones=(0.2, 0.3, 0.3, 0.0, 0.04, 0.05),
        horaires=HORAIRES_COMMERCE,
        domaine="emmaus",
    ),
    StructureKind(
        key="chantier-insertion",
        noms=("Chantier d’insertion {assoc}", "Atelier et chantier d’insertion {assoc}"),
        description="Atelier et chantier d’insertion conventionné par l’État : des salariés en"
        " parcours d’insertion y travaillent et sont accompagnés vers l’emploi durable.",
        services={"cddi": 5, "savoirs-de-base": 1, "atelier-cv": 1, "conseil-mobilite": 0.5},
        presence=(1, 1.5, 1.5),
        reseaux_porteurs=("aci", "chantier-ecole"),
        zones=(0.1, 0.5, 0.3, 0.0, 0.04, 0.05),
        horaires=HORAIRES_BUREAU,
        domaine="aci",
    ),
    StructureKind(
        key="entreprise-insertion",
        noms=("{assoc} – entreprise d’insertion", "Entreprise d’insertion {assoc}"),
        description="Entreprise d’insertion qui produit des biens et des services tout en"
        " proposant des contrats de travail et un accompagnement à des personnes éloignées"
        " de l’emploi.",
        services={"cddi": 3, "accompagnement-emploi": 1, "formation-qualifiante": 1},
        presence=(0.3, 1, 1.5),
        reseaux_porteurs=("ei",),
        zones=(0.05, 0.5, 0.35, 0.0, 0.04, 0.05),
        horaires=HORAIRES_BUREAU,
        domaine="ei",
    ),
    StructureKind(
        key="association-intermediaire",
        noms=("Association intermédiaire {assoc}",),
        description="Association intermédiaire qui met à disposition des salariés en insertion"
        " auprès de particuliers, d’associations, de collectivités et d’entreprises.",
        services={"missions-interim": 4, "accompagnement-emploi": 1, "aide-mobilite": 0.5},
        presence=(1, 1.5, 1),
        reseaux_porteurs=("ai", "coorace"),
        zones=(0.1, 0.6, 0.2, 0.0, 0.04, 0.05),
        horaires=HORAIRES_BUREAU,
        domaine="ai",
    ),
    StructureKind(
        key="etti",
        noms=("{assoc} Intérim d’insertion",),
        description="Entreprise de travail temporaire d’insertion : des missions en entreprise"
        " avec un accompagnement socioprofessionnel.",
        services={"missions-interim": 4, "formation-qualifiante": 1, "atelier-cv": 0.5},
        presence=(0, 0.5, 1),
        reseaux_porteurs=("etti",),
        zones=(0.05, 0.4, 0.5, 0.0, 0.04, 0.05),
        horaires=HORAIRES_BUREAU,
        domaine="etti",
    ),
    StructureKind(
        key="garage-solidaire",
        noms=("Garage solidaire {de_commune}", "{assoc} – garage solidaire"),
        description="Association qui lève les freins à la mobilité : réparation à tarif"
        " solidaire, location de véhicules et conseil en mobilité.",
        services={
            "garage-solidaire": 4,
            "location-voitures": 2,
            "location-scooters": 1,
            "conseil-mobilite": 1,
            "cddi": 0.5,
        },
        presence=(0.3, 1, 1),
        reseaux_porteurs=("mobin",),
        zones=(0.1, 0.5, 0.3, 0.0, 0.04, 0.05),
        horaires=HORAIRES_COMMERCE,
        domaine="garage-solidaire",
    ),
    StructureKind(
        key="plateforme-mobilite",
        noms=("Plateforme mobilité {de_commune}", "Wimoov {commune}"),
        description="Plateforme de mobilité qui accompagne les personnes en insertion vers une"
        " mobilité autonome : bilan, apprentissage, solutions de transport.",
        services={
            "conseil-mobilite": 3,
            "location-scooters": 2,
            "atelier-velo": 1,
            "aide-mobilite": 1,
            "auto-ecole-sociale": 1,
            "transport-solidaire": 1,
        },
        presence=(0, 0.5, 1.5),
        reseaux_porteurs=("wimoov", "mobin"),
        zones=(0.02, 0.5, 0.4, 0.0, 0.04, 0.05),
        horaires=HORAIRES_BUREAU,
        domaine="mobilite",
    ),
    StructureKind(
        key="auto-ecole-sociale",
        noms=("Auto-école sociale {de_commune}", "Auto-école associative {assoc}"),
        description="Auto-école associative qui prépare au permis les personnes en insertion,"
        " avec une pédagogie adaptée et des tarifs solidaires.",
        services={"auto-ecole-sociale": 4, "conseil-mobilite": 1, "aide-mobilite": 0.5},
        presence=(0.1, 0.6, 1),
        zones=(0.1, 0.5, 0.35, 0.0, 0.04, 0.05),
        horaires=HORAIRES_COMMERCE,
        domaine="auto-ecole-sociale",
    ),
    StructureKind(
        key="point-conseil-budget",
        noms=("Point conseil budget {de_commune}", "Crésus {commune}", "UDAF – point conseil"),
        description="Point conseil budget labellisé : conseils gratuits et confidentiels pour"
        " toute personne qui rencontre des difficultés financières.",
        services={
            "point-conseil-budget": 4,
            "surendettement": 2,
            "atelier-budget": 2,
            "protection-majeurs": 1,
        },
        presence=(0.1, 0.5, 1),
        reseaux_porteurs=("points-conseil-budget", "cresus", "unaf"),
        zones=(0.1, 0.3, 0.45, 0.0, 0.05, 0.05),
        horaires=HORAIRES_BUREAU,
        domaine="pcb",
    ),
    StructureKind(
        key="centre-social",
        noms=("Centre social {assoc}", "Centre social et culturel {de_commune}"),
        description="Un lieu de proximité ouvert à tous les habitants : activités pour les"
        " familles, ateliers, accompagnement des projets et des démarches.",
        services={
            "parentalite": 2,
            "asl": 2,
            "accompagnement-numerique": 2,
            "atelier-numerique": 1,
            "aide-demarches": 1,
            "sorties-culturelles": 1,
            "lien-social": 1,
            "jardin-partage": 1,
            "halte-garderie": 0.5,
            "ecrivain-public": 1,
            "aidants": 0.5,
            "benevolat": 0.5,
        },
        presence=(0.5, 2, 4),
        reseaux_porteurs=("fcsf",),
        zones=(0.7, 0.1, 0.0, 0.0, 0.0, 0.05),
        horaires=HORAIRES_ASSOCIATION,
        domaine="centre-social",
    ),
    StructureKind(
        key="france-services",
        noms=("France services {commune}", "Espace France services {de_commune}"),
        description="Un guichet unique pour les démarches administratives du quotidien :"
        " impôts, CAF, assurance maladie, retraite, France Travail, papiers d’identité.",
        services={
            "aide-demarches": 4,
            "acces-droits": 2,
            "accompagnement-numerique": 2,
            "acces-internet": 1,
            "aidants-connect": 1,
            "consultation-juridique": 0.5,
        },
        presence=(3, 2, 1),
        reseaux_porteurs=("france-service",),
        zones=(0.3, 0.55, 0.05, 0.0, 0.04, 0.05),
        horaires=HORAIRES_BUREAU,
        domaine="france-services",
    ),
    StructureKind(
        key="numerique",
        noms=("Espace numérique {de_commune}", "{assoc} – médiation numérique"),
        description="Lieu de médiation numérique : conseillers numériques, ateliers et accès"
        " libre au matériel pour devenir autonome en ligne.",
        services={
            "accompagnement-numerique": 3,
            "atelier-numerique": 3,
            "acces-internet": 2,
            "ordinateurs-reconditionnes": 1,
            "aidants-connect": 1,
        },
        presence=(1, 1.5, 2),
        reseaux_porteurs=("conseillers-numeriques", "espaces-publics-numeriques"),
        zones=(0.5, 0.3, 0.05, 0.0, 0.04, 0.05),
        horaires=HORAIRES_ASSOCIATION,
        domaine="numerique",
    ),
    StructureKind(
        key="cidff",
        noms=("CIDFF {de_commune}", "Centre d’information sur les droits des femmes"),
        description="Le centre d’information sur les droits des femmes et des familles informe"
        " et accompagne sur l’accès au droit, la lutte contre les violences et l’emploi.",
        services={
            "violences": 3,
            "consultation-juridique": 2,
            "mediation-familiale": 1,
            "accompagnement-emploi": 1,
            "creation-entreprise": 0.5,
        },
        presence=(0, 0.3, 0.8),
        reseaux_porteurs=("cidff",),
        zones=(0.02, 0.2, 0.7, 0.0, 0.04, 0.05),
        publics_imposes=("femmes",),
        horaires=HORAIRES_BUREAU,
        domaine="cidff",
    ),
    StructureKind(
        key="point-justice",
        noms=("Point justice {de_commune}", "Maison de justice et du droit {de_commune}"),
        description="Le point justice offre un accès gratuit à l’information juridique et à"
        " des consultations avec des professionnels du droit.",
        services={"consultation-juridique": 4, "acces-droits": 1, "violences": 1},
        presence=(0.2, 0.5, 0.8),
        reseaux_porteurs=("points-justice",),
        zones=(0.05, 0.3, 0.6, 0.0, 0.04, 0.05),
        horaires=HORAIRES_BUREAU,
        domaine="point-justice",
    ),
    StructureKind(
        key="creche-avip",
        noms=("Crèche {assoc}", "Multi-accueil {de_commune}"),
        description="Établissement d’accueil du jeune enfant labellisé à vocation d’insertion"
        " professionnelle (AVIP).",
        services={"creche-avip": 4, "halte-garderie": 1, "parentalite": 1},
        presence=(0.2, 0.8, 1.5),
        reseaux_porteurs=("creches-avip",),
        zones=(0.8, 0.1, 0.0, 0.0, 0.0, 0.05),
        horaires=HORAIRES_CRECHE,
        domaine="creche",
    ),
    StructureKind(
        key="chrs",
        noms=("CHRS {assoc}", "Centre d’hébergement {assoc}"),
        description="Centre d’hébergement et de réinsertion sociale : hébergement, accueil de"
        " jour et accompagnement vers le logement et l’emploi.",
        services={
            "hebergement-urgence": 3,
            "acces-logement": 2,
            "domiciliation": 1,
            "acces-soins": 1,
            "lien-social": 1,
        },
        presence=(0.1, 0.6, 1.2),
        reseaux_porteurs=("chrs", "federation-des-acteurs-de-la-solidarite"),
        zones=(0.05, 0.2, 0.65, 0.0, 0.04, 0.05),
        horaires=HORAIRES_CONTINU,
        domaine="chrs",
    ),
    StructureKind(
        key="siao",
        noms=("SIAO {departement}",),
        description="Le service intégré d’accueil et d’orientation coordonne l’hébergement"
        " d’urgence et l’accès au logement dans le département.",
        services={"hebergement-urgence": 3, "acces-logement": 2, "info-logement": 1},
        presence=(0, 0.05, 0.15),
        reseaux_porteurs=("siao",),
        zones=(0.0, 0.0, 0.95, 0.0, 0.04, 0.05),
        horaires=HORAIRES_CONTINU,
        domaine="siao",
    ),
    StructureKind(
        key="sante",
        noms=("CMP {de_commune}", "CSAPA {assoc}", "Centre de santé {de_commune}"),
        description="Structure de soins et de prévention qui accueille sans condition de"
        " ressources.",
        services={
            "sante-mentale": 3,
            "addictions": 2,
            "acces-soins": 2,
            "sante-sexuelle": 1,
            "dossier-mdph": 0.5,
        },
        presence=(0.1, 0.8, 1.5),
        reseaux_porteurs=("cmp", "csapa", "cms"),
        zones=(0.2, 0.3, 0.35, 0.0, 0.04, 0.05),
        horaires=HORAIRES_BUREAU,
        domaine="sante",
    ),
    StructureKind(
        key="creation-entreprise",
        noms=("BGE {commune}", "Initiative {commune}", "Adie {commune}"),
        description="Réseau d’aide à la création d’entreprise : accueil, formation,"
        " financement et suivi des créateurs.",
        services={
            "creation-entreprise": 3,
            "atelier-creation": 2,
            "microcredit": 2,
            "couveuse": 1,
        },
        presence=(0, 0.3, 1),
        reseaux_porteurs=("reseau-bge", "initiative-france", "adie"),
        zones=(0.0, 0.3, 0.55, 0.05, 0.05, 0.05),
        horaires=HORAIRES_BUREAU,
        domaine="creation",
    ),
    StructureKind(
        key="epicerie-solidaire",
        noms=("Épicerie solidaire {assoc}", "Épicerie sociale {de_commune}"),
        description="Épicerie associative qui permet aux foyers aux revenus modestes de faire"
        " leurs courses à petit prix et de participer à des ateliers.",
        services={
            "epicerie-solidaire": 4,
            "atelier-budget": 1,
            "repas-solidaires": 0.5,
            "lien-social": 0.5,
        },
        presence=(0.5, 1.5, 2),
        reseaux_porteurs=("banques-alimentaires",),
        zones=(0.7, 0.2, 0.0, 0.0, 0.0, 0.05),
        horaires=HORAIRES_ASSOCIATION,
        domaine="epicerie",
    ),
    StructureKind(
        key="ressourcerie",
        noms=("Ressourcerie {assoc}", "Recyclerie {de_commune}"),
        description="Ressourcerie qui collecte, répare et revend des objets de seconde main,"
        " et emploie des salariés en insertion.",
        services={"electromenager-solidaire": 3, "vestiaire-solidaire": 2, "cddi": 2},
        presence=(0.3, 0.8, 1),
        reseaux_porteurs=("ressourceries",),
        zones=(0.3, 0.5, 0.1, 0.0, 0.04, 0.05),
        horaires=HORAIRES_COMMERCE,
        domaine="ressourcerie",
    ),
    StructureKind(
        key="cravate-solidaire",
        noms=("La Cravate Solidaire {commune}",),
        description="Association qui aide les personnes en recherche d’emploi à réussir leurs"
        " entretiens : tenue professionnelle, coaching et ateliers.",
        services={"tenue-entretien": 4, "simulation-entretien": 2, "valoriser-competences": 1},
        presence=(0, 0, 0.4),
        reseaux_porteurs=("la-cravate-solidaire",),
        zones=(0.0, 0.4, 0.5, 0.0, 0.04, 0.05),
        horaires=HORAIRES_ASSOCIATION,
        domaine="cravate-solidaire",
    ),
    StructureKind(
        key="organisme-formation",
        noms=("AFPA {commune}", "GRETA {commune}", "Organisme de formation {assoc}"),
        description="Organisme de formation professionnelle pour adultes : formations"
        " qualifiantes, remises à niveau et accompagnement des parcours.",
        services={
            "formation-qualifiante": 4,
            "savoirs-de-base": 2,
            "conseil-formation": 1,
            "dossier-formation": 1,
            "bilan-competences": 1,
        },
        presence=(0.1, 0.6, 1.5),
        reseaux_porteurs=("afpa",),
        zones=(0.0, 0.2, 0.6, 0.1, 0.05, 0.05),
        horaires=HORAIRES_BUREAU,
        domaine="formation",
    ),
    StructureKind(
        key="alphabetisation",
        noms=("{assoc} – français pour tous", "Association d’alphabétisation {de_commune}"),
        description="Association qui propose des cours de français et d’accompagnement"
        " scolaire animés par des bénévoles formés.",
        services={
            "asl": 3,
            "illettrisme": 2,
            "calcul-quotidien": 1,
            "ecrivain-public": 1,
            "accompagnement-exiles": 1,
        },
        presence=(0.3, 1, 2),
        reseaux_porteurs=("anlci",),
        zones=(0.7, 0.2, 0.0, 0.0, 0.0, 0.05),
        horaires=HORAIRES_ASSOCIATION,
        domaine="alpha",
    ),
    StructureKind(
        key="maison-solidarites",
        noms=(
            "Maison départementale des solidarités {de_commune}",
            "Espace départemental des solidarités {de_commune}",
        ),
        description="Service social du Département : accompagnement des allocataires du RSA,"
        " protection de l’enfance, autonomie des personnes âgées et handicapées.",
        services={
            "accompagnement-emploi": 2,
            "acces-droits": 2,
            "aide-financiere-urgence": 1,
            "masp": 1,
            "prevention-expulsions": 1,
            "parentalite": 1,
            "dossier-mdph": 1,
            "aide-menagere": 0.5,
        },
        presence=(0.3, 1, 1.5),
        reseaux_porteurs=("maisons-des-solidarites", "departements"),
        zones=(0.05, 0.35, 0.55, 0.0, 0.04, 0.05),
        horaires=HORAIRES_BUREAU,
        domaine="solidarites",
    ),
    StructureKind(
        key="cap-emploi",
        noms=("Cap emploi {departement}",),
        description="Cap emploi accompagne vers l’emploi et le maintien dans l’emploi les"
        " personnes en situation de handicap et leurs employeurs.",
        services={
            "maintien-emploi": 3,
            "accompagnement-emploi": 3,
            "conseil-formation": 1,
            "dossier-mdph": 1,
        },
        presence=(0, 0.1, 0.3),
        reseaux_porteurs=("cap-emploi-reseau-cheops",),
        zones=(0.0, 0.05, 0.9, 0.0, 0.04, 0.05),
        publics_imposes=("personnes-en-situation-de-handicap",),
        horaires=HORAIRES_BUREAU,
        domaine="capemploi",
    ),
    StructureKind(
        key="mjc",
        noms=("MJC {de_commune}", "Maison des jeunes et de la culture {de_commune}"),
        description="Maison des jeunes et de la culture : activités culturelles et sportives,"
        " accompagnement des projets de jeunes, engagement citoyen.",
        services={
            "sport-insertion": 2,
            "sorties-culturelles": 2,
            "benevolat": 2,
            "accompagnement-numerique": 1,
            "emploi-etranger": 0.5,
        },
        presence=(0.3, 1.5, 1),
        reseaux_porteurs=("mjc",),
        zones=(0.8, 0.1, 0.0, 0.0, 0.0, 0.05),
        horaires=HORAIRES_ASSOCIATION,
        domaine="mjc",
    ),
    StructureKind(
        key="e2c",
        noms=("École de la 2e chance {de_commune}",),
        description="L’école de la deuxième chance accueille des jeunes sans diplôme ni"
        " qualification pour un parcours personnalisé en alternance.",
        services={
            "savoirs-de-base": 3,
            "immersion": 2,
            "decouverte-metiers": 2,
            "accompagnement-emploi": 1,
            "sport-insertion": 1,
        },
        presence=(0, 0.1, 0.6),
        reseaux_porteurs=("ecoles-de-la-deuxieme-chance",),
        zones=(0.0, 0.3, 0.6, 0.05, 0.04, 0.05),
        publics_imposes=("jeunes",),
        horaires=HORAIRES_BUREAU,
        domaine="e2c",
    ),
    StructureKind(
        key="residence-jeunes",
        noms=("Résidence habitat jeunes {assoc}", "Foyer de jeunes travailleurs {de_commune}"),
        description="Résidence habitat jeunes : logement temporaire et accompagnement"
        " socio-éducatif des jeunes en début de parcours professionnel.",
        services={"residence-jeunes": 4, "acces-logement": 1, "lien-social": 0.5},
        presence=(0, 0.4, 1),
        reseaux_porteurs=("residences-fjt",),
        zones=(0.05, 0.3, 0.4, 0.0, 0.15, 0.05),
        publics_imposes=("jeunes",),
        horaires=HORAIRES_BUREAU,
        domaine="habitat-jeunes",
    ),
    StructureKind(
        key="plie",
        noms=("PLIE {de_commune}", "Plan local pour l’insertion et l’emploi {de_commune}"),
        description="Le PLIE propose un accompagnement individualisé et renforcé vers l’emploi"
        " durable aux personnes qui en sont éloignées.",
        services={
            "accompagnement-emploi": 4,
            "club-recherche-emploi": 1,
            "candidatures-spontanees": 1,
            "suivi-candidatures": 1,
        },
        presence=(0, 0.2, 0.6),
        reseaux_porteurs=("plie", "alliance-villes-emploi"),
        zones=(0.1, 0.8, 0.0, 0.0, 0.04, 0.05),
        horaires=HORAIRES_BUREAU,
        domaine="plie",
    ),
    StructureKind(
        key="information-jeunesse",
        noms=("Point information jeunesse {de_commune}", "Bureau information jeunesse"),
        description="Information gratuite et anonyme pour les jeunes : études, emploi,"
        " logement, santé, mobilité internationale, loisirs.",
        services={
            "emploi-etranger": 2,
            "volontariat-europeen": 2,
            "orientation": 2,
            "atelier-cv": 1,
            "benevolat": 1,
        },
        presence=(0.1, 0.8, 1),
        reseaux_porteurs=("reseau-information-jeunesse",),
        zones=(0.6, 0.3, 0.0, 0.0, 0.04, 0.05),
        publics_imposes=("jeunes",),
        horaires=HORAIRES_ASSOCIATION,
        domaine="info-jeunes",
    ),
    StructureKind(
        key="association-emploi",
        noms=("{assoc}", "Association {assoc}", "{assoc} {commune}"),
        description="Association d’accompagnement vers l’emploi {de_commune} : ateliers,"
        " parrainage et suivi individuel.",
        services={
            "atelier-cv": 2,
            "simulation-entretien": 2,
            "parrainage": 2,
            "valoriser-competences": 1,
            "club-recherche-emploi": 1,
            "candidatures-spontanees": 1,
            "suivi-candidatures": 1,
            "estime-de-soi": 1,
            "retour-en-france": 0.3,
        },
        presence=(0.5, 1.5, 3),
        zones=(0.3, 0.4, 0.2, 0.0, 0.04, 0.05),
        horaires=HORAIRES_ASSOCIATION,
        domaine="asso",
    ),
    StructureKind(
        key="association-solidarite",
        noms=("{assoc}", "Association {assoc}", "{assoc} {commune}"),
        description="Association de solidarité de proximité {de_commune} : accueil, écoute et"
        " entraide au quotidien.",
        services={
            "lien-social": 2,
            "distribution-alimentaire": 1,
            "accompagnement-exiles": 1,
            "ecrivain-public": 1,
            "jardin-partage": 1,
            "aidants": 1,
            "transport-solidaire": 1,
            "mediation-familiale": 0.5,
            "info-logement": 0.5,
            "accession": 0.2,
            "mutation-logement": 0.5,
        },
        presence=(2, 2, 3),
        zones=(0.4, 0.3, 0.1, 0.0, 0.04, 0.05),
        horaires=HORAIRES_ASSOCIATION,
        domaine="asso",
    ),
    StructureKind(
        key="aide-domicile",
        noms=("Service d’aide à domicile {assoc}", "Aide à domicile {de_commune}"),
        description="Service d’aide et d’accompagnement à domicile des personnes âgées et des"
        " personnes en situation de handicap.",
        services={"aide-menagere": 4, "aidants": 1, "transport-solidaire": 1},
        presence=(2, 1, 0.5),
        reseaux_porteurs=("maison-departementale-de-lautonomie",),
        zones=(0.3, 0.6, 0.0, 0.0, 0.04, 0.05),
        horaires=HORAIRES_BUREAU,
        domaine="domicile",
    ),
)


def templates_by_key() -> dict[str, ServiceTemplate]:
    return {template.key: template for template in SERVICE_TEMPLATES}


def check_content() -> list[str]:
    """Problems in the content above (empty when all is well): unknown vocabulary values,
    unknown templates, characters COPY would need escaped."""
    problems: list[str] = []
    templates = templates_by_key()
    known = {
        "thematiques": set(vocabulary.values(v1.Thematique)),
        "type": set(vocabulary.values(v1.TypeService)),
        "publics": set(vocabulary.values(v1.Public)),
        "modes_mobilisation": set(vocabulary.values(v1.ModeMobilisation)),
        "reseaux_porteurs": set(vocabulary.values(v1.ReseauPorteur)),
    }
    for template in SERVICE_TEMPLATES:
        for name, values in (
            ("thematiques", template.thematiques + template.autres_thematiques),
            ("type", (template.type,)),
            ("publics", template.publics),
            ("modes_mobilisation", template.modes_mobilisation),
        ):
            problems += [f"{template.key}: {name} {v}" for v in values if v not in known[name]]
        if template.tous_publics < 1 and not template.publics:
            problems.append(f"{template.key}: no publics to draw from")
    for kind in STRUCTURE_KINDS:
        problems += [f"{kind.key}: template {k}" for k in kind.services if k not in templates]
        problems += [
            f"{kind.key}: réseau {r}"
            for r in kind.reseaux_porteurs
            if r not in known["reseaux_porteurs"]
        ]
        problems += [
            f"{kind.key}: public {p}" for p in kind.publics_imposes if p not in known["publics"]
        ]
        if len(kind.zones) != len(ZONE_LEVELS):
            problems.append(f"{kind.key}: zones")
    texts = [*_all_texts()]
    problems += [f"unsafe text: {t[:40]!r}" for t in texts if any(c in t for c in "\t\n\r\\")]
    return problems


def _all_texts():
    for template in SERVICE_TEMPLATES:
        yield from template.noms
        yield template.description
        yield from template.frais_precisions
        yield from template.conditions_acces
        yield from template.horaires
    for kind in STRUCTURE_KINDS:
        yield from kind.noms
        yield kind.description
        yield from kind.horaires
    for group in (
        ASSOCIATIONS,
        VOIES,
        COMPLEMENTS,
        PRENOMS,
        NOMS_DE_FAMILLE,
        PRATIQUE,
        CONDITIONS_COMMUNES,
        tuple(MOBILISATION_PRECISIONS.values()),
    ):
        yield from group
