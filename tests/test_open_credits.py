"""Never chase a customer who paid: every open credit on the receivable (unmatched payment,
credit note, bank line booked to the receivable, overpayment, payment in another currency)
counts before a letter is made or sent, for the call worklist and its export, and on the
payment status panel; an incoming bank line nobody has matched yet holds letters and calls."""

from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import freeze_time

from .common import DunningCase, d

DUE = d("2026-03-02")  # a Monday
RUN = d("2026-03-09")  # the first level is due
TODAY = "2026-03-20"  # DUE + 18 days: on the call worklist
PANEL = [
    "dunning_amount_due",
    "dunning_amount_overdue",
    "dunning_amount_unapplied",
    "dunning_payment_pending",
]


class CreditCase(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.dunning_call_after_days = 15
        cls.company.dunning_bank_hold_days = 5
        cls.customer.phone = "+32 9 123 45 67"
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.receivable = cls.company_data["default_account_receivable"]

    # ------------------------------------------------------------------ credits

    def unmatched_payment(self, amount, partner=None, currency=None, on_date=None):
        """A customer payment registered without an invoice."""
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": (partner or self.customer).id,
                "amount": amount,
                "currency_id": (currency or self.company.currency_id).id,
                "date": on_date or d("2026-03-05"),
                "journal_id": self.bank_journal.id,
            }
        )
        payment.action_post()
        return payment

    def bank_line(self, amount, on_date="2026-03-05", **vals):
        return self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank_journal.id,
                "date": d(on_date),
                "amount": amount,
                "payment_ref": vals.pop("payment_ref", "Betaling"),
                **vals,
            }
        )

    # ------------------------------------------------------------------ what users see

    def letters(self, on_date=RUN, partner=None):
        run = self.run_dunning(on_date)
        return run, run.letter_ids.filtered(
            lambda ltr: ltr.partner_id == (partner or self.customer)
        )

    def worklist(self, on_date=TODAY):
        with freeze_time(on_date):
            Worklist = self.env["dunning.worklist"]
            Worklist.invalidate_model()
            return {row.partner_id: (row.move_ids, row.amount_due) for row in Worklist.search([])}

    def export_rows(self, on_date=TODAY):
        with freeze_time(on_date):
            _headers, rows = self.env["dunning.callcentre.export"].create({})._export_table()
        return [row for row in rows if row[1] == self.customer.name]

    def panel(self, partner=None, on_date=TODAY):
        self.env.invalidate_all()
        with freeze_time(on_date):
            values = (partner or self.customer).read(PANEL)[0]
        return tuple(values[name] for name in PANEL)

    def assertNotChased(self, invoices, unapplied, due=0.0, overdue=0.0):
        """No letter, no call, no export row, and the panel shows what the customer holds."""
        _run, letters = self.letters()
        self.assertFalse(letters, "a customer who paid gets no letter")
        self.assertFalse(invoices.dunning_level_id)
        self.assertNotIn(self.customer, self.worklist(), "and no call")
        self.assertEqual(self.export_rows(), [], "and is not in the call-centre file")
        self.assertEqual(self.panel(), (due, overdue, unapplied, False))


