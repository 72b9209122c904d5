"""Analysis chains of CKAN's schema.xml (`text`, `text_general`, `text_ngram`) in Python.

Each analyser returns `(position, term)` pairs so that phrase queries can be evaluated. Index-time
WordDelimiterGraph catenations sit at the position of their first part (as after FlattenGraph).
Snowball English comes from tantivy's stemmer (the same Snowball `english` algorithm Solr uses).
Synonyms: CKAN's repository ships no synonyms.txt/protwords.txt, so none are applied.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import tantivy

from .schema import TEXT, TEXT_GENERAL, TEXT_NGRAM

__all__ = ["analyze", "word_delimiter", "fold_ascii", "stem", "Token"]

Token = tuple[int, str]

NGRAM_MIN, NGRAM_MAX = 2, 10

_STEMMER = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
    .filter(tantivy.Filter.stemmer("english"))
    .build()
)

# ASCIIFoldingFilter covers far more, but these are the letters NFKD decomposition cannot fold.
_FOLD_EXTRA = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "TH",
        "ð": "d",
        "Ð": "D",
        "ı": "i",
    }
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    out = _STEMMER.analyze(word)
    return out[0] if out else word


@lru_cache(maxsize=65536)
def fold_ascii(word: str) -> str:
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word.translate(_FOLD_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _char_class(c: str) -> int:
    """0 = delimiter, 1 = lower/other letter, 2 = upper letter, 3 = digit."""
    if c.isdigit():
        return 3
    if c.isalpha():
        return 2 if c.isupper() else 1
    return 0


@lru_cache(maxsize=262144)
def _word_terms(word: str, index: bool, stemmed: bool) -> tuple[tuple[tuple[int, str], ...], int]:
    """One whitespace token → its analysed (relative position, term) pairs and position width."""
    if word.isalpha() and (not stemmed or word.islower() or word[1:].islower()):
        parts = [(0, word)]  # the common case: one plain word
    elif word.isdigit():
        parts = [(0, word)]
    else:
        parts = word_delimiter(word, catenate=index, split_case=stemmed)
    out = []
    for rel, part in parts:
        term = part.lower()
        if stemmed:
            term = fold_ascii(stem(term))
        out.append((rel, term))
    return tuple(out), (max(rel for rel, _ in parts) + 1 if parts else 0)


def word_delimiter(token: str, *, catenate: bool, split_case: bool) -> list[tuple[int, str]]:
    """Lucene's WordDelimiterGraphFilter on one whitespace token → (relative position, part).

    Splits on non-alphanumerics, on letter↔digit changes and (optionally) on lower→upper case
    changes; drops a trailing English possessive `'s`; with `catenate`, adds runs of ≥2 word parts
    (or number parts) joined, at the position of the run's first part.
    """
    if token.endswith(("'s", "'S", "’s")):
        token = token[:-2]
    parts: list[tuple[str, bool]] = []  # (text, is_number)
    cur = ""
    prev = 0
    for c in token:
        cls = _char_class(c)
        if cls == 0:
            if cur:
                parts.append((cur, prev == 3))
            cur, prev = "", 0
            continue
        if cur and ((prev == 3) != (cls == 3) or (split_case and prev == 1 and cls == 2)):
            parts.append((cur, prev == 3))
            cur = ""
        cur += c
        prev = cls
    if cur:
        parts.append((cur, prev == 3))
    out = [(i, p) for i, (p, _) in enumerate(parts)]
    if catenate and len(parts) > 1:
        i = 0
        while i < len(parts):
            j = i
            while j + 1 < len(parts) and parts[j + 1][1] == parts[i][1]:
                j += 1
            if j > i:
                out.append((i, "".join(p for p, _ in parts[i : j + 1])))
            i = j + 1
    return out


def _delimited(value: str, *, index: bool, stemmed: bool) -> list[Token]:
    out: list[Token] = []
    pos = 0
    for word in value.split():
        terms, width = _word_terms(word, index, stemmed)
        for rel, term in terms:
            out.append((pos + rel, term))
        pos += width
    return out


def _ngrams(value: str) -> list[Token]:
    text = value.lower()
    grams: list[Token] = []
    for start in range(len(text)):
        for size in range(NGRAM_MIN, NGRAM_MAX + 1):
            if start + size > len(text):
                break
            grams.append((start, text[start : start + size]))
    return grams


def analyze(kind: str, value: str, *, index: bool) -> list[Token]:
    """Analyse `value` with the chain of field-type `kind` (index-time or query-time)."""
    if kind == TEXT:
        return _delimited(value, index=index, stemmed=True)
    if kind == TEXT_GENERAL:
        return _delimited(value, index=index, stemmed=False)
    if kind == TEXT_NGRAM:
        if index:
            return _ngrams(value)
        return [(i, w.lower()) for i, w in enumerate(value.split())]
    return [(0, value)]
