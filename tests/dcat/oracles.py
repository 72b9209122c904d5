"""Independent RDF parsers as oracles for the project's writers.

Each document the writers produce is read by rdflib and by parsers from outside Python: Debian's
``rapper`` (Raptor, Turtle and RDF/XML) and ``serdi`` (Serd, strict Turtle and N-Triples). Every
reading must succeed without an error or a warning and give the same graph (isomorphic), and the
Turtle, RDF/XML and JSON-LD of one graph must be isomorphic to each other. ``make test`` installs
both tools when missing (devstack/rdftools.py).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from ckanext.publicservices.dcat import writers

# rdflib format name → (rdflib parser, rapper parser, serdi parser or None)
PARSERS = {
    "turtle": ("turtle", "turtle", "turtle"),
    "pretty-xml": ("xml", "rdfxml", None),
    "json-ld": ("json-ld", None, None),
}
BASE = "http://oracle.invalid/base/"


class OracleError(AssertionError):
    pass


def tools() -> dict[str, str]:
    """Paths of rapper and serdi; an error (not a skip) when one is missing."""
    found = {name: shutil.which(name) for name in ("rapper", "serdi")}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        raise OracleError(
            f"{', '.join(missing)} missing: `make test` installs them (Debian packages "
            "raptor2-utils and serdi, see devstack/rdftools.py)"
        )
    return {k: str(v) for k, v in found.items()}


def _run(cmd: list[str], text: str, what: str) -> str:
    proc = subprocess.run(cmd, input=text.encode("utf-8"), capture_output=True, timeout=120)
    err = proc.stderr.decode("utf-8", "replace")
    noisy = [
        line
        for line in err.splitlines()
        if line.strip() and not line.startswith("rapper: Parsing") and "returned" not in line
    ]
    if proc.returncode != 0 or noisy:
        raise OracleError(f"{what} refused the document (exit {proc.returncode}):\n{err[:3000]}")
    return proc.stdout.decode("utf-8")


def rapper(text: str, syntax: str) -> Graph:
    out = _run(
        [tools()["rapper"], "-q", "-i", syntax, "-o", "ntriples", "-", BASE],
        text,
        f"rapper ({syntax})",
    )
    return Graph().parse(data=out, format="nt")


def serdi(text: str, syntax: str) -> Graph:
    out = _run(
        [tools()["serdi"], "-i", syntax, "-o", "ntriples", "-", BASE], text, f"serdi ({syntax})"
    )
    return Graph().parse(data=out, format="nt")


@dataclass
class Reading:
    """What the parsers made of one graph's documents."""

    documents: dict[str, str] = field(default_factory=dict)
    disagreements: list[str] = field(default_factory=list)
    parsed: int = 0


def _differ(a: Graph, b: Graph) -> str:
    _both, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    first = sorted(only_a.serialize(format="nt").splitlines())[:5]
    second = sorted(only_b.serialize(format="nt").splitlines())[:5]
    return f"only in the first: {first}; only in the second: {second}"


def check(graph: Graph) -> Reading:
    """Write the graph in every format and read each document with every parser.

    Returns the documents and the disagreements (empty when all parsers agree); a parser that
    refuses a document is a disagreement too.
    """
    return check_documents({f: writers.write(graph, f) for f in PARSERS})


def check_documents(
    documents: dict[str, str], same: Callable[[Graph], Graph] | None = None
) -> Reading:
    """Read documents of one graph (rdflib format name → text) with every parser.

    ``same`` maps rdflib's reading of each document before the formats are compared with each
    other (documents served at different URLs name themselves differently)."""
    reading = Reading()
    reference: Graph | None = None
    for rdf_format, text in documents.items():
        rdflib_name, rapper_name, serdi_name = PARSERS[rdf_format]
        reading.documents[rdf_format] = text
        try:
            ours = Graph().parse(data=text, format=rdflib_name)
        except Exception as e:  # any rdflib parser error
            reading.disagreements.append(f"rdflib refused {rdf_format}: {e}")
            continue
        reading.parsed += 1
        comparable = same(ours) if same else ours
        if reference is None:
            reference = comparable
        elif not isomorphic(reference, comparable):
            reading.disagreements.append(
                f"{rdf_format} is not isomorphic to turtle: {_differ(reference, comparable)}"
            )
        others: list[tuple[str, Graph]] = []
        try:
            if rapper_name:
                others.append((f"rapper {rdf_format}", rapper(text, rapper_name)))
            if serdi_name:
                others.append((f"serdi {rdf_format}", serdi(text, serdi_name)))
                # and N-Triples, strictly, from rdflib's reading
                nt = ours.serialize(format="nt")
                others.append(("serdi ntriples", serdi(nt, "ntriples")))
        except OracleError as e:
            reading.disagreements.append(str(e))
        for name, theirs in others:
            reading.parsed += 1
            if not isomorphic(ours, theirs):
                reading.disagreements.append(
                    f"{name} reads another graph than rdflib: {_differ(ours, theirs)}"
                )
    return reading


def graph(reading: Reading) -> Graph:
    """The graph of a reading's Turtle document (rdflib)."""
    return Graph().parse(data=reading.documents["turtle"], format="turtle")


__all__ = [
    "OracleError",
    "Reading",
    "check",
    "check_documents",
    "graph",
    "rapper",
    "serdi",
    "tools",
]
