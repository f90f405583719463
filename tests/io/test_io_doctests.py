"""The examples in the io docstrings run and give what they show."""

import doctest
import importlib

import pytest

MODULES = ["analysis.io.delimited", "analysis.io.parquet", "analysis.io.excel",
           "analysis.io.readstat", "analysis.io.formats", "analysis.io.normalize",
           "analysis.io.wide", "analysis.io.mapping", "analysis.io.load"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted > 0
