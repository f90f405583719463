"""The fast readers give exactly what the code they replaced gave.

Reference implementations, kept here as the slow truth:

- CSV: ``delimited._read_pandas`` (pandas' C parser, the reader used for every file
  before pyarrow and still used when pyarrow cannot promise the same table);
- Parquet: ``pyarrow.parquet.read_table(path).to_pandas()`` then ``reset_index``, the
  reader of commit 09cd426 (copied below);
- normalise: ``normalize`` of commit 09cd426, cell by cell (copied below as
  ``old_normalize``), against the new one that works once per distinct value.

Inputs are random (hypothesis) and edge cases: missing tokens, blank lines, CR/LF
line ends, a byte-order mark, numbers pandas infers (or not), categorical and
object columns, NaN/None, empty tables, one row, repeated values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from analysis.errors import InputError
from analysis.io import codes as C
from analysis.io import delimited, normalize as N
from analysis.io.dataset import Dataset
from analysis.io.formats import text_columns
from analysis.io.parquet import read_parquet
from analysis.io.raw import RawTable, check_header, drop_blank

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ----------------------------------------------------------------- reference code (09cd426)

def old_normalize(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """``analysis.io.normalize.normalize`` as of commit 09cd426 (verbatim, names qualified)."""
    frame = frame.rename(columns=N.contract_names(list(frame.columns), table))
    spec = N.CONTRACT.get(table)
    out = {}
    for name in frame.columns:
        s = frame[name]
        column = N._column(spec, name)
        if column is None:
            out[name] = N.strip_text(s)
        elif column.dtype == "flag":
            out[name] = N.by_label(s, N.as_flag)
        elif column.dtype == "date":
            out[name] = N.as_date(s)
        elif column.dtype in N.NUMERIC or (column.dtype == "code" and N._numeric_codes(column)):
            if name == "TACSTR" and not pd.api.types.is_numeric_dtype(s.dtype):
                s = N.strip_text(s).map(
                    lambda v: v.rstrip("%").strip() if isinstance(v, str) else v,
                    na_action="ignore")
            integer = column.dtype == "int" or (
                bool(column.codes) and all(isinstance(c, int) for c in column.codes))
            out[name] = N.as_number(s, integer=integer)
        elif column.dtype == "code" or name in ("AVISIT", "AEDECOD"):
            out[name] = N.by_label(s, N._code if column.dtype == "code" else N._visit_label)
        else:
            out[name] = N.as_text(s)
    result = pd.DataFrame(out, index=frame.index)
    if "AVISIT" in result and table in ("measurements", "topicals"):
        derived = N.visit_week(result["AVISIT"])
        if "AVISITN" not in result:
            result["AVISITN"] = N.as_number(derived, integer=True)
        elif pd.api.types.is_numeric_dtype(result["AVISITN"].dtype) and result["AVISITN"].isna().any():
            result["AVISITN"] = N.as_number(result["AVISITN"].fillna(derived), integer=True)
    return result


def old_read_parquet(path) -> pd.DataFrame:
    """The Parquet reader of commit 09cd426 (frame only)."""
    frame = pq.read_table(path).to_pandas()
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    frame.columns = check_header(list(frame.columns), "x.parquet")
    return frame.reset_index(drop=True)


# ----------------------------------------------------------------- comparing tables

def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical (coded) columns as the object columns they stand for."""
    out = frame.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object)
    return out


def assert_same(new: pd.DataFrame, old: pd.DataFrame) -> None:
    new = plain(new)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    for c in old.columns:  # equal values of other types (1 vs "1", NaN vs None) are not enough
        if old[c].dtype == object:
            assert [type(v) for v in new[c]] == [type(v) for v in old[c]], c


# ----------------------------------------------------------------- CSV

NUMBERS = ["0", "1", "-2", "007", "3.5", "-0.25", "1e3", "2.", ".5", "12.30", "72", "1e-7",
           "9007199254740993", "123456789.123456789", "0.1", "-0"]
ODD = ["inf", "-inf", "1e400", "TRUE", "false", "1,5", "abc", " 4", "4 ", "1_000", "0x10",
       "12345678901234567890", "+5", "NaN", "-nan", "é", "WEEK 4", " "]
