"""Which 2x2 tables and which tests give a printed comparison of two percentages?

A paper prints "72.2% vs 55.8%, p=0.027" without the group sizes. Every group
size ``n`` has a (possibly empty) set of counts ``x`` with ``100 x / n`` printing
as the percent (:func:`analysis.audit.grim.percent_counts`); for every pair of
groups so found the usual tests are run through :mod:`analysis.stats.contingency`
and the tables whose p-value prints as reported are kept.

Examples
--------
>>> from decimal import Decimal as D
>>> from analysis.targets.compare import parse_printed
>>> hits = enumerate_two_proportions(D("75.0"), 1, D("25.0"), 1, parse_printed("0.486"),
...                                  n1=(4, 4), n2=(4, 4), tests=("fisher",))
>>> hits[["n1", "x1", "n2", "x2", "test"]].values.tolist()   # Fisher's tea tasting
[[4, 3, 4, 1, 'fisher']]
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analysis.audit.grim import percent_counts
from analysis.stats.contingency import two_by_two
from analysis.targets.compare import Printed, rules_matching, to_decimal

TESTS = ("chi2", "chi2_yates", "fisher", "ztest")


def p_fits(p: float, printed: Printed) -> bool:
    """Does a computed p-value print as ``printed`` (honouring ``<``/``>``)?"""
    if p != p:  # NaN
        return False
    if printed.comparator == "<":
        return to_decimal(p) < printed.value
    if printed.comparator == ">":
        return to_decimal(p) > printed.value
    return bool(rules_matching(p, printed.value, printed.decimals[0]))


def enumerate_two_proportions(pct1: Decimal, dec1: int, pct2: Decimal, dec2: int,
                              p: Printed, n1: tuple[int, int], n2: tuple[int, int],
                              n_total: tuple[int, int] | None = None,
                              tests=TESTS) -> pd.DataFrame:
    """Every (n1, x1, n2, x2, test) whose percents and p-value print as reported.

    Parameters
    ----------
    pct1, pct2 : Decimal
        Printed percentages of groups 1 and 2, with their printed decimals.
    p : Printed
        The printed p-value.
    n1, n2 : (int, int)
        Inclusive ranges of group sizes to search.
    n_total : (int, int), optional
        Inclusive range for ``n1 + n2``.
    tests : iterable of str
        Tests of :func:`analysis.stats.contingency.two_by_two`.

    Returns
    -------
    DataFrame
        Columns n1, x1, n2, x2, test, p_value; one row per fitting table and test.
    """
    g1 = [(n, x) for n in range(max(1, n1[0]), n1[1] + 1) for x in percent_counts(pct1, dec1, n)]
    g2 = [(n, x) for n in range(max(1, n2[0]), n2[1] + 1) for x in percent_counts(pct2, dec2, n)]
    rows = []
    for a_n, a_x in g1:
        for b_n, b_x in g2:
            if n_total is not None and not (n_total[0] <= a_n + b_n <= n_total[1]):
                continue
            for test in tests:
                res = two_by_two(a_x, a_n - a_x, b_x, b_n - b_x, test)
                if p_fits(res.p_value, p):
                    rows.append({"n1": a_n, "x1": a_x, "n2": b_n, "x2": b_x, "test": test,
                                 "p_value": res.p_value})
    return pd.DataFrame(rows, columns=["n1", "x1", "n2", "x2", "test", "p_value"])


def candidate_groups(pct: Decimal, dec: int, n_range: tuple[int, int]) -> list[tuple[int, int]]:
    """(n, x) pairs in ``n_range`` whose percent prints as ``pct``."""
    return [(n, x) for n in range(max(1, n_range[0]), n_range[1] + 1)
            for x in percent_counts(pct, dec, n)]
