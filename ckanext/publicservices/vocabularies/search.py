"""Autocomplete: terms of a vocabulary found by words of their labels (with a few synonyms) or by
code, key services of the stimulus-fund topics first."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from ckanext.publicservices.vocabularies.loaders import LOADERS, data_path, read_csv
from ckanext.publicservices.vocabularies.model import Term
from ckanext.publicservices.vocabularies.terms import get_vocabulary

# Words publishers type that the LGSL labels do not use (stemmed, lower case).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "bin": ("waste", "refuse", "recycling"),
    "rubbish": ("waste", "refuse"),
    "trash": ("waste", "refuse"),
    "garbage": ("waste", "refuse"),
    "litter": ("litter", "street"),
    "dump": ("waste", "tipping"),
    "pothole": ("road", "highway"),
    "nndr": ("business", "rate"),
    "ndr": ("business", "rate"),
    "fuel": ("energy", "warm", "fuel"),
    "heating": ("energy", "warm"),
    "insulation": ("energy", "insulation"),
    "career": ("career",),
    "job": ("employment", "job", "career"),
    "youth": ("young",),
    "teenager": ("young",),
    "art": ("art", "culture", "cultural"),
    "museum": ("museum", "heritage"),
    "library": ("library", "libraries"),
    "school": ("school", "education"),
    "wifi": ("internet", "digital", "wireless"),
    "poverty": ("warm", "energy", "poverty", "hardship"),
    "council": ("council",),
}


@functools.lru_cache(maxsize=1)
def key_services() -> dict[str, tuple[int, str]]:
    """Services relevant to the stimulus-fund topics: code → (rank, topic)."""
    out: dict[str, tuple[int, str]] = {}
    for i, r in enumerate(read_csv(data_path("lgsl_key_services_for_stimulus_topics.csv"))):
        out.setdefault(r["lgsl_id"].strip(), (i, r["topic"]))
    return out


@functools.lru_cache(maxsize=1)
def _govuk_labels() -> dict[str, str]:
    rows = read_csv(data_path("govuk_publisher_local_services_tier.csv"))
    return {r["LGSL"].strip(): r["Description"] for r in rows}


_WORD = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _tokens(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower())]


@dataclass(frozen=True)
class _Entry:
    term: Term
    label_tokens: frozenset[str]
    other_tokens: frozenset[str]
    codes: tuple[str, ...]
    rank: int


@functools.cache
def _search_index(name: str) -> tuple[_Entry, ...]:
    vocab = get_vocabulary(name)
    keys = key_services() if name == "lgsl" else {}
    govuk = _govuk_labels() if name == "lgsl" else {}
    entries = []
    for term in vocab.terms.values():
        other = " ".join((govuk.get(term.code, ""), " ".join(term.alt_names), term.description))
        if name != "council":
            # descriptions are long; only the first sentence helps a search
            other = " ".join((govuk.get(term.code, ""), term.description.split(".")[0]))
        entries.append(
            _Entry(
                term=term,
                label_tokens=frozenset(_tokens(term.label)),
                other_tokens=frozenset(_tokens(other)),
                codes=(term.code.lower(), *(c.lower() for c in term.former_codes)),
                rank=keys[term.code][0] if term.code in keys else 10_000,
            )
        )
    return tuple(entries)


def _matcher(name: str, word: str) -> tuple[frozenset[str], frozenset[str]]:
    """(label tokens, other tokens) of the vocabulary that ``word`` prefixes."""
    labels, others = _all_tokens(name)
    return (
        frozenset(t for t in labels if t.startswith(word)) if len(word) >= 2 else frozenset({word}),
        frozenset(t for t in others if t.startswith(word)) if len(word) >= 3 else frozenset({word}),
    )


@functools.cache
def _all_tokens(name: str) -> tuple[frozenset[str], frozenset[str]]:
    entries = _search_index(name)
    return (
        frozenset(t for e in entries for t in e.label_tokens),
        frozenset(t for e in entries for t in e.other_tokens),
    )


def _word_score(entry: _Entry, word: str, match: tuple[frozenset[str], frozenset[str]]) -> float:
    if word in entry.label_tokens:
        return 3.0
    if entry.label_tokens & match[0]:
        return 2.0
    if word in entry.other_tokens:
        return 1.0
    if entry.other_tokens & match[1]:
        return 0.5
    return 0.0


def search(name: str, query: Any, limit: int = 10, include_withdrawn: bool = False) -> list[Term]:
    """Terms of vocabulary ``name`` matching ``query`` by words or by code, best first.

    Words match labels (and, more weakly, alternative names and descriptions) by prefix, with a
    small synonym list ("bins" → waste); a number or code matches the term's code. Every word must
    match. Unknown vocabularies and empty queries give an empty list.
    """
    if name not in LOADERS or not isinstance(query, str):
        return []
    query = query.strip()[:200]
    if not query:
        return []
    limit = max(1, min(int(limit), 100))
    code_query = query.lower().replace(" ", "")
    words = list(dict.fromkeys(_tokens(query)))[:10]
    matchers = {w: _matcher(name, w) for w in words for w in (w, *SYNONYMS.get(w, ()))}
    scored: list[tuple[float, int, int, str, Term]] = []
    for entry in _search_index(name):
        term = entry.term
        if term.withdrawn and not include_withdrawn and name != "council":
            continue
        score = 0.0
        if code_query in entry.codes:
            score = 100.0
        elif any(c.startswith(code_query) for c in entry.codes) and any(
            ch.isdigit() for ch in code_query
        ):
            score = 50.0
        else:
            total = 0.0
            for word in words:
                best = _word_score(entry, word, matchers[word])
                for alt in SYNONYMS.get(word, ()):
                    best = max(best, 0.8 * _word_score(entry, alt, matchers[alt]))
                if best == 0.0:
                    total = 0.0
                    break
                total += best
            score = total
        if score <= 0:
            continue
        if entry.rank < 10_000:
            score += 1.5
        if term.withdrawn:
            score -= 1.0
        scored.append((-score, entry.rank, len(term.label), term.label, term))
    scored.sort(key=lambda s: s[:4])
    return [s[4] for s in scored[:limit]]


def clear_caches() -> None:
    """Forget the search indexes and the service rankings (the vocabularies were reloaded)."""
    _search_index.cache_clear()
    _all_tokens.cache_clear()
    key_services.cache_clear()
    _govuk_labels.cache_clear()
