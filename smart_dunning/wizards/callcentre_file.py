"""The file exchanged with an external call centre: its columns, written and read as CSV or XLSX.

The export has one row per invoice, the customer's details repeated, in worklist order (the
customer to call first at the top, its invoices together). The call centre fills in the outcome
columns and sends the file back; the import matches its rows by invoice number.
"""

import codecs
import csv
import io
import re
import zipfile
from datetime import date, datetime

import openpyxl
import xlsxwriter
from lxml import etree

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# {key: (header, kind)}: what the call centre needs to make the call...
EXPORT_COLUMNS = {
    "invoice": (_lt("Invoice"), "text"),
    "customer": (_lt("Customer"), "text"),
    "contact": (_lt("Contact"), "text"),
    "phone": (_lt("Phone"), "text"),
    "email": (_lt("E-mail"), "text"),
    "language": (_lt("Language"), "text"),
    "date_due": (_lt("Due Date"), "date"),
    "amount_due": (_lt("Amount Due"), "amount"),
    "currency": (_lt("Currency"), "text"),
    "days_overdue": (_lt("Days Overdue"), "int"),
    "payment_reference": (_lt("Payment Reference"), "text"),
    "collector": (_lt("Collector"), "text"),
    # what happened before: the call centre opens a first contact differently
    "first_contact": (_lt("First Contact"), "text"),
    "last_level": (_lt("Last Letter"), "text"),
    "last_letter_date": (_lt("Last Letter Date"), "date"),
    "last_call_date": (_lt("Last Call"), "date"),
    "last_call_outcome": (_lt("Last Call Outcome"), "text"),
    "last_call_reason": (_lt("Last Reason for Non-payment"), "text"),
}
# ... and what it fills in, for the import to read back.
OUTCOME_COLUMNS = {
    "outcome": (_lt("Outcome"), "text"),
    "reason": (_lt("Reason for Non-payment"), "text"),
    "call_date": (_lt("Call Date"), "date"),
    "promise_date": (_lt("Promised Payment Date"), "date"),
    "dispute_reason": (_lt("Dispute Reason"), "text"),
    "payment_term": (_lt("Payment Term Agreed"), "text"),
    "note": (_lt("Note"), "text"),
}
COLUMNS = {**EXPORT_COLUMNS, **OUTCOME_COLUMNS}
REQUIRED_COLUMNS = ("invoice", "outcome")
CSV_DELIMITER = ";"  # what Excel expects in Belgium and the Netherlands

# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection"):
# customer-controlled text must never start a cell with them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A phone number or an amount: no letters, so no function, link or command, whatever reads it.
PLAIN_NUMBER = re.compile(r"[+\-][\d\s()./-]*")
# Columns read from an imported sheet: the export has 25, a call centre may add a few. Cells
# beyond are ignored, so a row declaring 16,384 columns costs no more than a normal one.
MAX_COLUMNS = 100
# Cells a row of an imported sheet may hold. A reader builds a whole row before it can skip its
# cells, so one row of millions of cells (a few kB zipped) would take gigabytes.
MAX_ROW_CELLS = 1000
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# A workbook is a zip: what it unpacks to may be at most this many times the size limit
# (a normal .xlsx unpacks to 5 to 10 times its size; a "zip bomb" to thousands).
MAX_UNPACK_RATIO = 10
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and other old Office files
# UTF-32 first: its little-endian mark starts with UTF-16's.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class TableError(ValueError):
    """A file that cannot be read as a table; ``code`` says why, for a message in the user's
    language: ``xls``, ``encoding``, ``unpacked`` (``limit`` in bytes), ``rows`` and
    ``cells`` (``limit``)."""

    def __init__(self, code, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def neutralise(text, keep_numbers=False):
    """Text a spreadsheet shows as text: a leading formula character gets a quote before it.
    ``keep_numbers`` leaves a plain number such as "+32 475 12 34 56" as it is, for a cell
    that is already text (in a CSV file Excel would read it as a broken formula)."""
    if not text.startswith(FORMULA_TRIGGERS):
        return text
    if keep_numbers and PLAIN_NUMBER.fullmatch(text):
        return text
    return "'" + text


def write_csv(headers, rows, decimal_point="."):
    """UTF-8 with a byte-order mark (so Excel reads accents right), ``;``-separated, dates in
    ISO form, amounts with the language's decimal point."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(headers)
    kinds = [kind for _label, kind in COLUMNS.values()]
    for row in rows:
        writer.writerow(
            [_csv_value(value, kind, decimal_point) for value, kind in zip(row, kinds, strict=True)]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value, kind, decimal_point):
    if value in (None, False, ""):
        return ""
    if kind == "date":
        return value.isoformat()
    if kind == "amount":
        return f"{value:.2f}".replace(".", decimal_point)
    if kind == "text":
        return neutralise(str(value))
    return value


def write_xlsx(
    headers, rows, outcome_labels, sheet_name, legend_name, date_format, reason_labels=()
):
    """One sheet with the calls to make, real dates and numbers, the outcome column as a
    drop-down of ``outcome_labels`` and the reason column of ``reason_labels``; a second sheet
    lists those outcomes and reasons.

    Text is always written as a string cell, never as a formula, and neutralised as in the
    CSV file (phone numbers excepted): editing the cell, or saving the sheet as CSV, must not
    turn it into a formula."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "bg_color": "#E8E8E8", "border": 1})
    fmt = {
        "date": book.add_format({"num_format": date_format}),
        "amount": book.add_format({"num_format": "#,##0.00"}),
    }
    sheet = book.add_worksheet(sheet_name[:31])
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, bold)
    for index, row in enumerate(rows, start=1):
        for col, (value, (_label, kind)) in enumerate(zip(row, COLUMNS.values(), strict=True)):
            if value in (None, False, ""):
                continue
            if kind == "date":
                sheet.write_datetime(
                    index, col, datetime.combine(value, datetime.min.time()), fmt["date"]
                )
            elif kind in ("amount", "int"):
                sheet.write_number(index, col, value, fmt.get(kind))
            else:
                sheet.write_string(index, col, neutralise(str(value), keep_numbers=True))
    for col, (key, (_label, kind)) in enumerate(COLUMNS.items()):
        width = {"date": 12, "amount": 12, "int": 8}.get(kind, 22)
        if key in ("note", "customer"):
            width = 32
        sheet.set_column(col, col, width, fmt.get(kind) if kind == "date" else None)
    for key, labels in (("outcome", outcome_labels), ("reason", reason_labels)):
        if not labels:
            continue
        col = list(COLUMNS).index(key)
        sheet.data_validation(
            1,
            col,
            max(len(rows), 1) + 500,
            col,
            {"validate": "list", "source": list(labels), "ignore_blank": True},
        )
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    legend = book.add_worksheet(legend_name[:31])
    for col, labels in enumerate((outcome_labels, reason_labels)):
        for index, label in enumerate(labels):
            legend.write_string(index, col, label)
        legend.set_column(col, col, 30)
    book.close()
    return buffer.getvalue()


