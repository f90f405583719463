"""Text columns as integer codes over their distinct values.

A measurements table of a million patients holds about 14 million cells per text
column but only a handful of distinct codes and visit labels (and a million
patient ids). Work that depends on a cell's value only (stripping, upper-casing,
parsing, checking a code) is done once per distinct value and spread back with
the codes, as :func:`pandas.factorize` returns them: ``codes[i]`` is the position
of row ``i``'s value in ``uniques``, ``-1`` when the cell is missing.

Readers hand such columns over as :class:`pandas.Categorical` (codes plus
categories, cheap to rename, slice and filter); :mod:`analysis.io.normalize`
turns them into the object columns of the data contract and keeps the codes on
the :class:`~analysis.io.dataset.Dataset` for ``validate`` and ``content_hash``.

Examples
--------
>>> codes, uniques = text_codes(pd.Series(["F", "M", None, "F"]))
>>> codes.tolist(), uniques.tolist()
([0, 1, -1, 0], ['F', 'M'])
>>> expand(codes, uniques).tolist()
['F', 'M', nan, 'F']
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def small(codes: np.ndarray, n: int) -> np.ndarray:
    """``codes`` in the smallest signed integer type that holds ``-1 .. n - 1``."""
    for kind in (np.int8, np.int16, np.int32):
        if n < np.iinfo(kind).max:  # pandas' own choice for Categorical codes
            return codes.astype(kind, copy=False)
    return codes.astype(np.int64, copy=False)


def is_text(s: pd.Series) -> bool:
    """True when every filled cell of ``s`` is a ``str`` (object or string dtype)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return pd.api.types.infer_dtype(s.cat.categories, skipna=True) in ("string", "empty")
    if s.dtype != object and not pd.api.types.is_string_dtype(s.dtype):
        return False
    return pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty")


def text_codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, uniques) of a text column; uniques is an object array of distinct str.

    Only for columns whose filled cells are all ``str`` (:func:`is_text`):
    :func:`pandas.factorize` takes ``1``, ``1.0`` and ``True`` for one value.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        uniques = np.asarray(s.cat.categories, dtype=object)
        return small(np.asarray(s.cat.codes), len(uniques)), uniques
    codes, uniques = pd.factorize(np.asarray(s, dtype=object))
    return small(codes, len(uniques)), np.asarray(uniques, dtype=object)


def expand(codes: np.ndarray, values) -> np.ndarray:
    """Per-row array ``values[codes]``, missing (NaN, NaT) where the code is -1.

    ``values`` of floats or dates give a float or datetime64 array; anything else
    an object array with NaN for missing cells. Filled in slices of rows, so that
    the index conversion numpy makes stays small.
    """
    values = np.asarray(values)
    if values.dtype.kind == "M":
        table = np.append(values, np.array("NaT", dtype=values.dtype))
    elif values.dtype.kind == "f":
        table = np.append(values, np.nan)
    else:
        table = np.empty(len(values) + 1, dtype=object)
        table[:-1] = values
        table[-1] = np.nan
    out = np.empty(len(codes), dtype=table.dtype)
    step = 1 << 20
    for start in range(0, len(codes), step):
        np.take(table, codes[start:start + step], out=out[start:start + step])  # -1: last
    return out


def categorical(codes: np.ndarray, uniques: np.ndarray) -> pd.Categorical:
    """A Categorical over distinct ``uniques`` without re-checking that they are distinct.

    The public constructor hashes every category to prove it unique, which costs
    as much as the factorisation that produced them.
    """
    index = pd.Index(uniques, dtype=object, copy=False)
    cache = getattr(index, "_cache", None)
    if isinstance(cache, dict):  # pandas' cached answers, read by its category checks
        cache.setdefault("is_unique", True)
        cache.setdefault("hasnans", False)
    dtype = pd.CategoricalDtype(index, ordered=False)
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