TOKENS = ["", "NA", "N/A", "NaN", "nan", "."]
TEXT = ["001", "F", "m", " x ", "BASELINE", "week 16", "Ünï", "NA ", "TAC", "0.1%", "\t"]

cell_numeric = st.one_of(st.sampled_from(NUMBERS), st.sampled_from(TOKENS),
                         st.sampled_from(ODD).filter(lambda _: True))
cell_clean_numeric = st.one_of(st.sampled_from(NUMBERS), st.sampled_from(TOKENS))
cell_text = st.one_of(st.sampled_from(TEXT + NUMBERS + TOKENS),
                      st.text(st.characters(blacklist_characters='"\r\n,\t\x00',
                                            blacklist_categories=("Cs",)), max_size=5))


@st.composite
def csv_files(draw, sep=","):
    names = draw(st.lists(st.sampled_from(["USUBJID", "PARAMCD", "AVISIT", "AVISITN", "ADY",
                                           "AVAL", "NOTE", "EASI_W4", ""]),
                          min_size=1, max_size=6, unique=True))
    numeric = {"AVISITN", "ADY", "AVAL", "EASI_W4"}
    clean = draw(st.booleans())
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 9)) == 0:
            rows.append("")  # blank line
            continue
        cells = [draw(cell_clean_numeric if clean else cell_numeric) if n in numeric
                 else draw(cell_text) for n in names]
        rows.append(sep.join(c.replace(sep, "") for c in cells))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = end.join([sep.join(names)] + rows) + draw(st.sampled_from(["", end, end + end]))
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return data


def refusal(read):
    try:
        return read(), None
    except InputError as err:
        return None, [p.to_dict() for p in err.problems]


def both_csv(data: bytes, sep: str, table: str | None, coded: bool):
    """(fast RawTable or None when pyarrow passed, slow RawTable); refusals must agree."""
    chooser = text_columns(table)
    fast = delimited._read_arrow(data, sep, "t.csv", chooser, coded)
    slow, slow_error = refusal(lambda: delimited._read_pandas(data, sep, "t.csv", chooser))
    if fast is None:
        return None, slow
    fast, fast_error = refusal(lambda: drop_blank(fast, "t.csv"))
    assert fast_error == slow_error
    return fast, slow


@SETTINGS
@given(csv_files(), st.sampled_from([None, "measurements", "subjects"]), st.booleans())
def test_arrow_csv_reads_as_pandas_does(data, table, coded):
    raw, slow = both_csv(data, ",", table, coded)
    if raw is None:
        return  # handed to pandas, or refused by both alike
    assert_same(raw.frame, slow.frame)
    if slow.rows is None:
        assert raw.rows is None
    else:
        pd.testing.assert_series_equal(raw.rows, slow.rows)
    assert slow.notes == []


@SETTINGS
@given(csv_files(sep="\t"), st.booleans())
def test_arrow_tsv_reads_as_pandas_does(data, coded):
    raw, slow = both_csv(data, "\t", "measurements", coded)
    if raw is not None:
        assert_same(raw.frame, slow.frame)


@pytest.mark.parametrize("text", [
    "USUBJID,AVAL\n001,1\n002,2.5\n",                     # ints and floats: float64
    "USUBJID,AVAL\n001,1\n002,2\n",                       # int64
    "USUBJID,AVAL\n001,1\n002,NA\n",                      # int with missing: float64
    "USUBJID,AVAL\n001,\n002,\n",                         # all missing: float64
    "USUBJID,AVAL\r\n001,3\r\n\r\n002,4\r\n",             # CRLF and a blank line
    "USUBJID,AVAL\n001,3\n002,4\n\n\n",                   # trailing blank lines
    "\ufeffUSUBJID,AVAL\n001,3\n",                        # byte-order mark
    "USUBJID,AVAL\rA,1\rB,2\r",                           # old Mac line ends
    "USUBJID,NOTE\nÉ1,café\nÉ2,NA\n",                     # UTF-8 text, token NA
])
def test_arrow_csv_takes_the_common_files(text):
    data = text.encode("utf-8")
    assert delimited._read_arrow(data, ",", "t.csv", text_columns("measurements"), True) \
        is not None, "expected the pyarrow reader to take this file"
    raw, slow = both_csv(data, ",", "measurements", coded=True)
    assert_same(raw.frame, slow.frame)


