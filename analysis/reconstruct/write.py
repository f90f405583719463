"""Write a reconstructed cohort as deterministic CSV files with a README.

The same dataset always gives the same bytes: rows sorted by the contract's key,
columns in contract order, numbers in one fixed text form (integers without a decimal
point, other floats in their shortest round-trip form), UTF-8, LF line ends. Text is
made column by column with Arrow compute kernels, so a million patients (some 14
million measurement rows) are written in seconds. The folder is written to a
temporary sibling and moved into place only when complete, so a reader never sees
half a cohort.

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> from analysis.io.dataset import Dataset
>>> ds = Dataset({"subjects": pd.DataFrame({"USUBJID": ["B", "A"], "SEX": ["F", "M"],
...                                         "AGE": [40.0, 31.5]})}, synthetic=True)
>>> out = pathlib.Path(tempfile.mkdtemp()) / "demo"
>>> _ = write_dataset(ds, out, study="demo", seed=1)
>>> (out / "subjects.csv").read_text()
'USUBJID,SEX,AGE\\nA,M,31.5\\nB,F,40\\n'
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis import __version__
from analysis.errors import OutputError
from analysis.io.dataset import TABLES
from analysis.schema.contract import CONTRACT, VISITS

SORT_KEYS = {
    "subjects": ["USUBJID"],
    "measurements": ["USUBJID", "PARAMCD", "AVISITN", "AVISIT"],
    "topicals": ["USUBJID", "AVISITN", "AVISIT"],
    "events": ["USUBJID", "AEDECOD", "ASTDY"],
    "tte": ["USUBJID", "PARAMCD"],
}
CHUNK_ROWS = 1_000_000
_NEEDS_QUOTES = r'[,"\n\r]'


def _float_text(x: np.ndarray) -> pa.Array:
    """Shortest round-trip text of floats; whole numbers without ".0"; NaN as ""."""
    x = np.asarray(x, dtype=float) + 0.0          # -0.0 -> 0.0
    finite = np.isfinite(x)
    whole = finite & (x == np.round(x)) & (np.abs(x) < 2**53)
    as_int = pc.cast(pa.array(np.where(whole, x, 0).astype(np.int64)), pa.string())
    as_float = pc.cast(pa.array(np.where(finite, x, 0.0)), pa.string())
    text = pc.if_else(pa.array(whole), as_int, as_float)
    return pc.if_else(pa.array(finite), text, pa.scalar(""))


def column_text(s: pd.Series, categories: pa.Array | None = None) -> pa.Array:
    """One column as Arrow strings in the writer's fixed form.

    ``categories``: the text of a categorical column's categories, when already made.

    >>> column_text(pd.Series([3.0, 0.5, None])).to_pylist()
    ['3', '0.5', '']
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = categories if categories is not None else column_text(pd.Series(s.cat.categories))
        codes = s.cat.codes.to_numpy()
        missing = codes < 0
        if not missing.any():
            return pc.take(cats, pa.array(codes))
        text = pc.take(cats, pa.array(np.where(missing, 0, codes)))
        return pc.if_else(pa.array(missing), pa.scalar(""), text)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        midnight = (s.dropna() == s.dropna().dt.normalize()).all()
        text = s.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%dT%H:%M:%S")
        return pa.array(text.where(s.notna(), "").to_numpy(dtype=object), type=pa.string())
    if pd.api.types.is_bool_dtype(s.dtype):
        return pa.array(np.where(s.to_numpy(dtype=bool), "1", "0"))
    if pd.api.types.is_integer_dtype(s.dtype) and not s.isna().any():
        return pc.cast(pa.array(s.to_numpy(dtype=np.int64)), pa.string())
    if pd.api.types.is_numeric_dtype(s.dtype):
        return _float_text(s.to_numpy(dtype=float, na_value=np.nan))
    # Text columns: the distinct values are formatted (and quoted if need be) once,
    # then spread by their codes.
    codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    labels = [v if isinstance(v, str) else _scalar_text(v) for v in uniques]
    cats = pa.array(labels + [""], type=pa.string())
    quote = pc.match_substring_regex(cats, _NEEDS_QUOTES)
    if pc.any(quote).as_py():
        quoted = pc.binary_join_element_wise(
            "\"", pc.replace_substring(cats, "\"", "\"\""), "\"", "")
        cats = pc.if_else(quote, quoted, cats)
    return pc.take(cats, pa.array(np.where(codes < 0, len(labels), codes)))


