"""The finer claim rules of docs/LEGAL.md: Dutch yearly compounding, interest that follows
partial payments, the Belgian 60-day term between businesses, regular-supply contracts of
Belgian consumers, and the base of a consumer's damages."""

from datetime import date, timedelta

from odoo.exceptions import AccessError

from odoo.addons.smart_dunning.lib.dunning_fees import (
    be_b2b_term_end,
    interest_through_time,
)

from .common import DunningCase, d
from .test_fees import DUE, FeeCase

TEN_PERCENT = [(date(2020, 1, 1), None, 10.0)]


class TestInterestThroughTime(DunningCase):
    """The arithmetic, on a flat 10 % so that the figures can be checked by hand."""

    def lines(self, *args, **kwargs):
        return [
            (p.date_from, p.date_to, p.days, p.base, round(p.amount, 2))
            for p in interest_through_time(*args, **kwargs)
        ]

    def test_each_full_year_of_interest_is_added_to_the_base(self):
        # 2023: 365 days on 1000 = 100; 2024 (366 days) on 1100 = 110.30; then 1 day on 1210.30.
        self.assertEqual(
            self.lines(
                1000.0,
                [],
                d("2023-01-01"),
                d("2025-01-01"),
                TEN_PERCENT,
                compound_yearly=True,
                rounding=lambda x: round(x, 2),
            ),
            [
                (d("2023-01-01"), d("2023-12-31"), 365, 1000.0, 100.0),
                (d("2024-01-01"), d("2024-12-31"), 366, 1100.0, 110.3),
                (d("2025-01-01"), d("2025-01-01"), 1, 1210.3, 0.33),
            ],
        )

    def test_no_compounding_before_the_year_is_full(self):
        lines = self.lines(
            1000.0, [], d("2023-01-01"), d("2023-12-31"), TEN_PERCENT, compound_yearly=True
        )
        self.assertEqual(
            [line[:4] for line in lines], [(d("2023-01-01"), d("2023-12-31"), 365, 1000.0)]
        )
        # the year runs from the first day of interest, not from 1 January
        lines = self.lines(
            1000.0,
            [],
            d("2023-03-15"),
            d("2024-03-15"),
            TEN_PERCENT,
            compound_yearly=True,
            rounding=lambda x: round(x, 2),
        )
        self.assertEqual(
            [line[:4] for line in lines],
            [
                (d("2023-03-15"), d("2024-03-14"), 366, 1000.0),
                (d("2024-03-15"), d("2024-03-15"), 1, 1100.27),
            ],
        )

    def test_simple_interest_without_compounding(self):
        lines = self.lines(1000.0, [], d("2023-01-01"), d("2024-12-31"), TEN_PERCENT)
        self.assertEqual([line[3] for line in lines], [1000.0])

    def test_each_payment_ends_a_period(self):
        # 600 still owed; 400 paid on 11 January: 1000 from 1 to 10 January, 600 after.
        self.assertEqual(
            self.lines(
                600.0, [(d("2026-01-11"), 400.0)], d("2026-01-01"), d("2026-01-20"), TEN_PERCENT
            ),
            [
                (d("2026-01-01"), d("2026-01-10"), 10, 1000.0, 2.74),
                (d("2026-01-11"), d("2026-01-20"), 10, 600.0, 1.64),
            ],
        )

    def test_payments_outside_the_period(self):
        # before the first day of interest: already out of the balance; after the claim date:
        # still owed on every day claimed
        self.assertEqual(
            self.lines(
                600.0,
                [(d("2025-12-01"), 100.0), (d("2026-01-25"), 300.0)],
                d("2026-01-01"),
                d("2026-01-20"),
                TEN_PERCENT,
            ),
            [(d("2026-01-01"), d("2026-01-20"), 20, 900.0, 4.93)],
        )

    def test_paid_in_full_then_nothing(self):
        self.assertEqual(
            self.lines(
                0.0, [(d("2026-01-06"), 1000.0)], d("2026-01-01"), d("2026-01-20"), TEN_PERCENT
            ),
            [(d("2026-01-01"), d("2026-01-05"), 5, 1000.0, 1.37)],
        )

    def test_belgian_60_day_term(self):
        invoiced = d("2026-01-01")
        sixty = d("2026-03-02")
        self.assertEqual(be_b2b_term_end(invoiced, sixty, False), sixty, "60 days: as agreed")
        self.assertEqual(be_b2b_term_end(invoiced, sixty + timedelta(1), False), sixty)
        self.assertEqual(be_b2b_term_end(invoiced, d("2026-03-31"), False), sixty)
        self.assertEqual(be_b2b_term_end(invoiced, d("2026-03-31"), True), d("2026-03-31"))
        self.assertEqual(be_b2b_term_end(invoiced, d("2026-01-31"), False), d("2026-01-31"))


