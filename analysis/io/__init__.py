"""Reading datasets from files in any supported format into a :class:`Dataset`."""

from analysis.io.dataset import TABLES, Dataset

__all__ = ["TABLES", "Dataset"]
