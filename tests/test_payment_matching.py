"""Payments matched by the reference they quote (plan, letter, invoice), instalments paid in
order, no breach while a quoting payment waits, and small shortfalls written off."""

from datetime import timedelta

from odoo import Command
from odoo.tests import freeze_time

from odoo.addons.smart_dunning.models.structured_communication import format_ogm

from .common import BelgianDunningCase, d

DUE = d("2026-03-02")  # B2B: level 1 at +7 (9 March)
TODAY = "2026-03-16"


class PaymentCase(BelgianDunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_journal = cls.company_data["default_journal_bank"]

    def receive_payment(self, amount, memo, partner=None, currency=None, on_date="2026-03-20"):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": (partner or self.customer).id,
                "amount": amount,
                "currency_id": (currency or self.company.currency_id).id,
                "memo": memo,
                "date": d(on_date),
                "journal_id": self.bank_journal.id,
            }
        )
        payment.action_post()
        return payment

    def bank_line(self, amount, communication, on_date="2026-03-20", **vals):
        return self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank_journal.id,
                "date": d(on_date),
                "amount": amount,
                "payment_ref": communication,
                **vals,
            }
        )

    def writeoffs(self, invoice):
        """The write-off entries reconciled with the invoice."""
        return invoice.line_ids.matched_credit_ids.credit_move_id.move_id.filtered(
            lambda move: move.journal_id.type == "general"
        )


class TestPlanPaidByReference(PaymentCase):
    def setUp(self):
        super().setUp()
        # Two invoices, the older one due first; instalments of 100 on 10 April, May and June.
        self.older = self.make_invoice(self.customer, 200.0, DUE - timedelta(days=9))
        self.newer = self.make_invoice(self.customer, 100.0, DUE)
        self.plan = self.make_plan(self.older | self.newer)

    def make_plan(self, invoices):
        plan = self.env["dunning.plan"].create(
            {
                "partner_id": invoices.commercial_partner_id.id,
                "move_ids": [Command.set(invoices.ids)],
                "schedule_count": 3,
                "schedule_first_date": d("2026-04-10"),
            }
        )
        plan.action_generate_schedule()
        with freeze_time(TODAY):
            plan.action_confirm()
        return plan

    def test_instalment_and_part_of_the_next_paid_in_order(self):
        self.assertEqual(self.plan.state, "active")
        # The bank passes the structured communication on as twelve digits.
        digits = "".join(c for c in self.plan.payment_reference if c.isdigit())
        payment = self.receive_payment(150.0, digits, on_date="2026-04-08")
        self.assertTrue(payment.is_reconciled)
        self.assertEqual(self.older.amount_residual, 50.0, "the oldest due date first")
        self.assertEqual(self.newer.amount_residual, 100.0)
        self.assertEqual(self.plan.amount_paid, 150.0)
        self.assertEqual([line.amount_paid for line in self.plan.line_ids], [100.0, 50.0, 0.0])
        self.assertEqual([line.state for line in self.plan.line_ids], ["paid", "partial", "open"])
        self.assertEqual((self.plan.state, self.plan.amount_due), ("active", 150.0))
        self.assertIn(self.older.name, self.plan.message_ids[0].body)

        # The rest by a bank line quoting the plan number: the plan is done, never broken.
        st_line = self.bank_line(150.0, f"Afbetaling {self.plan.name} dank u")
        self.assertTrue(st_line.is_reconciled)
        self.assertEqual(st_line.partner_id, self.customer)
        self.assertEqual((self.older | self.newer).mapped("amount_residual"), [0.0, 0.0])
        self.assertEqual(self.plan.state, "done")
        with freeze_time("2026-07-01"):
            self.env["dunning.plan"]._cron_check_breaches()
        self.assertEqual(self.plan.state, "done")

    def test_plan_paid_in_full_at_once_is_done(self):
        self.receive_payment(300.0, f"+++{self.plan.payment_reference[3:-3]}+++")
        self.assertEqual([line.state for line in self.plan.line_ids], ["paid"] * 3)
        self.assertEqual(self.plan.state, "done")
        with freeze_time("2026-05-01"):
            self.env["dunning.plan"]._cron_check_breaches()
        self.assertEqual(self.plan.state, "done")
        self.assertFalse(self.plan.date_broken)

    def test_unmatched_payment_quoting_the_plan_prevents_the_breach(self):
        # The manager paid from his own account: not the plan's customer, so nothing is
        # matched automatically, but the money is there.
        manager = self.make_partner("Jan Peeters", is_company=False)
        payment = self.receive_payment(100.0, self.plan.payment_reference, partner=manager)
        self.assertFalse(payment.is_reconciled)
        self.assertEqual(self.plan.amount_paid, 0.0)
        # A second plan of another customer, without any payment, breaks the same day.
        other = self.make_partner("Bakkerij Het Zoete Brood")
        other_plan = self.make_plan(self.make_invoice(other, 300.0, DUE))
        with freeze_time("2026-04-15"):
            self.env["dunning.plan"]._cron_check_breaches()
        self.assertEqual(other_plan.state, "broken")
        self.assertEqual(self.plan.state, "active")
        self.assertFalse(self.plan.date_broken)

    def test_entry_quoting_the_plan_is_matched_before_the_breach(self):
        # A transfer booked by hand on the receivable, with the plan in its reference.
        receivable = self.company_data["default_account_receivable"]
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self.company_data["default_journal_misc"].id,
                "date": d("2026-04-09"),
                "ref": f"Overschrijving {self.plan.payment_reference}",
                "line_ids": [
                    Command.create(
                        {
                            "account_id": receivable.id,
                            "partner_id": self.customer.id,
                            "balance": -100.0,
                        }
                    ),
                    Command.create(
                        {
                            "account_id": self.bank_journal.default_account_id.id,
                            "balance": 100.0,
                        }
                    ),
                ],
            }
        )
        entry.action_post()
        self.assertEqual(self.plan.amount_paid, 0.0)
        with freeze_time("2026-04-15"):
            self.env["dunning.plan"]._cron_check_breaches()
        self.assertEqual(self.plan.state, "active")
        self.assertEqual(self.plan.line_ids[0].state, "paid")
        self.assertEqual(self.older.amount_residual, 100.0)
        self.assertTrue(
            entry.line_ids.filtered(lambda line: line.account_id == receivable).reconciled
        )

    def test_payment_short_of_the_instalment_still_breaks(self):
        self.receive_payment(60.0, self.plan.payment_reference, on_date="2026-04-10")
        self.assertEqual(self.plan.line_ids[0].state, "partial")
        with freeze_time("2026-04-15"):
            self.env["dunning.plan"]._cron_check_breaches()
        self.assertEqual(self.plan.state, "broken")
        self.assertEqual(self.older.amount_residual, 140.0)


