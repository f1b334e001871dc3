"""Calls with a reason for non-payment, a direction and a duration; the call-centre file says
whether the customer was contacted before and what was sent."""

from odoo.exceptions import UserError
from odoo.tests import freeze_time

from .common import d
from .test_callcentre import CallcentreCase
from .test_worklist import TODAY


class TestCallReasons(CallcentreCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cash_flow = cls.env.ref("smart_dunning.dunning_call_reason_cash_flow")

    def test_the_shipped_list_of_reasons(self):
        names = self.env["dunning.call.reason"].search([]).mapped("name")
        self.assertEqual(
            names,
            [
                "Forgot",
                "Invoice not received",
                "Cash-flow problems",
                "Waiting for their own customer to pay",
                "Dispute",
                "Wrong address or e-mail",
                "Purchase-order number missing",
                "Left or bankrupt",
                "Other",
            ],
        )

    def test_an_incoming_call_with_its_reason_and_duration(self):
        call = self.log_call(
            self.customer,
            "reached",
            user=self.collector,
            call_reason_id=self.cash_flow.id,
            direction="incoming",
            duration=4.5,
            note="Pays at the end of the month",
        )
        self.assertEqual(
            (call.reason_id, call.direction, call.duration, call.first_contact),
            (self.cash_flow, "incoming", 4.5, True),
        )
        body = self.customer.message_ids[0].body
        self.assertIn("Call from Brouwerij De Kroon taken by Cora Collector", body)
        self.assertIn("Reason for non-payment: Cash-flow problems.", body)
        later = self.log_call(self.customer, "no_answer", user=self.collector)
        self.assertEqual((later.first_contact, later.direction), (False, "outgoing"))
        self.assertFalse(later.reason_id, "nobody answered: no reason")

    def test_first_contact_is_per_customer_and_company(self):
        with freeze_time(TODAY):
            calls = self.env["dunning.call"].create(
                [
                    {"partner_id": self.customer.id, "outcome": "no_answer"},
                    {"partner_id": self.customer.id, "outcome": "reached"},
                    {"partner_id": self.garage.id, "outcome": "reached"},
                ]
            )
        self.assertEqual(calls.mapped("first_contact"), [True, False, True])

    def test_a_dispute_is_the_reason_when_none_is_given(self):
        call = self.log_call(
            self.customer,
            "dispute",
            user=self.collector,
            moves=self.inv_1,
            dispute_reason_id=self.reason_price.id,
        )
        self.assertEqual(call.reason_id, self.env.ref("smart_dunning.dunning_call_reason_dispute"))

    def test_a_negative_duration_is_refused(self):
        with self.assertRefused(UserError, "less than zero minutes"):
            self.log_call(self.customer, "reached", user=self.collector, duration=-3)
        self.assertFalse(self.env["dunning.call"].search([("partner_id", "=", self.customer.id)]))


class TestCallcentreFileHistory(CallcentreCase):
    def test_export_says_first_contact_last_letter_and_last_call(self):
        level = self.b2b_levels[0]
        with freeze_time("2026-03-09"):
            letters = self.run_dunning(d("2026-03-09")).letter_ids
            letters._dunning_send()
        self.assertEqual(self.inv_1.dunning_level_id, level)
        with freeze_time("2026-03-12 09:30:00"):
            self.env["dunning.call"].create(
                {
                    "partner_id": self.customer.id,
                    "outcome": "reached",
                    "reason_id": self.env.ref("smart_dunning.dunning_call_reason_forgot").id,
                }
            )
        content, _wizard = self.export("csv")
        header, rows = self.csv_rows(content)
        by_invoice = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
        brewery = by_invoice[self.inv_1.name]
        self.assertEqual(
            (
                brewery["First Contact"],
                brewery["Last Letter"],
                brewery["Last Letter Date"],
                brewery["Last Call"],
                brewery["Last Call Outcome"],
                brewery["Last Reason for Non-payment"],
                brewery["Reason for Non-payment"],
            ),
            ("No", level.name, "2026-03-09", "2026-03-12", "Reached", "Forgot", ""),
        )
        garage = by_invoice[self.inv_3.name]
        self.assertEqual(
            (garage["First Contact"], garage["Last Call"], garage["Last Call Outcome"]),
            ("Yes", "", ""),
        )

    def test_xlsx_offers_the_reasons_as_a_list(self):
        content, _wizard = self.export("xlsx", lang="en_US")
        book, _sheet = self.sheet(content)
        reasons = [row[1].value for row in book.worksheets[1].iter_rows() if row[1].value]
        self.assertEqual(len(reasons), 9)
        self.assertIn("Cash-flow problems", reasons)

    def test_import_reads_the_reason_in_any_language(self):
        content, _wizard = self.export("csv")
        header, rows = self.csv_rows(content)
        answers = {
            self.inv_3.name: {"Outcome": "Reached", "Reason for Non-payment": "cash-flow problems"},
            self.inv_1.name: {"Outcome": "No answer"},
        }
        self.import_file(self.csv_file(header, rows, answers).encode())
        garage = self.calls().filtered(lambda c: c.partner_id == self.garage)
        self.assertEqual(
            garage.reason_id, self.env.ref("smart_dunning.dunning_call_reason_cash_flow")
        )
        self.assertTrue(garage.first_contact)
        brewery = self.calls().filtered(lambda c: c.partner_id == self.customer)
        self.assertFalse(brewery.reason_id)

    def test_an_unknown_reason_imports_nothing(self):
        content, _wizard = self.export("csv")
        header, rows = self.csv_rows(content)
        answers = {
            self.inv_3.name: {"Outcome": "Reached", "Reason for Non-payment": "Holidays"},
            self.inv_1.name: {"Outcome": "No answer"},
        }
        with self.assertRefused(UserError, 'unknown reason for non-payment "Holidays"'):
            self.import_file(self.csv_file(header, rows, answers).encode())
        self.assertFalse(self.calls())
