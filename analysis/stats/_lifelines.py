"""lifelines' Cox fit, as :mod:`analysis.stats.survival` uses it.

Kept apart so that ``survival`` stays about the statistics; lifelines is imported
only when a Cox model is fitted (it costs ~0.6 s to import).
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd

from analysis.stats._checks import fail


def fit_efron(data: pd.DataFrame, duration: str, event: str, lean: bool = True):
    """lifelines' Efron fit (what ``CoxPHFitter(baseline_estimation_method="breslow")``
    runs), batch mode; ``lean`` skips what lifelines adds for prediction and plots."""
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError, ConvergenceWarning

    if lean:
        cph = _coefficients_only()(penalizer=0.0, l1_ratio=0.0, strata=None, alpha=0.05)
        # row order, not labels, decides the fit; plain positions keep lifelines'
        # internal re-alignments cheap (no copy of the data here: lifelines copies it)
        data = data.set_axis(pd.RangeIndex(len(data)), axis=0, copy=False)
    else:
        cph = CoxPHFitter(baseline_estimation_method="breslow")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            # batch mode: lifelines' default path is quadratic in n near 1e6 rows
            cph.fit(data, duration_col=duration, event_col=event, batch_mode=True,
                    fit_options={"max_steps": 100})
        except (ConvergenceError, ConvergenceWarning, np.linalg.LinAlgError) as err:
            fail("convergence",
                 "Cox model did not converge (monotone likelihood / separation or collinear "
                 f"covariates): {str(err).splitlines()[0]}")
    return cph


@functools.lru_cache(maxsize=None)
def _coefficients_only():
    """lifelines' semi-parametric Cox fitter minus its prediction extras.

    ``fit`` is lifelines' own (same preprocessing, Newton-Raphson, variance and
    summary); the baseline hazard and survival, the predicted partial hazards and
    the "central values" it also computes for ``predict_*`` and plots are left
    empty (about half the fit time at a million rows). Nothing read here uses
    them; tests/stats compares the summary with ``CoxPHFitter`` number for number.
    """
    from lifelines.fitters.coxph_fitter import SemiParametricPHFitter

    class CoefficientsOnlyPH(SemiParametricPHFitter):
        def _compute_central_values_of_raw_training_data(self, df, strata=None, name="baseline"):
            return None

        def predict_partial_hazard(self, X):
            return pd.Series(np.nan, index=X.index)

        def _compute_baseline_hazards(self, predicted_partial_hazards_):
            return pd.DataFrame({"baseline hazard": pd.Series(dtype=float)})

        def _compute_baseline_survival(self):
            return pd.DataFrame({"baseline survival": pd.Series(dtype=float)})

    return CoefficientsOnlyPH
