"""Where a workbook sheet's values really lie, found in its XML before the sheet is read.

The spreadsheet reader lays a sheet out as one grid from its top-left value to its bottom-right
value, about 32 bytes a cell: a single stray value at XFD1048576 asks for 512 GiB and ends the
process. The sheet's own <dimension> cannot be trusted to warn of that: it can say anything.
So each sheet's XML is searched first, as a stream, for a value to the right of the header row
(there is no column to read it into) or so far down that the grid would pass MAX_SHEET_CELLS;
such a sheet is refused, naming the cell and its value. Empty cells (formatting only) do not
count, wherever they are: the reader skips them too. A cell holding a spreadsheet error
(`#DIV/0!`, `#REF!` …) is refused too: the reader would read it as blank, a count of 0.

A quick search with one regular expression proves, for sheets written the usual way
(`<c r="B7" ...>`), that no cell lies beyond those bounds. Only if it finds something — a cell
beyond them, or cell tags written another way (namespace prefixes, no cell reference) — is the
sheet parsed properly, cell by cell, to find exactly where its values are.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from typing import IO
from xml.parsers import expat
from zipfile import ZipFile

from wmt.ingest.checks import Problems, shown

# 10 million cells is about 320 MiB of grid: three times the largest sheet of a national
# extract (CMS, 197,000 contacts of 15 columns).
MAX_SHEET_CELLS = 10_000_000
MAX_STRAY_CELLS_NAMED = 5
CHUNK = 1 << 22
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DOCUMENT_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_FIRST_ROW = re.compile(rb"<row\b([^>]*?)(/>|>(.*?)</row>)", re.DOTALL)
_ROW_ONE = re.compile(rb'\sr="1"')
_ROW_ONE_CELL = re.compile(rb'<c r="([A-Z]{1,3})1"[^>]*?(/?)>')


class DamagedWorkbook(Exception):
    """The workbook's zip or XML cannot be read; the message says what."""


def column_letters(index: int) -> str:
    """1 -> A, 27 -> AA, 16384 -> XFD."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index


def sheet_parts(archive: ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member holding its XML."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        links = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError) as error:
        raise DamagedWorkbook(f"its list of sheets cannot be read ({error})") from None
    targets = {
        link.get("Id"): str(link.get("Target", ""))
        for link in links.iter(f"{RELATIONSHIPS}Relationship")
    }
    parts = {}
    for sheet in workbook.iter(f"{MAIN}sheet"):
        target = targets.get(sheet.get(DOCUMENT_RELATIONSHIP), "")
        parts[str(sheet.get("name"))] = (
            target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        )
    return parts


@dataclass(frozen=True)
class Cell:
    row: int
    column: int
    value: str
    shared: bool = False  # the value is an index into the shared strings


@dataclass
class Extent:
    """Where a sheet's values are: how wide its header row is, and its outliers."""

    header_width: int = 0
    beyond: dict[int, Cell] = field(default_factory=dict)  # column -> its first value seen
    lowest: Cell | None = None
    errors: list[Cell] = field(default_factory=list)  # cells holding a spreadsheet error


def _letters_beyond(limit: int) -> bytes:
    """A pattern for column letters (one to three) further right than column `limit`."""
    written = column_letters(limit)
    choices = [f"[A-Z]{{{len(written) + 1},3}}"] if len(written) < 3 else []
    for at, letter in enumerate(written):
        if letter != "Z":
            rest = len(written) - at - 1
            choices.append(f"{written[:at]}[{chr(ord(letter) + 1)}-Z][A-Z]{{{rest}}}")
    return "|".join(choices).encode() or b"(?!)"


def _number_beyond(limit: int) -> bytes:
    """A pattern for row numbers (no leading zero) greater than `limit`."""
    written = str(limit)
    choices = [f"[1-9][0-9]{{{len(written)},}}"]
    for at, digit in enumerate(written):
        if digit != "9":
            rest = len(written) - at - 1
            choices.append(f"{written[:at]}[{chr(ord(digit) + 1)}-9][0-9]{{{rest}}}")
    return "|".join(choices).encode()


def _header_width(head: bytes) -> int | None:
    """The last column holding a value in row 1, if the XML starts the usual way."""
    found = _FIRST_ROW.search(head)
    if found is None or not _ROW_ONE.search(found.group(1)) or b"\x00" in head:
        return None
    cells = found.group(3) or b""
    usual = _ROW_ONE_CELL.findall(cells)
    if len(usual) != cells.count(b"<c"):
        return None
    return max((column_index(c.decode()) for c, empty in usual if not empty), default=0)


def _quick_search(part: IO[bytes], width: int) -> bool:
    """True when no cell of the usual form lies beyond the bounds, and no cell is unusual."""
    rows = MAX_SHEET_CELLS // max(width, 1)
    # Every alternative begins `<c`, so the search skips ahead to each cell tag quickly.
    unusual_or_far = re.compile(
        rb'<c(?:(?! r="[A-Z]{1,3}[1-9][0-9]{0,6}")[\s/>]'
        rb'| r="(?:(?:' + _letters_beyond(width) + rb")[1-9]"
        rb"|[A-Z]{1,3}(?:" + _number_beyond(rows) + rb')"))'
    )
    prefixed = re.compile(rb':c[\s/>]|<c\s[^>]*?t="e"')  # prefixed tags, or an error cell
    carried = b""
    while piece := part.read(CHUNK):
        text = carried + piece
        cut = text.rfind(b"<")  # a tag cut in two is searched with the next piece
        if cut <= 0:
            if len(text) > 4 * CHUNK:
                return False  # megabytes without a tag: let the careful parse look
            carried = text
            continue
        if unusual_or_far.search(text, 0, cut) or prefixed.search(text, 0, cut):
            return False
        carried = text[cut:]
    return not (unusual_or_far.search(carried) or prefixed.search(carried))


