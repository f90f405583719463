"""Generic statistics. Never names a study.

Every test returns a :class:`analysis.stats.result.TestResult` that names the test's
exact variant (sidedness, ties, continuity correction, exact or asymptotic).
"""

from analysis.stats.result import TestResult

__all__ = ["TestResult"]
