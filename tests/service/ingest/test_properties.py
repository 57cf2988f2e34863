"""Property tests: for any text or Markdown document, every offset is exact and ordered."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.ingest import read_document
from service.ingest.errors import IngestError
from service.settings import IngestLimits
from tests.fixtures.truth import check_invariants

LIMITS = IngestLimits(isolate=False)

_WORDS = st.sampled_from(
    [
        "the",
        "child",
        "was",
        "seen",
        "by",
        "Dr.",
        "Smith",
        "e.g.",
        "s.47",
        "on",
        "3",
        "Jan.",
        "2014",
        "MASH",
        "(Multi-Agency",
        "Safeguarding",
        "Hub)",
        "ICPC",
        "No.",
        "4",
        "4.2",
        "i.e.",
        "visit",
        "recorded",
        "social",
        "worker",
        "ﬁnding",
        "café",
        "–",
        "—",
        "'",
        '"',
        ";",
        ":",
        "?",
        "!",
        ".",
        ",",
        "analysis",
        "findings",
        "RECOMMENDATIONS",
        "\xad",
        "\xa0",
        "\x00",
        "\t",
    ]
)
_SENTENCE = st.lists(_WORDS, min_size=1, max_size=25).map(" ".join)
_PARAGRAPH = st.lists(_SENTENCE, min_size=1, max_size=5).map(lambda s: ". ".join(s) + ".")
_HEADING = st.one_of(
    st.builds(lambda n, t: f"{'#' * n} {t}", st.integers(1, 4), _SENTENCE),
    st.builds(
        lambda a, b, t: f"{a}.{b} {t.capitalize()}", st.integers(1, 9), st.integers(1, 9), _SENTENCE
    ),
    st.sampled_from(["Recommendations", "GLOSSARY", "The child's lived experience", "Findings"]),
)
_GLOSSARY_ROW = st.sampled_from(
    [
        "MASH – Multi-Agency Safeguarding Hub",
        "- CIN: Child in Need",
        "ICPC | Initial Child Protection Conference",
    ]
)
_BLOCK = st.one_of(_PARAGRAPH, _HEADING, _GLOSSARY_ROW, _SENTENCE)
_SEPARATOR = st.sampled_from(["\n\n", "\n", "\r\n\r\n", "\n \n\n", "\n\t\n"])


@st.composite
def documents(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(_BLOCK, min_size=1, max_size=25))
    out = blocks[0]
    for block in blocks[1:]:
        out += draw(_SEPARATOR) + block
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.sampled_from(["report.md", "report.txt"]))
def test_any_text_document_has_exact_offsets(source: str, filename: str) -> None:
    try:
        document = read_document(source.encode("utf-8"), filename=filename, limits=LIMITS)
    except IngestError as error:
        # Mostly-NUL input reads as binary data, anything else must be read.
        binary = source.count("\x00") * 20 > len(source.encode())
        assert error.code == "empty" or (binary and error.code == "unsupported_type")
        return
    check_invariants(document)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(source: str) -> None:
    try:
        document = read_document(source.encode("utf-8"), filename="x.txt", limits=LIMITS)
    except IngestError as error:
        assert error.code in ("empty", "unsupported_type")
        return
    check_invariants(document)


@settings(max_examples=40, deadline=None)
@given(documents())
def test_html_documents_have_exact_offsets(source: str) -> None:
    html = (
        "<html><body>"
        + "".join(
            f"<h2>{b[:60]}</h2>" if len(b) < 40 else f"<p>{b}</p>" for b in source.split("\n\n")
        )
        + "</body></html>"
    )
    try:
        document = read_document(html.encode("utf-8"), filename="x.html", limits=LIMITS)
    except IngestError as error:
        assert error.code == "empty"
        return
    check_invariants(document)
