"""A seeded, deterministic benchmark corpus, loaded through the action layer.

``python -m bench.seed -c INI --datasets N`` creates (or extends to) N datasets named
``bench-00001`` … across 10 consortium organisations ``bench-consortium-01`` … ``-10``: 5 resources
each with a ``size``, every service-redesign field filled (the repeating ``user_needs`` and
``service_outcomes`` too) and 5 tags. Dataset *i* depends only on the seed and *i*, so a corpus
extended from 1,000 to 5,000 datasets equals one loaded at 5,000 in one go.

``--one-organisation`` loads the same datasets into one organisation instead
(``bench-consortium-1k``, datasets ``benchorg-NNNNN``) for BM-5's consortium page at 1,000
datasets; ``--remove-one-organisation`` purges it again, so the corpus stays as it was.

It lives with the benchmarks, not in the runtime package: a portal's ``ckan publicservices`` has
no use for a bench corpus.

Fields the active scheming schema does not declare are dropped (and reported by
:func:`missing_fields`) rather than failing the load: the generator follows the shared field
contract, and the schema decides what is stored.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

import click

NAME_PREFIX = "bench-"
ORG_PREFIX = "bench-consortium-"
ORG_COUNT = 10
DEFAULT_SEED = 20171001  # the stimulus fund's start: any fixed value will do
# BM-5's consortium page at 1,000 datasets: one more organisation holding every dataset of its
# own series (``benchorg-NNNNN``, not matched by the corpus's ``bench-%``), loaded beside the
# corpus only while that case runs
ONE_ORG = "bench-consortium-1k"
ONE_ORG_PREFIX = "benchorg-"
RESOURCES_PER_DATASET = 5
TAGS_PER_DATASET = 5

# (title, lead authority GSS, LGSL services) — the four funded consortia first, then six more
# councils so that the corpus has 10 organisations of realistic shape.
CONSORTIA: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Kent fuel poverty consortium", "E10000016", ("880", "269")),
    ("Doncaster careers guidance consortium", "E08000017", ("887", "700")),
    ("Waltham Forest arts engagement consortium", "E09000031", ("884", "838")),
    ("North Lanarkshire open business rates consortium", "S12000050", ("54", "55", "56", "1672")),
    ("Leeds waste collection consortium", "E08000035", ("524", "517")),
    ("Bristol school admissions consortium", "E06000023", ("12", "13", "705")),
    ("Cardiff library services consortium", "W06000015", ("437", "44")),
    ("Manchester road maintenance consortium", "E08000003", ("540", "545", "549")),
    ("Glasgow housing advice consortium", "S12000049", ("652",)),
    ("Norfolk adult social care consortium", "E10000020", ("312", "728")),
)
PARTNER_ROLES = ("lead authority", "service-design agency", "digital agency", "research partner")
PHASES = ("discovery", "alpha", "beta", "live", "retirement")
USE_PATTERNS = ("increasing-access", "delivery-chains-and-planning", "policy-development")
GRANULARITY = ("local-authority", "ward", "lsoa-data-zone", "postcode", "point", "other")
FREQUENCIES = ("ANNUAL", "QUARTERLY", "MONTHLY", "WEEKLY", "DAILY", "IRREG")
THEMES = ("ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "JUST", "REGI", "SOCI", "TRAN")
FORMATS = (
    ("CSV", "text/csv"),
    ("JSON", "application/json"),
    ("XLSX", ""),
    ("PDF", ""),
    ("GeoJSON", "application/geo+json"),
)
WORDS = (
    "service",
    "redesign",
    "council",
    "residents",
    "demand",
    "collection",
    "waste",
    "energy",
    "warmth",
    "careers",
    "guidance",
    "young",
    "people",
    "arts",
    "culture",
    "footfall",
    "wifi",
    "business",
    "rates",
    "relief",
    "property",
    "planning",
    "delivery",
    "outcomes",
    "households",
    "schools",
    "libraries",
    "roads",
    "maintenance",
    "housing",
    "advice",
    "care",
    "adults",
    "visits",
    "appointments",
    "referrals",
    "complaints",
    "requests",
    "journeys",
    "channels",
)
EU = "http://publications.europa.eu/resource/authority/{}/{}"
LGSL = "http://id.esd.org.uk/service/{}"
LGFL = "http://id.esd.org.uk/function/{}"


def dataset_name(i: int) -> str:
    return f"{NAME_PREFIX}{i:05d}"


def one_org_dataset_name(i: int) -> str:
    return f"{ONE_ORG_PREFIX}{i:05d}"


def org_name(j: int) -> str:
    return f"{ORG_PREFIX}{j + 1:02d}"


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def organisation_dict(j: int, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Consortium organisation *j* (0-based), with every consortium-schema field filled."""
    rng = random.Random(f"{seed}:org:{j}")
    title, gss, services = CONSORTIA[j % len(CONSORTIA)]
    start = date(2017, 10, 1) + timedelta(days=rng.randrange(0, 60))
    return {
        "name": org_name(j),
        "title": title,
        "description": f"{title}: {_words(rng, 30)}.",
        "image_url": f"https://example.org/logos/{org_name(j)}.png",
        "kind": "consortium",
        "lead_authority": gss,
        "partners": [
            {
                "name": f"{title.split()[0]} {role.title()}",
                "role": role,
                "url": f"https://example.org/{org_name(j)}/{k}",
            }
            for k, role in enumerate(PARTNER_ROLES[: 2 + j % 3])
        ],
        "service_area": [LGSL.format(s) for s in services],
        "programme": "Open data for public services: stimulus fund for service redesign",
        "funder": "Innovate UK",
        "funding_amount": str(20000 + 5000 * (j % 4)),
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=140)).isoformat(),
        "blog_url": f"https://example.org/{org_name(j)}/blog",
        "report_url": f"https://example.org/{org_name(j)}/report.pdf",
        "default_license_id": "uk-ogl",
        "default_contact_name": f"{title.split()[0]} open data team",
        "default_contact_email": f"opendata@{org_name(j)}.example.org",
        "default_area": [gss],
        "default_frequency": EU.format("frequency", "ANNUAL"),
        "default_la_service": [LGSL.format(s) for s in services],
    }