@pytest.mark.parametrize("data", [
    b'USUBJID,AVAL\n"001",1\n',                           # quotes: pandas' rules
    b"USUBJID,AVAL\n001,1,2\n",                           # ragged
    b"USUBJID,AVAL\n001\n",                               # short row (pandas fills NaN)
    b"USUBJID,AVAL\n001,TRUE\n",                          # pandas would read a boolean
    b"USUBJID,AVAL\n001,abc\n",                           # text in a number column
    "USUBJID,AVAL\n00\xe9,1\n".encode("latin-1"),        # not UTF-8: Latin-1 warning
    "USUBJID,AVAL\n001,1\n".encode("utf-16"),             # UTF-16
    b"USUBJID,AVAL",                                      # header only, no line end
    b"USUBJID;AVAL\n001;1\n",                             # wrong delimiter: refused
])
def test_files_arrow_leaves_to_pandas(data):
    assert delimited._read_arrow(data, ",", "t.csv", text_columns("measurements"), True) is None


def test_reference_cohort_takes_the_fast_reader():
    from analysis.paths import reference_dir

    for csv in sorted(reference_dir("ferrucci2022").glob("*.csv")):
        chooser = text_columns(csv.stem)
        fast = delimited._read_arrow(csv.read_bytes(), ",", csv.name, chooser, True)
        assert fast is not None, csv.name
        assert_same(drop_blank(fast, csv.name).frame,
                    delimited._read_pandas(csv.read_bytes(), ",", csv.name, chooser).frame)


# ----------------------------------------------------------------- Parquet

@st.composite
def frames(draw):
    n = draw(st.integers(0, 8))
    text = st.one_of(st.none(), st.sampled_from(TEXT + TOKENS + ["WEEK 4", "y", "TTTAC"]))
    out = {"USUBJID": draw(st.lists(text, min_size=n, max_size=n)),
           "AVISIT": draw(st.lists(text, min_size=n, max_size=n)),
           "AVAL": draw(st.lists(st.one_of(st.none(), st.floats(-5, 100)), min_size=n, max_size=n)),
           "NOTE": draw(st.lists(text, min_size=n, max_size=n))}
    frame = pd.DataFrame(out)
    frame["AVAL"] = frame["AVAL"].astype(float)
    if draw(st.booleans()):
        frame["NOTE"] = frame["NOTE"].astype("category")
    if draw(st.booleans()):
        frame["ADY"] = pd.array(draw(st.lists(st.one_of(st.none(), st.integers(-5, 400)),
                                              min_size=n, max_size=n)), dtype="Int64")
    return frame, draw(st.sampled_from(["none", "range", "named"]))


@SETTINGS
@given(frames())
def test_parquet_reads_as_before(tmp_path_factory, case):
    frame, index = case
    path = tmp_path_factory.mktemp("pq") / "measurements.parquet"
    if index == "named" and len(frame):
        frame.set_index("AVAL").to_parquet(path)
    else:
        frame.to_parquet(path, index=index == "range")
    # One deliberate change: a categorical column (pandas 'category' written to Parquet)
    # is now text like any other; the old reader kept the dtype and skipped stripping.
    old = plain(old_read_parquet(path))
    for coded in (False, True):
        new = read_parquet(path, coded=coded).frame
        assert list(new.columns) == list(old.columns)
        assert_same(N.normalize(new, "measurements"), old_normalize(old, "measurements"))


def test_parquet_text_columns_come_as_codes(tmp_path):
    path = tmp_path / "t.parquet"
    pd.DataFrame({"USUBJID": ["b", "a", None, "b"], "AVAL": [1.0, 2, 3, 4]}).to_parquet(path)
    frame = read_parquet(path, coded=True).frame
    assert isinstance(frame["USUBJID"].dtype, pd.CategoricalDtype)
    assert frame["USUBJID"].cat.codes.tolist() == [0, 1, -1, 0]
    assert frame["AVAL"].dtype == float