class TestEveryCreditCounts(CreditCase):
    def test_payment_registered_without_invoice(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        self.unmatched_payment(500.0)
        self.assertEqual(invoice.payment_state, "not_paid", "nobody matched it")
        self.assertNotChased(invoice, unapplied=500.0)

    def test_open_credit_note(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        self.make_invoice(self.customer, 500.0, DUE, move_type="out_refund")
        self.assertNotChased(invoice, unapplied=500.0)

    def test_bank_line_booked_to_the_receivable(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        st_line = self.bank_line(
            500.0,
            partner_id=self.customer.id,
            counterpart_account_id=self.receivable.id,
        )
        self.assertTrue(st_line.is_reconciled, "booked, though to no invoice")
        self.assertNotChased(invoice, unapplied=500.0)

    def test_overpayment_of_another_invoice(self):
        paid = self.make_invoice(self.customer, 300.0, DUE - timedelta(days=10))
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        self.pay(paid, 800.0, d("2026-03-05"))
        self.assertEqual(paid.payment_state, "paid")
        self.assertNotChased(invoice, unapplied=500.0)

    def test_payment_in_another_currency_at_its_booked_rate(self):
        euro = self.setup_other_currency("EUR", rates=[("2026-01-01", 2.0)])
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        # 1,000 euros booked at 2 per company unit: 500.
        self.unmatched_payment(1000.0, currency=euro)
        self.assertNotChased(invoice, unapplied=500.0)

    def test_same_currency_credit_settles_in_that_currency(self):
        # Invoiced 1,000 euros at 2 (500), paid 1,000 euros at 2.5 (400): the customer paid
        # exactly what it owes, whatever the company currency says.
        euro = self.setup_other_currency("EUR", rates=[("2026-01-01", 2.0), ("2026-03-04", 2.5)])
        invoice = self.make_invoice(
            self.customer, 1000.0, DUE, currency=euro, invoice_date=d("2026-02-01")
        )
        self.unmatched_payment(1000.0, currency=euro)
        self.assertEqual(invoice.amount_residual_signed, 500.0)
        _run, letters = self.letters()
        self.assertFalse(letters)
        self.assertNotIn(self.customer, self.worklist())

    def test_credit_lowers_the_oldest_invoice_first(self):
        old = self.make_invoice(self.customer, 300.0, DUE - timedelta(days=5))
        new = self.make_invoice(self.customer, 500.0, DUE)
        payment = self.unmatched_payment(400.0)
        _run, letter = self.letters()
        self.assertEqual(letter.move_ids, new, "the old invoice is covered")
        self.assertEqual(letter.line_ids.amount_credit, 100.0)
        self.assertEqual(
            (letter.amount_overdue, letter.amount_credit, letter.amount_due), (500.0, 100.0, 400.0)
        )
        self.assertEqual(letter.credit_move_ids, payment.move_id)
        self.assertFalse(old.dunning_level_id)
        self.assertEqual(self.worklist()[self.customer], (new, 400.0))
        export = self.export_rows()
        self.assertEqual([row[0] for row in export], [new.name])
        self.assertEqual(self.panel(), (400.0, 400.0, 400.0, False))
        values = letter._dunning_letter_values()
        self.assertEqual(len(values["credits"]), 1)
        self.assertEqual(values["credits"][0]["number"], payment.move_id.name)

    def test_net_credit_shows_a_negative_total_and_match_now(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        self.unmatched_payment(700.0)
        self.assertNotChased(invoice, unapplied=700.0, due=-200.0)
        action = self.customer.action_dunning_match_credits()
        self.assertEqual((action["res_model"], action["res_id"]), ("account.move", invoice.id))
        # The invoice form offers the payment among its outstanding credits.
        widget = invoice.invoice_outstanding_credits_debits_widget
        self.assertEqual(widget["content"][0]["amount"], 700.0)

    def test_match_now_without_an_open_invoice(self):
        self.unmatched_payment(100.0)
        with self.assertRaisesRegex(UserError, "no open invoice"):
            self.customer.action_dunning_match_credits()

    def test_credits_of_another_customer_or_company_do_not_count(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        self.unmatched_payment(500.0, partner=self.make_partner("Andere Klant NV"))
        _run, letters = self.letters()
        self.assertEqual(letters.move_ids, invoice)
        self.assertEqual(letters.amount_due, 500.0)


class TestSendTime(CreditCase):
    def test_letter_covered_at_send_time_is_cancelled_with_the_reason(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        _run, letter = self.letters()
        self.assertEqual(letter.amount_due, 500.0)
        self.unmatched_payment(500.0, on_date=d("2026-03-10"))
        letter._dunning_send(sent_date=d("2026-03-10"))
        self.assertEqual(letter.state, "cancel")
        self.assertIn("unapplied payment or credit", letter.cancel_reason)
        self.assertIn("an unapplied payment or credit", letter.message_ids[0].body)
        self.assertEqual(letter.line_ids.move_id, invoice, "the letter still shows what it was")
        self.assertFalse(invoice.dunning_date, "nothing was sent")

    def test_partly_covered_letter_goes_out_for_the_rest(self):
        old = self.make_invoice(self.customer, 300.0, DUE - timedelta(days=5))
        new = self.make_invoice(self.customer, 500.0, DUE)
        _run, letter = self.letters()
        self.assertEqual(letter.amount_due, 800.0)
        self.unmatched_payment(400.0, on_date=d("2026-03-10"))
        letter._dunning_send(sent_date=d("2026-03-10"))
        self.assertEqual(letter.state, "sent")
        self.assertEqual(letter.move_ids, new, "the covered invoice left the letter")
        self.assertEqual(
            (letter.amount_overdue, letter.amount_credit, letter.amount_due), (500.0, 100.0, 400.0)
        )
        self.assertFalse(old.dunning_date)


class TestUnmatchedBankLine(CreditCase):
    def assertHeld(self, on_date="2026-03-09"):
        run, letters = self.letters(d(on_date))
        self.assertFalse(letters)
        self.assertEqual(run.bank_hold_count, 1)
        self.assertNotIn(self.customer, self.worklist(on_date))
        _due, _overdue, _unapplied, pending = self.panel(on_date=on_date)
        self.assertIn("Payment received, not yet matched", pending)

    def test_bank_line_of_the_customer_holds_letters_and_calls(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        st_line = self.bank_line(500.0, on_date="2026-03-16", partner_id=self.customer.id)
        self.assertFalse(st_line.is_reconciled)
        self.assertHeld("2026-03-20")
        self.assertEqual(self.export_rows(), [])
        # Five days later nobody matched it: the customer is chased again.
        run, letters = self.letters(d("2026-03-21"))
        self.assertEqual(letters.move_ids, invoice)
        self.assertEqual(run.bank_hold_count, 0)
        self.assertIn(self.customer, self.worklist("2026-03-21"))

    def test_bank_line_found_by_the_account_number(self):
        self.make_invoice(self.customer, 500.0, DUE)
        self.env["res.partner.bank"].create(
            {"partner_id": self.customer.id, "acc_number": "BE68 5390 0754 7034"}
        )
        self.bank_line(500.0, account_number="BE68539007547034")
        self.assertHeld()

    def test_bank_line_quoting_the_invoice_reference_pays_it_at_once(self):
        # The reference names the invoice: the line is matched when it is booked, so there is
        # nothing left to hold, and nothing to chase.
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        st_line = self.bank_line(500.0, payment_ref=invoice.payment_reference or invoice.name)
        self.assertTrue(st_line.is_reconciled)
        self.assertEqual(invoice.payment_state, "paid")
        run, letters = self.letters(d("2026-03-09"))
        self.assertFalse(letters)
        self.assertEqual(run.bank_hold_count, 0)
        self.assertNotIn(self.customer, self.worklist("2026-03-09"))

    def test_outgoing_lines_hold_nothing(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        self.bank_line(-500.0, partner_id=self.customer.id)
        _run, letters = self.letters()
        self.assertEqual(letters.move_ids, invoice)

    def test_no_hold_when_the_company_sets_0_days(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        self.company.dunning_bank_hold_days = 0
        self.bank_line(500.0, partner_id=self.customer.id, on_date="2026-03-08")
        _run, letters = self.letters()
        self.assertEqual(letters.move_ids, invoice)
        self.assertIn(self.customer, self.worklist())


class TestCost(CreditCase):
    """Credits are read once per batch: 20 customers with credits cost what 1 costs."""

    def make_customers(self, count, tag):
        """``{customer: what it still owes}``"""
        owed = {}
        for number in range(count):
            partner = self.make_partner(f"Klant {tag}-{number} BV", phone="+32 9 000 00 00")
            self.make_invoice(partner, 500.0, DUE)
            self.make_invoice(partner, 300.0, DUE - timedelta(days=20))
            # partly paid without an invoice: a letter for the rest
            self.unmatched_payment(350.0 + number, partner=partner)
            owed[partner] = 450.0 - number
        return owed

    def queries_of_a_run(self, count, day):
        owed = self.make_customers(count, day)
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        run = self.run_dunning(d(day))
        count_queries = self.env.cr.sql_log_count - before
        letters = run.letter_ids.filtered(lambda ltr: ltr.partner_id in owed)
        # every customer got its letter for the rest, else the count proves nothing
        self.assertEqual({ltr.partner_id: ltr.amount_due for ltr in letters}, owed)
        self.assertTrue(all(ltr.credit_move_ids for ltr in letters))
        return count_queries

    def queries_of_the_worklist(self, owed):
        partners = self.env["res.partner"].concat(*owed)
        self.env.invalidate_all()
        with freeze_time(TODAY):
            before = self.env.cr.sql_log_count
            rows = self.env["dunning.worklist"].search_fetch(
                [("partner_id", "in", partners.ids)], ["amount_due", "move_ids", "phone"]
            )
            rows.mapped("move_ids")
            count = self.env.cr.sql_log_count - before
        self.assertEqual({row.partner_id: row.amount_due for row in rows}, owed)
        self.assertEqual(len(rows.move_ids), len(owed), "the covered invoices are not discussed")
        return count

    def test_a_run_costs_the_same_for_1_or_20_customers_with_credits(self):
        one = self.queries_of_a_run(1, "2026-03-09")
        twenty = self.queries_of_a_run(20, "2026-03-10")
        self.assertLessEqual(twenty, one)

    def test_the_worklist_costs_the_same_for_1_or_20_customers_with_credits(self):
        few = self.make_customers(1, "few")
        many = self.make_customers(20, "many")
        self.queries_of_the_worklist({**few, **many})  # caches warm up
        self.assertEqual(self.queries_of_the_worklist(many), self.queries_of_the_worklist(few))
