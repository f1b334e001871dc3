"""The external call centre: the worklist exported as CSV or XLSX, their outcomes imported back."""

import base64
import io
from datetime import datetime

import openpyxl

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time

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

    def import_file(self, content, on_date=TODAY, lang="en_US", user=None):
        with freeze_time(on_date):
            wizard = (
                self.env["dunning.callcentre.import"]
                .with_user(user or self.collector)
                .with_context(lang=lang)
                .create({"file_data": base64.b64encode(content), "file_name": "calls.xlsx"})
            )
            wizard.action_import()
        return wizard

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
        self.assertEqual(
            (garage["Klant"], garage["Contact"], garage["Telefoon"]),
            ("Garage Lambert", "Jean Lambert", "+32 475 98 76 54"),
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
        legend = [row[0].value for row in book.worksheets[1].iter_rows()]
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
        sheet.append(
            [
                "INV/1999/99999",
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                "Reached",
            ]
        )
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
