"""Explanations: the highlights behind each rating.

- ``signals``: checkable findings (undefined acronyms, blame without explanation, ...).
- ``leave_one_out``: which sentence of a passage moves the model's score.
- ``highlights``: the two combined into per-section, per-dimension highlights.
"""
