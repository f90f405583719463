"""``stats.mixed.random_intercept`` after the scale changes (duplicate check by
``bincount`` instead of ``pd.Index.has_duplicates``, no copy of the subject and time
columns when every row is usable) gives exactly the result of the code it replaced,
on random unbalanced data: missing values, categorical or text times, integer or
text subjects, duplicate subject-time rows, too few subjects or levels.

Reference: ``random_intercept`` verbatim from analysis/stats/mixed.py at c4b3bb8.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from analysis.stats._checks import fail
from analysis.stats.mixed import _Patterns, _levels, _profile, random_intercept
from analysis.stats.result import TestResult


def ref_random_intercept(long, subject, time, y, reml=True, levels=None):  # c4b3bb8
    missing = [c for c in (subject, time, y) if c not in long.columns]
    if missing:
        fail("required-column", f"column(s) not in the data: {missing}", column=missing[0])
    yv = pd.to_numeric(long[y], errors="coerce")
    keep = yv.notna().to_numpy() & long[subject].notna().to_numpy() & long[time].notna().to_numpy()
    data = long.loc[keep, [subject, time]]
    yarr = yv.to_numpy(float)[keep]
    if not np.isfinite(yarr).all():
        fail("finite", f"{y} contains an infinite value", column=y)
    lv = _levels(data[time], levels)
    k = len(lv)
    if k > 62:
        fail("too-many", f"at most 62 time levels are supported, got {k}", column=time)
    if k < 2:
        fail("too-few", f"the time effect needs at least 2 levels with data, got {k}", column=time)
    tcode = pd.Categorical(data[time], categories=lv).codes.astype(np.int64)
    subj, _ = pd.factorize(data[subject])
    subj = subj.astype(np.int64)
    n_sub = int(subj.max()) + 1 if subj.size else 0
    if n_sub < 2:
        fail("too-few", f"a mixed model needs at least 2 subjects, got {n_sub}", column=subject)
    if pd.Index(subj * k + tcode).has_duplicates:
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


def outcome(fn, *args, **kw):
    try:
        return "ok", fn(*args, **kw)
    except ValueError as err:
        return "error", str(err)


def cohorts():
    rng = np.random.default_rng(5)
    visits = ["BASELINE", "WEEK 4", "WEEK 16", "WEEK 52"]
    for seed in range(30):
        n = int(rng.integers(1, 60))
        rows = [(f"P{i}", v, float(rng.normal(20 - 3 * j, 5)))
                for i in range(n) for j, v in enumerate(visits) if rng.random() < 0.8]
        df = pd.DataFrame(rows, columns=["id", "visit", "y"]).sample(frac=1.0, random_state=seed)
        if seed % 3 == 0:
            df.loc[df.sample(frac=0.1, random_state=seed).index, "y"] = np.nan
        if seed % 4 == 0:
            df["visit"] = pd.Categorical(df["visit"], categories=visits)
        if seed % 5 == 0:
            df["id"] = pd.factorize(df["id"])[0]
        if seed % 7 == 0 and len(df):
            df = pd.concat([df, df.iloc[[0]]])  # a duplicate subject-time row
        yield df, (visits if seed % 2 else None)


@pytest.mark.parametrize("case", list(cohorts()))
def test_random_intercept_matches_reference(case):
    df, levels = case
    got = outcome(random_intercept, df, "id", "visit", "y", levels=levels)
    want = outcome(ref_random_intercept, df, "id", "visit", "y", levels=levels)
    assert got[0] == want[0], (got, want)
    assert got[1] == want[1]  # every number, bit for bit (or the same refusal)
