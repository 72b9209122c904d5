"""Write bench/results/README.md and one PNG chart per benchmark from bench/results/*.json.

``python -m bench report`` runs it at the end of ``make bench``; ``python -m bench.report``
alone redraws from the committed results. Two shapes of results file are understood:

* the interleaved shape (bench/interleave.py ``write_result``)::

    {"benchmark": "BM-4", "title": …, "budget": …, "candidate": "project",
     "runs": {"<corpus size>": {"cases": {case: {variant: {"median_ms", "p95_ms",
              "sql_per_call", …}}}, "comparisons": {case: [{"candidate", "baseline", "ratio",
              "budget", "extra_sql", "met"}, …]}}}}

  charted as cost (median ms) against corpus size, one panel per case, one line per variant;

* any other JSON, optionally with a ``"chart"`` block that is drawn as given::

    {"chart": {"title": …, "x_label": …, "y_label": …, "log_x": false,
               "series": [{"label": …, "x": [...], "y": [...]}]}}

  and whose scalar figures (``"budget_met"``, ``…_ms``, …) are listed as they are.

Hand-written analysis (why a budget is missed, what would fix it) lives in
bench/results/notes/<name>.md and is included under that benchmark's section.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
NOTES = RESULTS / "notes"
PALETTE = {
    "stock": "#7f7f7f",
    "scheming": "#1f77b4",
    "project": "#d62728",
    "baseline": "#1f77b4",
    "candidate": "#d62728",
}


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    return str(value)


def _interleaved(data: dict[str, Any]) -> bool:
    runs = data.get("runs")
    return isinstance(runs, dict) and all(
        isinstance(r, dict) and "cases" in r for r in runs.values()
    )


def _label(size: str) -> str:
    n = int(size)
    return f"C{n // 1000}k" if n >= 1000 and n % 1000 == 0 else f"{n} datasets"


def _sizes(data: dict[str, Any]) -> list[str]:
    return sorted(data["runs"], key=int)


def chart_interleaved(name: str, data: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = _sizes(data)
    cases = list(data["runs"][sizes[-1]]["cases"])
    cols = min(3, len(cases))
    rows = math.ceil(len(cases) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.4 * rows), squeeze=False)
    for ax, case in zip(axes.flat, cases, strict=False):
        variants = list(data["runs"][sizes[-1]]["cases"][case])
        for v in variants:
            stats = [(int(s), data["runs"][s]["cases"].get(case, {}).get(v)) for s in sizes]
            stats = [(x, st) for x, st in stats if st]
            xs = [x for x, _ in stats]
            color = PALETTE.get(v)
            if all(st.get("cpu_ms") for _, st in stats):
                # CPU time is the steadier figure when runs meet different machine loads
                ax.plot(
                    xs, [st["cpu_ms"] for _, st in stats], marker="o", color=color, label=f"{v} CPU"
                )
                ax.plot(
                    xs,
                    [st["median_ms"] for _, st in stats],
                    marker=".",
                    linestyle=":",
                    color=color,
                    label=f"{v} wall median",
                )
            else:
                ax.plot(
                    xs,
                    [st["median_ms"] for _, st in stats],
                    marker="o",
                    color=color,
                    label=f"{v} median",
                )
                ax.plot(
                    xs,
                    [st["p95_ms"] for _, st in stats],
                    marker=".",
                    linestyle=":",
                    color=color,
                    label=f"{v} p95",
                )
        ax.set_title(case, fontsize=10)
        ax.set_xlabel("corpus size (datasets)")
        ax.set_ylabel("ms per call")
        ax.set_ylim(bottom=0)
        ax.set_xticks([int(s) for s in sizes])
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(cases) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"{data.get('benchmark', name)}: {data.get('title', '')}", fontsize=11)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)


def chart_given(name: str, chart: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4))
    for series in chart.get("series", []):
        ax.plot(series["x"], series["y"], marker="o", label=series.get("label", ""))
    ax.set_title(chart.get("title", name), fontsize=10)
    ax.set_xlabel(chart.get("x_label", ""))
    ax.set_ylabel(chart.get("y_label", ""))
    if chart.get("log_x"):
        ax.set_xscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)


def _numeric_key(k: Any) -> bool:
    return isinstance(k, str) and k.isdigit()


def derive_chart(name: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """A chart for results written in another shape, from the patterns benchmarks use.

    ``{variant: {"<size>": {metric: n}}}`` → cost against size per variant; a list of cases with
    ``<a>_median_<unit>`` pairs → grouped bars per case; dicts with ``p50`` → bars of p50/p95.
    """
    for key, block in data.items():
        if (
            isinstance(block, dict)
            and len(block) >= 1
            and all(
                isinstance(v, dict) and v and all(_numeric_key(k) for k in v)
                for v in block.values()
            )
        ):
            first = next(iter(next(iter(block.values())).values()))
            metrics = [m for m, v in first.items() if isinstance(v, (int, float))]
            metric = next((m for m in metrics if "total" in m), None) or next(
                (m for m in metrics if m.endswith(("_ms", "_s"))), metrics[0] if metrics else None
            )
            if metric is None:
                continue
            series = []
            for variant, per_size in block.items():
                xs = sorted(per_size, key=int)
                series.append(
                    {
                        "label": variant,
                        "x": [int(x) for x in xs],
                        "y": [per_size[x].get(metric) for x in xs],
                    }
                )
            return {
                "title": f"{data.get('benchmark', name)}: {key} ({metric})",
                "x_label": "size",
                "y_label": metric,
                "series": series,
            }
    cases = data.get("cases")
    if isinstance(cases, list) and cases and isinstance(cases[0], dict):
        arms = sorted(
            {
                k.split("_median_")[0]
                for k in cases[0]
                if "_median_" in k and isinstance(cases[0][k], (int, float))
            }
        )
        if arms:
            unit = next(k.split("_median_")[1] for k in cases[0] if "_median_" in k)
            return {
                "kind": "bars",
                "title": f"{data.get('benchmark', name)}: median per case",
                "y_label": unit,
                "groups": [str(c.get("case", i)) for i, c in enumerate(cases)],
                "bars": {a: [c.get(f"{a}_median_{unit}") for c in cases] for a in arms},
            }
    pcts = {k: v for k, v in data.items() if isinstance(v, dict) and "p50" in v}
    if pcts:
        return {
            "kind": "bars",
            "title": f"{data.get('benchmark', name)}: latency",
            "y_label": "ms",
            "groups": list(pcts),
            "bars": {p: [v.get(p) for v in pcts.values()] for p in ("p50", "p95")},
        }
    return None


def chart_bars(name: str, chart: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups, bars = chart["groups"], chart["bars"]
    width = 0.8 / max(1, len(bars))
    fig, ax = plt.subplots(figsize=(max(6.5, 1.4 * len(groups)), 4))
    for n, (label, values) in enumerate(bars.items()):
        xs = [g + n * width for g in range(len(groups))]
        ax.bar(xs, [v or 0 for v in values], width, label=label, color=PALETTE.get(label))
    ax.set_xticks([g + width * (len(bars) - 1) / 2 for g in range(len(groups))])
    ax.set_xticklabels(groups, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel(chart.get("y_label", ""))
    ax.set_title(chart.get("title", name), fontsize=10)
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)


def section_interleaved(name: str, data: dict[str, Any]) -> list[str]:
    lines = []
    if data.get("budget"):
        lines.append(f"Budget: {data['budget']}.\n")
    for size in _sizes(data):
        run = data["runs"][size]
        label = _label(size)
        lines.append(
            f"**{label}** (corpus {size}; {run.get('rounds', '?')} interleaved rounds; "
            f"measured {run.get('measured_at', '?')} at {run.get('commit', '?')})\n"
        )
        variants = list(data.get("variants") or next(iter(run["cases"].values())))
        head = "| case | " + " | ".join(f"{v} median / p95 ms (per call)" for v in variants)
        head += " | ratio (budget) | extra SQL | met |"
        lines += [head, "|" + "---|" * (len(variants) + 4)]
        for case, per_variant in run["cases"].items():
            cells = []
            for v in variants:
                st = per_variant.get(v)
                if not st:
                    cells.append("–")
                    continue
                if st.get("sql_per_call") is None:  # measured over HTTP: no SQL count
                    cells.append(f"{st['median_ms']:.1f} / {st['p95_ms']:.1f}")
                    continue
                cell = f"{st['median_ms']:.1f} / {st['p95_ms']:.1f} ({st['sql_per_call']:g} SQL"
                if st.get("search_requests"):
                    cell += f", {st['search_requests']:g} search"
                if st.get("jobs_per_call"):
                    cell += f", {st['jobs_per_call']:g} jobs"
                cells.append(cell + ")")
            comps = run.get("comparisons", {}).get(case, [])
            ratio = "; ".join(
                f"{c['ratio']} vs {c['baseline']}"
                + (f" (≤ {c['budget']})" if c.get("budget") else "")
                + (f", CPU {c['cpu_ratio']}" if c.get("cpu_ratio") else "")
                + (f", p95 ≤ {c['p95_budget_ms']:g} ms" if c.get("p95_budget_ms") else "")
                for c in comps
            )
            http = all(st.get("sql_per_call") is None for st in per_variant.values())
            extra = "–" if http else "; ".join(f"{c['extra_sql']:+g}" for c in comps[:1])
            met = _fmt(comps[0]["met"]) if comps and comps[0].get("budget") else "–"
            lines.append(f"| {case} | " + " | ".join(cells) + f" | {ratio} | {extra} | {met} |")
        others = {
            k: v
            for k, v in run.items()
            if k not in ("cases", "comparisons", "measured_at", "commit", "rounds")
        }
        if others:
            lines.append("")
            lines += [f"- {k}: `{json.dumps(v)}`" for k, v in others.items()]
        lines.append("")
    history = data.get("history") or []
    if history:
        base = (data.get("baselines") or ["baseline"])[0]
        lines.append(f"Earlier runs (ratio vs {base} / CPU ratio where recorded; ✗ over budget):\n")
        for h in history:
            parts = []
            for case, per_base in h.get("ratios", {}).items():
                primary = data.get("baselines") or list(per_base)
                r = per_base.get(primary[0])
                if not r or r.get("ratio") is None:
                    continue
                cpu = f"/{r['cpu_ratio']}" if r.get("cpu_ratio") else ""
                parts.append(f"{case} {r['ratio']}{cpu}{'' if r.get('met') else ' ✗'}")
            lines.append(
                f"- {_label(str(h['size']))}, {h.get('measured_at')} ({h.get('commit')}): "
                + ", ".join(parts)
            )
        lines.append("")
    return lines


def _scalars(data: Any, prefix: str = "", depth: int = 0) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if isinstance(data, dict) and depth < 3:
        for k, v in data.items():
            if k == "chart":
                continue
            out += _scalars(v, f"{prefix}{k}.", depth + 1)
    elif isinstance(data, (int, float, str, bool)) and not (
        isinstance(data, str) and len(data) > 160
    ):
        out.append((prefix.rstrip("."), data))
    return out


def section_generic(data: Any) -> list[str]:
    rows = _scalars(data)[:60]
    if not rows:
        return ["(no scalar figures)", ""]
    return ["| figure | value |", "|---|---|", *[f"| {k} | {_fmt(v)} |" for k, v in rows], ""]


def verdicts(data: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Budgets missed in the latest run at each size, and in earlier runs."""
    latest, earlier = [], []
    for h in data.get("history") or []:
        for case, per_base in h.get("ratios", {}).items():
            for base, r in per_base.items():
                if r.get("met") is False:
                    earlier.append(
                        f"{_label(str(h['size']))} {case}: {r['ratio']} vs {base} "
                        f"({h.get('measured_at')})"
                    )
    for size in _sizes(data):
        for case, comps in data["runs"][size].get("comparisons", {}).items():
            for c in comps:
                if c.get("budget") and not c.get("met"):
                    latest.append(
                        f"{_label(size)} {case}: {c['candidate']} / {c['baseline']}"
                        f" = {c['ratio']} (budget {c['budget']}"
                        + (f"; CPU ratio {c['cpu_ratio']}" if c.get("cpu_ratio") else "")
                        + f"), extra SQL {c['extra_sql']:+g}"
                        + (f" (budget {c['sql_budget']:g})" if c.get("sql_budget") else "")
                    )
    return latest, earlier


