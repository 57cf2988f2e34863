"""Compare two drafts of a report: what improved, what got worse, per section and dimension,
which weaknesses were resolved and which are new (``POST /v1/compare``)."""

from service.compare.drafts import Draft, compare_documents, compare_sources

__all__ = ["Draft", "compare_documents", "compare_sources"]
