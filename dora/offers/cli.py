"""`dora import lheo | siae | immersion`: the offer importers, beside `dora import
data-inclusion` in the same `import` group (same report, same exit codes: see
dora/offers/importing.py)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import with_appcontext

from dora.extensions import db
from dora.interop.cli import command as import_group
from dora.interop.cli import run_import
from dora.interop.places import GeodataMissing
from dora.offers.importing import (
    EXIT_REJECTED,
    FileUnusable,
    OfferReport,
)

log = logging.getLogger(__name__)
_FILE = click.Path(path_type=Path, dir_okay=False)
LABELS = {
    "formations": "Formations",
    "resultats": "Résultats (établissement × métier ROME)",
    "actions": "Actions (services « se former »)",
    "sessions": "Sessions à venir",
    "structures": "Structures",
    "postes": "Postes ouverts (services « trouver un emploi »)",
    "entreprises": "Entreprises accueillantes",
    "metiers": "Métiers proposés en immersion",
}


def _run(label: str, path: Path, strict: bool, work: Callable[[], OfferReport]) -> None:
    session = db.session
    report = run_import(session, work, label=label, unusable=(FileUnusable, GeodataMissing))
    if report.written:
        session.commit()
    else:
        session.rollback()
    for problem in report.rejections:
        click.echo(f"REJET  {problem}", err=True)
    for problem in report.warnings:
        click.echo(f"AVERTISSEMENT  {problem}", err=True)
    click.echo(f"Import {label} ({path.name}) :")
    for key, counts in report.counts.items():
        if key in ("formations", "resultats"):  # what is read, not what is written
            click.echo(f"  {LABELS[key]} — lus : {counts.read} · rejetés : {counts.rejected}")
            continue
        click.echo(
            f"  {LABELS.get(key, key)} — lus : {counts.read} · créés : {counts.created} · "
            f"mis à jour : {counts.updated} · inchangés : {counts.unchanged} · "
            f"rejetés : {counts.rejected}"
        )
    for note in report.notes:
        click.echo(f"  Note : {note}")
    if report.rejected:
        if strict:
            click.echo(
                f"Mode strict : {report.rejected} enregistrement(s) invalide(s), aucune "
                "donnée n’a été écrite.",
                err=True,
            )
        else:
            click.echo(
                f"{report.rejected} enregistrement(s) rejeté(s) (détail ci-dessus) ; les "
                "autres ont été importés.",
                err=True,
            )
        sys.exit(EXIT_REJECTED)


_STRICT = click.option(
    "--strict", is_flag=True, help="Ne rien écrire du tout si un enregistrement est invalide."
)


@import_group.command(
    "lheo",
    help="Importer un catalogue de formations au format LHEO 2.3 (XML validé par le schéma "
    "XSD LHEO) : organismes de formation et actions « se former » avec leurs sessions à venir.",
)
@click.argument("fichier", type=_FILE)
@click.option("--source", default="lheo", show_default=True, help="Nom de la source.")
@_STRICT
@with_appcontext
def import_lheo(fichier: Path, source: str, strict: bool) -> None:
    from dora.offers.lheo.importer import Importer

    _run(
        "LHEO",
        fichier,
        strict,
        lambda: Importer(db.session.connection(), fichier, source=source).run(strict=strict),
    )


@import_group.command(
    "siae",
    help="Importer la liste publique des employeurs inclusifs des emplois de l’inclusion "
    "(JSON de l’API SIAE) : structures et postes ouverts.",
)
@click.argument("fichier", type=_FILE)
@click.option(
    "--source", default="emplois-de-linclusion", show_default=True, help="Nom de la source."
)
@_STRICT
@with_appcontext
def import_siae(fichier: Path, source: str, strict: bool) -> None:
    from dora.offers.siae.importer import Importer

    _run(
        "SIAE",
        fichier,
        strict,
        lambda: Importer(db.session.connection(), fichier, source=source).run(strict=strict),
    )


@import_group.command(
    "immersion",
    help="Importer les entreprises accueillantes d’Immersion Facile (JSON des résultats de "
    "recherche de l’API publique) : couche séparée, par métier (code ROME).",
)
@click.argument("fichier", type=_FILE)
@click.option("--source", default="immersion-facile", show_default=True, help="Nom de la source.")
@_STRICT
@with_appcontext
def import_immersion(fichier: Path, source: str, strict: bool) -> None:
    from dora.offers.immersion.importer import Importer

    _run(
        "Immersion Facile",
        fichier,
        strict,
        lambda: Importer(db.session.connection(), fichier, source=source).run(strict=strict),
    )


# The `import` group itself belongs to dora.interop; naming it here again is harmless (the
# same object) and lets dora.features find this module's commands through it.
command = import_group
