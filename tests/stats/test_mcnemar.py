"""McNemar variants against hand binomial arithmetic, Agresti's example and statsmodels."""

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar

from analysis.stats.mcnemar import mcnemar, mcnemar_paired


def test_exact_and_midp_hand_binomial():
    # b = 1, c = 7, m = 8: P(X <= 1) = (1 + 8)/256 = 9/256, P(X = 1) = 8/256.
    # exact = 2 * 9/256 = 18/256; mid-p = 18/256 - 8/256 = 10/256.
    assert mcnemar(1, 7, "exact").p_value == pytest.approx(18 / 256)
    assert mcnemar(1, 7, "midp").p_value == pytest.approx(10 / 256)
    assert np.isnan(mcnemar(1, 7, "exact").statistic)


def test_chi2_agresti_presidential_approval():
    # Agresti, An Introduction to Categorical Data Analysis (2nd ed., 2007), Sec. 8.1:
    # approval at two surveys, table [[794, 150], [86, 570]]; z = (86-150)/sqrt(236) = -4.17,
    # so McNemar chi-square z^2 = 4096/236 = 17.36. With Edwards' correction: 63^2/236.
    r = mcnemar(150, 86, "chi2")
    assert r.statistic == pytest.approx(4096 / 236)
    assert np.sqrt(r.statistic) == pytest.approx(4.17, abs=0.005)
    assert r.df == 1
    cc = mcnemar(150, 86, "chi2_cc")
    assert cc.statistic == pytest.approx(63**2 / 236)
    assert cc.p_value == pytest.approx(stats.chi2.sf(63**2 / 236, 1))


@pytest.mark.parametrize("b,c", [(3, 9), (12, 5), (4, 4), (0, 6)])
def test_matches_statsmodels(b, c):
    table = [[10, b], [c, 20]]
    assert mcnemar(b, c, "exact").p_value == pytest.approx(sm_mcnemar(table, exact=True).pvalue)
    for variant, corr in (("chi2", False), ("chi2_cc", True)):
        ref = sm_mcnemar(table, exact=False, correction=corr)
        r = mcnemar(b, c, variant)
        assert r.statistic == pytest.approx(ref.statistic)
        assert r.p_value == pytest.approx(ref.pvalue)


def test_no_discordant_pairs_gives_one_with_note():
    for variant in ("exact", "midp", "chi2", "chi2_cc"):
        r = mcnemar(0, 0, variant)
        assert r.p_value == 1.0
        assert "no discordant pairs" in r.method


def test_paired_counts_cells_and_drops_missing():
    before = [1, 1, 1, 0, 0, 0, 0, np.nan, 1]
    after = [1, 0, 0, 1, 1, 1, 0, 1, np.nan]
    r = mcnemar_paired(before, after, "midp")
    assert (r.extra["a"], r.extra["b"], r.extra["c"], r.extra["d"]) == (1, 2, 3, 1)
    assert r.n == 7 and r.extra["n_dropped"] == 2
    assert r.estimate == pytest.approx((3 - 2) / 7)
    assert r.p_value == pytest.approx(mcnemar(2, 3, "midp").p_value)
    assert r.params == {"variant": "midp"}


def test_bad_input():
    with pytest.raises(ValueError):
        mcnemar(-1, 2)
    with pytest.raises(ValueError):
        mcnemar(1, 2, "fisher")
    with pytest.raises(ValueError, match="True/False"):
        mcnemar_paired([0, 2], [1, 1])
    with pytest.raises(ValueError, match="same length"):
        mcnemar_paired([0, 1], [1])
