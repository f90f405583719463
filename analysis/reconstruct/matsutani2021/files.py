"""Matsutani reconstruction: contract CSVs and a README that says the data are synthetic."""

from __future__ import annotations

from analysis.io.dataset import Dataset
from analysis.reconstruct.matsutani2021.scales import TARC_FLOOR

GROUPS = ("NONE", "TAC_TCS", "TAC_ONLY")
SEED = 20210622


README = """# Matsutani 2021 reference cohort: SYNTHETIC patients

These files are **not** the patients of Matsutani et al. 2021 (J Dermatol,
doi:10.1111/1346-8138.16039); their data are not public. They are a synthetic
reconstruction made by `analysis.reconstruct.matsutani2021.build(seed={seed})`, calibrated
so that `analysis.studies.matsutani2021` gives back every number printed in
`data/targets/matsutani2021.yaml` (`dupitac verify --study matsutani2021`). Every
subject row carries `SYNTHFL = Y`.

- {n} dupilumab starters: {sizes}.
- Calibrated to print as published: group sizes; 0.1 % / 0.03 % ointment use under the
  ever-used rule (14 on 0.1 %, 5 on 0.03 %, 1 switching 0.03 -> 0.1 % at week 16);
  reductions of the group means of IGA, EASI, head/neck EASI, POEM and TARC from
  baseline to week 16 in the analysed group (TACGRP = TAC_ONLY); the correlation of
  head/neck EASI and EASI improvement rates (P < .01); conjunctivitis 2/20 and herpes
  simplex 0/20 in the analysed group, herpes simplex 3/40 with topical corticosteroids.
- Assumptions, calibrated to nothing: sex (about 65 % male), age, start dates (April
  2018 - July 2020), the week-4 visit (45-85 % of each patient's week-16 change), the
  measurements of the TAC_TCS and NONE groups, strength use in TAC_TCS (15 % on 0.03 %),
  conjunctivitis outside the analysed group (10 % TAC_TCS, 8 % NONE), herpes simplex
  without tacrolimus (2 %), whole-body topicals (TCS; BOTH for tacrolimus users, with
  tacrolimus on HEAD/NECK). TARC after treatment is never below {floor} pg/mL.

Files: subjects.csv, measurements.csv, topicals.csv, events.csv (data contract,
`analysis/schema/contract.py`).
"""


def write_csv(dataset: Dataset, out_dir, seed: int = SEED) -> list:
    """Write the cohort as contract CSVs plus a README saying it is synthetic.

    A stand-in until the shared writer (``analysis/reconstruct/write.py``) exists:
    every file goes to a temporary name first and is moved into place when complete.
    """
    import os
    import tempfile
    from pathlib import Path

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    grp = dataset["subjects"]["TACGRP"].value_counts()
    text = README.format(seed=seed, n=len(dataset["subjects"]), floor=TARC_FLOOR,
                         sizes=", ".join(f"{g} {int(grp.get(g, 0))}" for g in GROUPS))
    payload = {f"{k}.csv": v.to_csv(index=False, lineterminator="\n")
               for k, v in dataset.tables.items()}
    payload["README.md"] = text
    written = []
    for name, body in payload.items():
        fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{name}")
        os.chmod(tmp, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(body)
        os.replace(tmp, out / name)
        written.append(out / name)
    return written
