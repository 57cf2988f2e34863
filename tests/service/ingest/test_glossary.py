"""Acronyms and their definitions, from glossary rows and running text."""

from __future__ import annotations

from service.ingest.glossary import find_acronyms, glossary_rows, inline_definitions, is_acronym


def test_find_acronyms() -> None:
    text = "The MASH and two GPs met at the ICPC; A&E saw her. The DfE said Part II. NOT THE END"
    found = [(text[a:b], acronym) for a, b, acronym in find_acronyms(text)]
    assert found == [
        ("MASH", "MASH"),
        ("GP", "GP"),
        ("ICPC", "ICPC"),
        ("A&E", "A&E"),
        ("DfE", "DfE"),
        ("END", "END"),
    ]


def test_is_acronym_rejects_words_and_numerals() -> None:
    assert not is_acronym("The") and not is_acronym("II") and not is_acronym("AND")
    assert is_acronym("CAMHS") and is_acronym("HV")


def test_inline_definitions() -> None:
    text = (
        "Referrals went to the Multi-Agency Safeguarding Hub (MASH). An Initial Child "
        "Protection Conference (ICPC) was held. The Department for Education (DfE) and "
        "CIN (Child in Need) plans. Nothing (NB) here."
    )
    entries = {e.acronym: e for e in inline_definitions(text)}
    assert entries["MASH"].expansion == "Multi-Agency Safeguarding Hub"
    assert entries["ICPC"].expansion == "Initial Child Protection Conference"
    assert entries["DfE"].expansion == "Department for Education"
    assert entries["CIN"].expansion == "Child in Need"
    assert "NB" not in entries
    for entry in entries.values():
        assert entry.acronym in text[entry.start : entry.end]


def test_glossary_rows() -> None:
    text = (
        "MASH – Multi-Agency Safeguarding Hub\nCIN: Child in Need\n- HV - Health Visitor\n"
        "ICPC | Initial Child Protection Conference\nChild Protection Plan (CPP)\n"
        "This line is prose, not a definition."
    )
    entries = glossary_rows(text, [(0, len(text))])
    assert [(e.acronym, e.expansion) for e in entries] == [
        ("MASH", "Multi-Agency Safeguarding Hub"),
        ("CIN", "Child in Need"),
        ("HV", "Health Visitor"),
        ("ICPC", "Initial Child Protection Conference"),
        ("CPP", "Child Protection Plan"),
    ]
    for entry in entries:
        assert text[entry.start : entry.end].strip() == text[entry.start : entry.end]
