"""Fixtures: the hand-made Ferrucci cohort (tests/ferrucci/data/*.csv, 14 patients).

Cohort design (what each patient exercises):
- P13 is not evaluable (EVALFL=N, NON-ADHERENCE) and uses tacrolimus at every visit:
  every topical-therapy number must leave it out.
- P12 has baseline values only (every post-baseline visit missing, all scores and topicals).
- P09 drops out after week 4, P10 after week 16 (scores and topicals).
- P14 has SITEFACE and FOODFL blank (not recorded).
- Ties: EASI 7.0 at week 4 for P04 and P10 (on the EASI < 7 boundary), 5.0 for P01 and
  P09; tacrolimus starts at week 16 for P03 and P10; ADTTE times 0 (x3) and 98 (x2).
- Boundaries: DLQI 10 at baseline (P02, not < 10), EASI 6.9 at week 4 (P14).
"""

from __future__ import annotations

import pytest

from analysis.io.dataset import Dataset
from cohort_csv import read_cohort


@pytest.fixture(scope="module")
def cohort() -> Dataset:
    return read_cohort()


@pytest.fixture(scope="module")
def ard(cohort):
    from analysis.studies import ferrucci2022

    return ferrucci2022.run(cohort)
