"""Scrutiny: scores serious case reviews for clarity, root-cause depth, child focus and
recommendation quality. Everything under ``service`` runs at scoring time and never imports
torch."""

__version__ = "0.1.0"