def build() -> str:
    files = sorted(p for p in RESULTS.glob("*.json"))
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m bench`; `bench/report.py` redraws this page from the "
        "JSON files here). Baseline and candidate run interleaved in one run (A B A B …) on the "
        "devstack services; ratios of medians are the figures to compare — absolute times depend "
        "on a shared, noisy 2-core machine. SQL statements are counted per call with a "
        "SQLAlchemy `before_cursor_execute` listener, search requests and background jobs "
        "likewise. *CPU* ratios compare the calling process's own CPU time (medians): on an "
        "oversubscribed machine wall time includes waiting for a core, CPU time does not (it "
        "leaves out PostgreSQL's and the search service's share). Each section states its "
        "budget (from the project's performance design, "
        "BM-1 … BM-7).",
        "",
        "Re-run: `make bench` (all), `.venv/bin/python -m bench write read` (some), "
        "`BENCH_SIZES=1000` (C1k only), `BENCH_ROUNDS=50` (more samples).",
        "",
    ]
    corpus = RESULTS / "corpus.json"
    if corpus.exists():
        loads = json.loads(corpus.read_text()).get("loads", {})
        lines += ["## Corpus", ""]
        lines.append(
            "Seeded and deterministic (`python -m bench.seed -c INI --datasets N`): 10 "
            "consortium organisations, 5 resources with `size` each, every service-redesign "
            "field filled (repeating `user_needs`, `service_outcomes` too), 5 tags; 1 in 10 "
            "private."
        )
        lines.append("")
        for size, rec in sorted(loads.items(), key=lambda kv: int(kv[0])):
            lines.append(
                f"- to {size}: {rec['created']} datasets created in {rec['seconds']} s = "
                f"{rec['datasets_per_second']} datasets/s with {rec['loaders']} loaders "
                f"({rec['path']}); {rec['measured_at']}"
            )
        lines.append("")
    summary: list[str] = []
    body: list[str] = []
    for path in files:
        name = path.stem
        if name == "corpus":
            continue
        try:
            data = json.loads(path.read_text())
        except ValueError as exc:
            body += [f"## {name}", "", f"Unreadable results file: {exc}", ""]
            continue
        title = data.get("title", "") if isinstance(data, dict) else ""
        bm = data.get("benchmark", name) if isinstance(data, dict) else name
        body += [f"## {bm} — {name}" + (f": {title}" if title else ""), ""]
        png = RESULTS / f"{name}.png"
        try:
            if isinstance(data, dict) and _interleaved(data):
                chart_interleaved(name, data, png)
                body += section_interleaved(name, data)
                misses, earlier = verdicts(data)
                summary += [f"- {bm}: **over budget** in the latest run — {m}" for m in misses]
                if not misses:
                    summary.append(f"- {bm}: every budget met in the latest run at each size")
                if earlier:
                    summary.append(f"- {bm}: over budget in an earlier run — " + "; ".join(earlier))
            elif isinstance(data, dict) and isinstance(data.get("chart"), dict):
                chart_given(name, data["chart"], png)
                body += section_generic(data)
            elif isinstance(data, dict) and (derived := derive_chart(name, data)):
                if derived.get("kind") == "bars":
                    chart_bars(name, derived, png)
                else:
                    chart_given(name, derived, png)
                body += section_generic(data)
            else:
                png.unlink(missing_ok=True)
                body += section_generic(data)
                body.append("(no chart: the results file has no `runs` or `chart` block)\n")
        except (KeyError, TypeError, ValueError) as exc:
            body += [f"Could not chart {path.name}: {exc!r}", ""]
            body += section_generic(data)
        if png.exists():
            body += [f"![{name}]({png.name})", ""]
        note = NOTES / f"{name}.md"
        if note.exists():
            body += [note.read_text().strip(), ""]
    if summary:
        lines += ["## Budgets at a glance", "", *summary, ""]
    return "\n".join(lines + body).rstrip() + "\n"


def main() -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "README.md").write_text(build())
    print(f"wrote {RESULTS / 'README.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
