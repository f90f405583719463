"""The smallest correlation coefficient a printed p-value threshold implies.

"P < .01" for a correlation of ``n`` pairs says ``|r|`` exceeded the critical
value of the test used:

* Pearson's t-test (and Spearman's t approximation, as in scipy and SPSS):
  ``t = r sqrt(n - 2) / sqrt(1 - r^2)`` on ``n - 2`` df, so
  ``r_crit = t_crit / sqrt(t_crit^2 + n - 2)``;
* Fisher's z: ``atanh(r) sqrt(n - 3)`` standard normal, ``r_crit = tanh(z_crit / sqrt(n - 3))``.

Examples
--------
>>> round(min_abs_r(0.01, 20)["t"], 4)        # t(18) = 2.8784: r = 2.8784/sqrt(2.8784^2 + 18)
0.5614
"""

from __future__ import annotations

import math

from scipy import stats


def min_abs_r(alpha: float, n: int) -> dict[str, float]:
    """Critical |r| for a two-sided p below ``alpha`` at ``n`` pairs, per test.

    Returns
    -------
    dict
        ``{"t": r_crit (Pearson t-test / Spearman t approximation), "fisher_z": r_crit}``
    """
    if n < 4:
        raise ValueError("need at least 4 pairs")
    t_crit = float(stats.t.isf(alpha / 2, n - 2))
    z_crit = float(stats.norm.isf(alpha / 2))
    return {
        "t": t_crit / math.sqrt(t_crit**2 + n - 2),
        "fisher_z": math.tanh(z_crit / math.sqrt(n - 3)),
    }
