"""Which table a file or sheet holds, told by its header row: every table's set of headers is
distinct, so the row among the first HEADER_ROWS that matches the most headers of one table is the
header row, and that table is the file's. The file or sheet name is only a hint, used when the
headers fit two tables equally (or when the headers fit no table well but some of the named one's).
Rows above the header (titles, blank rows, a merged title cell) are skipped and named."""

from __future__ import annotations

from dataclasses import dataclass, field

from uniondash.data.importer.contract import normalise, specs
from uniondash.data.importer.problems import Problem, file_problem
from uniondash.text.i18n import t as words

HEADER_ROWS = 10  # the header row is looked for in the first ten rows
SHOWN_MATCHES = 3  # tables named in "closest:" when none fits


@dataclass
class Detection:
    """What the first rows of a file or sheet say about it."""

    table: str | None  # None: no table fits (see problems)
    header: int = 0  # index of the header row in the rows given (0 = spreadsheet row 1)
    matches: dict[str, list[str]] = field(default_factory=dict)  # table → headers matched (as written)
    problems: list[Problem] = field(default_factory=list)  # the refusal, or notes on what was done

    @property
    def score(self) -> int:
        return max((len(v) for v in self.matches.values()), default=0)


def _matches(row: list) -> dict[str, list[str]]:
    cells = [str(c).strip().lstrip("\ufeff") for c in row if c is not None and normalise(c)]
    return {name: [c for c in cells if normalise(c) in spec.headers()] for name, spec in specs().items()}


def _required(table: str) -> int:
    return sum(not c.optional for c in specs()[table].columns)


def _fits(table: str, matched: int) -> bool:
    """Enough of a table's headers to be that table (the rest are then named as missing)."""
    return matched >= 2 and 2 * matched >= _required(table)


def score_rows(rows: list[list]) -> tuple[int, dict[str, list[str]]]:
    """(index, matches) of the row among the first HEADER_ROWS matching the most headers of one table
    (the first such row)."""
    best, best_matches = 0, _matches(rows[0]) if rows else {}
    top = max((len(v) for v in best_matches.values()), default=0)
    for i, row in enumerate(rows[1:HEADER_ROWS], start=1):
        found = _matches(row)
        score = max((len(v) for v in found.values()), default=0)
        if score > top:
            best, best_matches, top = i, found, score
    return best, best_matches


def detect(rows: list[list], hint: str | None, file: str, sheet: str | None = None) -> Detection:
    """The table the rows hold and its header row; hint: the table the file or sheet name names."""
    index, matches = score_rows(rows)
    found = Detection(None, index, matches)
    top = found.score
    leaders = [t for t, m in matches.items() if len(m) == top and top > 0]
    if len(leaders) > 1:
        if hint in leaders:
            leaders = [hint]
        else:  # the table with fewest required columns left out
            fewest = min(_required(t) - top for t in leaders)
            leaders = [t for t in leaders if _required(t) - top == fewest]
    if len(leaders) > 1:
        names = "、".join(f"{specs()[t].name_zh}（{t}）" for t in leaders)
        found.problems.append(file_problem(file, "import.err_ambiguous_table", "table", sheet, tables=names))
        return found
    if leaders and _fits(leaders[0], top):
        found.table = leaders[0]
    elif hint and matches.get(hint):
        found.table = hint  # named for it and some of its headers there: its missing columns are named
    else:
        found.problems.append(
            file_problem(file, "import.err_no_table", "table", sheet, rows=HEADER_ROWS, **_best(matches))
        )
        return found
    table = found.table
    spec = specs()[table]
    if hint is None:
        found.problems.append(
            file_problem(
                file,
                "import.info_recognised",
                "table",
                sheet,
                "info",
                table=spec.name_zh,
                table_en=spec.name_en,
                name=table,
            )
        )
    elif hint != table:
        found.problems.append(
            file_problem(
                file,
                "import.info_recognised_over_name",
                "table",
                sheet,
                "info",
                hint=specs()[hint].name_zh,
                hint_en=specs()[hint].name_en,
                table=spec.name_zh,
                table_en=spec.name_en,
                name=table,
            )
        )
    if index:
        found.problems.append(
            file_problem(
                file,
                "import.info_skipped_rows",
                "header_row",
                sheet,
                "info",
                header=index + 1,
                rows="1" if index == 1 else f"1–{index}",
            )
        )
    return found


def best_words(found: Detection) -> dict[str, str]:
    """best and best_en: which headers of the first rows matched which table best."""
    return _best(found.matches)


def _best(matches: dict[str, list[str]]) -> dict[str, str]:
    """The words naming which headers matched which table best, in both languages."""
    ranked = sorted(((len(m), t) for t, m in matches.items() if m), key=lambda x: (-x[0], x[1]))[:SHOWN_MATCHES]
    out = {}
    for lang in ("zh", "en"):
        if not ranked:
            out["best" if lang == "zh" else "best_en"] = words("import.best_none", lang)
            continue
        parts = [
            words(
                "import.best_match",
                lang,
                table=specs()[table].name_zh,
                table_en=specs()[table].name_en,
                n=n,
                total=len(specs()[table].columns),
                headers="、".join(matches[table]),
            )
            for n, table in ranked
        ]
        out["best" if lang == "zh" else "best_en"] = words("import.best_prefix", lang) + words(
            "import.best_sep", lang
        ).join(parts)
    return out
