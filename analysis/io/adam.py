"""ADaM-like exports (ADSL + BDS files + ADTTE [+ ADAE]) through a column map.

PATH is the folder holding the files; the column map (YAML) names them and says
how their columns, parameters, visits and codes translate::

    format: adam
    adsl: adsl.xpt                 # -> subjects
    bds: [adqs.xpt, adlb.xpt]      # -> measurements (one or more BDS files)
    adtte: adtte.xpt               # -> tte            (optional)
    adae: adae.xpt                 # -> events         (optional)
    topicals: topicals.csv         # contract table, no ADaM equivalent (optional)
    columns:                       # contract column: source column, per table (optional)
      subjects: {EVALFL: EFFFL}
    params: {EASITOT: EASI, TARC: TARC}   # source PARAMCD -> contract PARAMCD (required)
    visits: {Baseline: BASELINE, Week 16: WEEK 16}
    where: {ANL01FL: Y}            # keep BDS rows with these values (optional)
    codes: {subjects: {SEX: {Male: M, Female: F}}}

Columns named as in the contract are taken as they are; other source columns are
left out. BDS rows whose PARAMCD is not under ``params`` are left out (ADQS holds
many questionnaires); ADTTE rows likewise for ``tte_params`` (default: the
contract's own codes).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.errors import INFO, Problem
from analysis.io.assemble import Piece, assemble
from analysis.io.dataset import Dataset
from analysis.io.formats import read_file
from analysis.io.mapping import check_keys, recode, resolve, section
from analysis.io.raw import RawTable, fail, label, require_rows
from analysis.schema.contract import CONTRACT, TTE

KEYS = {"format", "adsl", "bds", "adtte", "adae", "topicals", "columns", "params", "visits",
        "where", "codes", "tte_params"}
FILES = {"adsl": "subjects", "bds": "measurements", "adtte": "tte", "adae": "events",
         "topicals": "topicals"}


def load_adam(path: Path, spec: dict, mapping: Path) -> Dataset:
    """Read ADaM-like files as :func:`analysis.io.load_dataset` does with a column map."""
    msrc = label(mapping)
    check_keys(spec, KEYS, {"adsl", "bds", "params"}, msrc)
    base = path if path.is_dir() else path.parent
    renames = section(spec, "columns", msrc)
    codes = section(spec, "codes", msrc)
    params = {str(k).strip().upper(): str(v).strip().upper()
              for k, v in section(spec, "params", msrc).items()}
    tte_params = {str(k).strip().upper(): str(v).strip().upper()
                  for k, v in section(spec, "tte_params", msrc,
                                      {c: c for c in TTE.column("PARAMCD").codes}).items()}
    visits = {str(k).strip().upper(): v for k, v in section(spec, "visits", msrc).items()}
    where = section(spec, "where", msrc)
    notes: list[Problem] = []
    pieces: dict[str, list[Piece]] = {}
    for key, table in FILES.items():
        names = spec.get(key)
        if names is None:
            continue
        for name in names if isinstance(names, list) else [names]:
            raw = read_file(resolve(base, name, msrc, f"the {key} file"), table)
            piece = _piece(raw, table, section(renames, table, msrc), codes.get(table, {}),
                           carry=list(where) if key == "bds" else ())
            notes.extend(raw.notes)
            if key == "bds":
                piece = _filter(piece, "PARAMCD", params, where, notes)
                piece.frame["AVISIT"] = _visits(piece.frame.get("AVISIT"), visits)
            elif key == "adtte":
                piece = _filter(piece, "PARAMCD", tte_params, {}, notes)
            pieces.setdefault(table, []).append(piece)
    return assemble(pieces, path.name, notes)


def _piece(raw: RawTable, table: str, renames: dict, codes: dict, carry=()) -> Piece:
    """Keep contract columns (renamed from the source where the map says so).

    ``carry`` names source columns kept as ``_src_<NAME>`` for row filters.
    """
    raw = require_rows(raw, table, CONTRACT[table].required)
    frame = raw.frame
    upper = {str(c).strip().upper(): c for c in frame.columns}
    out, names = {}, {}
    for column in CONTRACT[table].columns:
        source_name = renames.get(column.name, column.name)
        found = upper.get(str(source_name).strip().upper())
        if found is None:
            if column.name in renames:
                fail("mapping-field", f"column {source_name!r} (mapped to {column.name}) is not "
                     "in the file", raw.source, row=1, value=str(source_name))
            continue
        out[column.name] = recode(frame[found], codes.get(column.name, {}))
        if found != column.name:
            names[column.name] = str(found)
    if "AVISIT" in upper and "AVISIT" not in out:
        out["AVISIT"] = frame[upper["AVISIT"]]
    for name in carry:
        key = str(name).strip().upper()
        if key not in upper:
            fail("mapping-field", f"column {name!r} used under 'where' is not in the file",
                 raw.source, row=1, value=str(name))
        out[f"_src_{key}"] = frame[upper[key]]
    return Piece(pd.DataFrame(out, index=frame.index), raw.source, raw.rows, names)


def _filter(piece: Piece, column: str, keep_codes: dict, where: dict, notes: list) -> Piece:
    frame = piece.frame
    rows = piece.rows if piece.rows is not None else pd.Series(frame.index + 2)
    rows = pd.Series(rows.to_numpy(), index=frame.index)
    codes = frame[column].astype(str).str.strip().str.upper() if column in frame else None
    keep = codes.isin(list(keep_codes)) if codes is not None else pd.Series(True, frame.index)
    for name, wanted in where.items():
        values = frame[f"_src_{str(name).strip().upper()}"]
        keep &= values.astype(str).str.strip().eq(str(wanted))
    dropped = int((~keep).sum())
    if dropped:
        notes.append(Problem(rule="rows-not-mapped", severity=INFO, file=piece.source,
                             message=f"{dropped} row(s) left out (PARAMCD not listed in the "
                                     "column map, or excluded by 'where')"))
    frame = frame.loc[keep].copy()
    if codes is not None:
        frame[column] = codes[keep].map(keep_codes)
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("_src_")])
    return Piece(frame.reset_index(drop=True), piece.source,
                 rows[keep].reset_index(drop=True), piece.columns)


def _visits(avisit, visits: dict):
    if avisit is None:
        return avisit
    text = avisit.astype(str).str.strip().str.upper()
    return text.map(visits).where(text.isin(list(visits)), avisit)