class _CellScan:
    """Every cell with a value, positioned as the reader positions them (expat events)."""

    def __init__(self) -> None:
        self.extent = Extent()
        self.row = 0
        self.column = 0
        self.cell: tuple[int, int, bool] | None = None
        self.error = False
        self.valued = False
        self.text: list[str] = []
        self.keep_text = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition("}")[2]
        if local == "row":
            number = attributes.get("r", "")
            self.row = int(number) if number.isdigit() else self.row + 1
            self.column = 0
        elif local == "c":
            reference = _CELL_REFERENCE.fullmatch(attributes.get("r", ""))
            row = self.row
            if reference:
                row, self.column = int(reference.group(2)), column_index(reference.group(1))
            else:
                self.column += 1
            self.cell = (row, self.column, attributes.get("t") == "s")
            self.error = attributes.get("t") == "e"
            self.valued, self.text = False, []
        elif local in ("v", "is", "f") and self.cell is not None:
            self.valued = True
            self.keep_text = local != "f"

    def characters(self, data: str) -> None:
        if self.keep_text and sum(map(len, self.text)) < 200:
            self.text.append(data)

    def end(self, name: str) -> None:
        local = name.rpartition("}")[2]
        if local in ("v", "is"):
            self.keep_text = False
        elif local == "c" and self.cell is not None:
            if self.valued:
                cell = Cell(self.cell[0], self.cell[1], "".join(self.text), self.cell[2])
                self._note(cell)
                if self.error and len(self.extent.errors) <= MAX_STRAY_CELLS_NAMED:
                    self.extent.errors.append(cell)
            self.cell = None

    def _note(self, cell: Cell) -> None:
        extent = self.extent
        if cell.row == 1:
            extent.header_width = max(extent.header_width, cell.column)
        extent.beyond.setdefault(cell.column, cell)
        if extent.lowest is None or cell.row > extent.lowest.row:
            extent.lowest = cell


def _exact_scan(part: IO[bytes]) -> Extent:
    scan = _CellScan()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.characters
    try:
        parser.ParseFile(part)
    except expat.ExpatError as error:
        raise DamagedWorkbook(f"its XML is damaged ({error})") from None
    width = scan.extent.header_width
    scan.extent.beyond = {c: cell for c, cell in scan.extent.beyond.items() if c > width}
    return scan.extent


def _shared_strings(archive: ZipFile, wanted: set[int]) -> dict[int, str]:
    """The few shared strings a message quotes, read as a stream up to the last one."""
    found: dict[int, str] = {}
    if not wanted or "xl/sharedStrings.xml" not in archive.namelist():
        return found
    with archive.open("xl/sharedStrings.xml") as part:
        index = 0
        for _, element in ElementTree.iterparse(part):
            if element.tag == f"{MAIN}si":
                if index in wanted:
                    found[index] = "".join(element.itertext())
                element.clear()
                index += 1
                if index > max(wanted):
                    break
    return found


def _values(archive: ZipFile, cells: list[Cell]) -> list[str]:
    shared = _shared_strings(
        archive, {int(cell.value) for cell in cells if cell.shared and cell.value.isdigit()}
    )
    return [
        shared.get(int(cell.value), cell.value)
        if cell.shared and cell.value.isdigit()
        else cell.value
        for cell in cells
    ]


def _report(archive: ZipFile, sheet: str, extent: Extent, problems: Problems) -> None:
    for cell in extent.errors[:MAX_STRAY_CELLS_NAMED]:
        problems.add(
            f"{sheet}, row {cell.row}, column {column_letters(cell.column)}: {shown(cell.value)} "
            "is a spreadsheet error, not a value; correct the cell or export the workbook again"
        )
    width = extent.header_width
    stray = [extent.beyond[column] for column in sorted(extent.beyond)]
    if stray:
        named = stray[:MAX_STRAY_CELLS_NAMED]
        for cell, value in zip(named, _values(archive, named), strict=True):
            problems.add(
                f"{sheet}, row {cell.row}, column {column_letters(cell.column)}: {shown(value)} "
                f"is outside the table: no column header above it (the headers end at column "
                f"{column_letters(width) or 'A'}); remove it"
            )
        problems.total += len(stray) - len(named)
        return
    lowest = extent.lowest
    if lowest is not None and lowest.row * max(width, 1) > MAX_SHEET_CELLS:
        (value,) = _values(archive, [lowest])
        problems.add(
            f"{sheet}, row {lowest.row}, column {column_letters(lowest.column)}: {shown(value)} "
            f"lies so far down that the sheet would be {lowest.row:,} rows of {width} columns, "
            f"more than the {MAX_SHEET_CELLS:,} cells a sheet may have; remove it if it is stray"
        )


def check_extent(archive: ZipFile, part: str, sheet: str, problems: Problems) -> None:
    """Add a problem for each value the sheet holds where no table can be.

    Raises DamagedWorkbook if the sheet's XML cannot be read.
    """
    if not part.endswith(".xml") or part not in archive.namelist():
        raise DamagedWorkbook("it is not an .xlsx workbook of XML sheets")
    with archive.open(part) as stream:
        width = _header_width(stream.read(CHUNK))
    if width is not None:
        with archive.open(part) as stream:
            if _quick_search(stream, width):
                return
    with archive.open(part) as stream:
        extent = _exact_scan(stream)
    _report(archive, sheet, extent, problems)
