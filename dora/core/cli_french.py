"""The `dora` command speaks French in its own words too: click's usage lines, hints and
errors (« Usage », « Try … for help », « Error: No such option ») are translated.

click marks these strings for gettext (`_()` / `ngettext()` bound at import in each of its
modules) but ships no catalogue; rather than a compiled .mo file and a forced locale, the
module-level translators of click's modules are replaced by a lookup in the table below.
Strings we do not know pass through unchanged (never an error).
"""

from __future__ import annotations

import importlib

FRENCH = {
    "Usage:": "Utilisation :",
    "Try '{command} {option}' for help.": "Pour l’aide : « {command} {option} ».",
    "Error: {message}": "Erreur : {message}",
    "Options": "Options",
    "Commands": "Commandes",
    "Positional arguments": "Arguments",
    "Show this message and exit.": "Afficher cette aide et quitter.",
    "Show the version and exit.": "Afficher la version et quitter.",
    "Aborted!": "Abandon.",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Missing command.": "Commande manquante.",
    "Missing {param_type}": "{param_type} manquant",
    "No such command {name!r}.": "Commande inconnue : {name!r}.",
    "No such option {name!r}.": "Option inconnue : {name!r}.",
    "Option {name!r} does not take a value.": "L’option {name!r} ne prend pas de valeur.",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "{value!r} is not a valid {number_type}.": "{value!r} n’est pas un nombre valide.",
    "{value} is not in the range {range}.": "{value} n’est pas dans l’intervalle {range}.",
    "{value!r} is not a valid UUID.": "{value!r} n’est pas un UUID valide.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} introuvable.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} est un dossier.",
    "{name} {filename!r} is a file.": "{name} {filename!r} est un fichier.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} n’est pas lisible.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} n’est pas modifiable.",
    "Could not open file {filename!r}: {message}": (
        "Impossible d’ouvrir le fichier {filename!r} : {message}"
    ),
    "file": "Fichier",
    "directory": "Dossier",
    "path": "Chemin",
    "default: {default}": "défaut : {default}",
    "env var: {var}": "variable d’environnement : {var}",
    "Do you want to continue?": "Continuer ?",
    "Repeat for confirmation": "Répétez pour confirmer",
    "Error: The two entered values do not match.": "Erreur : les deux saisies diffèrent.",
    "Error: invalid input": "Erreur : saisie invalide",
    "unknown error": "erreur inconnue",
    "Choose from:\n\t{choices}": "Choisissez parmi :\n\t{choices}",
    # ngettext: (singular, plural)
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "Vouliez-vous dire {possibility} ?",
        "(Vouliez-vous dire l’une de : {possibilities} ?)",
    ),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "L’option {name!r} attend une valeur.",
        "L’option {name!r} attend {nargs} valeurs.",
    ),
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "Argument en trop : {args}",
        "Arguments en trop : {args}",
    ),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "{value!r} n’est pas {choice}.",
        "{value!r} n’est pas l’une des valeurs {choices}.",
    ),
}


def gettext(message: str) -> str:
    return FRENCH.get(message, message)  # type: ignore[return-value]


def ngettext(singular: str, plural: str, n: int) -> str:
    french = FRENCH.get((singular, plural))  # type: ignore[call-overload]
    if french is None:
        return singular if n == 1 else plural
    return french[0] if n == 1 else french[1]


def install() -> None:
    """Translate click's messages (idempotent)."""
    for name in ("core", "exceptions", "formatting", "parser", "types", "decorators", "termui"):
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
