"""``load_dataset``: a folder of tables, a workbook, a single (wide) file, or a mapped export."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from analysis.errors import INFO, Problem
from analysis.io import excel
from analysis.io.assemble import Assembler, assemble, pieces_from_raw
from analysis.io.codes import IdPool
from analysis.io.delimited import european_export
from analysis.io.dataset import TABLES, Dataset
from analysis.io.formats import EXTENSIONS, check_extension, read_file
from analysis.io.raw import fail, label

# Files a dataset folder may hold besides tables, without a note.
_QUIET = {".md", ".txt", ".yaml", ".yml", ".json", ".pdf", ".html"}


def load_dataset(path, mapping=None) -> Dataset:
    """Read a dataset in any supported layout and format.

    Parameters
    ----------
    path : str or Path
        - a folder holding one file per table, named after the table
          (``subjects.csv``, ``measurements.parquet``, ``topicals.xlsx``, ``events.tsv``,
          ``tte.xpt``, ...; any supported extension, one format per table);
        - a workbook (``.xlsx``) with one sheet per table (sheet ``subjects`` required);
        - any other single file: the ``subjects`` table, usually wide
          (``EASI_W0``, ``EASI_W4``, ... see :mod:`analysis.io.wide`);
        - with ``mapping``: the REDCap records file / ADaM folder the mapping describes;
        - a mapping YAML itself: the export is the folder holding it.
    mapping : str or Path, optional
        A REDCap mapping or ADaM column-map YAML (``format: redcap`` / ``format: adam``).

    Returns
    -------
    Dataset
        Normalised tables (see :mod:`analysis.io.normalize`) with their sources; reading
        warnings (e.g. Latin-1 fallback) in ``Dataset.warnings``.

    Raises
    ------
    InputError
        When a file cannot be read: empty, header only (required tables), wrong
        delimiter, undecodable bytes, corrupt file, missing sheet, unknown extension,
        the same table in two formats. The content is judged later by
        ``analysis.schema.validate``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "subjects.csv").write_text("USUBJID,SEX,AGE,EASI_W0,EASI_W16\\n001,F,40,24,3.5\\n")
    >>> ds = load_dataset(d)
    >>> ds["measurements"][["USUBJID", "AVISIT", "AVAL"]].values.tolist()
    [['001', 'BASELINE', 24.0], ['001', 'WEEK 16', 3.5]]
    """
    path = Path(path)
    if mapping is None and path.suffix.lower() in (".yaml", ".yml") and path.is_file():
        # A mapping file alone: the export sits next to it.
        mapping, path = path, path.parent
    if mapping is not None:
        from analysis.io.mapping import load_mapped

        return load_mapped(path, Path(mapping))
    if not path.exists():
        fail("missing-file", "no such file or folder", str(path), value=str(path))
    if path.is_dir():
        return _folder(path)
    check_extension(path)
    if path.suffix.lower() in excel.EXTENSIONS:
        return _workbook(path)
    raw = read_file(path, "subjects", coded=True)
    return assemble(pieces_from_raw("subjects", raw), path.name, raw.notes)


def _folder(path: Path) -> Dataset:
    found: dict[str, list[Path]] = {}
    notes = []
    files = sorted(p for p in path.iterdir()
                   if p.is_file() and not p.name.startswith((".", "~$")))
    for file in files:
        table = file.name.split(".", 1)[0].strip().lower()
        if table in TABLES:
            check_extension(file)
            found.setdefault(table, []).append(file)
        elif file.suffix.lower() not in _QUIET:
            notes.append(Problem(rule="ignored-file", severity=INFO, file=file.name,
                                 message="not a table of the contract (file name is not "
                                         f"one of {', '.join(TABLES)}); ignored"))
    for table, paths in found.items():
        if len(paths) > 1:
            fail("duplicate-table",
                 f"the {table} table is given twice ({', '.join(p.name for p in paths)}); "
                 "keep one file per table", paths[1].name, value=paths[1].name)
    if not found:
        books = [f for f in files if f.suffix.lower() in excel.EXTENSIONS]
        if len(books) == 1:
            return _workbook(books[0])
        fail("no-tables",
             f"the folder holds no table file (expected subjects.csv, measurements.csv, ... "
             f"with one of {', '.join(EXTENSIONS)})", path.name or str(path))
    # Tables in contract order, subjects first; each is normalised as soon as it is
    # complete (a wide subjects file may hold pieces of later tables), so that no
    # two raw tables of millions of rows are held at once. The next file is read in
    # a second thread meanwhile: Arrow decodes without Python's lock, so reading
    # and normalising overlap on a second core.
    order = [table for table in TABLES if table in found]
    export = any(european_export(found[table][0]) for table in order)
    pieces: dict[str, list] = {}
    ids = IdPool()
    done = Assembler(ids)
    with ThreadPoolExecutor(max_workers=1) as reader:
        def read(k):
            return reader.submit(read_file, found[order[k]][0], order[k], True, ids, export)

        pending = read(0)
        for k, table in enumerate(order):
            raw = pending.result()  # the subjects file is read before any other starts
            pending = read(k + 1) if k + 1 < len(order) else None
            _add(pieces, pieces_from_raw(table, raw))
            notes.extend(raw.notes)
            raw = None
            done.add(table, pieces.pop(table))
    for table in sorted(pieces, key=TABLES.index):
        done.add(table, pieces.pop(table))
    return done.dataset(path.name, notes)


def _workbook(path: Path) -> Dataset:
    names = excel.sheet_names(path)
    excel.find_sheet(path, "subjects", names, fallback_single=False)
    notes, pieces = [], {}
    for sheet in names:
        table = sheet.strip().lower()
        if table not in TABLES:
            notes.append(Problem(rule="ignored-sheet", severity=INFO, file=label(path, sheet),
                                 message="not a table of the contract; sheet ignored"))
            continue
        raw = excel.read_sheet(path, sheet)
        _add(pieces, pieces_from_raw(table, raw))
        notes.extend(raw.notes)
    return assemble(pieces, path.name, notes)


def _add(pieces: dict, more: dict) -> None:
    for table, parts in more.items():
        pieces.setdefault(table, []).extend(parts)
