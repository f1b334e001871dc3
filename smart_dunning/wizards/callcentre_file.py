"""The file exchanged with an external call centre: its columns, written and read as CSV or XLSX.

The export has one row per invoice, the customer's details repeated, in worklist order (the
customer to call first at the top, its invoices together). The call centre fills in the outcome
columns and sends the file back; the import matches its rows by invoice number.
"""

import csv
import io
from datetime import date, datetime

import openpyxl
import xlsxwriter

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
}
# ... and what it fills in, for the import to read back.
OUTCOME_COLUMNS = {
    "outcome": (_lt("Outcome"), "text"),
    "call_date": (_lt("Call Date"), "date"),
    "promise_date": (_lt("Promised Payment Date"), "date"),
    "dispute_reason": (_lt("Dispute Reason"), "text"),
    "payment_term": (_lt("Payment Term Agreed"), "text"),
    "note": (_lt("Note"), "text"),
}
COLUMNS = {**EXPORT_COLUMNS, **OUTCOME_COLUMNS}
REQUIRED_COLUMNS = ("invoice", "outcome")
CSV_DELIMITER = ";"  # what Excel expects in Belgium and the Netherlands


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
    return value


def write_xlsx(headers, rows, outcome_labels, sheet_name, legend_name, date_format):
    """One sheet with the calls to make, real dates and numbers, the outcome column as a
    drop-down of ``outcome_labels``; a second sheet lists those outcomes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#E8E8E8", "border": 1})
    fmt = {
        "date": book.add_format({"num_format": date_format}),
        "amount": book.add_format({"num_format": "#,##0.00"}),
    }
    sheet = book.add_worksheet(sheet_name[:31])
    sheet.write_row(0, 0, headers, bold)
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
                sheet.write_string(index, col, str(value))
    for col, (key, (_label, kind)) in enumerate(COLUMNS.items()):
        width = {"date": 12, "amount": 12, "int": 8}.get(kind, 22)
        if key in ("note", "customer"):
            width = 32
        sheet.set_column(col, col, width, fmt.get(kind) if kind == "date" else None)
    outcome_col = list(COLUMNS).index("outcome")
    sheet.data_validation(
        1,
        outcome_col,
        max(len(rows), 1) + 500,
        outcome_col,
        {"validate": "list", "source": list(outcome_labels), "ignore_blank": True},
    )
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    legend = book.add_worksheet(legend_name[:31])
    for index, label in enumerate(outcome_labels):
        legend.write_string(index, 0, label)
    legend.set_column(0, 0, 30)
    book.close()
    return buffer.getvalue()


def read_table(content):
    """The rows of a CSV file or of the first sheet of an XLSX file, as lists of values.

    Raise ValueError("xls") for an old Excel file, ValueError("encoding") for a text file in
    an unknown encoding.
    """
    if content[:4] == b"PK\x03\x04":
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ValueError("xls")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("encoding")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def cell_text(value):
    """A cell as text: numbers without a useless ".0", dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value).strip()
