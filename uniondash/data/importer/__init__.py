"""Real data in: templates, reading CSV/XLSX, validation (pandera and the data checks), atomic import.

`import_files` turns files into a new snapshot or into the full list of problems, never half of
either; `write_templates` and `export_snapshot` write the templates, empty or filled from a snapshot.
"""

from uniondash.data.importer.problems import Problem, error_workbook, to_frame
from uniondash.data.importer.read import expand
from uniondash.data.importer.run import ImportResult, import_files, steps_total
from uniondash.data.importer.sources import SourceFile
from uniondash.data.importer.templates import export_snapshot, templates_zip, write_templates

__all__ = [
    "ImportResult",
    "Problem",
    "SourceFile",
    "error_workbook",
    "expand",
    "export_snapshot",
    "import_files",
    "steps_total",
    "templates_zip",
    "to_frame",
    "write_templates",
]
