"""Random-intercept linear mixed model for repeated measurements with dropout.

``y_ij = mu + alpha_time(j) + b_i + e_ij``, ``b_i ~ N(0, s2_b)``, ``e_ij ~ N(0, s2)``,
time a categorical fixed effect. Estimation uses per-subject sufficient statistics:
with ``gamma = s2_b / s2`` every subject's ``V_i^-1`` is ``(I - c_i 11') / s2`` with
``c_i = gamma / (1 + n_i gamma)``, so ``X'V^-1 X``, ``X'V^-1 y`` and ``y'V^-1 y``
are sums over *missingness patterns* (subjects sharing the same visits share
``X_i``). ``s2`` and the fixed effects are profiled out, leaving a 1-D optimisation
over ``log gamma``; after one O(N) pass each evaluation costs O(patterns x k^2).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy import optimize, stats

from analysis.stats._checks import fail
from analysis.stats.result import TestResult


def _natural_key(value):
    """Sort "WEEK 4" before "WEEK 16": digit runs compare as numbers."""
    if isinstance(value, str):
        return (1, [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", value)])
    return (0, [(0, value, "")])


def _levels(values: pd.Series, levels) -> list:
    present = pd.unique(values)
    if levels is None:
        if isinstance(values.dtype, pd.CategoricalDtype):
            return [c for c in values.cat.categories if c in set(present)]
        return sorted(present, key=_natural_key)
    levels = list(levels)
    unknown = sorted(set(present) - set(levels), key=str)
    if unknown:
        fail("level", f"time value(s) not among the given levels: {unknown[:5]}", value=unknown[0])
    empty = [lv for lv in levels if lv not in set(present)]
    if empty:
        fail("level", f"time level(s) with no observation: {empty}", value=empty[0])
    return levels


class _Patterns:
    """Sufficient statistics grouped by the design pattern of each subject."""

    def __init__(self, subj: np.ndarray, tcode: np.ndarray, y: np.ndarray, k: int):
        n_sub = int(subj.max()) + 1
        counts = np.bincount(subj * k + tcode, minlength=n_sub * k).reshape(n_sub, k)
        ysum = np.bincount(subj, weights=y, minlength=n_sub)
        # duplicates are refused, so counts are 0/1: a pattern is a k-bit integer
        code = counts.astype(np.int64) @ (np.int64(1) << np.arange(k, dtype=np.int64))
        uniq, inv = np.unique(code, return_inverse=True)
        pats = (uniq[:, None] >> np.arange(k)) & 1
        self.s = np.column_stack([pats.sum(axis=1), pats[:, 1:]]).astype(float)
        self.n = self.s[:, 0]
        self.count = np.bincount(inv).astype(float)
        self.sy = np.bincount(inv, weights=ysum)
        self.syy = np.bincount(inv, weights=ysum**2)
        level_n = counts.sum(axis=0).astype(float)
        p = k
        xtx = np.zeros((p, p))
        xtx[0, 0] = y.size
        xtx[0, 1:] = xtx[1:, 0] = level_n[1:]
        xtx[np.arange(1, p), np.arange(1, p)] = level_n[1:]
        self.xtx = xtx
        self.xty = np.concatenate([[y.sum()], np.bincount(tcode, weights=y, minlength=k)[1:]])
        self.yty = float(y @ y)
        self.N, self.p, self.n_sub = y.size, p, n_sub
        # rank of the time effect within subjects (for the denominator df)
        within = np.diag(level_n[1:]) - np.einsum(
            "r,ri,rj->ij", self.count / self.n, self.s[:, 1:], self.s[:, 1:])
        self.within_rank = int(np.linalg.matrix_rank(within, tol=1e-9 * max(1.0, level_n.max())))

    def pieces(self, gamma: float):
        c = gamma / (1.0 + self.n * gamma)
        h = self.xtx - np.einsum("r,ri,rj->ij", c * self.count, self.s, self.s)
        b = self.xty - (c * self.sy) @ self.s
        ywy = self.yty - float(c @ self.syy)
        logdet_v = float(self.count @ np.log1p(self.n * gamma))
        return h, b, ywy, logdet_v


def _profile(pat: _Patterns, gamma: float, reml: bool):
    h, b, ywy, logdet_v = pat.pieces(gamma)
    chol = np.linalg.cholesky(h)
    beta = np.linalg.solve(h, b)
    rss = max(ywy - float(b @ beta), 1e-300)
    dof = pat.N - pat.p if reml else pat.N
    obj = dof * np.log(rss / dof) + logdet_v
    if reml:
        obj += 2 * np.log(np.diag(chol)).sum()
    return obj, beta, rss / dof, h


def random_intercept(long: pd.DataFrame, subject: str, time: str, y: str,
                     reml: bool = True, levels=None) -> TestResult:
    """Random-intercept LMM with time as a categorical fixed effect; Wald test of time.

    Parameters
    ----------
    long : DataFrame
        One row per subject and time; rows with missing ``y`` are dropped (subjects
        may have any subset of the visits: dropout is allowed, the model uses all
        available values under missing-at-random).
    subject, time, y : str
        Column names. ``time`` is treated as categorical.
    reml : bool
        REML (default) or maximum likelihood.
    levels : list, optional
        Order of the time levels; the first is the reference. Default: the
        categories of a categorical column, else the distinct values in natural
        order (numbers inside labels compare numerically: "BASELINE", "WEEK 4",
        "WEEK 16", "WEEK 52").

    Returns
    -------
    TestResult
        ``statistic`` Wald F for time (chi-square / q), ``df`` q = levels - 1,
        ``extra["df2"]`` denominator df by the between-within (containment) rule
        ``N - subjects - q`` (equals (n-1)(k-1) for complete balanced data, where the
        F equals the RM-ANOVA F whenever the subject variance estimate is positive);
        ``extra`` also: ``chi2`` and ``p_chi2`` (asymptotic Wald), ``var_subject``,
        ``var_residual``, ``gamma`` (their ratio), ``loglik`` (the maximised
        REML or ML log-likelihood with all constants, as statsmodels' ``llf``),
        ``n_obs``, ``n_subjects``, ``n_dropped`` (missing y), and per level
        ``mean[L]`` / ``se_mean[L]`` (model-based mean) and ``diff[L]`` /
        ``se_diff[L]`` / ``p_diff[L]`` (L minus reference, Wald z). ``n`` = subjects.

    Raises
    ------
    StatsInputError (a ValueError)
        Missing columns, duplicate subject-time rows, fewer than 2 levels or
        subjects, or no within-subject information on time.

    Examples
    --------
    >>> d = pd.DataFrame({"id": [1, 1, 2, 2, 3, 3, 4], "t": ["a", "b"] * 3 + ["a"],
    ...                   "y": [1.0, 2.5, 2.0, 2.9, 0.5, 2.2, 1.1]})
    >>> r = random_intercept(d, "id", "t", "y")
    >>> r.df, r.n
    (1.0, 4)
    """
    missing = [c for c in (subject, time, y) if c not in long.columns]
    if missing:
        fail("required-column", f"column(s) not in the data: {missing}", column=missing[0])
    yv = pd.to_numeric(long[y], errors="coerce")
    subjects, times = long[subject], long[time]
    keep = yv.notna().to_numpy() & subjects.notna().to_numpy() & times.notna().to_numpy()
    if not keep.all():  # (no copy of the two columns when every row is usable)
        subjects, times = subjects[keep], times[keep]
    yarr = yv.to_numpy(float)[keep]
    if not np.isfinite(yarr).all():
        fail("finite", f"{y} contains an infinite value", column=y)
    lv = _levels(times, levels)
    k = len(lv)
    if k > 62:
        fail("too-many", f"at most 62 time levels are supported, got {k}", column=time)
    if k < 2:
        fail("too-few", f"the time effect needs at least 2 levels with data, got {k}", column=time)
    tcode = pd.Categorical(times, categories=lv).codes.astype(np.int64)
    subj, _ = pd.factorize(subjects)
    subj = subj.astype(np.int64)
    n_sub = int(subj.max()) + 1 if subj.size else 0
    if n_sub < 2:
        fail("too-few", f"a mixed model needs at least 2 subjects, got {n_sub}", column=subject)
    cell = subj * k + tcode  # >= 0: every time value is one of the levels
    if cell.size and np.bincount(cell).max() > 1:
        fail("duplicate", f"a subject has two rows for the same {time}", column=time)
    shift = float(yarr.mean())  # centring avoids cancellation in y'V^-1 y
    pat = _Patterns(subj, tcode, yarr - shift, k)
    q = k - 1
    if pat.within_rank < q:
        fail("no-information", "no within-subject contrast for every time level "
             "(each level must be seen with another level in some subject)", column=time)
    if pat.N - pat.p <= 0:
        fail("too-few", "more fixed effects than observations")

    def objective(theta: float) -> float:
        return _profile(pat, float(np.exp(theta)), reml)[0]

    grid = np.linspace(-20.0, 12.0, 65)
    values = [objective(t) for t in grid]
    best = int(np.argmin(values))
    lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    opt = optimize.minimize_scalar(objective, bounds=(lo, hi), method="bounded",
                                   options={"xatol": 1e-10})
    gamma, obj = float(np.exp(opt.x)), float(opt.fun)
    obj0 = _profile(pat, 0.0, reml)[0]
    if obj0 <= obj:  # boundary: no between-subject variance
        gamma, obj = 0.0, obj0
    _, beta, s2, h = _profile(pat, gamma, reml)
    beta = beta.copy()
    beta[0] += shift
    cov = s2 * np.linalg.inv(h)

    bl, cl = beta[1:], cov[1:, 1:]
    chi2 = float(bl @ np.linalg.solve(cl, bl))
    f = chi2 / q
    df2 = float(pat.N - n_sub - pat.within_rank)
    p_f = float(stats.f.sf(f, q, df2)) if df2 > 0 else float("nan")
    dof = pat.N - pat.p if reml else pat.N
    loglik = -0.5 * (obj + dof * (1 + np.log(2 * np.pi)))
    extra = {
        "df2": df2, "chi2": chi2, "p_chi2": float(stats.chi2.sf(chi2, q)),
        "var_subject": gamma * s2, "var_residual": s2, "gamma": gamma, "loglik": float(loglik),
        "n_obs": pat.N, "n_subjects": n_sub, "n_dropped": int((~keep).sum()),
    }
    contrast = np.zeros(k)
    contrast[0] = 1.0
    for j, level in enumerate(lv):
        vec = contrast.copy()
        if j:
            vec[j] = 1.0
            d, sd = float(beta[j]), float(np.sqrt(cov[j, j]))
            extra[f"diff[{level}]"] = d
            extra[f"se_diff[{level}]"] = sd
            extra[f"p_diff[{level}]"] = float(2 * stats.norm.sf(abs(d / sd)))
        extra[f"mean[{level}]"] = float(vec @ beta)
        extra[f"se_mean[{level}]"] = float(np.sqrt(vec @ cov @ vec))
    fit = "REML" if reml else "maximum likelihood"
    boundary = "; subject variance estimated at 0 (boundary)" if gamma == 0 else ""
    return TestResult(
        test="linear mixed model",
        method=f"random-intercept linear mixed model ({fit}), time as categorical fixed effect "
        f"(reference {lv[0]}), all available observations; Wald F test of time with "
        f"between-within denominator df{boundary}",
        statistic=float(f),
        p_value=p_f,
        n=n_sub,
        df=float(q),
        extra=extra,
        params={"reml": reml, "levels": [str(v) for v in lv], "reference": str(lv[0])},
    )
