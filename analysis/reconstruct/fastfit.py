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
    return CoxRisk(time, event).fit(x, max_iter=max_iter, tol=tol, beta0=beta0)


class CoxRisk:
    """Risk sets and tie groups of one (time, event) sample, prepared once for many fits.

    A search that changes only covariates (a patient's DLQI or age) refits the same
    times: :meth:`fit` reuses the ordering and the Efron tie structure.

    Examples
    --------
    >>> import numpy as np
    >>> risk = CoxRisk([1., 2, 3, 4, 5, 6], [1, 1, 0, 1, 1, 0])
    >>> round(float(risk.fit(np.array([1., 0, 1, 0, 1, 0]))[0][0]), 4)
    0.2739
    """

    def __init__(self, time, event):
        time = np.asarray(time, dtype=float)
        event = np.asarray(event, dtype=float)
        n = time.size
        self.n = n
        self.order = order = np.argsort(-time, kind="stable")
        t = time[order]
        # descending times: a tie group's risk set is every row up to its last row
        new_group = np.empty(n, dtype=bool)
        new_group[:1] = True
        np.not_equal(t[1:], t[:-1], out=new_group[1:])
        group = np.cumsum(new_group) - 1
        last = np.empty(n, dtype=bool)
        last[:-1] = new_group[1:]
        last[-1:] = True
        group_end = np.flatnonzero(last)
        ev_idx = np.flatnonzero(event[order] > 0)
        ev_grp = group[ev_idx]
        self.ev_idx = ev_idx
        self.risk_end = group_end[ev_grp]
        # The events of a tie group are one run of ev_idx; Efron's l / d_g per event
        run = np.empty(ev_idx.size, dtype=bool)
        run[:1] = True
        np.not_equal(ev_grp[1:], ev_grp[:-1], out=run[1:])
        self.run_start = np.flatnonzero(run)
        self.run_id = np.cumsum(run) - 1
        run_len = np.diff(np.append(self.run_start, ev_idx.size))
        self.frac = ((np.arange(ev_idx.size) - self.run_start[self.run_id])
                     / run_len[self.run_id])[:, None]
        # Efron's sums of every event as one matrix (events x rows): 1 for each row at
        # risk, minus l / d for each event tied with it. One product then replaces a
        # cumulative sum and the tie corrections (small samples: the search's).
        self.efron = None
        if ev_idx.size * n <= DENSE_MAX:
            a = (np.arange(n) <= self.risk_end[:, None]).astype(float)
            tied = (group[None, :] == ev_grp[:, None]) & (event[order] > 0)[None, :]
            a -= self.frac * tied
            self.efron = a

    def fit(self, x, max_iter: int = 50, tol: float = 1e-9, beta0=None):
        """Coefficients and Wald SEs of covariates ``x`` (n, p); see :func:`cox_efron`."""
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            x = x[:, None]
        p = x.shape[1]
        xs = x[self.order]
        # Centre for numerical stability (does not change beta or its SE).
        xs = xs - xs.mean(axis=0)
        ia, ib = _TRIU[p] if p in _TRIU else np.triu_indices(p)
        # Columns: w, w x_a, w x_a x_b (a <= b); the products of x are fixed
        xx = np.concatenate([xs, xs[:, ia] * xs[:, ib]], axis=1)
        xe_sum = xs[self.ev_idx].sum(axis=0)
        m = np.empty((self.n, 1 + xx.shape[1]))
        beta = np.zeros(p) if beta0 is None else np.asarray(beta0, dtype=float).copy()
        info = np.eye(p)
        cov = None
        full = np.empty((p, p))
        for _ in range(max_iter):
            w = np.exp(xs @ beta)
            m[:, 0] = w
            np.multiply(xx, w[:, None], out=m[:, 1:])
            if self.efron is not None:
                s = self.efron @ m
            else:
                risk = np.cumsum(m, axis=0)[self.risk_end]           # per event
                tied = np.add.reduceat(m[self.ev_idx], self.run_start, axis=0)
                s = risk - self.frac * tied[self.run_id]
            s = s[:, 1:] / s[:, :1]
            m1 = s[:, :p]
            full[ia, ib] = full[ib, ia] = s[:, p:].sum(axis=0)
            grad = xe_sum - m1.sum(axis=0)
            info = full - m1.T @ m1
            cov = _inverse(info)
            if cov is None:
                break
            step = cov @ grad
            # Halve a step that would overflow (separation); lifelines does similar.
            while np.abs(step).max() > 5:
                step /= 2
            beta = beta + step
            if np.abs(step).max() < tol:
                break
        if cov is None:
            cov = np.linalg.pinv(info)
        with np.errstate(invalid="ignore"):
            se = np.sqrt(np.diag(cov))
        return beta, se


def _inverse(info):
    """Inverse of an information matrix (the covariance of the estimates), None if singular."""
    try:
        return np.linalg.inv(info)
    except np.linalg.LinAlgError:
        return None


_TRIU = {p: np.triu_indices(p) for p in (1, 2, 3, 4)}
# Largest events x rows matrix of Efron weights kept (8 bytes each).
DENSE_MAX = 2_000_000


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
    cov = None
    for _ in range(max_iter):
        eta = np.clip(xd @ beta, -30, 30)
        mu = 1 / (1 + np.exp(-eta))
        w = mu * (1 - mu)
        info = (xd * w[:, None]).T @ xd
        grad = xd.T @ (y - mu)
        cov = _inverse(info)
        if cov is None:
            break
        step = cov @ grad
        while np.abs(step).max() > 5:
            step /= 2
        beta = beta + step
        if np.abs(step).max() < tol:
            break
    if cov is None:
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
