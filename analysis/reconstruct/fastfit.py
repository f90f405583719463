"""Fast model fits used only *inside* the reconstruction searches.

A search evaluates a model thousands of times; the product's fits (lifelines,
statsmodels) take 10-100 ms each. These Newton-Raphson fits take well under a
millisecond on a few hundred patients and compute the same estimators: Cox partial
likelihood with Efron's handling of ties (lifelines' method) and the logistic
maximum-likelihood fit with an intercept (statsmodels ``Logit``), each with Wald
standard errors. They steer the search; the finished cohort is always checked with
the product's own study code, and tests compare these fits with lifelines and
statsmodels.

Examples
--------
>>> import numpy as np
>>> t = np.array([1., 2, 3, 4, 5, 6]); e = np.array([1, 1, 0, 1, 1, 0])
>>> x = np.array([[1.], [0], [1], [0], [1], [0]])
>>> beta, se = cox_efron(t, e, x)
>>> round(float(beta[0]), 4)
0.2739
"""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054


def cox_efron(time, event, x, max_iter: int = 50, tol: float = 1e-9, beta0=None):
    """Cox model coefficients and Wald SEs, Efron ties.

    Parameters
    ----------
    time : array (n)
    event : array (n) of 0/1 (1 = event)
    x : array (n, p)
    beta0 : array (p), optional
        Starting point (a search passes the previous solution: fewer Newton steps).

    Returns
    -------
    beta, se : arrays (p)
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=float)
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    n, p = x.shape
    order = np.argsort(-time, kind="stable")
    t, e, xs = time[order], event[order], x[order]
    # Centre for numerical stability (does not change beta or its SE).
    xs = xs - xs.mean(axis=0)
    uniq, first = np.unique(-t, return_index=True)  # descending times: groups of ties
    grp_end = np.r_[first[1:], n]                     # risk set of group g = rows [0, grp_end[g])
    ev_idx = np.flatnonzero(e > 0)
    ev_grp = np.searchsorted(first, ev_idx, side="right") - 1
    d_g = np.bincount(ev_grp, minlength=first.size).astype(float)
    # Efron index l of each event within its tie group (0 .. d-1)
    rank_in = np.arange(ev_idx.size) - np.searchsorted(ev_grp, ev_grp, side="left")
    frac = rank_in / d_g[ev_grp]
    xe = xs[ev_idx]
    xe_sum = xe.sum(axis=0)
    n_g = first.size
    beta = np.zeros(p) if beta0 is None else np.asarray(beta0, dtype=float).copy()
    info = np.eye(p)
    pairs = [(a, b) for a in range(p) for b in range(a, p)]
    for _ in range(max_iter):
        w = np.exp(xs @ beta)
        wx = w[:, None] * xs
        wxx = np.stack([wx[:, a] * xs[:, b] for a, b in pairs], axis=1)
        ends = grp_end - 1
        r0 = np.cumsum(w)[ends]
        r1 = np.cumsum(wx, axis=0)[ends]
        r2 = np.cumsum(wxx, axis=0)[ends]
        d0 = np.bincount(ev_grp, weights=w[ev_idx], minlength=n_g)
        d1 = np.stack([np.bincount(ev_grp, weights=wx[ev_idx, k], minlength=n_g)
                       for k in range(p)], axis=1)
        d2 = np.stack([np.bincount(ev_grp, weights=wxx[ev_idx, k], minlength=n_g)
                       for k in range(len(pairs))], axis=1)
        g = ev_grp
        phi = r0[g] - frac * d0[g]
        m1 = (r1[g] - frac[:, None] * d1[g]) / phi[:, None]
        m2 = ((r2[g] - frac[:, None] * d2[g]) / phi[:, None]).sum(axis=0)
        grad = xe_sum - m1.sum(axis=0)
        mm = m1.T @ m1
        info = np.empty((p, p))
        for k, (a, b) in enumerate(pairs):
            info[a, b] = info[b, a] = m2[k] - mm[a, b]
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            break
        # Halve a step that would overflow (separation); lifelines does similar.
        while np.abs(step).max() > 5:
            step /= 2
        beta = beta + step
        if np.abs(step).max() < tol:
            break
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        cov = np.linalg.pinv(info)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.diag(cov))
    return beta, se


def logistic(y, x, max_iter: int = 50, tol: float = 1e-9, beta0=None, full: bool = False):
    """Logistic regression with an intercept: coefficients and Wald SEs of ``x``'s columns.

    ``beta0`` (intercept first) is an optional starting point; ``full`` returns the
    intercept too (first), e.g. to warm-start the next fit.

    Returns
    -------
    beta, se : arrays (p) (the intercept left out)
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    xd = np.column_stack([np.ones(y.size), x])
    beta = np.zeros(xd.shape[1]) if beta0 is None else np.asarray(beta0, dtype=float).copy()
    info = np.eye(xd.shape[1])
    for _ in range(max_iter):
        eta = np.clip(xd @ beta, -30, 30)
        mu = 1 / (1 + np.exp(-eta))
        w = mu * (1 - mu)
        info = (xd * w[:, None]).T @ xd
        grad = xd.T @ (y - mu)
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            break
        while np.abs(step).max() > 5:
            step /= 2
        beta = beta + step
        if np.abs(step).max() < tol:
            break
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        cov = np.linalg.pinv(info)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.diag(cov))
    return (beta, se) if full else (beta[1:], se[1:])


def wald(beta: float, se: float) -> dict:
    """HR/OR-scale estimate, 95 % Wald CI and two-sided p of one coefficient."""
    z = beta / se if se > 0 else math.inf

    def ex(v):
        return math.exp(min(max(v, -700.0), 700.0)) if math.isfinite(v) else math.nan

    return {
        "ratio": ex(beta),
        "ci_low": ex(beta - Z95 * se),
        "ci_high": ex(beta + Z95 * se),
        "p_value": math.erfc(abs(z) / math.sqrt(2)),
    }


def chi2_2x2_p(a, b, c, d, yates: bool = False) -> float:
    """Pearson chi-square p of a 2x2 table (1 df), optionally with Yates' correction."""
    n = a + b + c + d
    r1, r2, c1, c2 = a + b, c + d, a + c, b + d
    if min(r1, r2, c1, c2) == 0:
        return 1.0
    diff = abs(a * d - b * c)
    if yates:
        diff = max(0.0, diff - n / 2)
    stat = n * diff * diff / (r1 * r2 * c1 * c2)
    return math.erfc(math.sqrt(stat / 2))


def student_t_p(x, y, welch: bool = False) -> float:
    """Two-sided p of Student's (pooled) or Welch's two-sample t-test."""
    from scipy.special import stdtr

    x, y = np.asarray(x, float), np.asarray(y, float)
    nx, ny = x.size, y.size
    vx, vy = x.var(ddof=1), y.var(ddof=1)
    if welch:
        se2 = vx / nx + vy / ny
        df = se2 * se2 / ((vx / nx) ** 2 / (nx - 1) + (vy / ny) ** 2 / (ny - 1))
    else:
        df = nx + ny - 2
        se2 = ((nx - 1) * vx + (ny - 1) * vy) / df * (1 / nx + 1 / ny)
    t = (x.mean() - y.mean()) / math.sqrt(se2)
    return float(2 * stdtr(df, -abs(t)))
