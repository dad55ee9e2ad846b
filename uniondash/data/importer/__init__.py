"""Real data in: templates, reading, validation (pandera and the data checks), atomic import.

Files are CSV, XLSX, XLSM or XLS, each file's table told by its header row. `import_files` turns
files into a new snapshot or into the full list of problems, never half of either (only problems
whose severity is "error" block: `Problem.blocks`; warnings and notes are in
`ImportResult.warnings`); `import_isolated` runs it in a child process under memory and time
limits (what the command line and /data call); `write_templates` and `export_snapshot` write the
templates, empty or filled from a snapshot.
"""

from uniondash.data.importer.isolated import Outcome, import_isolated
from uniondash.data.importer.problems import Problem, error_workbook, to_frame
from uniondash.data.importer.read import expand
from uniondash.data.importer.run import ImportResult, import_files, steps_total
from uniondash.data.importer.sources import SourceFile
from uniondash.data.importer.templates import export_snapshot, templates_zip, write_templates

__all__ = [
    "ImportResult",
    "Outcome",
    "Problem",
    "SourceFile",
    "error_workbook",
    "expand",
    "export_snapshot",
    "import_files",
    "import_isolated",
    "steps_total",
    "templates_zip",
    "to_frame",
    "write_templates",
]
