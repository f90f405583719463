"""One-way repeated-measures ANOVA with sphericity corrections, vectorised.

Takes a complete-case array (subjects x conditions). statsmodels' ``AnovaRM`` builds
an OLS design with one column per subject and is cubic in the number of subjects;
here every quantity comes from row/column means and the k x k covariance matrix,
O(n k^2) time.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from analysis.stats._checks import fail
from analysis.stats.result import TestResult


def _orthonormal_contrasts(k: int) -> np.ndarray:
    """k x (k-1) matrix with orthonormal columns orthogonal to the ones vector."""
    helmert = np.zeros((k, k - 1))
    for j in range(1, k):
        helmert[:j, j - 1] = 1.0
        helmert[j, j - 1] = -j
        helmert[:, j - 1] /= np.sqrt(j * (j + 1))
    return helmert


def rm_anova(wide) -> TestResult:
    """Repeated-measures ANOVA of k conditions measured on the same n subjects.

    Parameters
    ----------
    wide : array-like, shape (n, k)
        One row per subject, one column per condition (visit), no missing values
        (choose complete cases first, or use :func:`analysis.stats.mixed.random_intercept`).

    Returns
    -------
    TestResult
        ``statistic`` F for conditions on ``df`` = k - 1 and ``extra["df2"]`` =
        (n-1)(k-1); ``extra``: ``ss_effect``, ``ss_error``, ``ss_subjects``,
        ``ms_effect``, ``ms_error``, ``partial_eta_sq`` (SS_effect / (SS_effect +
        SS_error)), ``epsilon_gg`` and ``p_gg`` (Greenhouse-Geisser),
        ``epsilon_hf`` and ``p_hf`` (Huynh-Feldt, capped at 1; with no
        between-subject factor the Lecoutre (1991) correction gives the same
        value, so the two coincide), ``epsilon_lb`` (lower bound 1/(k-1)),
        ``mauchly_w``, ``mauchly_chi2``, ``mauchly_df``, ``mauchly_p``.
        Sphericity quantities are NaN for k = 2 (sphericity holds trivially: the
        epsilons are 1).

    Raises
    ------
    StatsInputError (a ValueError)
        Missing values, fewer than 2 subjects or 2 conditions, or no within-subject
        variation (SS_error = 0: F undefined).

    Examples
    --------
    >>> r = rm_anova([[1, 2, 4], [2, 3, 3], [3, 5, 7], [2, 2, 5]])
    >>> r.df, r.extra["df2"]
    (2.0, 6.0)
    """
    try:
        y = np.asarray(wide, dtype=float)
    except (TypeError, ValueError):
        fail("numeric", "rm_anova needs a numeric subjects x conditions array")
    if y.ndim != 2:
        fail("shape", f"rm_anova needs a 2-D subjects x conditions array, got shape {y.shape}")
    n, k = y.shape
    if np.isnan(y).any():
        fail("missing", f"{int(np.isnan(y).any(axis=1).sum())} subject(s) with missing values: "
             "pass complete cases (or use the mixed model)")
    if not np.isfinite(y).all():
        fail("finite", "rm_anova input contains an infinite value")
    if n < 2 or k < 2:
        fail("too-few", f"rm_anova needs at least 2 subjects and 2 conditions, got {n} x {k}")
    grand = y.mean()
    row = y.mean(axis=1)
    col = y.mean(axis=0)
    ss_total = float(((y - grand) ** 2).sum())
    ss_subj = float(k * ((row - grand) ** 2).sum())
    ss_cond = float(n * ((col - grand) ** 2).sum())
    resid = y - row[:, None] - col[None, :] + grand
    ss_err = float((resid**2).sum())  # direct, not by subtraction (no cancellation)
    if ss_err <= 1e-12 * max(ss_total, 1e-300):
        fail("zero-variance", "no within-subject residual variation (SS_error = 0): F is undefined")
    df1, df2 = k - 1, (n - 1) * (k - 1)
    ms_cond, ms_err = ss_cond / df1, ss_err / df2
    f = ms_cond / ms_err
    p = float(stats.f.sf(f, df1, df2))

    extra = {
        "df2": float(df2), "ss_effect": ss_cond, "ss_error": ss_err, "ss_subjects": ss_subj,
        "ms_effect": ms_cond, "ms_error": ms_err,
        "partial_eta_sq": ss_cond / (ss_cond + ss_err), "epsilon_lb": 1.0 / df1,
    }
    if k > 2:
        centred = y - col[None, :]
        cov = centred.T @ centred / (n - 1)
        m = _orthonormal_contrasts(k)
        s = m.T @ cov @ m  # covariance of orthonormal contrasts, (k-1) x (k-1)
        tr = np.trace(s)
        eps_gg = float(tr**2 / (df1 * (s * s).sum()))
        eps_hf_raw = (n * df1 * eps_gg - 2) / (df1 * (n - 1 - df1 * eps_gg))
        eps_hf = float(min(1.0, eps_hf_raw))
        det = np.linalg.det(s)
        w = float(det / (tr / df1) ** df1) if tr > 0 else float("nan")
        mdf = df1 * (df1 + 1) / 2 - 1
        factor = (n - 1) - (2 * df1**2 + df1 + 2) / (6 * df1)
        chi = float(-factor * np.log(w)) if w > 0 else float("nan")
        extra.update(
            epsilon_gg=eps_gg, p_gg=float(stats.f.sf(f, df1 * eps_gg, df2 * eps_gg)),
            epsilon_hf=eps_hf, epsilon_hf_uncapped=float(eps_hf_raw),
            p_hf=float(stats.f.sf(f, df1 * eps_hf, df2 * eps_hf)),
            mauchly_w=w, mauchly_chi2=chi, mauchly_df=float(mdf),
            mauchly_p=float(stats.chi2.sf(chi, mdf)) if np.isfinite(chi) else float("nan"),
        )
    else:
        extra.update(epsilon_gg=1.0, p_gg=p, epsilon_hf=1.0, p_hf=p)
    return TestResult(
        test="repeated-measures ANOVA",
        method="one-way repeated-measures ANOVA (complete cases), F test of conditions; "
        "Greenhouse-Geisser and Huynh-Feldt corrected p, Mauchly's test",
        statistic=float(f),
        p_value=p,
        n=n,
        df=float(df1),
        extra=extra,
        params={"conditions": k},
    )