class TestInvoiceReferences(PaymentCase):
    def test_invoice_numbers_in_the_memo_pay_those_invoices(self):
        first = self.make_invoice(self.customer, 300.0, DUE - timedelta(days=2))
        second = self.make_invoice(self.customer, 200.0, DUE)
        untouched = self.make_invoice(self.customer, 50.0, DUE - timedelta(days=5))
        payment = self.receive_payment(350.0, f"Facturen {first.name}, {second.name}")
        self.assertTrue(payment.is_reconciled)
        self.assertEqual(first.payment_state, "paid")
        self.assertEqual(second.amount_residual, 150.0)
        self.assertEqual(untouched.amount_residual, 50.0, "not quoted: not paid")

    def test_bank_line_with_the_invoice_structured_communication(self):
        invoice = self.make_invoice(self.customer, 400.0, DUE)
        # As the Belgian localisation gives it.
        invoice.payment_reference = format_ogm(1234)
        st_line = self.bank_line(250.0, "000000123470")
        self.assertEqual(st_line.partner_id, self.customer)
        self.assertEqual(invoice.amount_residual, 150.0)
        self.assertEqual(invoice.payment_state, "partial")

    def test_invoice_of_another_customer_is_left_alone(self):
        invoice = self.make_invoice(self.customer, 300.0, DUE)
        other = self.make_partner("Andere Klant NV")
        payment = self.receive_payment(300.0, invoice.name, partner=other)
        self.assertFalse(payment.is_reconciled)
        self.assertEqual(invoice.payment_state, "not_paid")

