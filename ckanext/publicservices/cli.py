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


@publicservices.command("bench-seed")
@click.option(
    "--datasets",
    "count",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Total number of benchmark datasets wanted (existing ones are kept).",
)
@click.option("--seed", type=int, default=None, help="Random seed (default: the fixed one).")
@click.option(
    "--shard",
    default="0/1",
    show_default=True,
    help="K/M: create only datasets i with i % M == K (parallel loaders).",
)
@click.option(
    "--fast", is_flag=True, help="Commit every 50 datasets and index them in one batch at the end."
)
@click.option(
    "--one-organisation",
    "one_org",
    is_flag=True,
    help="Put the datasets in one organisation (bench-consortium-1k, `benchorg-NNNNN`).",
)
@click.option(
    "--remove-one-organisation",
    "remove_one_org",
    is_flag=True,
    help="Purge that organisation and its datasets, then stop.",
)
def bench_seed(
    count: int, seed: int | None, shard: str, fast: bool, one_org: bool, remove_one_org: bool
) -> None:
    """Create or extend the deterministic benchmark corpus (10 consortia, `bench-NNNNN`)."""
    from ckanext.publicservices import benchseed

    if remove_one_org:
        click.echo(f"purged {benchseed.remove_one_org()} datasets of {benchseed.ONE_ORG}")
        return

    try:
        k, m = (int(x) for x in shard.split("/"))
        if not 0 <= k < m:
            raise ValueError
    except ValueError:
        raise click.BadParameter(
            "use K/M with 0 <= K < M, e.g. 0/2", param_hint="--shard"
        ) from None

    def progress(done: int, total: int, seconds: float) -> None:
        click.echo(f"  {done}/{total} datasets, {done / seconds:.1f}/s", err=True)

    result = benchseed.seed_corpus(
        count,
        seed if seed is not None else benchseed.DEFAULT_SEED,
        progress=progress,
        shard=(k, m),
        fast=fast,
        one_org=one_org,
    )
    if result["missing_fields"]:
        click.echo(
            "fields not in the active schema (not stored): " + ", ".join(result["missing_fields"]),
            err=True,
        )
    click.echo(
        f"created {result['created']} datasets ({result['existing']} existed) in "
        f"{result['seconds']} s"
    )


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
