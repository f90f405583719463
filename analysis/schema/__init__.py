"""The data contract and its validation.

``validate(dataset)`` returns a :class:`ValidationReport` with every problem;
``validate_or_raise`` refuses an invalid dataset with :class:`~analysis.errors.InputError`;
``requirements(tables, params, dataset)`` lists, as information, what a study
needs that the dataset lacks.
"""

from analysis.schema.contract import CONTRACT, PARAMS, VISITS
from analysis.schema.presence import requirements
from analysis.schema.report import ValidationReport
from analysis.schema.validate import validate, validate_or_raise

__all__ = ["CONTRACT", "PARAMS", "VISITS", "ValidationReport", "requirements", "validate",
           "validate_or_raise"]
