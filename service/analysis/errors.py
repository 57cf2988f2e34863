"""The analysis commands' errors (no imports, so the command line can catch them cheaply)."""

from __future__ import annotations


class AnalysisError(ValueError):
    """A request the analysis commands refuse; the message names files and columns only."""


class BatchOutputError(AnalysisError):
    """The folder is not a readable ``scrutiny batch`` output (or lacks what a command needs)."""


class TrackerError(AnalysisError):
    """The tracker file given as --out exists but cannot be merged into."""