class TestDutchCompounding(FeeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.nl_b2b = cls.policy_b2b.copy({"name": "NL businesses", "legal_regime": "nl_b2b"})
        cls.dutch_company = cls.make_partner(
            "Jansen Installatie BV", lang="nl_NL", dunning_policy_id=cls.nl_b2b.id
        )
        # The shipped Dutch rates start in 2024: this test enters the second half of 2023.
        cls.env["dunning.legal.rate"].create(
            {
                "kind": "nl_commercial",
                "date_from": d("2023-07-01"),
                "date_to": d("2023-12-31"),
                "rate": 12.0,
            }
        )

    def test_a_two_year_old_dutch_claim_shows_compounded_interest(self):
        invoice = self.make_invoice(self.dutch_company, 1000.0, d("2023-06-30"))
        letter = self.letter_on("2025-06-30", self.dutch_company)
        lines = letter.fee_line_ids.filtered(lambda f: f.kind == "interest")
        self.assertEqual(
            [
                (f.move_id, f.date_from, f.date_to, f.days, f.rate, f.base_amount, f.amount)
                for f in lines
            ],
            [
                (invoice, d("2023-07-01"), d("2023-12-31"), 184, 12.0, 1000.0, 60.49),
                (invoice, d("2024-01-01"), d("2024-06-30"), 182, 12.5, 1000.0, 62.33),
                # the first year's 122.82 is added to the base
                (invoice, d("2024-07-01"), d("2024-12-31"), 184, 12.25, 1122.82, 69.34),
                (invoice, d("2025-01-01"), d("2025-06-30"), 181, 11.15, 1122.82, 62.08),
            ],
        )
        self.assertEqual(letter.amount_interest, 254.24)  # simple interest: 239.86
        self.assertAlmostEqual(letter.amount_total, 1404.24)  # and the WIK costs on 1000

    def test_belgian_interest_is_not_compounded(self):
        self.make_invoice(self.customer, 1000.0, d("2024-06-30"))
        letter = self.letter_on("2025-07-15")
        self.assertEqual(
            set(letter.fee_line_ids.filtered(lambda f: f.kind == "interest").mapped("base_amount")),
            {1000.0},
        )


class TestPartialPayments(FeeCase):
    def test_interest_follows_the_balance_through_time(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        self.pay(invoice, 400.0, d("2026-03-06"))
        letter = self.letter_on("2026-03-09")
        self.assertEqual(letter.amount_due, 600.0)
        # 3 to 5 March on 1000, 6 to 9 March on 600 (not 7 days on 600 = 1.21)
        self.assertEqual(
            self.fees(letter, "interest"),
            [
                (invoice, d("2026-03-03"), d("2026-03-05"), 3, 10.5, 0.86),
                (invoice, d("2026-03-06"), d("2026-03-09"), 4, 10.5, 0.69),
            ],
        )
        self.assertEqual(
            letter.fee_line_ids.filtered(lambda f: f.kind == "interest").mapped("base_amount"),
            [1000.0, 600.0],
        )
        self.assertEqual(letter.amount_interest, 1.55)

    def test_payment_before_the_due_date_lowers_the_whole_period(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        self.pay(invoice, 400.0, DUE - timedelta(days=5))
        letter = self.letter_on("2026-03-09")
        self.assertEqual(
            self.fees(letter, "interest"),
            [(invoice, d("2026-03-03"), d("2026-03-09"), 7, 10.5, 1.21)],
        )

    def test_a_credit_note_corrects_the_invoice_from_the_start(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        refund = self.make_invoice(self.customer, 200.0, DUE, move_type="out_refund")
        (invoice.line_ids + refund.line_ids).filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).reconcile()
        letter = self.letter_on("2026-03-09")
        self.assertEqual(
            letter.fee_line_ids.filtered(lambda f: f.kind == "interest").mapped("base_amount"),
            [800.0],
        )

    def test_payments_cost_one_query_per_batch(self):
        # as TestRunScales, with a payment on every invoice
        counts = []
        for customers, day in ((2, "2026-03-09"), (12, "2026-03-10")):
            for number in range(customers):
                partner = self.make_partner(f"Betaler {customers}-{number} BV")
                invoice = self.make_invoice(partner, 1000.0 + number, DUE)
                self.pay(invoice, 100.0, d("2026-03-05"))
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            run = self.run_dunning(d(day))
            counts.append(self.env.cr.sql_log_count - before)
            letters = run.letter_ids.filtered(
                lambda ltr, c=customers: ltr.partner_id.name.startswith(f"Betaler {c}-")
            )
            self.assertEqual(len(letters), customers)
            for letter in letters:
                self.assertEqual(
                    len(letter.fee_line_ids.filtered(lambda f: f.kind == "interest")), 2
                )
        self.assertLessEqual(counts[1], counts[0])


class TestBelgianLongTerm(FeeCase):
    def test_interest_runs_from_the_legal_60_days(self):
        invoice = self.make_invoice(
            self.customer, 1000.0, d("2026-03-31"), invoice_date=d("2026-01-01")
        )
        letter = self.letter_on("2026-04-07")
        # 89 days agreed on the invoice, 60 allowed: interest from 3 March, 36 days
        self.assertEqual(
            self.fees(letter, "interest"),
            [(invoice, d("2026-03-03"), d("2026-04-07"), 36, 10.5, 10.36)],
        )
        self.assertEqual(self.fees(letter, "recovery")[0][5], 40.0)

    def test_a_term_expressly_agreed_is_kept(self):
        self.customer.dunning_long_term_agreed = True
        invoice = self.make_invoice(
            self.customer, 1000.0, d("2026-03-31"), invoice_date=d("2026-01-01")
        )
        letter = self.letter_on("2026-04-07")
        self.assertEqual(
            self.fees(letter, "interest"),
            [(invoice, d("2026-04-01"), d("2026-04-07"), 7, 10.5, 2.01)],
        )

    def test_a_term_of_60_days_is_kept(self):
        invoice = self.make_invoice(
            self.customer, 1000.0, d("2026-03-02"), invoice_date=d("2026-01-01")
        )
        letter = self.letter_on("2026-03-09")
        self.assertEqual(
            self.fees(letter, "interest")[0][:4], (invoice, d("2026-03-03"), d("2026-03-09"), 7)
        )

    def test_only_collections_users_record_the_agreement(self):
        employee = self.make_user("verkoper", "base.group_user,base.group_partner_manager")
        for field in ("dunning_long_term_agreed", "dunning_regular_supply"):
            with self.assertRefused(AccessError, "Only collections users"):
                self.customer.with_user(employee).write({field: True})
            self.assertFalse(self.customer[field])


class TestRegularSupply(FeeCase):
    """Book XIX: under a contract of regular supply, only the first reminders of three
    invoices per calendar year are free."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy_b2c.b2c_damages = "reminder"
        cls.consumer.dunning_regular_supply = True

    def letter_about(self, day, invoice):
        letters = self.run_dunning(d(day)).letter_ids
        return letters.filtered(lambda ltr: invoice in ltr.move_ids)

    def test_the_fourth_invoice_of_the_year_pays_its_first_reminder(self):
        first_three = [self.make_invoice(self.consumer, 100.0, d("2025-11-03")) for _i in range(3)]
        free = self.letter_about("2025-11-10", first_three[0])
        self.assertEqual(free.move_ids, first_three[0] | first_three[1] | first_three[2])
        self.assertTrue(free.is_first_reminder)
        self.assertFalse(free.fee_line_ids, "three invoices: free")
        free._dunning_send(sent_date=d("2025-11-10"))

        fourth = self.make_invoice(self.consumer, 100.0, d("2025-12-01"))
        paid = self.letter_about("2025-12-08", fourth)
        self.assertEqual(paid.move_ids, fourth)
        self.assertTrue(paid.is_first_reminder, "still the formal notice, with its mentions")
        self.assertEqual([(f.kind, f.amount) for f in paid.fee_line_ids], [("reminder", 7.5)])
        self.assertEqual(paid.amount_total, 107.5)
        paid._dunning_send(sent_date=d("2025-12-08"))

        # A new calendar year: free again.
        january = self.make_invoice(self.consumer, 100.0, d("2026-01-05"))
        letters = self.run_dunning(d("2026-01-12")).letter_ids
        new_year = letters.filtered(lambda ltr: january in ltr.move_ids)
        self.assertEqual(new_year.move_ids, january)
        self.assertFalse(new_year.fee_line_ids)

        # The fourth invoice's next reminder claims both reminders to date.
        second = letters.filtered(lambda ltr: fourth in ltr.move_ids)
        self.assertEqual(second.move_ids, fourth)
        self.assertEqual(
            [(f.kind, f.amount) for f in second.fee_line_ids if f.kind != "interest"],
            [("reminder", 15.0)],
        )
        # Inside its waiting period it would still claim the fee of the first one, no more.
        second._update_fees(as_of=d("2025-12-20"))
        self.assertEqual([(f.kind, f.amount) for f in second.fee_line_ids], [("reminder", 7.5)])

    def test_four_invoices_in_one_letter(self):
        invoices = [self.make_invoice(self.consumer, 100.0, DUE) for _i in range(4)]
        letter = self.letter_about("2026-03-09", invoices[0])
        self.assertEqual(len(letter.move_ids), 4)
        self.assertEqual([(f.kind, f.amount) for f in letter.fee_line_ids], [("reminder", 7.5)])

    def test_lump_sum_policy_charges_nothing_before_the_waiting_period(self):
        # The lump sum covers every cost of amicable recovery and waits for the 14 days.
        self.policy_b2c.b2c_damages = "lump_sum"
        invoices = [self.make_invoice(self.consumer, 100.0, DUE) for _i in range(4)]
        letter = self.letter_about("2026-03-09", invoices[0])
        self.assertFalse(letter.fee_line_ids)

    def test_without_the_contract_every_first_reminder_is_free(self):
        self.consumer.dunning_regular_supply = False
        invoices = [self.make_invoice(self.consumer, 100.0, DUE) for _i in range(4)]
        letter = self.letter_about("2026-03-09", invoices[0])
        self.assertFalse(letter.fee_line_ids)


class TestConsumerDamagesBase(FeeCase):
    def test_the_lump_sum_is_computed_on_the_letter_not_per_invoice(self):
        self.make_invoice(self.consumer, 100.0, DUE)
        self.make_invoice(self.consumer, 300.0, DUE)
        first = self.letter_on("2026-03-09", self.consumer)
        first._dunning_send(sent_date=d("2026-03-09"))
        second = self.letter_on("2026-03-27", self.consumer)
        # one lump sum on 400 (30 + 10 % of 250), not 20 + 45 on each invoice
        self.assertEqual(
            [
                (f.kind, f.base_amount, f.amount)
                for f in second.fee_line_ids
                if f.kind != "interest"
            ],
            [("lump_sum", 400.0, 55.0)],
        )
