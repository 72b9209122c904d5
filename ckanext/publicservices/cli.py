"""``ckan publicservices …`` commands."""

from __future__ import annotations

import click


@click.group(short_help="ckanext-publicservices commands")
def publicservices() -> None:
    """Commands of ckanext-publicservices."""


@publicservices.command("seed")
@click.option(
    "--rows",
    type=click.IntRange(min=1, max=100_000),
    default=60,
    show_default=True,
    help="Rows in each illustrative sample CSV file.",
)
@click.option(
    "--seed",
    "seed_",
    type=int,
    default=2017,
    show_default=True,
    help="Seed of the sample-file generator (same seed, same files).",
)
def seed(rows: int, seed_: int) -> None:
    """Create or update the four founding consortia and their illustrative datasets (idempotent)."""
    from ckanext.publicservices.consortium import seed as consortium_seed

    report = consortium_seed.seed(rows=rows, seed=seed_)
    click.echo(report.summary())


@publicservices.group("vocab")
def vocab_group() -> None:
    """Controlled vocabularies (LGSL, LGFL, councils)."""


@vocab_group.command("refresh")
@click.argument("source")
@click.option(
    "--vocabulary",
    type=click.Choice(["lgsl", "lgfl", "council"]),
    default=None,
    help="Which list SOURCE holds (default: detected from its header).",
)
@click.option("--output-dir", default=None, help="Where to write (default: the configured dir).")
@click.option("--dry-run", is_flag=True, help="Report the changes, write nothing.")
def vocab_refresh(
    source: str, vocabulary: str | None, output_dir: str | None, dry_run: bool
) -> None:
    """Update a vocabulary from a newer CSV (file or URL); report what was added, renamed
    and withdrawn. Withdrawn codes are kept so datasets using them still show them."""
    from ckanext.publicservices.vocabularies import refresh

    try:
        report = refresh.refresh(source, vocabulary, output_dir, dry_run)
    except refresh.RefreshError as e:
        raise click.ClickException(str(e)) from None
    click.echo(report.summary())


@publicservices.command("migrate")
@click.option("--apply", "apply_", is_flag=True, help="Write the changes (default: dry run).")
@click.option(
    "--assume-public-is-open",
    is_flag=True,
    help="For public legacy datasets, set data spectrum open, personal data none, OFFICIAL.",
)
def migrate_command(apply_: bool, assume_public_is_open: bool) -> None:
    """Map legacy data.gov.uk extras (la_service, la_function, theme-primary, free-text areas)
    onto the service-redesign fields; report what could not be mapped."""
    from ckanext.publicservices import migrate

    plans = migrate.migrate(apply=apply_, assume_public_is_open=assume_public_is_open)
    for plan in plans:
        click.echo(plan.describe())
    changed = sum(1 for p in plans if p.changes)
    unmapped = sum(1 for p in plans if p.unmapped)
    mode = "applied" if apply_ else "dry run (use --apply to write)"
    click.echo(f"{changed} datasets to map, {unmapped} with values not mapped — {mode}")


@publicservices.command("dcat-import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--org", "org", required=True, help="Organisation (name or id) to import into.")
@click.option(
    "--format",
    "fmt",
    default=None,
    help="ttl, xml (RDF/XML), jsonld or nt (default: from the file name, else ttl).",
)
@click.option("--dry-run", is_flag=True, help="Validate and report; write nothing.")
def dcat_import(file: str, org: str, fmt: str | None, dry_run: bool) -> None:
    """Create or update an organisation's datasets from a DCAT (RDF) file."""
    from ckanext.publicservices.dcat import importer

    raise SystemExit(importer.import_file(file, org, fmt, dry_run, echo=click.echo))


__all__ = ["publicservices"]
