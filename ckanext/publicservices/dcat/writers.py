"""Linear RDF writers for Turtle, RDF/XML and expanded JSON-LD.

rdflib's serialisers index, sort and look up the whole graph for every subject they write, which
costs about as much as building the graph (a catalog page spends half its time there). These
writers read the graph once, group the triples by subject and write each subject once: blank nodes
referenced exactly once are written inline (Turtle ``[ … ]``, nested RDF/XML elements), others get a
document-local label. The output parses back to a graph isomorphic to the input (tests/dcat).

A graph these writers cannot express (an RDF/XML predicate with no valid XML name) raises
:class:`Unwritable`; callers then fall back to rdflib.

What is written is valid whatever the stored data holds, in every format alike (so that the three
formats of one graph stay isomorphic, whichever parser reads them):

* every IRI is made a valid absolute IRI (:func:`valid_iri`: surrounding whitespace trimmed,
  spaces, controls and other characters IRIs forbid percent-encoded); a triple with an IRI that
  cannot be made one (no scheme, a lone surrogate) or with a literal subject is left out and
  logged;
* characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) are
  replaced by U+FFFD in literals; an invalid language tag is dropped;
* the output is deterministic: subjects and objects are written in a canonical order (IRIs and
  literals by their text, blank nodes by their content), so the same data gives the same bytes.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from rdflib import BNode, ConjunctiveGraph, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.plugins.stores.memory import Memory

__all__ = ["Unwritable", "clean_graph", "jsonld", "rdfxml", "turtle", "valid_iri", "write"]

log = logging.getLogger(__name__)

Node = Any
PredicateObjects = list[tuple[URIRef, Node]]
# plain strings: rdflib terms compare through Python-level methods, plain ``str`` in C
_RDF_TYPE = str(RDF.type)
_XSD_STRING = str(XSD.string)


class Unwritable(ValueError):
    """The graph cannot be written in this format by these writers."""


# ------------------------------------------------------------------------------------------
# what may be written

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# characters an IRI cannot hold as they are (RFC 3987: controls, space, the delimiters below,
# non-characters); percent-encoded as UTF-8
_IRI_FORBIDDEN = re.compile(
    r'[\x00-\x20<>"{}|^`\\\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]|%(?![0-9A-Fa-f]{2})'
)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# characters XML 1.0 forbids (tab, LF and CR are allowed)
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")


def _percent(m: re.Match[str]) -> str:
    return "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8"))


# an IRI that needs no change: a scheme, then no character _IRI_FORBIDDEN or _SURROGATE
# names, no ``%`` (left to the full check) and at most one ``#``; nothing to trim at either end
_IRI_CHAR = r'[^\x00-\x20<>"{}|^`\\\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff%#]'
_IRI_AS_IS = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:" + _IRI_CHAR + "*(?:#" + _IRI_CHAR + "*)?")


def valid_iri(value: str) -> str | None:
    """``value`` as a valid absolute IRI, or None when it cannot be made one.

    Surrounding whitespace is trimmed; characters an IRI cannot hold (spaces, newlines, controls,
    ``<>"{}|^`\\``, a ``%`` not starting an escape, a second ``#``) are percent-encoded. A value
    without a scheme (a relative reference would resolve differently in every document) or with
    a lone surrogate cannot be made one.
    """
    if isinstance(value, str) and _IRI_AS_IS.fullmatch(value):
        return str(value)
    iri = str(value).strip(" \t\n\r\f\v")
    if not _SCHEME.match(iri) or _SURROGATE.search(iri):
        return None
    iri = _IRI_FORBIDDEN.sub(_percent, iri)
    hash_at = iri.find("#")
    if hash_at >= 0 and "#" in iri[hash_at + 1 :]:
        iri = iri[: hash_at + 1] + iri[hash_at + 1 :].replace("#", "%23")
    return iri


def _xml_safe(text: str) -> str:
    return _XML_FORBIDDEN.sub("\ufffd", text)


class _Cleaner:
    """Maps terms to what may be written (None: the triple is left out).

    Each IRI is checked once per document: the same IRI, wherever it occurs, is then the same
    object (so later lookups by it hit on identity)."""

    def __init__(self) -> None:
        # keyed by plain str: rdflib terms compare through Python-level methods
        self.iris: dict[str, URIRef | None] = {}

    def iri(self, node: URIRef) -> URIRef | None:
        key = str(node)
        try:
            return self.iris[key]
        except KeyError:
            pass
        fixed = valid_iri(key)
        if fixed is None:
            log.warning("RDF: left out a triple with an invalid IRI %r", key[:200])
            out = None
        else:
            out = node if str.__eq__(fixed, key) else URIRef(fixed)
        self.iris[key] = out
        return out

    def literal(self, o: Literal) -> Literal | None:
        lang = o.language
        datatype = o.datatype
        bad_text = _XML_FORBIDDEN.search(o) is not None
        bad_lang = lang is not None and not _LANGUAGE_TAG.fullmatch(lang)
        new_datatype = False
        if datatype is not None:
            fixed = self.iri(datatype)
            if fixed is None:
                return None
            if not str.__eq__(fixed, datatype):
                datatype, new_datatype = fixed, True
        if not bad_text and not bad_lang and not new_datatype:
            return o
        text = str(o)
        return Literal(
            _xml_safe(text) if bad_text else text,
            lang=None if bad_lang else lang,
            datatype=datatype,
        )

    def triple(self, s: Node, p: Node, o: Node) -> tuple[Node, Node, Node] | None:
        if type(s) is URIRef:
            s = self.iri(s)
        elif type(s) is not BNode:
            log.warning("RDF: left out a triple whose subject is not a node: %r", s)
            return None
        p = self.iri(p) if type(p) is URIRef else None
        kind = type(o)
        if kind is URIRef:
            o = self.iri(o)
        elif kind is not BNode:
            o = self.literal(o) if isinstance(o, Literal) else None
        if s is None or p is None or o is None:
            return None
        return s, p, o


def clean_triples(graph: Graph) -> Iterator[tuple[Node, Node, Node]]:
    """The graph's triples as they may be written (see the module docstring)."""
    cleaner = _Cleaner()
    for s, p, o in graph:
        t = cleaner.triple(s, p, o)
        if t is not None:
            yield t


def clean_graph(graph: Graph) -> Graph:
    """A copy of the graph with what may be written only (for rdflib's serialisers)."""
    out = Graph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=True, replace=True)
    for t in clean_triples(graph):
        out.add(t)
    return out


