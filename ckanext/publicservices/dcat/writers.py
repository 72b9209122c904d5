"""Linear RDF writers for Turtle, RDF/XML and expanded JSON-LD.

rdflib's serialisers index, sort and look up the whole graph for every subject they write, which
costs about as much as building the graph (a catalog page spends half its time there). These
writers read the graph once, group the triples by subject and write each subject once: blank nodes
referenced exactly once are written inline (Turtle ``[ … ]``, nested RDF/XML elements), others get a
document-local label. The output parses back to a graph isomorphic to the input (tests/dcat).

A graph these writers cannot express (an RDF/XML predicate with no valid XML name) raises
:class:`Unwritable`; callers then fall back to rdflib.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

__all__ = ["Unwritable", "jsonld", "rdfxml", "turtle", "write"]

Node = Any
PredicateObjects = list[tuple[URIRef, Node]]
# plain strings: rdflib terms compare through Python-level methods, plain ``str`` in C
_RDF_TYPE = str(RDF.type)
_XSD_STRING = str(XSD.string)


class Unwritable(ValueError):
    """The graph cannot be written in this format by these writers."""


class _Graph:
    """The triples of a graph grouped by subject, in first-seen order."""

    def __init__(self, graph: Graph) -> None:
        self.subjects: dict[Node, PredicateObjects] = {}
        refs: dict[BNode, int] = {}
        subjects = self.subjects
        for s, p, o in graph:
            entry = subjects.get(s)
            if entry is None:
                entry = subjects[s] = []
            entry.append((p, o))
            if type(o) is BNode:
                refs[o] = refs.get(o, 0) + 1
        # written where they are referenced (once); everything else is written at the top
        self.inline = {b for b, n in refs.items() if n == 1}
        self.labels: dict[BNode, str] = {}
        self.written: set[Node] = set()
        self.namespaces = {str(ns): prefix for prefix, ns in graph.namespaces()}

    def label(self, node: BNode) -> str:
        label = self.labels.get(node)
        if label is None:
            label = self.labels[node] = f"b{len(self.labels)}"
        return label

    def top_level(self) -> Iterable[Node]:
        """Subjects to write at the top: first the non-inline ones, then inline ones left over
        (a cycle of blank nodes, each referenced once, that no top-level subject reaches)."""
        for subject in list(self.subjects):
            if subject not in self.inline:
                yield subject
        for subject in list(self.subjects):
            if subject not in self.written:
                yield subject


def _sorted(pos: PredicateObjects) -> PredicateObjects:
    # rdf:type first, then by predicate: stable and readable, like rdflib's writers
    return sorted(pos, key=lambda po: (str.__ne__(po[0], _RDF_TYPE), str(po[0])))


def _plain(datatype: URIRef | None) -> bool:
    """True for a literal written without a datatype (none, or xsd:string)."""
    return datatype is None or str.__eq__(datatype, _XSD_STRING)


# ------------------------------------------------------------------------------------------
# Turtle

_PN_PREFIX = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)?$")
_PN_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_-]*)$")
_TTL_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_TTL_STRING_SPECIAL = re.compile(r'[\\"\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')
_IRI_SPECIAL = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _ttl_escape_char(m: re.Match[str]) -> str:
    c = m.group(0)
    return _TTL_STRING_ESCAPES.get(c) or f"\\u{ord(c):04X}"


def _iri_escape(iri: str) -> str:
    return _IRI_SPECIAL.sub(lambda m: f"\\u{ord(m.group(0)):04X}", iri)


def _split(iri: str) -> tuple[str, str]:
    cut = max(iri.rfind("#"), iri.rfind("/")) + 1
    return iri[:cut], iri[cut:]


class _TurtleNames:
    def __init__(self, namespaces: dict[str, str]) -> None:
        self.namespaces = {
            ns: prefix for ns, prefix in namespaces.items() if _PN_PREFIX.match(prefix)
        }
        self.used: dict[str, str] = {}
        self.cache: dict[str, str] = {}

    def __call__(self, iri: URIRef) -> str:
        text = self.cache.get(iri)
        if text is None:
            namespace, local = _split(iri)
            prefix = self.namespaces.get(namespace)
            if prefix is not None and (local == "" or _PN_LOCAL.match(local)):
                self.used[prefix] = namespace
                text = f"{prefix}:{local}"
            else:
                text = f"<{_iri_escape(iri)}>"
            self.cache[iri] = text
        return text


def turtle(graph: Graph) -> str:
    """The graph in Turtle."""
    g = _Graph(graph)
    name = _TurtleNames(g.namespaces)
    out: list[str] = []

    def literal(o: Literal) -> str:
        text = f'"{_TTL_STRING_SPECIAL.sub(_ttl_escape_char, o)}"'
        if o.language:
            return f"{text}@{o.language}"
        if not _plain(o.datatype):
            return f"{text}^^{name(o.datatype)}"
        return text

    def term(o: Node, indent: str) -> str:
        kind = type(o)
        if kind is URIRef:
            return name(o)
        if kind is BNode:
            if o in g.inline and o not in g.written:
                return inline(o, indent)
            return f"_:{g.label(o)}"
        if isinstance(o, Literal):
            return literal(o)
        raise Unwritable(f"cannot write {o!r} in Turtle")

    def predicate_list(pos: PredicateObjects, indent: str) -> str:
        parts = []
        last = ""
        for p, o in _sorted(pos):
            if str.__eq__(p, last):
                parts[-1] += f", {term(o, indent)}"
            else:
                pname = "a" if str.__eq__(p, _RDF_TYPE) else name(p)
                parts.append(f"{pname} {term(o, indent)}")
                last = p
        return f" ;\n{indent}".join(parts)

    def inline(b: BNode, indent: str) -> str:
        g.written.add(b)
        pos = g.subjects.get(b)
        if not pos:
            return "[]"
        inner = indent + "    "
        return f"[ {predicate_list(pos, inner)} ]"

    for subject in g.top_level():
        if subject in g.written:
            continue
        g.written.add(subject)
        head = f"_:{g.label(subject)}" if type(subject) is BNode else name(subject)
        out.append(f"{head} {predicate_list(g.subjects[subject], '    ')} .\n")
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(name.used.items()))
    return header + "\n" + "\n".join(out)


# ------------------------------------------------------------------------------------------
# RDF/XML

_NCNAME_TAIL = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*$")
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_XML_ATTR = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#9;",
    }
)
RDF_NS = str(RDF)


class _XmlNames:
    def __init__(self, namespaces: dict[str, str]) -> None:
        self.namespaces = {
            ns: prefix
            for ns, prefix in namespaces.items()
            if prefix and _PN_PREFIX.match(prefix) and not prefix.lower().startswith("xml")
        }
        self.namespaces[RDF_NS] = "rdf"
        self.prefixes = set(self.namespaces.values())
        self.used: dict[str, str] = {"rdf": RDF_NS}
        self.cache: dict[str, str | None] = {}

    def qname(self, iri: URIRef) -> str | None:
        """``prefix:local`` for an element name, binding a new prefix when needed."""
        if iri in self.cache:
            return self.cache[iri]
        m = _NCNAME_TAIL.search(iri)
        text = None
        if m:
            namespace, local = iri[: m.start()], m.group(0)
            prefix = self.namespaces.get(namespace)
            if prefix is None:
                n = 1
                while f"ns{n}" in self.prefixes:
                    n += 1
                prefix = f"ns{n}"
                self.prefixes.add(prefix)
                self.namespaces[namespace] = prefix
            self.used[prefix] = namespace
            text = f"{prefix}:{local}"
        self.cache[iri] = text
        return text


def rdfxml(graph: Graph) -> str:
    """The graph in RDF/XML (typed node elements, single-use blank nodes nested)."""
    g = _Graph(graph)
    names = _XmlNames(g.namespaces)
    out: list[str] = []
    write = out.append

    def node(subject: Node, indent: str, nested: bool) -> None:
        g.written.add(subject)
        pos = _sorted(g.subjects.get(subject, []))
        element = "rdf:Description"
        if pos and str.__eq__(pos[0][0], _RDF_TYPE) and type(pos[0][1]) is URIRef:
            qname = names.qname(pos[0][1])
            if qname is not None:
                element = qname
                pos = pos[1:]
        if type(subject) is BNode:
            about = "" if nested else f' rdf:nodeID="{g.label(subject)}"'
        else:
            about = f' rdf:about="{str(subject).translate(_XML_ATTR)}"'
        if not pos:
            write(f"{indent}<{element}{about}/>\n")
            return
        write(f"{indent}<{element}{about}>\n")
        inner = indent + "  "
        for p, o in pos:
            prop = names.qname(p)
            if prop is None:
                raise Unwritable(f"predicate {p} has no XML name")
            kind = type(o)
            if kind is URIRef:
                write(f'{inner}<{prop} rdf:resource="{str(o).translate(_XML_ATTR)}"/>\n')
            elif kind is BNode:
                if o in g.inline and o not in g.written:
                    write(f"{inner}<{prop}>\n")
                    node(o, inner + "  ", nested=True)
                    write(f"{inner}</{prop}>\n")
                else:
                    write(f'{inner}<{prop} rdf:nodeID="{g.label(o)}"/>\n')
            elif isinstance(o, Literal):
                attrs = ""
                if o.language:
                    attrs = f' xml:lang="{o.language}"'
                elif not _plain(o.datatype):
                    attrs = f' rdf:datatype="{str(o.datatype).translate(_XML_ATTR)}"'
                write(f"{inner}<{prop}{attrs}>{str(o).translate(_XML_TEXT)}</{prop}>\n")
            else:
                raise Unwritable(f"cannot write {o!r} in RDF/XML")
        write(f"{indent}</{element}>\n")

    for subject in g.top_level():
        if subject not in g.written:
            node(subject, "  ", nested=False)
    xmlns = "".join(
        f'\n  xmlns:{p}="{ns.translate(_XML_ATTR)}"' for p, ns in sorted(names.used.items())
    )
    return f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF{xmlns}\n>\n{"".join(out)}</rdf:RDF>\n'


# ------------------------------------------------------------------------------------------
# JSON-LD (expanded, flattened: the form ckanext-dcat's catalog endpoint serves)


def jsonld(graph: Graph) -> str:
    """The graph as expanded JSON-LD: one node object per subject, full IRIs as keys."""
    g = _Graph(graph)

    def ref(node: Node) -> str:
        return f"_:{g.label(node)}" if type(node) is BNode else str(node)

    def value(o: Node) -> dict[str, Any]:
        kind = type(o)
        if kind is URIRef or kind is BNode:
            return {"@id": ref(o)}
        if o.language:
            return {"@language": o.language, "@value": str(o)}
        if not _plain(o.datatype):
            return {"@type": str(o.datatype), "@value": str(o)}
        return {"@value": str(o)}

    nodes = []
    for subject, pos in g.subjects.items():
        obj: dict[str, Any] = {"@id": ref(subject)}
        for p, o in _sorted(pos):
            if str.__eq__(p, _RDF_TYPE) and type(o) is not Literal:
                obj.setdefault("@type", []).append(ref(o))
            else:
                obj.setdefault(str(p), []).append(value(o))
        nodes.append(obj)
    # no indent: only then does the json module use its C encoder (4x faster)
    return json.dumps(nodes, ensure_ascii=False)


WRITERS: dict[str, Callable[[Graph], str]] = {
    "turtle": turtle,
    "pretty-xml": rdfxml,
    "xml": rdfxml,
    "json-ld": jsonld,
}


def write(graph: Graph, rdf_format: str) -> str:
    """The graph in ``rdf_format`` (an rdflib format name), by these writers where they can."""
    writer = WRITERS.get(rdf_format)
    if writer is not None:
        try:
            return writer(graph)
        except Unwritable:
            pass
    return graph.serialize(format=rdf_format)
