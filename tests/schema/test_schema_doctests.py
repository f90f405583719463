"""The examples in the schema docstrings run and give what they show."""

import doctest
import importlib

import pytest

MODULES = ["analysis.schema.validate", "analysis.schema.presence", "analysis.schema.params",
           "analysis.schema.visits"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted > 0
