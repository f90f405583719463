"""Event and censoring times from per-visit states: time to the first visit in a state.

A cohort records a categorical state at each visit (topical therapy: none, steroids,
tacrolimus, both). The time to the first use of some categories is an event time known
only to lie in an interval: after the previous visit attended, no later than the visit
that first records it. A *fraction* per patient places the event in that interval; a
search can move it (the margins of the per-visit states do not change), which is how
a Kaplan-Meier restricted mean or a Cox model is tuned. Patients never in the state
are censored at their last visit; patients in it at the first visit have time 0.

Examples
--------
>>> import numpy as np
>>> path = np.array([[0, 0, 2, 2], [2, 2, 0, -1], [0, 1, -1, -1]])
>>> present = path >= 0
>>> day = np.array([[1, 29, 113, 365]] * 3)        # study day of each visit (day 1 = start)
>>> t, e = time_to_first(path, present, day, np.array([0.5, 0.5, 0.5]), (2, 3))
>>> t.tolist(), e.tolist()
([70.0, 0.0, 28.0], [1, 1, 0])
"""

from __future__ import annotations

import numpy as np


def time_to_first(path, present, day, fraction, categories):
    """Days from the origin to the first visit in ``categories`` (event), else to the
    last visit attended (censored).

    Parameters
    ----------
    path : int array (patients x visits)
        State code at each visit (any value where absent).
    present : bool array (patients x visits)
        Visit attended.
    day : int array (patients x visits)
        Study day of each visit (day 1 = origin, ADaM ADY convention).
    fraction : float array (patients)
        Where in (previous visit, recording visit] the event lies: 0 = just after the
        previous visit, 1 = on the recording visit.
    categories : sequence of int
        The states that count as the event.

    Returns
    -------
    time : float array (days since origin; NaN without any visit)
    event : int array (1 = event, 0 = censored)
    """
    path, present, day = np.asarray(path), np.asarray(present, bool), np.asarray(day)
    visits = np.arange(path.shape[1])
    on = np.isin(path, categories) & present
    ever = on.any(axis=1)
    first = np.argmax(on, axis=1)
    rows = np.arange(path.shape[0])
    prev_idx = np.where(present & (visits < first[:, None]), visits, 0).max(axis=1)
    prev = np.maximum(day[rows, prev_idx] - 1, 0)
    here = day[rows, first] - 1
    start = np.where(first == 0, 0,
                     np.maximum(prev + 1, np.round(prev + np.asarray(fraction) * (here - prev))))
    last_idx = np.where(present, visits, -1).max(axis=1)
    censor = np.maximum(day[rows, np.maximum(last_idx, 0)] - 1, 0)
    time = np.where(ever, start, censor).astype(float)
    time[last_idx < 0] = np.nan
    return time, ever.astype(int)
