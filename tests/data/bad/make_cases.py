"""Write the bad-input corpus tests/data/bad/<case>/ (outputs are committed).

Usage: python tests/data/bad/make_cases.py tests/data/bad
Each expected row/column/value was set by hand from the edit made to the base files.
"""
import io, shutil, sys
from pathlib import Path
import pandas as pd
import yaml

ROOT = Path(sys.argv[1])
SUBJECTS = """USUBJID,SEX,AGE,AGEDIAG,TRTSDT,EVALFL,EVALRSN,TACGRP
001,F,34,2,2019-03-04,Y,,TAC_ONLY
002,M,52,40,2019-05-20,Y,,NONE
003,F,27,1,2019-09-02,N,NON-ADHERENCE,TAC_TCS
"""
MEAS = """USUBJID,PARAMCD,AVISIT,AVISITN,ADY,AVAL
001,EASI,BASELINE,0,1,31.2
001,EASI,WEEK 4,4,29,12.5
001,EASIHN,BASELINE,0,1,4.2
001,IGA,BASELINE,0,1,4
001,PNRS,BASELINE,0,1,8
001,DLQI,BASELINE,0,1,18
001,TARC,BASELINE,0,1,2150
002,EASI,BASELINE,0,1,26.4
002,EASI,WEEK 4,4,30,10.1
003,EASI,BASELINE,0,1,40.0
"""
TOPICALS = """USUBJID,AVISIT,AVISITN,TOPICAL,TACSTR,TACSITE
001,BASELINE,0,TAC,0.1,HEAD/NECK
001,WEEK 4,4,TAC,0.1,HEAD/NECK
002,BASELINE,0,TCS,,
003,BASELINE,0,BOTH,0.03,HEAD/NECK
"""
TTE = """USUBJID,PARAMCD,AVAL,CNSR
001,TTTAC,1,0
002,TTTAC,365,1
003,TTTAC,29,0
"""
EVENTS = """USUBJID,AEDECOD,ASTDY
001,CONJUNCTIVITIS,40
"""

def edit(text, row, column, value):
    """Set a cell (spreadsheet row, header=1) of a CSV text."""
    lines = text.splitlines()
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"

def append(text, line):
    return text + line + "\n"

cases = {}
def case(name, description, expect, files, **extra):
    cases[name] = (description, expect, files, extra)

base = {"subjects.csv": SUBJECTS, "measurements.csv": MEAS}
def with_(**kw):
    d = dict(base)
    for k, v in kw.items():
        d[k.replace("__", ".")] = v
    return d

E = lambda rule, file, row=None, column=None, value=None: {"rule": rule, "file": file, "row": row, "column": column, "value": value}

case("empty-file", "subjects.csv has zero bytes", E("empty-file", "subjects.csv"), with_(subjects__csv=""))
case("header-only", "measurements.csv has its header and no data row", E("header-only", "measurements.csv", 2), with_(measurements__csv=MEAS.splitlines()[0] + "\n"))
case("wrong-delimiter", "subjects.csv separated by semicolons", E("delimiter", "subjects.csv", 1, None, ";"), with_(subjects__csv=SUBJECTS.replace(",", ";")))
case("missing-required-column", "measurements.csv without the AVAL column", E("required-column", "measurements.csv", 1, "AVAL", "AVAL"),
     with_(measurements__csv="\n".join(",".join(l.split(",")[:-1]) for l in MEAS.splitlines()) + "\n"))