def _scalar_text(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return _float_text(np.array([v])).to_pylist()[0]
    return str(v)


def _is_sorted(arrays) -> bool:
    """Whether rows are already in lexicographic order of ``arrays`` (most significant last)."""
    if not arrays or len(arrays[0]) < 2:
        return True
    undecided = np.ones(len(arrays[0]) - 1, dtype=bool)
    for a in reversed(arrays):
        d = np.diff(a)
        if (undecided & (d < 0)).any():
            return False
        undecided &= d == 0
    return True


def _sort_order(df: pd.DataFrame, keys: list) -> np.ndarray | None:
    """Row order by ``keys``; None when the rows are in that order already."""
    arrays = []
    for k in reversed(keys):
        col = df[k]
        if isinstance(col.dtype, pd.CategoricalDtype):
            rank = np.argsort(np.argsort(col.cat.categories.astype(str), kind="stable"))
            arrays.append(rank[col.cat.codes.to_numpy()])
        elif pd.api.types.is_numeric_dtype(col.dtype):
            arrays.append(col.to_numpy(dtype=float, na_value=np.inf))
        else:
            arrays.append(pd.factorize(col.astype(str), sort=True)[0])
    if _is_sorted(arrays):
        return None
    return np.lexsort(arrays)


def _prepare(name: str, df: pd.DataFrame) -> pd.DataFrame:
    if "AVISITN" not in df and "AVISIT" in df:
        df = df.assign(AVISITN=df["AVISIT"].astype(str).map(VISITS))
    spec = CONTRACT.get(name)
    known = [c.name for c in spec.columns] if spec else []
    cols = [c for c in known if c in df] + sorted(c for c in df if c not in known)
    df = df[cols]
    keys = [k for k in SORT_KEYS.get(name, []) if k in df]
    order = _sort_order(df, keys) if keys else None
    return df if order is None else df.iloc[order]


def write_table(name: str, df: pd.DataFrame, fh) -> tuple[int, str]:
    """Write one table as CSV to the binary file ``fh``; return (rows, SHA-256)."""
    df = _prepare(name, df)
    h = hashlib.sha256()
    head = (",".join(df.columns) + "\n").encode("utf-8")
    fh.write(head)
    h.update(head)
    cats = {c: column_text(pd.Series(df[c].cat.categories)) for c in df.columns
            if isinstance(df[c].dtype, pd.CategoricalDtype)}

    def chunk(start: int) -> bytes:
        part = df.iloc[start:start + CHUNK_ROWS]
        texts = [column_text(part[c], cats.get(c)) for c in part.columns]
        line = pc.binary_join_element_wise(*texts, ",")
        line = pc.binary_join_element_wise(line, "", "\n")     # "row\n"
        data = pa.concat_arrays([line]) if isinstance(line, pa.ChunkedArray) else line
        offsets = np.frombuffer(data.buffers()[1], dtype=np.int32)[data.offset:data.offset + len(data) + 1]
        return data.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]

    starts = range(0, len(df), CHUNK_ROWS)
    if len(starts) > 1:
        # Arrow kernels release the GIL: format chunks on two threads, write in order.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as pool:
            for i in range(0, len(starts), 4):       # at most 4 chunks in memory
                for body in pool.map(chunk, starts[i:i + 4]):
                    fh.write(body)
                    h.update(body)
    else:
        for start in starts:
            body = chunk(start)
            fh.write(body)
            h.update(body)
    return len(df), h.hexdigest()


def table_csv(name: str, df: pd.DataFrame) -> bytes:
    """The CSV bytes of one table, sorted and formatted deterministically."""
    import io

    buf = io.BytesIO()
    write_table(name, df, buf)
    return buf.getvalue()


def readme_text(study: str, seed: int | None, files: dict, command: str, note: str = "") -> str:
    """README of a synthetic cohort folder (deterministic: no dates, no host names)."""
    lines = [
        f"# Synthetic reference cohort: {study}",
        "",
        "**These patients are synthetic reconstructions, not the study's patients.** They "
        "were generated by `analysis.reconstruct` so that the product's own analysis code "
        "gives back the numbers the paper prints; no real patient's data is in these files. "
        "Every row of `subjects.csv` carries `SYNTHFL = Y`.",
        "",
        f"- study: `{study}`",
        f"- seed: `{seed}`",
        f"- package: dupitac {__version__}",
        f"- regenerate: `{command}` (byte-identical)",
        "",
        "| file | rows | SHA-256 |",
        "|---|---|---|",
    ]
    for name, (rows, digest) in files.items():
        lines.append(f"| `{name}` | {rows} | `{digest}` |")
    if note:
        lines += ["", note.strip()]
    return "\n".join(lines) + "\n"


def write_dataset(dataset, out_dir, *, study: str = "", seed: int | None = None,
                  command: str = "", note: str = "", progress=None) -> list[Path]:
    """Write every table of ``dataset`` as ``<table>.csv`` plus ``README.md`` into ``out_dir``.

    Parameters
    ----------
    dataset : analysis.io.dataset.Dataset
    out_dir : path
        Replaced as a whole (old files not rewritten are removed).
    study, seed, command, note : recorded in the README.
    progress : callable (table name) -> None, optional
        Called before each table is written.

    Returns
    -------
    list of Path written.
    """
    out = Path(out_dir)
    command = command or f"dupitac synthesize --study {study} --seed {seed} --out {out}"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    except OSError as err:
        raise OutputError(str(out), err.strerror or str(err)) from err
    try:
        summary = {}
        for name in TABLES:
            if name in dataset.tables:
                if progress is not None:
                    progress(name)
                with open(staging / f"{name}.csv", "wb") as fh:
                    summary[f"{name}.csv"] = write_table(name, dataset.tables[name], fh)
        with open(staging / "README.md", "wb") as fh:
            fh.write(readme_text(study, seed, summary, command, note).encode("utf-8"))
        old = None
        if out.exists():
            old = out.parent / f".{out.name}-old-{os.getpid()}"
            os.replace(out, old)
        os.replace(staging, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as err:
        raise OutputError(str(out), err.strerror or str(err)) from err
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in [*summary, "README.md"]]
