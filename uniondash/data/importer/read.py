"""Reading import files: which files a path names, and each file's tables by its suffix: CSV
(uniondash.data.importer.csv_reader), workbooks .xlsx/.xlsm/.xls (.xlsx_reader) and GeoJSON boundaries (here), each
table told by its header row (the file or sheet name a hint), headers mapped to the contract (.sources).

Values stay as read (text, or the workbook's numbers, booleans and dates); uniondash.data.importer
.coerce gives them the contract's types. Every frame is indexed by the spreadsheet's row number
(as Excel numbers it: header = row 1 unless title rows sit above it), so every later problem can say where it is."""

from __future__ import annotations

import json
from pathlib import Path

from uniondash.data.importer.contract import normalise, specs
from uniondash.data.importer.csv_reader import read_csv
from uniondash.data.importer.problems import Problem, file_problem
from uniondash.data.importer.sources import Source, SourceFile, named_table, rows_frame
from uniondash.data.importer.xlsx_reader import read_workbook

SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls", ".geojson", ".json")
UPLOAD_TYPES = [s.lstrip(".") for s in SUFFIXES]  # for a file uploader


def expand(paths: list[Path]) -> list[SourceFile]:
    """Files as given, and the importable files of folders (sorted, not recursive)."""
    out = []
    for path in paths:
        if path.is_dir():
            out += [
                SourceFile(p.name, p)
                for p in sorted(path.iterdir())
                if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith((".", "~$"))
            ]
        else:
            out.append(SourceFile(path.name, path))
    return out


def read_source(file: SourceFile, max_mb: float) -> tuple[list[Source], list[Problem]]:
    """The tables of one file, or the problems that stop it being read."""
    size = file.size() if file.path is None or file.path.exists() else -1
    if size < 0:
        return [], [file_problem(file.name, "import.err_no_file", "file")]
    if size > max_mb * 2**20:
        return [], [file_problem(file.name, "import.err_too_large", "file", mb=f"{size / 2**20:.1f}", limit=max_mb)]
    if size == 0:
        return [], [file_problem(file.name, "import.err_empty", "file")]
    suffix = Path(file.name).suffix.lower()
    if suffix == ".csv":
        return read_csv(file)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return read_workbook(file)
    if suffix in (".geojson", ".json"):
        return _read_geojson(file)
    return [], [file_problem(file.name, "import.err_suffix", "file", suffixes=", ".join(SUFFIXES))]


def _read_geojson(file: SourceFile) -> tuple[list[Source], list[Problem]]:
    """Boundaries as a FeatureCollection: each feature's properties give adcode and level."""
    table = named_table(file)
    if table != "region_shapes":
        return [], [file_problem(file.name, "import.err_geojson_table", "file")]
    try:
        with file.open() as fh:
            data = json.loads(fh.read().decode("utf-8-sig"))
        features = data["features"]
    except (ValueError, KeyError, TypeError) as exc:
        return [], [file_problem(file.name, "import.err_geojson", "file", detail=str(exc)[:200])]
    known = specs()[table].headers()
    rows = []
    for feature in features:
        props = {known.get(normalise(k), k): v for k, v in (feature.get("properties") or {}).items()}
        geometry = feature.get("geometry")
        rows.append([props.get("adcode"), props.get("level"), None if geometry is None else json.dumps(geometry)])
    frame = rows_frame(rows, {0: "adcode", 1: "level", 2: "geojson"})
    headers = {"adcode": "adcode", "level": "level", "geojson": "geometry"}
    return [Source(table, file.name, None, frame, headers, file.sha256())], []
