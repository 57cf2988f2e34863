"""Batch scoring of many reports (``scrutiny batch``): inputs, engines, resumable tables."""
