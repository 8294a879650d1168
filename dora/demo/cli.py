"""`dora demo …`: seed and clear demo data."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from dora.core.cli_errors import FrenchError
from dora.demo import generator

DEFAULT_SERVICES = 20_000


def french_number(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


class FrenchUsageError(click.UsageError):
    """Bad command-line input, told in French (click's own messages are English)."""

    def show(self, file=None) -> None:
        command = self.ctx.command_path if self.ctx else "dora"
        click.echo(f"Erreur : {self.format_message()}", err=True, file=file)
        click.echo(f"Voir « {command} --help ».", err=True, file=file)


class WholeNumber(click.ParamType):
    name = "nombre"

    def __init__(self, option: str, minimum: int, maximum: int) -> None:
        self.option, self.minimum, self.maximum = option, minimum, maximum

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int):
            number = value
        else:
            cleaned = str(value).strip().replace("_", "").replace("\u202f", "").replace(" ", "")
            try:
                number = int(cleaned)
            except ValueError:
                raise FrenchUsageError(
                    f"{self.option} attend un nombre entier, pas « {value} ».", ctx
                ) from None
        if not self.minimum <= number <= self.maximum:
            raise FrenchUsageError(
                f"{self.option} doit être compris entre {french_number(self.minimum)} et "
                f"{french_number(self.maximum)} (reçu : {french_number(number)}).",
                ctx,
            )
        return number


class IsoDate(click.ParamType):
    name = "AAAA-MM-JJ"

    def convert(self, value, param, ctx) -> date:
        if isinstance(value, date):
            return value
        try:
            parsed = date.fromisoformat(str(value).strip())
        except ValueError:
            raise FrenchUsageError(
                f"--date-reference attend une date AAAA-MM-JJ, pas « {value} ».", ctx
            ) from None
        if parsed > date.today():
            raise FrenchUsageError("--date-reference ne peut pas être dans le futur.", ctx)
        return parsed


@click.group("demo", help="Données de démonstration.")
def command() -> None:
    pass


@command.command(
    "seed",
    help="Crée des structures et services de démonstration plausibles dans toute la France "
    "(idempotent : les services déjà présents ne sont ni dupliqués ni modifiés).",
)
@click.option(
    "--services",
    "services",
    type=WholeNumber("--services", 1, generator.MAX_SERVICES),
    default=DEFAULT_SERVICES,
    show_default=True,
    help="Nombre de services voulus.",
)
@click.option(
    "--seed",
    "seed",
    type=WholeNumber("--seed", 0, 2**63 - 1),
    default=generator.DEFAULT_SEED,
    show_default=True,
    help="Graine : même graine, mêmes données.",
)
@click.option("--reset", is_flag=True, help="Supprimer d’abord les données de démonstration.")
@click.option(
    "--rebuild-indexes",
    is_flag=True,
    help="Supprimer les index GIN et GiST des services pendant l’écriture et les reconstruire "
    "après (gros volumes ; la table est verrouillée jusqu’à la fin).",
)
@click.option(
    "--date-reference",
    type=IsoDate(),
    default=None,
    help="Date à partir de laquelle les dates de mise à jour sont tirées (aujourd’hui).",
)
@with_appcontext
def seed_command(
    services: int, seed: int, reset: bool, rebuild_indexes: bool, date_reference: date | None
) -> None:
    from dora.demo import operations
    from dora.demo.generator import DemoSet
    from dora.extensions import db

    demo = DemoSet(seed=seed, reference_date=date_reference or date.today())
    bars: list = []

    def progress(phase: str, total: int):
        from tqdm import tqdm

        bar = tqdm(total=total, desc=phase, unit=" lignes", unit_scale=True, disable=None)
        bars.append(bar)
        return bar.update

    try:
        with db.engine.begin() as connection:
            report = operations.seed(
                connection,
                services,
                demo,
                reset=reset,
                rebuild_indexes=rebuild_indexes,
                progress=progress,
            )
    except operations.DemoError as error:
        raise FrenchError(str(error)) from None
    finally:
        for bar in bars:
            bar.close()

    if report.services_deleted:
        click.echo(
            f"Supprimé : {french_number(report.services_deleted)} services et "
            f"{french_number(report.structures_deleted)} structures de démonstration."
        )
    if report.services_written == 0:
        click.echo(
            f"Données de démonstration : les {french_number(services)} services demandés sont"
            " déjà présents."
        )
        _seed_features()
        return
    rate = report.services_written / report.write_seconds if report.write_seconds else 0
    message = (
        f"Écrit : {french_number(report.services_written)} services et "
        f"{french_number(report.structures_written)} structures en "
        f"{french_number(report.write_seconds, 1)} s ({french_number(rate)} services/s)"
    )
    if report.indexes_rebuilt:
        message += (
            f" ; {report.indexes_rebuilt} index reconstruits en "
            f"{french_number(report.index_seconds, 1)} s"
        )
    if report.already_present:
        message += f" ; {french_number(report.already_present)} étaient déjà présents"
    click.echo(message + ".")
    click.echo(f"Signal d’indexation traité en {french_number(report.notify_seconds, 1)} s.")
    _seed_features()


def _seed_features() -> None:
    """Demo data of other features, built on the services (`dora/<feature>/demo.py`:
    `seed(session)` returns a printable report; idempotent, committed here)."""
    from dora import features
    from dora.extensions import db

    for module in features.modules("demo"):
        click.echo(str(module.seed(db.session)))
        db.session.commit()


@command.command("clear", help="Supprime les données de démonstration (services puis structures).")
@with_appcontext
def clear_command() -> None:
    from dora.core.signals import services_bulk_written
    from dora.demo.generator import DemoSet
    from dora.demo.operations import delete_demo
    from dora.extensions import db

    with db.engine.begin() as connection:
        services, structures = delete_demo(connection, DemoSet())
        if services:
            services_bulk_written.send(connection, service_ids=None)
    click.echo(
        f"Supprimé : {french_number(services)} services et {french_number(structures)} "
        "structures de démonstration."
    )
    from dora import features

    for module in features.modules("demo"):
        module.clear(db.session)
        db.session.commit()
