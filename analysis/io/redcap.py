"""REDCap longitudinal exports: records CSV + data dictionary + a mapping YAML.

The records file is REDCap's "CSV / raw data" export of a longitudinal project: one
row per record x event (``redcap_event_name``), repeating instruments as extra rows
(``redcap_repeat_instrument``, ``redcap_repeat_instance``). The data dictionary is
REDCap's own CSV (``Variable / Field Name``, ``Choices, Calculations, OR Slider
Labels``, ...). The mapping (see data/README.md) says which event is which visit
and which field is which contract column::

    format: redcap
    records: records.csv
    dictionary: dictionary.csv
    id: record_id
    visits: {baseline_arm_1: BASELINE, week_16_arm_1: WEEK 16, screening_arm_1: null}
    subjects: {SEX: sex, AGE: age_start}
    measurements: {EASI: easi, IGA: iga}
    ady: visit_day
    topicals: {TOPICAL: topical, TACSTR: tac_strength}
    tte: {TTTAC: {AVAL: tttac_days, CNSR: tttac_censored}}
    events: {instrument: adverse_event, AEDECOD: ae_term, ASTDY: ae_day}
    codes: {SEX: {"1": M, "2": F}}

Every row made keeps the records-file row it came from and the REDCap field name,
so messages point at the export the data manager knows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.io.assemble import Piece, assemble
from analysis.io.dataset import Dataset
from analysis.io.delimited import read_delimited
from analysis.io.mapping import check_keys, recode, resolve, section
from analysis.io.raw import fail, label, require_rows

KEYS = {"format", "records", "dictionary", "id", "visits", "subjects", "measurements", "ady",
        "topicals", "tte", "events", "codes"}
SYSTEM = {"redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance",
          "redcap_data_access_group", "redcap_survey_identifier"}
_NAME, _CHOICES = "Variable / Field Name", "Choices, Calculations, OR Slider Labels"


def read_dictionary(path: Path) -> dict[str, dict]:
    """Field name -> {code: label} choices (empty for fields without choices)."""
    raw = read_delimited(path)
    frame = raw.frame
    columns = {c.strip().lower(): c for c in frame.columns}
    name = columns.get(_NAME.lower()) or frame.columns[0]
    choices = columns.get(_CHOICES.lower())
    out = {}
    for i, field in frame[name].items():
        if pd.isna(field):
            continue
        text = frame.at[i, choices] if choices is not None else None
        out[str(field).strip()] = _choices(text)
    return out


def _choices(text) -> dict:
    if not isinstance(text, str) or "," not in text:
        return {}
    out = {}
    for item in text.split("|"):
        code, _, text_label = item.partition(",")
        if code.strip():
            out[code.strip()] = text_label.strip()
    return out


def load_redcap(path: Path, spec: dict, mapping: Path) -> Dataset:
    """Read a REDCap export as :func:`analysis.io.load_dataset` does with a mapping."""
    msrc = label(mapping)
    check_keys(spec, KEYS, {"visits"}, msrc)
    base = path if path.is_dir() else path.parent
    records_path = path if path.is_file() else resolve(base, spec.get("records"), msrc,
                                                        "the records file")
    dictionary = read_dictionary(resolve(base, spec.get("dictionary"), msrc,
                                         "the data dictionary"))
    raw = require_rows(read_delimited(records_path), "records", True)
    records, source = raw.frame, raw.source
    rows = raw.rows if raw.rows is not None else pd.Series(records.index + 2)
    rows = pd.Series(rows.to_numpy(), index=records.index)
    id_field = str(spec.get("id") or "record_id")
    visits = section(spec, "visits", msrc)
    codes = section(spec, "codes", msrc)

    fields = _mapped_fields(spec, msrc)
    for field in [id_field, "redcap_event_name", *fields]:
        if field not in records.columns:
            fail("mapping-field", f"field {field!r} named in the mapping is not a column of "
                 "the records export", source, row=1, value=field)
        if field not in dictionary and field not in SYSTEM and field != id_field:
            fail("mapping-field", f"field {field!r} named in the mapping is not in the data "
                 "dictionary", label(mapping), value=field)
    events = records["redcap_event_name"]
    unknown = events.notna() & ~events.isin(list(visits))
    if unknown.any():
        at = unknown.idxmax()
        fail("mapping-event", f"event {events[at]!r} is not listed under 'visits' in "
             f"{msrc} (give its AVISIT, or null when it is not a visit)", source,
             row=int(rows[at]), column="redcap_event_name", value=events[at])
    repeat = records.get("redcap_repeat_instrument", pd.Series(pd.NA, index=records.index))
    visit = events.map(lambda e: visits.get(e)).where(repeat.isna())

    ids = records[id_field]
    pieces: dict[str, list[Piece]] = {}

    def coded(column, field):
        return recode(records[field], codes.get(column, {}), dictionary.get(field))

    subject_map = section(spec, "subjects", msrc)
    first = records.groupby(ids, sort=False).head(1).index
    subjects = pd.DataFrame({"USUBJID": ids[first]})
    for column, field in subject_map.items():
        subjects[column] = coded(column, field).groupby(ids, sort=False).first().reindex(
            ids[first]).to_numpy()
    pieces["subjects"] = [Piece(subjects.reset_index(drop=True), source,
                                rows[first].reset_index(drop=True), dict(subject_map))]

    at_visit = visit.notna()
    parts, cols = [], []
    for code, field in section(spec, "measurements", msrc).items():
        keep = at_visit & records[field].notna()
        part = pd.DataFrame({"USUBJID": ids[keep], "PARAMCD": str(code).upper(),
                             "AVISIT": visit[keep], "AVAL": records.loc[keep, field]})
        if spec.get("ady"):
            part["ADY"] = records.loc[keep, spec["ady"]]
        parts.append(part)
        cols.append(pd.Series(field, index=part.index))
    if parts:
        frame = pd.concat(parts)
        pieces["measurements"] = [Piece(frame.reset_index(drop=True), source,
                                        rows[frame.index].reset_index(drop=True),
                                        {"AVAL": pd.concat(cols).reset_index(drop=True),
                                         "ADY": spec.get("ady")} if spec.get("ady") else
                                        {"AVAL": pd.concat(cols).reset_index(drop=True)})]

    topical_map = section(spec, "topicals", msrc)
    if topical_map:
        keep = at_visit & records[list(topical_map.values())].notna().any(axis=1)
        frame = pd.DataFrame({"USUBJID": ids[keep], "AVISIT": visit[keep]})
        for column, field in topical_map.items():
            frame[column] = coded(column, field)[keep]
        pieces["topicals"] = [Piece(frame.reset_index(drop=True), source,
                                    rows[keep].reset_index(drop=True), dict(topical_map))]

    tte = _tte(section(spec, "tte", msrc), records, ids, first, rows, coded, msrc)
    if tte is not None:
        pieces["tte"] = [Piece(tte[0], source, tte[1], tte[2])]
    event_map = section(spec, "events", msrc)
    if event_map:
        keep = repeat.astype(str).eq(str(event_map.get("instrument"))) & repeat.notna()
        frame = pd.DataFrame({"USUBJID": ids[keep]})
        for column, field in event_map.items():
            if column != "instrument":
                frame[column] = coded(column, field)[keep]
        pieces["events"] = [Piece(frame.reset_index(drop=True), source,
                                  rows[keep].reset_index(drop=True),
                                  {k: v for k, v in event_map.items() if k != "instrument"})]
    return assemble(pieces, records_path.name, raw.notes)


def _mapped_fields(spec: dict, source: str) -> list[str]:
    fields = []
    for key in ("subjects", "measurements", "topicals"):
        fields += [str(v) for v in section(spec, key, source).values()]
    for per_param in section(spec, "tte", source).values():
        fields += [str(v) for v in (per_param or {}).values()]
    fields += [str(v) for k, v in section(spec, "events", source).items() if k != "instrument"]
    if spec.get("ady"):
        fields.append(str(spec["ady"]))
    return fields


def _tte(tte_map, records, ids, first, rows, coded, source):
    if not tte_map:
        return None
    frames = []
    for code, fields in tte_map.items():
        if not isinstance(fields, dict) or "AVAL" not in fields:
            fail("mapping", f"tte {code!r} needs AVAL and CNSR fields", source, value=str(code))
        part = pd.DataFrame({"USUBJID": ids[first].to_numpy(), "PARAMCD": str(code).upper()})
        for column, field in fields.items():
            part[column] = coded(column, field).groupby(ids, sort=False).first().reindex(
                ids[first]).to_numpy()
            part[f"_col_{column}"] = field
        part["_row"] = rows[first].to_numpy()
        frames.append(part[part[list(fields)].notna().any(axis=1)])
    frame = pd.concat(frames, ignore_index=True)
    names = [c for c in frame.columns if c.startswith("_col_")]
    columns = {c[len("_col_"):]: frame[c].astype(object) for c in names}
    return frame.drop(columns=["_row", *names]), frame["_row"].astype("int64"), columns
