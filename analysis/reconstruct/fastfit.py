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


def cox_efron(time, event, x, max_iter: int = 50, tol: float = 1e-10):
    """Cox model coefficients and Wald SEs, Efron ties.

    Parameters
    ----------
    time : array (n)
    event : array (n) of 0/1 (1 = event)
    x : array (n, p)

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
    beta = np.zeros(p)
    info = np.eye(p)
    for _ in range(max_iter):
        w = np.exp(xs @ beta)
        wx = w[:, None] * xs
        wxx = wx[:, :, None] * xs[:, None, :]
        c0, c1, c2 = np.cumsum(w), np.cumsum(wx, axis=0), np.cumsum(wxx, axis=0)
        r0, r1, r2 = c0[grp_end - 1], c1[grp_end - 1], c2[grp_end - 1]
        d0 = np.bincount(ev_grp, weights=w[ev_idx], minlength=first.size)
        d1 = np.stack([np.bincount(ev_grp, weights=wx[ev_idx, k], minlength=first.size)
                       for k in range(p)], axis=1)
        d2 = np.zeros((first.size, p, p))
        np.add.at(d2, ev_grp, wxx[ev_idx])
        g = ev_grp
        phi = r0[g] - frac * d0[g]
        m1 = (r1[g] - frac[:, None] * d1[g]) / phi[:, None]
        m2 = (r2[g] - frac[:, None, None] * d2[g]) / phi[:, None, None]
        grad = xe.sum(axis=0) - m1.sum(axis=0)
        info = (m2 - m1[:, :, None] * m1[:, None, :]).sum(axis=0)
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
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.diag(np.linalg.pinv(info)))
    return beta, se


def logistic(y, x, max_iter: int = 50, tol: float = 1e-10):
    """Logistic regression with an intercept: coefficients and Wald SEs of ``x``'s columns.

    Returns
    -------
    beta, se : arrays (p) (the intercept left out)
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    xd = np.column_stack([np.ones(y.size), x])
    beta = np.zeros(xd.shape[1])
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
        beta = beta + step
        if np.abs(step).max() < tol:
            break
    se = np.sqrt(np.diag(np.linalg.pinv(info)))
    return beta[1:], se[1:]


def wald(beta: float, se: float) -> dict:
    """HR/OR-scale estimate, 95 % Wald CI and two-sided p of one coefficient."""
    z = beta / se if se > 0 else math.inf
    return {
        "ratio": math.exp(beta),
        "ci_low": math.exp(beta - Z95 * se),
        "ci_high": math.exp(beta + Z95 * se),
        "p_value": math.erfc(abs(z) / math.sqrt(2)),
    }
