"""Reading datasets from files in any supported format into a :class:`Dataset`.

``load_dataset(path, mapping=None)`` is the entry point; one small module per
format family does the reading (:mod:`~analysis.io.delimited`,
:mod:`~analysis.io.parquet`, :mod:`~analysis.io.excel`, :mod:`~analysis.io.readstat`,
:mod:`~analysis.io.wide`, :mod:`~analysis.io.redcap`, :mod:`~analysis.io.adam`).
"""

from analysis.io.dataset import TABLES, Dataset
from analysis.io.load import load_dataset

__all__ = ["TABLES", "Dataset", "load_dataset"]
