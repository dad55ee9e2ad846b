"""Reading a CSV file: UTF-8 (with or without BOM) or GBK/GB18030, separated by commas, semicolons
or tabs, told apart by which decoding and separator yield a header row of a known table (found
within the first rows, uniondash.data.importer.detect); every cell read as text by pyarrow's CSV
reader, rows numbered as a spreadsheet numbers them."""

from __future__ import annotations

import codecs
import csv
import io
import itertools

import numpy as np
import pandas as pd
import pyarrow as pa

from uniondash.data.importer.detect import HEADER_ROWS, Detection, detect
from uniondash.data.importer.problems import Problem, file_problem
from uniondash.data.importer.sources import Source, SourceFile, header_map, named_table

ENCODINGS = (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030"))  # strict UTF-8 (BOM or not) first
DELIMITERS = (",", ";", "\t")
SAMPLE = 64 * 1024


def decode_sample(head: bytes, encoding: str, whole: bool) -> str:
    """The sample's text. A character cut at the sample's end is left out; any other bad byte
    raises. An incremental decoder holds back an incomplete last character by itself, so nothing
    depends on where the error is counted from (utf-8-sig counted it after the BOM, and a BOM file
    whose multi-byte character straddled byte 65,536 was refused)."""
    return codecs.getincrementaldecoder(encoding)(errors="strict").decode(head, final=whole)


def _first_rows(text: str, delimiter: str) -> list[list[str]]:
    try:
        return list(itertools.islice(csv.reader(io.StringIO(text), delimiter=delimiter), HEADER_ROWS))
    except csv.Error:  # a NUL byte, or a field past the csv module's limit: not this reading
        return []


def read_csv(file: SourceFile) -> tuple[list[Source], list[Problem]]:
    """The table a CSV file holds, told by its header row (the file name is a hint), in the first
    encoding and separator that give a header row of a known table."""
    hint = named_table(file)
    with file.open() as fh:
        head = fh.read(SAMPLE + 1)
    whole = len(head) <= SAMPLE
    head = head[:SAMPLE]
    tried, unfit = [], None
    for encoding, label in ENCODINGS:
        tried.append(label)
        try:
            text = decode_sample(head, encoding, whole)
        except UnicodeDecodeError:
            continue
        found: tuple[Detection, str] | None = None
        for delimiter in DELIMITERS:
            rows = _first_rows(text, delimiter)
            if not rows:
                continue
            detection = detect(rows, hint, file.name)
            if found is None or detection.score > found[0].score:
                found = (detection, delimiter)
        if found is None or found[0].score == 0:
            unfit = unfit or found
            continue  # no header cell of any table: perhaps another encoding
        detection, delimiter = found
        if detection.table is None:
            return [], detection.problems
        header = _first_rows(text, delimiter)[detection.header]
        try:
            raw, ragged = _arrow_csv(file, encoding, len(header), detection.header + 1, delimiter)
        except (UnicodeDecodeError, pa.ArrowInvalid) as exc:
            if isinstance(exc, UnicodeDecodeError) or "UTF8" in str(exc) or "decode" in str(exc).lower():
                continue  # not this encoding after all (a bad byte past the sample)
            return [], [file_problem(file.name, "import.err_csv", "file", detail=str(exc).splitlines()[0][:200])]
        sources, problems = _csv_source(file, detection.table, header, raw, label, ragged, detection.header + 1)
        return sources, detection.problems + problems
    if unfit is not None:  # it decodes, but its first rows hold no header of any table
        return [], unfit[0].problems
    return [], [file_problem(file.name, "import.err_encoding", "file", tried=", ".join(tried))]


def _arrow_csv(
    file: SourceFile, encoding: str, width: int, header_row: int = 1, delimiter: str = ","
) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """Every cell as text, indexed by spreadsheet row (pyarrow's reader: a 180 MB file in about a
    second and 0.5 GB, where pandas' took 8 s and 1.9 GB). Rows with the wrong number of cells are
    left out and returned as (row, cells) to be named."""
    import pyarrow.csv as pcsv

    names = [f"c{i}" for i in range(width)]
    ragged: list[tuple[int | None, int]] = []

    def read(threads: bool) -> pa.Table:
        ragged.clear()

        def handler(row) -> str:
            ragged.append((row.number, row.actual_columns))
            return "skip"

        with file.open() as fh:
            return pcsv.read_csv(
                fh,
                read_options=pcsv.ReadOptions(
                    skip_rows=header_row,  # the header and any title or blank rows above it
                    column_names=names,
                    encoding="utf8" if encoding == "utf-8-sig" else encoding,  # the BOM is in the skipped header
                    use_threads=threads,
                ),
                parse_options=pcsv.ParseOptions(
                    delimiter=delimiter,
                    ignore_empty_lines=False,
                    newlines_in_values=True,
                    invalid_row_handler=handler,
                ),
                convert_options=pcsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )

    table = read(threads=True)
    if ragged:  # rare: read again on one thread, which knows the rows' numbers
        table = read(threads=False)
    skipped = {n for n, _ in ragged if n is not None}
    first = header_row + 1
    index = [r for r in range(first, first + table.num_rows + len(skipped)) if r not in skipped]
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    frame.columns = range(width)
    frame.index = pd.Index(index[: len(frame)], dtype="int64")
    return frame, [(n, cells) for n, cells in ragged]


def _csv_source(
    file: SourceFile, table: str, header: list, raw: pd.DataFrame, encoding: str, ragged=(), header_row: int = 1
):
    positions, problems = header_map(table, header, file.name, None, header_row)
    for row, cells in ragged:
        problems.append(file_problem(file.name, "import.err_ragged", "file", row=row, cells=cells, width=len(header)))
    frame = raw[list(positions)].rename(columns=positions)
    if len(frame) and len(frame.columns):  # blank lines are not rows (the index keeps the others' numbers)
        empty = np.logical_and.reduce([frame[c].eq("").to_numpy(dtype=bool) for c in frame.columns])
        frame = frame[~empty]
    if frame.empty and not problems:
        problems.append(file_problem(file.name, "import.err_no_rows", "file"))
    headers = {col: str(header[i]).strip().lstrip("\ufeff") for i, col in positions.items()}
    return [Source(table, file.name, None, frame, headers, file.sha256(), encoding)], problems
