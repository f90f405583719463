"""SAS (``.xpt``, ``.sas7bdat``), SPSS (``.sav``) and Stata (``.dta``) files, via pyreadstat.

Value labels are not applied: codes are read as stored, so a SPSS ``SEX`` coded
1/2 must be recoded (or mapped with a column map) to the contract's M/F.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.io.raw import RawTable, check_header, fail, label

FORMATS = {
    ".xpt": ("read_xport", "SAS transport (XPORT)"),
    ".sas7bdat": ("read_sas7bdat", "SAS data set"),
    ".sav": ("read_sav", "SPSS"),
    ".zsav": ("read_sav", "SPSS (compressed)"),
    ".dta": ("read_dta", "Stata"),
}


def read_readstat(path: Path) -> RawTable:
    """Read one SAS/SPSS/Stata data file into a :class:`RawTable`.

    Dates with a date format come back as datetimes; empty strings as missing.

    Examples
    --------
    >>> import tempfile, pathlib, pyreadstat
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "subjects.dta"
    >>> pyreadstat.write_dta(pd.DataFrame({"USUBJID": ["001"], "AGE": [40.0]}), str(p))
    >>> read_readstat(p).frame["USUBJID"].tolist()
    ['001']
    """
    import pyreadstat

    source = label(path)
    if path.stat().st_size == 0:
        fail("empty-file", "the file is empty", source)
    reader, kind = FORMATS[path.suffix.lower()]
    try:
        frame, _meta = getattr(pyreadstat, reader)(str(path), dates_as_pandas_datetime=True)
    except Exception as err:  # pyreadstat raises ReadstatError / PyreadstatError / OSError
        fail("unreadable", f"not a readable {kind} file (truncated or corrupt?): {err}", source)
    frame.columns = check_header(list(frame.columns), source)
    for name in frame.columns:
        if frame[name].dtype == object:
            frame[name] = frame[name].mask(frame[name].astype(str) == "")
    return RawTable(frame.reset_index(drop=True), source)