def recode(codes: np.ndarray, values, before=None) -> tuple[np.ndarray, np.ndarray]:
    """Merge values that became equal (or missing) after a per-value transform.

    ``values`` holds the transformed value of each old unique (object, NaN for
    missing); returns codes over the distinct transformed values. ``before`` (the
    old uniques) lets the usual cases skip hashing: nothing changed, or only some
    values became missing.

    Examples
    --------
    >>> c, u = recode(np.array([0, 1, 2, -1]), np.array(["F", "F", np.nan], dtype=object))
    >>> c.tolist(), u.tolist()
    ([0, 0, -1, -1], ['F'])
    """
    values = np.asarray(values, dtype=object)
    if before is not None and len(before) == len(values):
        same = values == np.asarray(before, dtype=object)
        if same.all():
            return codes, values
        gone = ~same & pd.isna(values)
        if (same | gone).all():  # only missing tokens left: drop them, no hashing
            return drop_values(codes, values, mask=gone)
    new, uniques = pd.factorize(values)
    if len(uniques) == len(values) and np.array_equal(new, np.arange(len(values))):
        return codes, np.asarray(uniques, dtype=object)
    return small(expand_codes(codes, new), len(uniques)), np.asarray(uniques, dtype=object)


def drop_values(codes: np.ndarray, uniques: np.ndarray, values=(), mask=None):
    """Make cells holding one of ``values`` (or the uniques ``mask`` marks) missing.

    Codes are renumbered without hashing the values again.

    Examples
    --------
    >>> c, u = drop_values(np.array([0, 1, 2, 1]), np.array(["a", "NA", "b"], dtype=object), ["NA"])
    >>> c.tolist(), u.tolist()
    ([0, -1, 1, -1], ['a', 'b'])
    """
    drop = mask if mask is not None else pd.Series(uniques, dtype=object).isin(
        list(values)).to_numpy()
    if not drop.any():
        return codes, uniques
    mapping = np.where(drop, -1, np.cumsum(~drop) - 1)
    return small(expand_codes(codes, mapping), int((~drop).sum())), uniques[~drop]


def expand_codes(codes: np.ndarray, mapping: np.ndarray) -> np.ndarray:
    """``mapping[codes]`` with -1 kept."""
    table = np.append(np.asarray(mapping, dtype=np.int64), -1)
    return table[codes]


def storage_key(s: pd.Series) -> tuple:
    """Identity of a column's storage: a replaced or converted column has another one."""
    values = s.array if isinstance(s.dtype, pd.CategoricalDtype) else s.to_numpy()
    if isinstance(values, np.ndarray):
        return (values.__array_interface__["data"][0], values.shape, values.strides,
                str(values.dtype))
    return (id(values), len(values), str(s.dtype))


