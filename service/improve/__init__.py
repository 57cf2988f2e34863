"""What to fix first, and how: concrete rewrites of weak passages (``rewrite``), measured by
re-scoring them with the model (``measure``), and a suggestion and the nearest exemplar on
every highlight (``annotate``). ``improve`` is the one entry point ``service.scoring`` calls.
"""

from service.improve.plan import Scored, improve

__all__ = ["Scored", "improve"]
