"""Generic statistics. Never names a study.

Every test returns a :class:`analysis.stats.result.TestResult` that names the test's
exact variant (sidedness, ties, continuity correction, exact or asymptotic). Input a
function cannot compute from raises :class:`StatsInputError`, which is both an
:class:`analysis.errors.InputError` and a :class:`ValueError`.

Modules: ``describe`` (summaries, counts), ``paired`` (paired t, Wilcoxon signed-rank),
``two_sample`` (Welch/Student t, Mann-Whitney), ``correlation`` (Pearson, Spearman),
``mcnemar``, ``contingency`` (2x2 tests), ``survival`` (Kaplan-Meier, restricted mean,
median, Cox, PH test), ``regression`` (logistic), ``anova`` (repeated measures),
``mixed`` (random-intercept linear mixed model).
"""

from analysis.stats._checks import StatsInputError
from analysis.stats.result import TestResult

__all__ = ["StatsInputError", "TestResult"]
