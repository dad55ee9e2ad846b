"""Hand-written XLSX workbooks: the sheet XML exactly as a test wants it (far cells, missing
references, prefixes, out-of-order rows), zipped with the few parts a reader needs."""

from __future__ import annotations

import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relation'
        'ships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.'
        'xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-office'
        'document.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def workbook(path: Path, rows: str, sheet: str = "stations", extra: dict[str, bytes] | None = None) -> Path:
    """A one-sheet workbook whose sheetData holds `rows` (XML text) as written."""
    book = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.'
        f'org/officeDocument/2006/relationships"><sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="A1"/><sheetData>'
        f"{rows}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in PARTS.items():
            z.writestr(name, text)
        z.writestr("xl/workbook.xml", book)
        z.writestr("xl/worksheets/sheet1.xml", xml)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def one_far_value(path: Path, ref: str) -> Path:
    """A header cell in A1 and one number typed far out at `ref` (e.g. XFD1048576)."""
    row = int("".join(ch for ch in ref if ch.isdigit()))
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>站点编号</t></is></c></row>'
    return workbook(path, header + f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>')