case("text-in-numeric", "AVAL holds the word 'twelve'", E("type", "measurements.csv", 3, "AVAL", "twelve"), with_(measurements__csv=edit(MEAS, 3, "AVAL", "twelve")))
case("decimal-comma", "AVAL written with a decimal comma (quoted)", E("type", "measurements.csv", 3, "AVAL", "12,5"), with_(measurements__csv=edit(MEAS, 3, "AVAL", '"12,5"')))
case("easi-80", "EASI of 80 (scale 0-72)", E("range", "measurements.csv", 3, "AVAL", 80), with_(measurements__csv=edit(MEAS, 3, "AVAL", "80")))
case("easihn-7.5", "head/neck EASI of 7.5 (scale 0-7.2)", E("range", "measurements.csv", 4, "AVAL", 7.5), with_(measurements__csv=edit(MEAS, 4, "AVAL", "7.5")))
case("iga-2.5", "IGA of 2.5 (whole points 0-4)", E("integer", "measurements.csv", 5, "AVAL", 2.5), with_(measurements__csv=edit(MEAS, 5, "AVAL", "2.5")))
case("nrs-11", "itch NRS of 11 (scale 0-10)", E("range", "measurements.csv", 6, "AVAL", 11), with_(measurements__csv=edit(MEAS, 6, "AVAL", "11")))
case("dlqi-negative", "DLQI of -1 (scale 0-30)", E("range", "measurements.csv", 7, "AVAL", -1), with_(measurements__csv=edit(MEAS, 7, "AVAL", "-1")))
case("tarc-zero", "serum TARC of 0 (must be above 0 pg/mL)", E("range", "measurements.csv", 8, "AVAL", 0), with_(measurements__csv=edit(MEAS, 8, "AVAL", "0")))
case("duplicate-subject", "patient 002 appears twice in subjects.csv", E("unique-key", "subjects.csv", 5, "USUBJID", "002"), with_(subjects__csv=append(SUBJECTS, "002,M,52,40,2019-05-20,Y,,NONE")))
case("duplicate-visit-row", "patient 001 has two EASI rows at BASELINE", E("unique-key", "measurements.csv", 12, "AVISIT", "001 x EASI x BASELINE"), with_(measurements__csv=append(MEAS, "001,EASI,BASELINE,0,1,30.0")))
case("orphan-measurement", "a measurement of patient 004, who is not in subjects.csv", E("unknown-subject", "measurements.csv", 12, "USUBJID", "004"), with_(measurements__csv=append(MEAS, "004,EASI,BASELINE,0,1,22.0")))
case("unknown-paramcd", "PARAMCD SCORAD is not a contract parameter", E("code", "measurements.csv", 3, "PARAMCD", "SCORAD"), with_(measurements__csv=edit(MEAS, 3, "PARAMCD", "SCORAD")))
case("bad-avisit-label", "AVISIT 'Month 1' instead of WEEK 4", E("visit-label", "measurements.csv", 3, "AVISIT", "MONTH 1"), with_(measurements__csv=edit(MEAS, 3, "AVISIT", "Month 1")))
case("ady-decreasing", "study day of WEEK 4 earlier than BASELINE", E("visit-order", "measurements.csv", 3, "ADY", -5), with_(measurements__csv=edit(MEAS, 3, "ADY", "-5")))
case("avisitn-mismatch", "AVISITN 16 on a WEEK 4 row", E("visit-number", "measurements.csv", 3, "AVISITN", 16), with_(measurements__csv=edit(MEAS, 3, "AVISITN", "16")))
case("missing-usubjid", "a measurement row without USUBJID", E("missing-value", "measurements.csv", 5, "USUBJID", None), with_(measurements__csv=edit(MEAS, 5, "USUBJID", "")))
case("ragged-row", "a measurement row with one field too many", E("parse", "measurements.csv", 4, None, "7 fields"), with_(measurements__csv=edit(MEAS, 4, "AVAL", "4.2,9")))
case("duplicate-column", "AGE twice in the header of subjects.csv", E("duplicate-column", "subjects.csv", 1, "AGE", "AGE"), with_(subjects__csv=SUBJECTS.replace("TACGRP\n", "AGE\n", 1).replace("TAC_ONLY\n", "34\n").replace(",NONE\n", ",52\n").replace("TAC_TCS\n", "27\n")))
case("blank-header-with-data", "a column without a name holds values", E("header", "subjects.csv", 1, None, "x"), with_(subjects__csv="\n".join(l + ("," if i == 0 else ",x") for i, l in enumerate(SUBJECTS.splitlines())) + "\n"))
case("sex-x", "SEX coded X", E("code", "subjects.csv", 2, "SEX", "X"), with_(subjects__csv=edit(SUBJECTS, 2, "SEX", "X")))
case("age-150", "AGE of 150 years", E("range", "subjects.csv", 3, "AGE", 150), with_(subjects__csv=edit(SUBJECTS, 3, "AGE", "150")))
case("agediag-above-age", "age at diagnosis 60 above age 52", E("agediag-age", "subjects.csv", 3, "AGEDIAG", 60), with_(subjects__csv=edit(SUBJECTS, 3, "AGEDIAG", "60")))
case("evalfl-without-reason", "EVALFL N with no EVALRSN", E("evalfl-reason", "subjects.csv", 4, "EVALRSN", "N"), with_(subjects__csv=edit(SUBJECTS, 4, "EVALRSN", "")))
case("evalfl-maybe", "EVALFL 'maybe' is not a Y/N flag", E("code", "subjects.csv", 2, "EVALFL", "MAYBE"), with_(subjects__csv=edit(SUBJECTS, 2, "EVALFL", "maybe")))
case("bad-date", "TRTSDT written 31/02/2020", E("type", "subjects.csv", 2, "TRTSDT", "31/02/2020"), with_(subjects__csv=edit(SUBJECTS, 2, "TRTSDT", "31/02/2020")))
case("topical-steroid", "TOPICAL 'STEROID' instead of TCS", E("code", "topicals.csv", 4, "TOPICAL", "STEROID"), with_(topicals__csv=edit(TOPICALS, 4, "TOPICAL", "STEROID")))
case("tacstr-with-none", "tacrolimus strength given while TOPICAL is NONE", E("tacstr-topical", "topicals.csv", 4, "TACSTR", 0.1), with_(topicals__csv=edit(edit(TOPICALS, 4, "TOPICAL", "NONE"), 4, "TACSTR", "0.1")))
case("tacstr-0.05", "tacrolimus strength 0.05 % does not exist", E("code", "topicals.csv", 2, "TACSTR", 0.05), with_(topicals__csv=edit(TOPICALS, 2, "TACSTR", "0.05")))
case("duplicate-topical-visit", "two topicals rows for patient 001 at BASELINE", E("unique-key", "topicals.csv", 6, "AVISIT", "001 x BASELINE"), with_(topicals__csv=append(TOPICALS, "001,BASELINE,0,TCS,,")))
case("cnsr-2", "CNSR 2 (must be 0 = event or 1 = censored)", E("code", "tte.csv", 3, "CNSR", 2), with_(tte__csv=edit(TTE, 3, "CNSR", "2")))
case("tte-negative-aval", "time to tacrolimus of -10 days", E("negative-time", "tte.csv", 2, "AVAL", -10), with_(tte__csv=edit(TTE, 2, "AVAL", "-10")))
case("duplicate-tte", "two TTTAC records for patient 002", E("unique-key", "tte.csv", 5, "PARAMCD", "002 x TTTAC"), with_(tte__csv=append(TTE, "002,TTTAC,200,0")))
case("unknown-extension", "subjects saved as JSON", E("unknown-format", "subjects.json", None, None, ".json"), {"subjects.json": '[{"USUBJID": "001"}]\n', "measurements.csv": MEAS})
case("two-formats", "the subjects table given as both CSV and TSV", E("duplicate-table", "subjects.tsv", None, None, "subjects.tsv"), with_(subjects__tsv=SUBJECTS.replace(",", "\t")))
case("missing-subjects-table", "no subjects file at all", E("required-table", "subjects.*", None, None, "subjects"), {"measurements.csv": MEAS})
case("no-tables", "a folder with no table file", E("no-tables", "no-tables"), {"notes.md": "nothing here\n"})
case("wide-easi-99", "a wide file with EASI_W4 = 99", E("range", "cohort.csv", 3, "EASI_W4", 99),
     {"cohort.csv": "USUBJID,SEX,AGE,EASI_W0,EASI_W4,EASI_W16\n001,F,34,31.2,12.5,6.0\n002,M,52,26.4,99,8.1\n"}, path="cohort.csv")
