"""The claim engine reads what a batch of letters needs once: the invoice and customer facts
come with the letters (from the run's own query, or the stored letter), the history of the
invoices (payments, reminders sent, fees booked) in one query per kind, and the rate tables
once per run (issue #14)."""

from datetime import timedelta

from .common import BelgianDunningCase, d

DUE = d("2026-03-02")  # a Monday


class TestClaimContext(BelgianDunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_fee_product_and_account()

    def letter_of(self, run, partner):
        letter = run.letter_ids.filtered(lambda ltr: ltr.partner_id == partner)
        self.assertEqual(len(letter), 1)
        return letter

    def fee_lines(self, letter):
        return [
            (f.kind, f.move_id, f.date_from, f.date_to, f.days, f.base_amount, f.amount)
            for f in letter.fee_line_ids.sorted(lambda f: (f.kind, f.move_id.id, f.date_from))
        ]

    def test_a_run_and_the_stored_letter_claim_the_same(self):
        # The run gives the claim the invoice date and the fee-invoice mark from its own
        # query; the stored letter reads them from the invoices: the same claim either way.
        long_term = self.make_invoice(
            self.customer, 1000.0, d("2026-03-31"), invoice_date=d("2026-01-01")
        )
        earlier = self.make_invoice(self.customer, 300.0, DUE)
        first = self.letter_of(self.run_dunning(d("2026-03-09")), self.customer)
        self.assertEqual(first.move_ids, earlier)
        fees_of_first = self.make_invoice(self.customer, 50.0, d("2026-03-31"))
        fees_of_first.dunning_fee_letter_id = first
        letter = self.letter_of(self.run_dunning(d("2026-04-20")), self.customer)
        self.assertEqual(letter.move_ids, long_term | fees_of_first)
        # 60 days after the invoice date (2 March), not the agreed-less 31 March; the fee
        # invoice bears no interest and no recovery compensation of its own.
        interest = letter.fee_line_ids.filtered(lambda f: f.kind == "interest")
        self.assertEqual(interest.move_id, long_term)
        self.assertEqual(interest.mapped("date_from"), [d("2026-03-03")])
        self.assertEqual(interest.mapped("date_to"), [d("2026-04-20")])
        recovery = letter.fee_line_ids.filtered(lambda f: f.kind == "recovery")
        self.assertEqual((recovery.move_id, recovery.amount), (long_term, 40.0))
        by_run = self.fee_lines(letter)
        totals = (letter.amount_interest, letter.amount_fees, letter.amount_total)
        letter._update_fees()
        self.assertEqual(self.fee_lines(letter), by_run)
        self.assertEqual((letter.amount_interest, letter.amount_fees, letter.amount_total), totals)
        # the customer agreed to the long term: the stored letter reads it too
        self.customer.dunning_long_term_agreed = True
        letter._update_fees()
        interest = letter.fee_line_ids.filtered(lambda f: f.kind == "interest")
        self.assertEqual(interest.mapped("date_from"), [d("2026-04-01")])

    def test_the_claims_of_2_or_20_letters_with_history_cost_the_same_queries(self):
        self.policy_b2b.write(
            {
                "invoice_fees": True,
                "fee_product_id": self.fee_product.id,
                "fee_account_id": self.fee_account.id,
            }
        )
        Claim = self.env["dunning.claim"]

        def queries(count, shift):
            customers = self.env["res.partner"]
            for number in range(count):
                partner = self.make_partner(f"Historiek {count}-{number:02d} BV")
                invoice = self.make_invoice(partner, 1000.0 + number, DUE + shift)
                self.pay(invoice, 100.0, d("2026-03-05") + shift)
                customers |= partner
            first = self.run_dunning(d("2026-03-09") + shift).letter_ids.filtered(
                lambda ltr: ltr.partner_id in customers
            )
            self.assertEqual(len(first), count)
            first._dunning_send(sent_date=d("2026-03-09") + shift)
            self.assertEqual(set(first.fee_move_id.mapped("state")), {"posted"})
            second = self.run_dunning(d("2026-03-23") + shift).letter_ids.filtered(
                lambda ltr: ltr.partner_id in customers
            )
            self.assertEqual(len(second), count)
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            claims = Claim._claims(Claim._claim_inputs(second))
            spent = self.env.cr.sql_log_count - before
            for letter in second:
                claim = claims[letter.id]
                # what the first letter's fee invoice booked is deducted, once
                booked = [v["amount"] for v in claim.fees if v["kind"] == "invoiced"]
                self.assertEqual(booked, [-letter.currency_id.round(first_of(letter).amount_total)])
                # the payment of 5 March splits the interest of the first letter's period
                periods = [
                    (v["date_from"], v["base_amount"])
                    for v in claim.fees
                    if v["kind"] == "interest"
                ]
                self.assertEqual(periods[0][0], DUE + shift + timedelta(days=1))
                self.assertEqual(len(periods), 2)
                self.assertAlmostEqual(periods[0][1] - periods[1][1], 100.0)
            return spent

        def first_of(letter):
            return (
                self.env["dunning.letter"]
                .search([("partner_id", "=", letter.partner_id.id), ("id", "!=", letter.id)])
                .fee_move_id
            )

        few = queries(2, timedelta(0))
        many = queries(20, timedelta(weeks=4))
        self.assertLessEqual(many, few)
