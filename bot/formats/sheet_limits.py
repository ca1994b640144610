"""Hard limits on a spreadsheet, checked before a library reads it.

A workbook is a zip of XML: 17 KB can declare millions of cells, and openpyxl builds each row in
full. So the zip's directory is checked first (member count, sizes, compression ratio; zipfile
never inflates a member past the size it declares), then each sheet and the shared strings are
streamed through expat, without building a tree, counting rows, columns, cells and characters.
Only a workbook inside every limit is handed to openpyxl. Over a limit → SheetError naming it.
"""

from __future__ import annotations

import re
import zipfile
from typing import Any
from xml.parsers import expat

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100            # uncompressed / compressed, for members over RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
MAX_MEMBERS = 1000
MAX_ROWS = 50_000
MAX_COLUMNS = 100
MAX_CELLS = 1_000_000      # in all sheets together, empty ones included
MAX_CELL_CHARS = 32_767    # Excel's own limit for one cell
_CHUNK = 64 * 1024
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")


class SheetError(Exception):
    """The file as a whole is unusable: `kind` names the message (import.<kind>)."""

    def __init__(self, kind: str, **details: Any) -> None:
        super().__init__(kind)
        self.kind = kind
        self.details = details


def column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index


def column_letters(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise SheetError("too_big", size_mb=round(size / 2**20, 1), limit_mb=MAX_FILE_BYTES // 2**20)


def check_xlsx(book: zipfile.ZipFile) -> None:
    """The whole workbook: every worksheet part is counted, whichever of them is read later."""
    members = book.infolist()
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise SheetError("unpacked_too_big", limit_mb=MAX_UNPACKED_BYTES // 2**20)
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise SheetError("compression_ratio", ratio=member.file_size // max(member.compress_size, 1),
                             limit=MAX_RATIO)
    scan = _Scan()
    for member in members:
        if "/worksheets/" in member.filename and member.filename.endswith(".xml"):
            scan.part(book, member.filename, scan.sheet_start)
        elif member.filename.endswith("sharedStrings.xml"):
            scan.part(book, member.filename, scan.string_start)


def check_rows(rows: list[tuple], sheet: str | None) -> None:
    """The same limits for rows already read (a CSV file)."""
    if len(rows) > MAX_ROWS + 1:
        raise SheetError("too_many_rows", limit=MAX_ROWS)
    cells = 0
    for number, row in enumerate(rows, start=1):
        if len(row) > MAX_COLUMNS and any(str(c).strip() for c in row[MAX_COLUMNS:]):
            raise SheetError("too_many_columns", limit=MAX_COLUMNS, sheet=sheet, row=number)
        cells += len(row)
        if cells > MAX_CELLS:
            raise SheetError("too_many_cells", limit=MAX_CELLS)
        for index, value in enumerate(row, start=1):
            if len(str(value)) > MAX_CELL_CHARS:
                raise SheetError("cell_too_long", limit=MAX_CELL_CHARS, sheet=sheet, row=number,
                                 column=column_letters(index))


class _Scan:
    """Counts across one workbook while expat streams its parts."""

    def __init__(self) -> None:
        self.cells = 0
        self.row = 0
        self.column = ""
        self.text = 0        # characters in the value being read
        self.in_text = False

    def part(self, book: zipfile.ZipFile, name: str, start) -> None:
        """Stream one part of the workbook, `start` seeing each element as it opens."""
        self.row, self.column = 0, ""
        parser = expat.ParserCreate()
        parser.StartElementHandler = start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._characters
        try:
            with book.open(name) as stream:
                while chunk := stream.read(_CHUNK):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except SheetError:
            raise
        except Exception as exc:  # not XML, cut off, a broken zip member: all "damaged"
            raise SheetError("damaged", row=self.row or None) from exc

    def sheet_start(self, tag: str, attributes: dict[str, str]) -> None:
        tag = tag.rpartition(":")[2]
        if tag == "dimension":
            self._dimension(attributes.get("ref", ""))
        elif tag == "row":
            number = attributes.get("r", "")
            self.row = int(number) if number.isdigit() else self.row + 1
            if self.row > MAX_ROWS + 1:
                raise SheetError("too_many_rows", limit=MAX_ROWS)
            self.column = ""
        elif tag == "c":
            self.cells += 1
            if self.cells > MAX_CELLS:
                raise SheetError("too_many_cells", limit=MAX_CELLS)
            match = _REF.match(attributes.get("r", ""))
            self.column = match.group(1) if match else column_letters(column_index(self.column or "@") + 1)
        elif tag in ("v", "t"):
            self.in_text, self.text = True, 0

    def string_start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag.rpartition(":")[2] == "t":
            self.in_text, self.text = True, 0

    def _characters(self, data: str) -> None:
        if not self.in_text:
            return
        self.text += len(data)
        if self.text > MAX_CELL_CHARS:
            raise SheetError("cell_too_long", limit=MAX_CELL_CHARS, row=self.row or None,
                             column=self.column or None)

    def _end(self, tag: str) -> None:
        tag = tag.rpartition(":")[2]
        if tag in ("v", "t"):
            self.in_text = False
        elif tag == "c" and self.text and column_index(self.column) > MAX_COLUMNS:
            raise SheetError("too_many_columns", limit=MAX_COLUMNS, row=self.row)
        if tag == "c":
            self.text = 0

    def _dimension(self, ref: str) -> None:
        last = ref.split(":")[-1]
        match = _REF.match(last)
        if match is None:
            return  # no usable claim: the counts while reading decide
        if int(match.group(2)) > MAX_ROWS + 1 or column_index(match.group(1)) > MAX_COLUMNS:
            raise SheetError("dimension_too_big", ref=ref, rows=MAX_ROWS, columns=MAX_COLUMNS)
