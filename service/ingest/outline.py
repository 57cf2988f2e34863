"""The outline ``scrutiny sections`` prints: sections, glossary, pages and size, no text."""

from __future__ import annotations

from typing import Any

from service.ingest.document import Document


def document_outline(doc: Document) -> dict[str, Any]:
    """A JSON-ready outline of ``doc``."""
    return {
        "sha256": doc.sha256,
        "media_type": doc.media_type,
        "title": doc.title,
        "pages": len(doc.pages) or None,
        "characters": len(doc.text),
        "sections": [
            {
                "index": index,
                "heading": section.heading,
                "kind": section.kind,
                "level": section.level,
                "start": section.start,
                "end": section.end,
                "page_start": section.page_start,
                "page_end": section.page_end,
                "words": len(doc.text[section.body_start : section.end].split())
                if section.body_start < section.end
                else 0,
            }
            for index, section in enumerate(doc.sections)
        ],
        "glossary": [
            {
                "acronym": entry.acronym,
                "expansion": entry.expansion,
                "source": entry.source,
                "start": entry.start,
                "end": entry.end,
            }
            for entry in doc.glossary
        ],
    }