# ----------------------------------------------------------------- normalise

TABLE_COLUMNS = {
    "subjects": ["USUBJID", "SEX", "AGE", "TRTSDT", "EVALFL", "COURSE", "NOTE"],
    "measurements": ["USUBJID", "PARAMCD", "AVISIT", "AVISITN", "ADY", "AVAL"],
    "topicals": ["USUBJID", "AVISIT", "TOPICAL", "TACSTR"],
    "tte": ["USUBJID", "PARAMCD", "AVAL", "CNSR"],
    "events": ["usubjid", "AEDECOD", "ASTDY"],
}
CELLS = ["001", " 001", "F", "f ", "M", "x", "Y", "yes", "no", "TRUE", "1", "0", "2", "1.0",
         "0.1%", "0.03", " 0.1 % ", "2019-03-04", "2019-3-4", "not a date", "BASELINE",
         "week  4", "WEEK 16", "EASI", "easi", "TTTAC", "TAC", "none", "Herpes simplex",
         "12.5", "-3", "1e2", "abc", "", " ", "NA", ".", "N/A", "nan"]
cell = st.one_of(st.sampled_from(CELLS), st.none(), st.just(np.nan))
odd_cell = st.one_of(cell, st.integers(-3, 3), st.floats(-2, 80), st.booleans())


@st.composite
def raw_tables(draw):
    table = draw(st.sampled_from(sorted(TABLE_COLUMNS)))
    names = draw(st.lists(st.sampled_from(TABLE_COLUMNS[table]), min_size=1, unique=True))
    n = draw(st.integers(0, 10))
    data = {}
    for name in names:
        kind = draw(st.sampled_from(["text", "mixed", "float", "categorical"]))
        if kind == "float":
            data[name] = pd.Series(draw(st.lists(st.one_of(st.none(), st.floats(-2, 80)),
                                                 min_size=n, max_size=n)), dtype=float)
        else:
            values = draw(st.lists(cell if kind != "mixed" else odd_cell, min_size=n, max_size=n))
            data[name] = pd.Series(values, dtype=object)
            if kind == "categorical":
                data[name] = data[name].astype("category")
    return table, pd.DataFrame(data, index=pd.RangeIndex(n))


@SETTINGS
@given(raw_tables())
def test_normalize_per_distinct_value_equals_cell_by_cell(case):
    table, frame = case
    # Categorical input stands for the same object column (what the readers give).
    reference = old_normalize(plain(frame), table)
    found = {}
    assert_same(N.normalize(frame, table, found), reference)
    for column, (codes, uniques) in found.items():
        pd.testing.assert_series_equal(
            pd.Series(C.expand(codes, uniques), index=reference.index, name=column),
            reference[column])
        assert len(set(uniques)) == len(uniques)


# ----------------------------------------------------------------- codes and the hash

@SETTINGS
@given(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "NA", "", "c"])), max_size=30),
       st.integers(1, 4))