def one_org_dict(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    data = organisation_dict(0, seed)
    data.update(name=ONE_ORG, title=f"{data['title']} (one organisation, 1,000 datasets)")
    return data


def dataset_dict(i: int, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Dataset *i* (1-based): depends only on ``seed`` and ``i``."""
    rng = random.Random(f"{seed}:dataset:{i}")
    j = (i - 1) % ORG_COUNT
    org_title, gss, services = CONSORTIA[j]
    # 1 in 10 is private, held back with the reasons the sensitivity rules ask for
    private = i % 10 == 0
    issued = date(2016, 1, 1) + timedelta(days=rng.randrange(0, 3000))
    topic = _words(rng, 3)
    tags = rng.sample(WORDS, TAGS_PER_DATASET)
    fmt = [FORMATS[(i + k) % len(FORMATS)] for k in range(RESOURCES_PER_DATASET)]
    return {
        "name": dataset_name(i),
        "title": f"{topic.capitalize()} — {org_title} ({i})",
        "notes": f"{_words(rng, 60)}.\n\n{_words(rng, 40)}.",
        "owner_org": org_name(j),
        "private": private,
        "license_id": "uk-ogl",
        "tag_string": ",".join(tags),
        "version": f"1.{i % 7}",
        "contact": [
            {"name": f"Open data team {j + 1}", "email": f"opendata@{org_name(j)}.example.org"}
        ],
        "publisher": [{"name": org_title, "url": f"https://example.org/{org_name(j)}"}],
        "issued": issued.isoformat(),
        "modified": (issued + timedelta(days=rng.randrange(1, 400))).isoformat(),
        "frequency": EU.format("frequency", rng.choice(FREQUENCIES)),
        "temporal_coverage": [{"start": f"{issued.year - 1}-04-01", "end": f"{issued.year}-03-31"}],
        "access_rights": EU.format("access-right", "RESTRICTED" if private else "PUBLIC"),
        "theme": [EU.format("data-theme", t) for t in rng.sample(THEMES, 2)],
        "conforms_to": [f"https://example.org/standards/{rng.choice(WORDS)}"],
        "documentation": [f"https://example.org/{org_name(j)}/docs/{i}"],
        "language": [EU.format("language", "ENG")],
        "provenance": f"Extracted monthly from the council's {rng.choice(WORDS)} system.",
        "qualified_attribution": [{"agent": [{"name": org_title}], "role": "publisher"}],
        "la_service": [LGSL.format(s) for s in services],
        "la_function": [LGFL.format(rng.randrange(1, 40))],
        "area": [gss],
        "geographic_granularity": rng.choice(GRANULARITY),
        "service_design_phase": rng.choice(PHASES),
        "data_use_pattern": sorted(rng.sample(USE_PATTERNS, rng.randrange(1, 3))),
        "data_spectrum": "shared" if private else "open",
        "personal_data": "pseudonymised"
        if private
        else rng.choice(("none", "aggregated-or-anonymised")),
        "security_classification": "OFFICIAL-SENSITIVE" if private else "OFFICIAL",
        "open_by_default_exception": (
            "FOISA s.38: personal information of named individuals" if private else ""
        ),
        "redaction_note": "Names of individual ratepayers replaced with REDACTED.",
        "user_needs": [
            {
                "as_a": f"{_words(rng, 2)} officer",
                "i_need": _words(rng, 8),
                "so_that": _words(rng, 8),
            }
            for _ in range(2)
        ],
        "service_outcomes": [
            {"outcome": _words(rng, 6), "measure": f"{_words(rng, 4)} per quarter"}
            for _ in range(2)
        ],
        "funding_programme": "ODI stimulus fund for service redesign",
        "resources": [
            {
                "url": f"https://example.org/{org_name(j)}/{dataset_name(i)}/{k}.{f.lower()}",
                "name": f"{topic} part {k + 1}",
                "description": _words(rng, 12),
                "format": f,
                "mimetype": mime,
                "size": rng.randrange(1_000, 50_000_000),
                "license": "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
                "rights": "Contains public sector information licensed under the OGL v3.0.",
            }
            for k, (f, mime) in enumerate(fmt)
        ],
    }


# -- fitting the contract to the active schemas --------------------------------------------

CORE_DATASET_KEYS = frozenset(
    {
        "name",
        "title",
        "notes",
        "owner_org",
        "private",
        "license_id",
        "tag_string",
        "version",
        "resources",
        "extras",
        "url",
        "author",
        "author_email",
        "maintainer",
        "maintainer_email",
        "type",
        "state",
    }
)
CORE_RESOURCE_KEYS = frozenset({"url", "name", "description", "format", "mimetype", "size"})
CORE_GROUP_KEYS = frozenset({"name", "title", "description", "image_url", "extras"})


def _as_extra(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def fit(
    data: dict[str, Any], fields: Iterable[str] | None, core: frozenset[str], extras: bool
) -> dict[str, Any]:
    """Keep what the schema declares (``fields``; None = stock CKAN, core keys only).

    With ``extras`` the rest is stored as free extras (stock/scheming baselines carry the same
    information); otherwise it is dropped.
    """
    known = set(fields) | {"resources", "private", "type"} if fields is not None else set(core)
    out = {k: v for k, v in data.items() if k in known}
    rest = {k: v for k, v in data.items() if k not in known and k not in core}
    if extras and rest:
        out["extras"] = [{"key": k, "value": _as_extra(v)} for k, v in sorted(rest.items())]
    return out


def fit_resource(res: dict[str, Any], fields: Iterable[str] | None) -> dict[str, Any]:
    # resources keep unknown keys as free resource extras in CKAN (no junk check), so for the
    # stock/scheming baselines nothing is lost; with a schema we keep only declared fields
    if fields is None:
        return dict(res)
    known = set(fields) | {"mimetype"}
    return {k: v for k, v in res.items() if k in known}


def schema_fields(dataset_type: str = "dataset") -> tuple[list[str], list[str]] | None:
    """Field names of the active scheming dataset schema, or None without scheming."""
    try:
        from ckanext.scheming.helpers import scheming_get_dataset_schema
    except ImportError:
        return None
    import ckan.plugins as p

    if not p.plugin_loaded("scheming_datasets"):
        return None
    schema = scheming_get_dataset_schema(dataset_type)
    if not schema:
        return None
    return (
        [f["field_name"] for f in schema.get("dataset_fields", [])],
        [f["field_name"] for f in schema.get("resource_fields", [])],
    )


def org_schema_fields() -> list[str] | None:
    import ckan.plugins as p

    if not p.plugin_loaded("scheming_organizations"):
        return None
    from ckanext.scheming.helpers import scheming_get_organization_schema

    schema = scheming_get_organization_schema("organization")
    return [f["field_name"] for f in schema.get("fields", [])] if schema else None


AUTO = "auto"


def fitted_dataset(
    i: int,
    seed: int = DEFAULT_SEED,
    extras: bool = False,
    fields: tuple[list[str], list[str]] | None | str = AUTO,
    one_org: bool = False,
) -> dict[str, Any]:
    """Dataset *i* fitted to ``fields`` (``AUTO``: the active schema; None: stock CKAN).

    ``one_org``: the same content as corpus dataset *i*, named and owned for :data:`ONE_ORG`.
    """
    fields = schema_fields() if fields == AUTO else fields
    data = dataset_dict(i, seed)
    if one_org:
        data.update(name=one_org_dataset_name(i), owner_org=ONE_ORG)
    ds_fields, res_fields = fields if fields else (None, None)
    out = fit(data, ds_fields, CORE_DATASET_KEYS, extras)
    out["resources"] = [fit_resource(r, res_fields) for r in data["resources"]]
    return out


def missing_fields() -> list[str]:
    """Contract fields of the generated datasets that the active schema does not store."""
    fields = schema_fields()
    sample = dataset_dict(1)
    if not fields:
        return sorted(k for k in sample if k not in CORE_DATASET_KEYS)
    ds, res = fields
    missing = [k for k in sample if k not in ds and k not in ("resources", "private")]
    missing += [
        f"resources.{k}" for k in sample["resources"][0] if k not in res and k != "mimetype"
    ]
    return sorted(missing)


# -- loading ------------------------------------------------------------------------------

BENCH_USER = "bench-admin"


def ensure_sysadmin(name: str = BENCH_USER) -> str:
    """A sysadmin to act as (created directly in the model: no email, no activity)."""
    from ckan import model

    user = model.User.get(name)
    if user is None:
        user = model.User(name=name, email=f"{name}@example.org", password="x" * 20, sysadmin=True)
        model.Session.add(user)
        model.Session.commit()
    elif not user.sysadmin:
        user.sysadmin = True
        model.Session.commit()
    return name


def context(user: str = BENCH_USER) -> dict[str, Any]:
    from ckan import model

    return {"user": user, "model": model, "session": model.Session, "ignore_auth": True}


def ensure_organisations(seed: int = DEFAULT_SEED, user: str = BENCH_USER) -> list[str]:
    """The 10 consortium organisations (created when absent); returns their names."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    fields = org_schema_fields()
    names = []
    for j in range(ORG_COUNT):
        data = organisation_dict(j, seed)
        names.append(data["name"])
        if model.Group.get(data["name"]) is not None:
            continue
        tk.get_action("organization_create")(
            context(user), fit(data, fields, CORE_GROUP_KEYS, extras=fields is None)
        )
    return names


def ensure_one_org(seed: int = DEFAULT_SEED, user: str = BENCH_USER) -> str:
    import ckan.plugins.toolkit as tk
    from ckan import model

    if model.Group.get(ONE_ORG) is None:
        fields = org_schema_fields()
        tk.get_action("organization_create")(
            context(user), fit(one_org_dict(seed), fields, CORE_GROUP_KEYS, extras=fields is None)
        )
    return ONE_ORG


def existing_datasets(prefix: str = NAME_PREFIX) -> set[str]:
    from ckan import model

    rows = (
        model.Session.query(model.Package.name)
        .filter(model.Package.name.like(f"{prefix}%"))
        .filter(model.Package.state == "active")
    )
    return {name for (name,) in rows}


def seed_corpus(
    n: int,
    seed: int = DEFAULT_SEED,
    user: str = BENCH_USER,
    progress: Callable[[int, int, float], None] | None = None,
    shard: tuple[int, int] = (0, 1),
    fast: bool = False,
    one_org: bool = False,
) -> dict[str, Any]:
    """Create the datasets ``1..n`` that do not exist yet; returns counts and the load rate.

    ``one_org``: the datasets of :data:`ONE_ORG` instead of the corpus's (see
    :func:`fitted_dataset`).

    ``shard=(k, m)`` creates only the datasets with ``i % m == k``, so that m processes can load
    one corpus side by side (create the organisations first, with ``n=0``). ``fast`` still
    creates every dataset with ``package_create`` (full validation), but commits every 50 and
    indexes afterwards in one batch (CKAN's ``defer_commit``), instead of a commit and a search
    request per dataset.
    """
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.lib import search

    from ckanext.publicservices import compat

    ensure_sysadmin(user)
    ensure_organisations(seed, user)
    if one_org:
        ensure_one_org(seed, user)
    fields = schema_fields()
    name_of = one_org_dataset_name if one_org else dataset_name
    have = existing_datasets(ONE_ORG_PREFIX if one_org else NAME_PREFIX)
    k_shard, m_shard = shard
    todo = [i for i in range(1, n + 1) if name_of(i) not in have and i % m_shard == k_shard]
    create = tk.get_action("package_create")
    started = time.perf_counter()
    ids: list[str] = []
    for k, i in enumerate(todo, 1):
        ctx = context(user)
        if fast:
            # the work a write leaves for after its commit (the data-validation job of each
            # new tabular resource: a package_show and an enqueue) is collected here and
            # dropped: no worker runs in the benchmarks, and the resources are stored as
            # every write stores them (validation "pending")
            ctx.update(defer_commit=True, return_id_only=True, publicservices_after_commit=[])
        result = create(ctx, fitted_dataset(i, seed, fields=fields, one_org=one_org))
        ids.append(result if isinstance(result, str) else result["id"])
        # the action layer keeps every object in the session's identity map otherwise
        if k % 50 == 0 or k == len(todo):
            model.repo.commit()
            model.Session.remove()
        if progress and (k % 100 == 0 or k == len(todo)):
            progress(k, len(todo), time.perf_counter() - started)
    if fast and ids:
        for k, ident in enumerate(ids, 1):
            compat.index_update_package(ident, defer_commit=True)
            if k % 50 == 0:
                model.Session.remove()
        search.commit()
    elapsed = time.perf_counter() - started
    return {
        "requested": n,
        "created": len(todo),
        "existing": len(have),
        "seconds": round(elapsed, 2),
        "datasets_per_second": round(len(todo) / elapsed, 2) if todo and elapsed else None,
        "missing_fields": missing_fields(),
    }


def remove_one_org(user: str = BENCH_USER) -> int:
    """Purge :data:`ONE_ORG` and its datasets (database and index); returns how many."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    ensure_sysadmin(user)
    ids = [
        ident
        for (ident,) in model.Session.query(model.Package.id).filter(
            model.Package.name.like(f"{ONE_ORG_PREFIX}%")
        )
    ]
    purge = tk.get_action("dataset_purge")
    for ident in ids:
        purge(context(user), {"id": ident})
    if model.Group.get(ONE_ORG) is not None:
        tk.get_action("organization_purge")(context(user), {"id": ONE_ORG})
    return len(ids)


@click.command("bench-seed")
@click.option(
    "-c",
    "--config",
    "ini",
    default=None,
    help="CKAN ini file to load (without it: run inside the current CKAN app, as tests do).",
)
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
    "--fast",
    is_flag=True,
    help="Commit every 50 datasets, index them in one batch at the end, queue no validation jobs.",
)
@click.option(
    "--one-organisation",
    "one_org",
    is_flag=True,
    help="Put the datasets in one organisation (bench-consortium-1k, `benchorg-NNNNN`).",
)
@click.option(
    "--remove-one-organisation",
    "purge",
    is_flag=True,
    help="Purge that organisation and its datasets, then stop.",
)
def command(
    ini: str | None,
    count: int,
    seed: int | None,
    shard: str,
    fast: bool,
    one_org: bool,
    purge: bool,
) -> None:
    """Create or extend the deterministic benchmark corpus (10 consortia, `bench-NNNNN`)."""
    if ini is None:
        _command(count, seed, shard, fast, one_org, purge)
        return
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        _command(count, seed, shard, fast, one_org, purge)


def _command(
    count: int, seed: int | None, shard: str, fast: bool, one_org: bool, purge: bool
) -> None:
    if purge:
        click.echo(f"purged {remove_one_org()} datasets of {ONE_ORG}")
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

    result = seed_corpus(
        count,
        seed if seed is not None else DEFAULT_SEED,
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


__all__ = [
    "ONE_ORG",
    "command",
    "remove_one_org",
    "dataset_dict",
    "dataset_name",
    "ensure_organisations",
    "ensure_sysadmin",
    "fitted_dataset",
    "missing_fields",
    "organisation_dict",
    "seed_corpus",
]


if __name__ == "__main__":
    command()