def arrow_codes(column, share=None) -> tuple[np.ndarray, np.ndarray]:
    """(codes, uniques) of a pyarrow string or dictionary-of-string ChunkedArray.

    Each chunk of a dictionary column has its own dictionary (per Parquet row group,
    per CSV block), usually the same object for many chunks: the distinct
    dictionaries are merged once and each chunk's indices mapped through.
    ``share`` (Arrow array of the distinct values -> their Python objects), e.g.
    :meth:`IdPool.share`, replaces the conversion of the distinct values.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    chunks = [c for c in column.chunks if len(c)]
    if not chunks:
        return np.full(len(column), -1, dtype=np.int8), np.array([], dtype=object)
    dicts, where = [], {}
    for chunk in chunks:
        key = _identity(chunk.dictionary)
        if key not in where:
            where[key] = len(dicts)
            dicts.append(chunk.dictionary)
    merged = pa.concat_arrays(dicts) if len(dicts) > 1 else dicts[0]
    merged = merged.cast(pa.string()) if not pa.types.is_string(merged.type) else merged
    if len(merged) > 1 and not merged.null_count and \
            pc.all(pc.less_equal(merged[:-1], merged[1:])).as_py():
        # Sorted dictionaries (a file sorted by patient): equal values are neighbours,
        # so distinct values are found without hashing a million strings.
        first = np.ones(len(merged), dtype=bool)
        first[1:] = pc.not_equal(merged[1:], merged[:-1]).to_numpy(zero_copy_only=False)
        remap = np.cumsum(first) - 1
        distinct = merged.filter(pa.array(first))
    else:
        encoded = pc.dictionary_encode(merged)  # hashing in C++: distinct values, in order
        distinct = encoded.dictionary
        remap = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    uniques = (share(distinct) if share is not None
               else np.asarray(distinct.to_numpy(zero_copy_only=False), dtype=object))
    offsets = np.cumsum([0] + [len(d) for d in dicts])
    out = np.empty(len(column), dtype=small(np.empty(0, np.int64), len(uniques)).dtype)
    pos = 0
    for chunk in column.chunks:
        n = len(chunk)
        if not n:
            continue
        if not len(chunk.dictionary) or chunk.null_count == n:
            out[pos:pos + n] = -1
            pos += n
            continue
        start = offsets[where[_identity(chunk.dictionary)]]
        idx = chunk.indices
        valid = chunk.is_valid().to_numpy(zero_copy_only=False) if chunk.null_count else None
        if valid is not None:
            idx = pc.fill_null(idx, 0)
        part = remap[start + idx.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)]
        if valid is not None:
            part[~valid] = -1
        out[pos:pos + n] = part
        pos += n
    return out, uniques


class IdPool:
    """Patient ids as read from the subjects table, handed to the tables read after it.

    A table's distinct ids that the subjects table has get the subjects' very string
    objects (one copy of a million ids, not one per table), found in Arrow (C++) by
    comparing the sorted lists or by a hash lookup, and the table remembers which of
    its ids were found (``hits``), so that ``validate`` need not look them up again.

    Examples
    --------
    >>> import pyarrow as pa
    >>> pool = IdPool()
    >>> first = pool.share("subjects", pa.array(["01", "02"]))
    >>> found = pool.share("measurements", pa.array(["02", "09"]))
    >>> found.tolist(), found[0] is first[1], pool.hits["measurements"].tolist()
    (['02', '09'], True, [True, False])
    """

    def __init__(self):
        self.arrow = self.objects = self.fixed = None
        self.hits: dict = {}

    def share(self, table: str, distinct) -> np.ndarray:
        """Python objects of ``distinct`` (an Arrow string array of distinct ids)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        own = np.asarray
        if table == "subjects" or self.arrow is None:
            objects = own(distinct.to_numpy(zero_copy_only=False), dtype=object)
            if table == "subjects":
                self.arrow, self.objects = distinct, objects
            return objects
        n = len(distinct)
        if n <= len(self.arrow) and not distinct.null_count and \
                pc.all(pc.equal(distinct, self.arrow.slice(0, n))).as_py():
            position = np.arange(n)  # same ids in the same order (a sorted file)
        else:
            position = self._sorted_positions(distinct)
            if position is None:
                position = pc.fill_null(pc.index_in(distinct, value_set=self.arrow), -1) \
                    .to_numpy(zero_copy_only=False).astype(np.int64)
        hit = position >= 0
        objects = np.empty(n, dtype=object)
        objects[hit] = self.objects[position[hit]]
        if not hit.all():
            objects[~hit] = own(distinct.filter(pa.array(~hit)).to_numpy(zero_copy_only=False),
                                dtype=object)
        self.hits[table] = hit
        return objects

    def _sorted_positions(self, distinct):
        """Positions by binary search when the subjects' ids are sorted and every id
        has one length (ids like FER-0000001): the Arrow text viewed as fixed-width
        bytes, no hashing. None when that does not apply."""
        import pyarrow.compute as pc

        if self.fixed is None:
            width = _width(self.arrow)
            self.fixed = False
            if width and len(self.arrow) > 1 and \
                    pc.all(pc.less(self.arrow[:-1], self.arrow[1:])).as_py():
                self.fixed = _as_bytes(self.arrow, width)
        if self.fixed is False or _width(distinct) != self.fixed.dtype.itemsize:
            return None
        mine = _as_bytes(distinct, self.fixed.dtype.itemsize)
        at = np.minimum(np.searchsorted(self.fixed, mine), len(self.fixed) - 1)
        return np.where(self.fixed[at] == mine, at, -1)


def _width(strings) -> int:
    """The common length in bytes of an Arrow string array without nulls or NUL bytes
    (0 when lengths differ): fixed-width bytes compare as the text does."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(strings) or strings.null_count or not pa.types.is_string(strings.type):
        return 0
    low, high = pc.min_max(pc.binary_length(strings)).values()
    if low.as_py() != high.as_py() or not low.as_py():
        return 0
    if not (np.frombuffer(strings.buffers()[2], dtype=np.uint8) != 0).all():
        return 0
    return low.as_py()


def _as_bytes(strings, width: int) -> np.ndarray:
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32)
    return np.frombuffer(strings.buffers()[2], dtype=f"S{width}", count=len(strings),
                         offset=int(offsets[strings.offset]))


def release_arrow_memory() -> None:
    """Hand memory pyarrow's allocator keeps after a table is read back to the system.

    The allocator keeps freed pages for later Arrow allocations; after a large file
    they would sit beside the pandas copies for the rest of the run.
    """
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):  # pragma: no cover - older pyarrow
        pass


def _identity(dictionary) -> tuple:
    buffers = dictionary.buffers()
    return (len(dictionary), dictionary.offset,
            *(b.address if b is not None else 0 for b in buffers))
