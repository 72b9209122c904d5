"""The text / text_general / text_ngram chains of CKAN's schema.xml."""

from __future__ import annotations

from devstack.search.analysis import analyze, fold_ascii, stem, word_delimiter


def terms(kind: str, value: str, index: bool = True) -> list[str]:
    return [t for _, t in analyze(kind, value, index=index)]


def test_word_delimiter_splits_and_catenates_at_index_time() -> None:
    assert word_delimiter("Wi-Fi", catenate=True, split_case=True) == [
        (0, "Wi"),
        (1, "Fi"),
        (0, "WiFi"),
    ]
    assert word_delimiter("PowerShot500", catenate=False, split_case=True) == [
        (0, "Power"),
        (1, "Shot"),
        (2, "500"),
    ]
    assert word_delimiter("PowerShot", catenate=False, split_case=False) == [(0, "PowerShot")]
    assert word_delimiter("O'Neil's", catenate=False, split_case=True) == [(0, "O"), (1, "Neil")]
    assert word_delimiter("--", catenate=True, split_case=True) == []


def test_text_chain_stems_lowercases_and_folds() -> None:
    assert terms("text", "Flooding Rivers") == ["flood", "river"]
    assert terms("text", "Café naïve") == ["cafe", "naiv"]
    assert terms("text", "Wi-Fi footfall") == ["wi", "fi", "wifi", "footfal"]
    # query time: no catenation, same stemming
    assert terms("text", "Wi-Fi", index=False) == ["wi", "fi"]


def test_text_general_is_not_stemmed_or_case_split() -> None:
    assert terms("text_general", "Flooding DataSets") == ["flooding", "datasets"]
    assert terms("text_general", "user@example.org") == ["user", "example", "org", "userexampleorg"]


def test_ngram_index_and_query() -> None:
    grams = terms("text_ngram", "Abc d")
    assert "ab" in grams and "abc d" in grams and "c d" in grams and "a" not in grams
    assert terms("text_ngram", "Ab CD", index=False) == ["ab", "cd"]


def test_stem_and_fold_helpers() -> None:
    assert stem("flooding") == "flood"
    assert stem("running") == "run"
    assert fold_ascii("Straße") == "Strasse"
    assert fold_ascii("plain") == "plain"


def test_positions_leave_room_for_phrases() -> None:
    assert analyze("text", "big data lake", index=True) == [(0, "big"), (1, "data"), (2, "lake")]
