"""Helpers for labelling passages of the real coroners' reports (listing, writing, checking)."""