# ------------------------------------------------------------------------------------------


def _by_subject(graph: Graph) -> Iterable[tuple[Node, Iterable[tuple[Node, Node]]]]:
    """The graph's triples grouped by subject: (subject, its (predicate, object) pairs).

    A graph whose triples are all those of its in-memory store (the conjunctive graph the
    serializers build, or a store's only graph) is read from the store's subject index, which
    costs a fraction of iterating its triples (one context lookup per triple).
    """
    store = graph.store
    if type(store) is Memory:
        spo = getattr(store, "_Memory__spo", None)
        contexts = getattr(store, "_Memory__all_contexts", None)
        if type(graph) is ConjunctiveGraph and graph.default_union:
            # every context's triples; a quoted graph's (a formula) are not the graph's own
            whole = contexts is not None and all(type(c) is Graph for c in contexts)
        else:
            whole = (
                type(graph) is Graph and contexts is not None and all(c is graph for c in contexts)
            )
        if isinstance(spo, dict) and whole:
            return (
                (s, [(p, o) for p, objects in po.items() for o in objects]) for s, po in spo.items()
            )
    grouped: dict[Node, list[tuple[Node, Node]]] = {}
    for s, p, o in graph:
        pairs = grouped.get(s)
        if pairs is None:
            pairs = grouped[s] = []
        pairs.append((p, o))
    return grouped.items()