case("mapping-bad-yaml", "the column map is not valid YAML", E("mapping", "map.yaml", 2), with_(**{"map__yaml": "format: adam\nadsl: [unclosed\n"}), mapping="map.yaml")

binary = {}
def nonutf8():
    text = edit(SUBJECTS, 4, "EVALRSN", "X").encode("utf-8")
    return text.replace(b",X,", b",\x93NON-ADHERENCE\x94,")
binary["non-utf8"] = ("EVALRSN holds Windows-1252 smart quotes (bytes 0x93/0x94), not UTF-8", E("encoding", "subjects.csv", 4, None, "0x93"), {"subjects.csv": nonutf8(), "measurements.csv": MEAS.encode()}, {})

def parquet_truncated():
    buf = io.BytesIO()
    pd.read_csv(io.StringIO(MEAS), dtype={"USUBJID": str}).to_parquet(buf, index=False)
    data = buf.getvalue()
    return data[: len(data) // 2]
binary["truncated-parquet"] = ("measurements.parquet cut in half", E("unreadable", "measurements.parquet"), {"subjects.csv": SUBJECTS.encode(), "measurements.parquet": parquet_truncated()}, {})

def book_without_subjects():
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as w:
        pd.read_csv(io.StringIO(SUBJECTS), dtype=str).to_excel(w, sheet_name="patients", index=False)
        pd.read_csv(io.StringIO(MEAS), dtype={"USUBJID": str}).to_excel(w, sheet_name="measurements", index=False)
    return buf.getvalue()
binary["excel-missing-sheet"] = ("workbook whose patient sheet is called 'patients'", E("missing-sheet", "book.xlsx", None, None, "subjects"), {"book.xlsx": book_without_subjects()}, {"path": "book.xlsx"})
binary["excel-corrupt"] = ("a .xlsx file that is not a workbook (CSV text renamed)", E("unreadable", "book.xlsx"), {"book.xlsx": SUBJECTS.encode()}, {"path": "book.xlsx"})

if ROOT.exists():
    for d in ROOT.iterdir():
        if d.is_dir():
            shutil.rmtree(d)
ROOT.mkdir(parents=True, exist_ok=True)
def write(name, description, expect, files, extra):
    d = ROOT / name
    d.mkdir()
    for fname, content in files.items():
        (d / fname).write_bytes(content if isinstance(content, bytes) else content.encode())
    doc = {"description": description, **{k: v for k, v in expect.items()}}
    doc.update(extra)
    (d / "expected.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
for name, (description, expect, files, extra) in cases.items():
    write(name, description, expect, files, extra)
for name, (description, expect, files, extra) in binary.items():
    write(name, description, expect, files, extra)
print(len(cases) + len(binary), "cases")
