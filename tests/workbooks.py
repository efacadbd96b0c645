"""Copies of the sample nDelius workbook with one thing changed, for bad-input tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from zipfile import ZipFile

import polars as pl

from wmt.ingest.sheet_extent import sheet_parts

Sheets = dict[str, pl.DataFrame]
# An extra cell: (sheet, row, column, value), counted from 0 as xlsxwriter counts them;
# a value of None writes an empty cell that carries only formatting.
Cell = tuple[str, int, int, str | None]
LAST_ROW, LAST_COLUMN = 1_048_575, 16_383  # XFD1048576, the last cell a sheet can have


def read_all(path: Path) -> Sheets:
    import fastexcel

    workbook = fastexcel.read_excel(str(path))
    return {
        name: workbook.load_sheet_by_name(name, dtypes="string").to_polars()
        for name in workbook.sheet_names
    }


def write_all(sheets: Sheets, path: Path, cells: Iterable[Cell] = ()) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    formatted = book.add_format({"bold": True})
    written = {name: book.add_worksheet(name) for name in sheets}
    for name, frame in sheets.items():
        sheet = written[name]
        sheet.write_row(0, 0, frame.columns)
        for index, values in enumerate(frame.iter_rows(), start=1):
            sheet.write_row(index, 0, ["" if value is None else value for value in values])
    for name, row, column, text in cells:
        if text is None:
            written[name].write_blank(row, column, None, formatted)
        else:
            written[name].write(row, column, text)
    book.close()
    return path


def changed_copy(
    source: Path, target: Path, change: Callable[[Sheets], None], cells: Iterable[Cell] = ()
) -> Path:
    sheets = read_all(source)
    change(sheets)
    return write_all(sheets, target, cells)


def set_cell(sheets: Sheets, sheet: str, row: int, column: str, value: str) -> None:
    """Set a cell by spreadsheet row number (the header is row 1)."""
    frame = sheets[sheet]
    sheets[sheet] = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == row - 2)
        .then(pl.lit(value))
        .otherwise(pl.col(column))
        .alias(column)
    )


def rename_column(sheets: Sheets, sheet: str, old: str, new: str) -> None:
    sheets[sheet] = sheets[sheet].rename({old: new})


def edited_sheet_xml(source: Path, target: Path, sheet: str, edit: Callable[[str], str]) -> Path:
    """A copy of the workbook with one sheet's XML changed as text."""
    with ZipFile(source) as original, ZipFile(target, "w") as copy:
        part = sheet_parts(original)[sheet]
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == part:
                content = edit(content.decode("utf8")).encode("utf8")
            copy.writestr(item, content)
    return target
