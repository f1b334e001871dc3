"""Payments matched by the reference they quote (plan, letter, invoice), instalments paid in
order, no breach while a quoting payment waits, and small shortfalls written off."""

from datetime import timedelta

from odoo import Command
from odoo.tests import freeze_time

from odoo.addons.smart_dunning.lib.structured_communication import format_ogm

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


class TestShortfall(PaymentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 1 EUR = 1.1 USD: 109.59 USD are booked as 99.63 EUR.
        cls.usd = cls.setup_other_currency("USD", rates=[("2026-01-01", 1.1)])
        cls.writeoff_account = cls.company_data["default_account_expense"]
        cls.company.write(
            {
                "dunning_writeoff_amount": 5.0,
                "dunning_writeoff_percent": 1.0,
                "dunning_writeoff_account_id": cls.writeoff_account.id,
            }
        )

    def test_usd_payment_a_few_cents_short_is_written_off(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        payment = self.receive_payment(
            109.59, invoice.name, currency=self.usd, on_date="2026-03-05"
        )
        self.assertEqual(payment.move_id.line_ids.mapped("balance").count(99.63), 1)
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(invoice.payment_state, "paid")
        writeoff = self.writeoffs(invoice)
        self.assertEqual(len(writeoff), 1)
        expense = writeoff.line_ids.filtered(lambda line: line.account_id == self.writeoff_account)
        self.assertEqual(expense.debit, 0.37)
        self.assertEqual(writeoff.state, "posted")
        self.assertRegex(invoice.message_ids[0].body, r"0[.,]37")
        # What was written off was not collected.
        collected = self.env["dunning.collection.report"].search([("move_id", "=", invoice.id)])
        self.assertEqual(sum(collected.mapped("amount")), 99.63)
        letters = self.run_dunning(d("2026-03-10")).letter_ids
        self.assertFalse(letters.filtered(lambda ltr: ltr.partner_id == self.customer))

    def test_shortfall_above_the_tolerance_is_reminded_exactly(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        self.receive_payment(80.0, invoice.name, on_date="2026-03-05")
        self.assertEqual(invoice.amount_residual, 20.0)
        self.assertFalse(self.writeoffs(invoice))
        letter = self.run_dunning(d("2026-03-10")).letter_ids
        self.assertEqual(letter.move_ids, invoice)
        self.assertEqual(letter.amount_due, 20.0)

    def test_both_limits_must_hold(self):
        small = self.make_invoice(self.customer, 10.0, DUE)
        large = self.make_invoice(self.customer, 1000.0, DUE)
        larger = self.make_invoice(self.customer, 1000.0, DUE)
        self.receive_payment(9.80, small.name)  # 0.20 is under 5.00 but over 1 % (0.10)
        self.receive_payment(996.0, large.name)  # 4.00: under both
        self.receive_payment(994.0, larger.name)  # 6.00: under 1 % (10.00) but over 5.00
        self.assertEqual(
            [small.amount_residual, large.amount_residual, larger.amount_residual],
            [0.20, 0.0, 6.0],
        )
        self.assertEqual(len(self.writeoffs(large)), 1)

    def test_no_write_off_account_no_write_off(self):
        self.company.dunning_writeoff_account_id = False
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        self.receive_payment(109.59, invoice.name, currency=self.usd, on_date="2026-03-05")
        self.assertEqual(invoice.amount_residual, 0.37)
        self.assertFalse(self.writeoffs(invoice))

    def test_payment_registered_on_the_invoice_leaving_cents(self):
        invoice = self.make_invoice(self.customer, 250.0, DUE)
        self.pay(invoice, 249.10, d("2026-03-05"))
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(self.writeoffs(invoice).amount_total, 0.90)

    def test_foreign_bank_line_quoting_the_structured_communication(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        invoice.payment_reference = format_ogm(1234)
        st_line = self.bank_line(
            99.63,
            "***000/0001/23470***",
            foreign_currency_id=self.usd.id,
            amount_currency=109.59,
            on_date="2026-03-05",
        )
        self.assertTrue(st_line.is_reconciled)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(self.writeoffs(invoice).amount_total, 0.37)

    def test_overpayment_stays_a_credit_and_nothing_is_written_off(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        payment = self.receive_payment(100.30, invoice.name)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertFalse(self.writeoffs(invoice))
        receivable = payment.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.amount_residual, -0.30)

    def test_plan_paid_with_bank_charges_is_kept_and_done(self):
        invoice = self.make_invoice(self.customer, 300.0, DUE)
        plan = self.env["dunning.plan"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(invoice.ids)],
                "schedule_count": 3,
                "schedule_first_date": d("2026-04-10"),
            }
        )
        plan.action_generate_schedule()
        with freeze_time(TODAY):
            plan.action_confirm()
        Plan = self.env["dunning.plan"]
        # Each transfer of 100 arrives 0.37 short.
        self.receive_payment(99.63, plan.payment_reference, on_date="2026-04-10")
        with freeze_time("2026-04-15"):
            Plan._cron_check_breaches()
        self.assertEqual(plan.state, "active")
        self.receive_payment(99.63, plan.payment_reference, on_date="2026-05-10")
        self.assertEqual([line.state for line in plan.line_ids], ["paid", "partial", "open"])
        self.assertEqual(plan.line_ids[1].amount_paid, 99.26)
        with freeze_time("2026-05-15"):
            Plan._cron_check_breaches()
        self.assertEqual(plan.state, "active")
        # The last one leaves 1.11 open, under 5.00 and 1 % of 300: written off, plan done.
        self.receive_payment(99.63, plan.payment_reference, on_date="2026-06-10")
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(self.writeoffs(invoice).amount_total, 1.11)
        self.assertEqual(plan.state, "done")

    def test_plan_short_beyond_the_tolerance_breaks(self):
        invoice = self.make_invoice(self.customer, 300.0, DUE)
        plan = self.env["dunning.plan"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(invoice.ids)],
                "schedule_count": 3,
                "schedule_first_date": d("2026-04-10"),
            }
        )
        plan.action_generate_schedule()
        with freeze_time(TODAY):
            plan.action_confirm()
        # 4.00 short: under 5.00 but over 1 % of the plan (3.00).
        self.receive_payment(96.0, plan.payment_reference, on_date="2026-04-10")
        with freeze_time("2026-04-15"):
            self.env["dunning.plan"]._cron_check_breaches()
        self.assertEqual(plan.state, "broken")