def test_arrow_codes_equal_factorize(values, chunks):
    size = max(1, len(values) // chunks)
    parts = [values[i:i + size] for i in range(0, len(values), size)] or [[]]
    arr = pa.chunked_array([pa.array(p, pa.string()).dictionary_encode() for p in parts])
    codes, uniques = C.arrow_codes(arr)
    expected_codes, expected_uniques = pd.factorize(pd.Series(values, dtype=object))
    assert codes.tolist() == expected_codes.tolist()
    assert uniques.tolist() == list(expected_uniques)
    kept, left = C.drop_values(codes, uniques, ["NA", ""])
    assert [None if pd.isna(v) else v for v in C.expand(kept, left)] == \
        [None if v in ("NA", "") else v for v in values]


def test_content_hash_ignores_row_and_column_order_and_sees_any_change():
    frame = pd.DataFrame({"USUBJID": ["1", "2", "3", None], "AVAL": [1.0, 2.5, np.nan, -0.0],
                          "N": [1, 2, 3, 4], "D": pd.to_datetime(["2020-01-01", None,
                                                                  "2021-05-06", "2020-01-01"])})
    base = Dataset({"measurements": frame}).content_hash()
    shuffled = frame.sample(frac=1, random_state=3)[["N", "D", "AVAL", "USUBJID"]]
    assert Dataset({"measurements": shuffled.reset_index(drop=True)}).content_hash() == base
    assert Dataset({"measurements": shuffled}).content_hash() == base
    changed = [frame.assign(AVAL=[1.0, 2.5, np.nan, 0.1]),
               frame.assign(USUBJID=["1", "2", "3", "4"]),
               frame.assign(N=[1, 2, 3, 5]),
               frame.assign(D=frame["D"].fillna(pd.Timestamp("2020-01-01"))),
               pd.concat([frame, frame.iloc[[0]]], ignore_index=True),           # a repeated row
               frame.rename(columns={"N": "M"}),
               frame.assign(USUBJID=["2", "1", "3", None])]                       # values swapped
    hashes = {Dataset({"measurements": f}).content_hash() for f in changed}
    assert base not in hashes and len(hashes) == len(changed)
    assert Dataset({"subjects": frame}).content_hash() != base                   # table name


def test_content_hash_same_for_loaded_and_hand_built(tmp_path):
    from analysis.io import load_dataset
    from analysis.paths import reference_dir

    loaded = load_dataset(reference_dir("matsutani2021"))
    assert loaded._codes  # the readers' codes are kept and used
    copy = Dataset({k: v.copy() for k, v in loaded.tables.items()})
    assert copy.content_hash() == loaded.content_hash()
    for name, frame in loaded.tables.items():
        frame.to_parquet(tmp_path / f"{name}.parquet", index=False)
    assert load_dataset(tmp_path).content_hash() == loaded.content_hash()


def test_factorized_sees_a_replaced_column():
    ds = Dataset({"subjects": pd.DataFrame({"SEX": ["F", "M", "F"]})})
    assert ds.factorized("subjects", "SEX")[0].tolist() == [0, 1, 0]
    ds.tables["subjects"]["SEX"] = ["M", "M", None]
    codes, uniques = ds.factorized("subjects", "SEX")
    assert codes.tolist() == [0, 0, -1] and uniques.tolist() == ["M"]
    ds.tables["subjects"]["SEX"] = [1, "1", None]
    assert ds.factorized("subjects", "SEX") is None  # 1 and "1" must stay apart


def test_factorized_sees_a_cell_written_in_place_on_a_checked_row():
    # Tables are not meant to be changed in place; the kept codes are spot-checked
    # on rows spread over the table (here the first and last rows are among them).
    ds = Dataset({"subjects": pd.DataFrame({"SEX": ["F", "M", "F", "M"]})})
    ds.factorized("subjects", "SEX")
    ds.tables["subjects"].loc[3, "SEX"] = "X"
    codes, uniques = ds.factorized("subjects", "SEX")
    assert C.expand(codes, uniques).tolist() == ["F", "M", "F", "X"]


@SETTINGS
@given(st.lists(st.sampled_from(["A01", "A02", "A03", "B10", "B2", "", "A01\x00", "Z99"]),
                unique=True, max_size=8),
       st.lists(st.sampled_from(["A01", "A02", "A03", "B10", "B2", "", "Z99", "X00"]),
                unique=True, max_size=8),
       st.booleans())
def test_id_pool_shares_exactly_the_equal_ids(subjects, other, sort):
    # Reference: plain Python equality against the subjects' list.
    if sort:
        subjects, other = sorted(subjects), sorted(other)
    pool = C.IdPool()
    mine = pool.share("subjects", pa.array(subjects, pa.string()))
    found = pool.share("topicals", pa.array(other, pa.string()))
    assert found.tolist() == other
    assert pool.hits["topicals"].tolist() == [v in subjects for v in other]
    for v, obj in zip(other, found):
        if v in subjects:  # the very object of the subjects table
            assert obj is mine[subjects.index(v)]