class _Graph:
    """The triples of a graph grouped by subject, in a canonical order."""

    def __init__(self, graph: Graph, bnode_prefix: str = "b") -> None:
        # documents concatenated from separately written parts need labels unique to each part
        self.bnode_prefix = bnode_prefix
        cleaner = _Cleaner()
        iri, literal = cleaner.iri, cleaner.literal
        subjects: dict[Node, PredicateObjects] = {}
        refs: dict[BNode, int] = {}
        for s, pairs in _by_subject(graph):
            kind = type(s)
            if kind is URIRef:
                s = iri(s)
                if s is None:
                    continue
            elif kind is not BNode:
                log.warning("RDF: left out the triples of a subject that is not a node: %r", s)
                continue
            pos: PredicateObjects = []
            for p, o in pairs:
                if type(p) is not URIRef or (p := iri(p)) is None:
                    continue
                kind = type(o)
                if kind is URIRef:
                    if (o := iri(o)) is None:
                        continue
                elif kind is BNode:
                    refs[o] = refs.get(o, 0) + 1
                elif kind is Literal or isinstance(o, Literal):
                    if (o := literal(o)) is None:
                        continue
                else:
                    continue
                pos.append((p, o))
            if pos:
                entry = subjects.get(s)
                if entry is None:
                    subjects[s] = pos
                else:  # two subjects that are the same IRI once made valid
                    entry.extend(pos)
        self._bkeys: dict[BNode, str] = {}
        self._subjects = subjects
        # canonical order: rdf:type first, then predicate, then object (see _key); keys are
        # plain tuples of plain str (rdflib terms compare through Python-level methods)
        pkeys: dict[Node, tuple[bool, str]] = {}
        key = self._key
        for pos in subjects.values():
            if len(pos) < 2:
                continue
            keyed = []
            for po in pos:
                p = po[0]
                pkey = pkeys.get(p)
                if pkey is None:
                    text = str(p)
                    pkey = pkeys[p] = (text != _RDF_TYPE, text)
                keyed.append((pkey, key(po[1]), po))
            keyed.sort(key=_first_two)
            pos[:] = [k[2] for k in keyed]
        self.subjects = {s: subjects[s] for s in sorted(subjects, key=key)}
        # written where they are referenced (once); everything else is written at the top
        self.inline = {b for b, n in refs.items() if n == 1}
        self.labels: dict[BNode, str] = {}
        self.written: set[Node] = set()
        self.namespaces = {str(ns): prefix for prefix, ns in graph.namespaces()}

    def _bkey(self, node: BNode, stack: tuple[BNode, ...] = ()) -> str:
        """A blank node's content as text: equal for nodes written alike."""
        key = self._bkeys.get(node)
        if key is not None:
            return key
        if node in stack:
            return "@cycle"
        inner = stack + (node,)
        parts = []
        for p, o in self._subjects.get(node, ()):
            kind = type(o)
            if kind is BNode:
                parts.append(f"{p} [{self._bkey(o, inner)}]")
            elif kind is URIRef:
                parts.append(f"{p} <{o}>")
            else:
                parts.append(f"{p} {o!r}")
        key = "\x00".join(sorted(parts))
        if not stack:
            self._bkeys[node] = key
        return key

    def _key(self, node: Node) -> tuple[int, str, str, str]:
        kind = type(node)
        if kind is URIRef:
            return (0, str(node), "", "")
        if kind is BNode:
            return (1, self._bkey(node), "", "")
        return (2, str(node), node.language or "", str(node.datatype or ""))

    def label(self, node: BNode) -> str:
        label = self.labels.get(node)
        if label is None:
            label = self.labels[node] = f"{self.bnode_prefix}{len(self.labels)}"
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


def _first_two(item: tuple[Any, Any, Any]) -> tuple[Any, Any]:
    return item[0], item[1]


def _sorted(pos: PredicateObjects) -> PredicateObjects:
    # already in canonical order (rdf:type first, then predicate, then object)
    return pos


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


def turtle(graph: Graph, bnode_prefix: str = "b") -> str:
    """The graph in Turtle."""
    g = _Graph(graph, bnode_prefix)
    name = _TurtleNames(g.namespaces)
    out: list[str] = []

    def literal(o: Literal) -> str:
        text = f'"{_TTL_STRING_SPECIAL.sub(_ttl_escape_char, o)}"'
        if o.language:
            return f"{text}@{o.language}"
        if o.datatype is not None and not _plain(o.datatype):
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
        parts: list[str] = []
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


def rdfxml(graph: Graph, bnode_prefix: str = "b") -> str:
    """The graph in RDF/XML (typed node elements, single-use blank nodes nested)."""
    g = _Graph(graph, bnode_prefix)
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


def jsonld(graph: Graph, bnode_prefix: str = "b") -> str:
    """The graph as expanded JSON-LD: one node object per subject, full IRIs as keys."""
    g = _Graph(graph, bnode_prefix)

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

    def node(subject: Node) -> None:
        # a single-use blank node follows the node that refers to it, so that its label (given
        # in writing order) does not depend on the order of blank nodes with equal content
        g.written.add(subject)
        obj: dict[str, Any] = {"@id": ref(subject)}
        children = []
        for p, o in _sorted(g.subjects[subject]):
            if str.__eq__(p, _RDF_TYPE) and type(o) is not Literal:
                obj.setdefault("@type", []).append(ref(o))
            else:
                obj.setdefault(str(p), []).append(value(o))
                if type(o) is BNode and o in g.inline and o in g.subjects:
                    children.append(o)
        nodes.append(obj)
        for child in children:
            if child not in g.written:
                node(child)

    for subject in g.top_level():
        if subject not in g.written:
            node(subject)
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
    return clean_graph(graph).serialize(format=rdf_format)