def read_table(content, max_rows, max_unpacked):
    """The non-blank rows of a CSV file or of the first sheet of an XLSX file, as
    ``(row number, values)``, the first one being the header, without trailing empty cells.

    Streams the rows and stops at row ``max_rows + 1`` (a header and ``max_rows`` rows);
    a workbook that unpacks to more than ``max_unpacked`` bytes is not opened. Raise
    TableError when the file cannot be read.
    """
    if content[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(content, max_rows, max_unpacked)
    elif content[:8] == OLE_SIGNATURE:
        raise TableError("xls")
    else:
        rows = _csv_rows(decode_text(content))
    table = []
    try:
        for number, values in rows:
            if number > max_rows + 1:
                raise TableError("rows", limit=max_rows)
            # any() first: a blank row is all None, and rows far apart are filled with blanks
            if any(values) and any(cell_text(value) for value in values):
                last = max(index for index, value in enumerate(values) if value is not None)
                table.append((number, list(values[: last + 1])))
    finally:
        rows.close()
    return table


def _xlsx_rows(content, max_rows, max_unpacked):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        # sizes as declared; zipfile never unpacks a member past its declared size
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > max_unpacked:
        raise TableError("unpacked", limit=max_unpacked)
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        _check_row_widths(book, sheet._worksheet_path, max_rows)
        # The declared size may be a lie (A1:XFD1048576 is 17 billion cells): forget it, read
        # the rows that are there, and only the first MAX_COLUMNS cells of each.
        sheet.reset_dimensions()
        yield from enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1)
    finally:
        book.close()


def _check_row_widths(book, path, max_rows):
    """Refuse a sheet with a row of more than MAX_ROW_CELLS cells, reading it cell by cell
    (each cell forgotten once counted), before openpyxl reads it row by row."""
    rows = cells = 0
    with book._archive.open(path.lstrip("/")) as source:
        for _event, element in etree.iterparse(
            source,
            events=("end",),
            tag=(f"{SHEET_NS}c", f"{SHEET_NS}row"),
            resolve_entities=False,
            no_network=True,
        ):
            parent = element.getparent()
            if element.tag == f"{SHEET_NS}row":
                rows, cells = rows + 1, 0
                if rows > max_rows + 1:
                    return  # the reading stops there too, with its own error
            else:
                cells += 1
                if cells > MAX_ROW_CELLS:
                    raise TableError("cells", limit=MAX_ROW_CELLS)
            element.clear()
            if parent is not None:
                parent.remove(element)


def _csv_rows(text):
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    for number, values in enumerate(reader, start=1):
        yield number, values[:MAX_COLUMNS]


def decode_text(content):
    """The text of a CSV file: in the encoding its byte-order mark names, else in UTF-16 when
    it has NUL bytes, else in UTF-8, else in Windows-1252 (Excel's "CSV" in Western Europe)."""
    for bom, encoding in BOMS:
        if content.startswith(bom):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                raise TableError("encoding") from None
    if b"\x00" in content:
        # No text in a Western encoding has NUL bytes; UTF-16 has one in every other byte
        # for Latin text: on the odd bytes when little-endian, the even ones when big-endian.
        sample = content[:4096]
        odd, even = sample[1::2].count(0), sample[0::2].count(0)
        encoding = "utf-16-le" if odd > even else "utf-16-be"
        if len(content) % 2 == 0 and max(odd, even) > len(sample) // 4:
            try:
                text = content.decode(encoding)
            except UnicodeDecodeError:
                raise TableError("encoding") from None
            if "\x00" not in text:
                return text
        raise TableError("encoding")
    for encoding in ("utf-8", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    # cp1252 leaves five bytes undefined; Latin-1 reads every byte
    return content.decode("latin-1")


def cell_text(value):
    """A cell as text: numbers without a useless ".0", dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value).strip()
    # the quote that neutralise() put before a formula character is not part of the text
    if text[:1] == "'" and text[1:2] in FORMULA_TRIGGERS:
        return text[1:]
    return text
