"""The Analysis Results Dataset (ARD): one row per computed number."""

from analysis.results.ard import ARD_COLUMNS, ArdBuilder, select

__all__ = ["ARD_COLUMNS", "ArdBuilder", "select"]
