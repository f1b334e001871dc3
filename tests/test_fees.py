"""Legal fees and interest: the shipped scales and rates of LEGAL.md, and the arithmetic."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from odoo.addons.smart_dunning.lib.belgian_calendar import (
    add_working_days,
    easter,
    public_holidays,
)
from odoo.addons.smart_dunning.lib.dunning_fees import (
    MissingRateError,
    be_b2c_costs_from,
    interest,
    nl_b2c_costs_from,
)

from .common import BelgianDunningCase, DunningCase, d

DUE = d("2026-03-02")  # a Monday


class TestScales(DunningCase):
    """Every example of LEGAL.md, and both sides of every band edge."""

    def assertScale(self, xmlid, cases):
        scale = self.env.ref(f"smart_dunning.{xmlid}")
        for base, expected in cases:
            self.assertAlmostEqual(round(scale._amount(base), 2), expected, 2, msg=f"{base}")

    def test_belgian_consumer_lump_sum(self):
        self.assertScale(
            "dunning_fee_scale_be_b2c_lump_sum",
            [
                (0, 0.0),
                (100, 20.0),
                (150, 20.0),
                (150.01, 30.0),  # the maximum jumps from 20 to 30
                (300, 45.0),
                (500, 65.0),
                (500.01, 65.0),
                (1000, 90.0),
                (10000, 540.0),
                (39000, 1990.0),
                (39199.99, 2000.0),
                (39200, 2000.0),  # the cap is reached
                (100000, 2000.0),
            ],
        )

    def test_dutch_wik_scale(self):
        self.assertScale(
            "dunning_fee_scale_nl_wik",
            [
                (100, 40.0),
                (266.66, 40.0),  # the minimum
                (266.67, 40.0),
                (266.8, 40.02),  # above the minimum
                (1000, 150.0),
                (2500, 375.0),
                (2510, 376.0),
                (3000, 425.0),
                (5000, 625.0),
                (5010, 625.5),
                (10000, 875.0),
                (10100, 876.0),
                (200000, 2775.0),
                (200100, 2775.5),
                (1000000, 6775.0),  # the cap
                (2000000, 6775.0),
            ],
        )

    def test_fixed_fees(self):
        self.assertScale("dunning_fee_scale_be_b2b_recovery", [(0.01, 40.0), (99999, 40.0)])
        self.assertScale("dunning_fee_scale_be_b2c_reminder", [(10, 7.5), (5000, 7.5)])

    def test_scale_validity(self):
        scales = self.env["dunning.fee.scale"]._scales(["be_b2c_lump_sum"])
        self.assertFalse(scales["be_b2c_lump_sum"]._on(d("2023-08-31")), "Book XIX starts 1/9/2023")
        self.assertTrue(scales["be_b2c_lump_sum"]._on(d("2023-09-01")))

    def test_overlapping_scales_are_refused(self):
        Scale = self.env["dunning.fee.scale"].with_context(lang="nl_BE")
        with self.assertRaises(ValidationError) as refused:
            Scale.create(
                {
                    "kind": "nl_wik",
                    "date_from": d("2026-01-01"),
                    "band_ids": [(0, 0, {"threshold": 0, "fixed_amount": 40})],
                }
            )
        # the day as a Flemish manager writes it, not the ISO date
        self.assertIn("01/01/2026", str(refused.exception))
        self.assertNotIn("2026-01-01", str(refused.exception))

    def test_bands_start_at_zero(self):
        with self.assertRaises(ValidationError):
            self.env["dunning.fee.scale"].create(
                {
                    "kind": "nl_wik",
                    "date_from": d("2000-01-01"),
                    "date_to": d("2000-12-31"),
                    "band_ids": [(0, 0, {"threshold": 10, "fixed_amount": 40})],
                }
            )


class TestRates(DunningCase):
    def periods(self, kind):
        return self.env["dunning.legal.rate"]._periods([kind])[kind]

    def test_shipped_rates(self):
        be = {f: r for f, _t, r in self.periods("be_late_payment")}
        self.assertEqual(be[d("2024-01-01")], 12.5)
        self.assertEqual(be[d("2025-01-01")], 11.5)
        self.assertEqual(be[d("2026-01-01")], 10.5)
        self.assertEqual(
            {f: r for f, _t, r in self.periods("be_legal")},
            {d("2024-01-01"): 5.75, d("2025-01-01"): 4.5, d("2026-01-01"): 4.5},
        )
        # LEGAL.md marks the Dutch rates from 1 July 2025 UNVERIFIED: none is shipped.
        for kind in ("nl_statutory", "nl_commercial"):
            self.assertEqual(max(t for _f, t, _r in self.periods(kind)), d("2025-06-30"), kind)
        for rate in self.env["dunning.legal.rate"].search([]):
            self.assertTrue(rate.source_url.startswith("https://"), rate.display_name)

    def test_interest_day_count(self):
        # 1000 due on 1 March 2026: interest from 2 March to 31 March = 30 days at 10.5 %.
        periods = interest(
            1000.0, d("2026-03-02"), d("2026-03-31"), self.periods("be_late_payment")
        )
        self.assertEqual([(p[2], p[3]) for p in periods], [(30, 10.5)])
        self.assertAlmostEqual(periods[0][4], 1000 * 0.105 * 30 / 365)
        one_day = interest(
            1000.0, d("2026-03-02"), d("2026-03-02"), self.periods("be_late_payment")
        )
        self.assertEqual(one_day[0][2], 1)
        self.assertEqual(interest(1000.0, d("2026-03-02"), d("2026-03-01"), []), [])

    def test_interest_is_split_on_a_rate_change(self):
        rates = self.periods("be_late_payment")
        periods = interest(1000.0, d("2025-06-21"), d("2025-07-10"), rates)
        self.assertEqual(
            [(p[0], p[1], p[2], p[3]) for p in periods],
            [
                (d("2025-06-21"), d("2025-06-30"), 10, 11.5),
                (d("2025-07-01"), d("2025-07-10"), 10, 10.5),
            ],
        )
        self.assertEqual([round(p[4], 2) for p in periods], [3.15, 2.88])
        # On the day of the change itself: one day at the new rate.
        on_change = interest(1000.0, d("2025-06-30"), d("2025-07-01"), rates)
        self.assertEqual([(p[2], p[3]) for p in on_change], [(1, 11.5), (1, 10.5)])

    def test_period_without_rate_is_refused(self):
        with self.assertRaises(MissingRateError) as caught:
            interest(
                500.0,
                d("2025-06-01"),
                d("2025-07-15"),
                self.periods("nl_statutory"),
                "nl_statutory",
            )
        self.assertEqual(
            (caught.exception.kind, caught.exception.day), ("nl_statutory", d("2025-07-01"))
        )
        with self.assertRaises(MissingRateError):
            interest(500.0, d("2023-12-20"), d("2024-01-10"), self.periods("be_late_payment"))

    def test_overlapping_rates_are_refused(self):
        Rate = self.env["dunning.legal.rate"]
        with self.assertRaises(ValidationError) as refused:
            Rate.with_context(lang="fr_BE").create(
                {"kind": "be_legal", "date_from": d("2026-12-01"), "rate": 5.0}
            )
        self.assertIn("01/12/2026", str(refused.exception))
        with self.assertRaises(ValidationError):
            Rate.create(
                {
                    "kind": "be_legal",
                    "date_from": d("2027-02-01"),
                    "date_to": d("2027-01-01"),
                    "rate": 5.0,
                }
            )
        new = Rate.create({"kind": "be_legal", "date_from": d("2027-01-01"), "rate": 5.0})
        self.assertIn("2027", new.display_name)


class TestWaitingPeriod(DunningCase):
    def test_easter_and_holidays(self):
        self.assertEqual(easter(2024), d("2024-03-31"))
        self.assertEqual(easter(2025), d("2025-04-20"))
        self.assertEqual(easter(2026), d("2026-04-05"))
        holidays = public_holidays(2025)
        self.assertEqual(len(holidays), 10)
        for day in ("2025-04-21", "2025-05-29", "2025-06-09", "2025-07-21", "2025-11-11"):
            self.assertIn(d(day), holidays)

    def test_working_days_skip_weekends_and_holidays(self):
        self.assertEqual(add_working_days(d("2025-01-03"), 1), d("2025-01-06"), "Friday to Monday")
        self.assertEqual(add_working_days(d("2025-04-18"), 1), d("2025-04-22"), "Easter Monday")

    def test_legal_md_worked_example(self):
        # Paper reminder Monday 6 January 2025: day 1 is Thursday 9 January, the period ends
        # Wednesday 22 January, costs from Thursday 23 January. E-mail: from Tuesday 21.
        self.assertEqual(be_b2c_costs_from(d("2025-01-06"), "letter"), d("2025-01-23"))
        self.assertEqual(be_b2c_costs_from(d("2025-01-06"), "email"), d("2025-01-21"))

    def test_holidays_push_the_paper_period(self):
        # Thursday 17 April 2025: Friday 18, (Easter Monday), Tuesday 22, Wednesday 23 = day 1.
        self.assertEqual(be_b2c_costs_from(d("2025-04-17"), "letter"), d("2025-05-07"))
        # Tuesday 23 December 2025: 24, (Christmas), 26, Monday 29 = day 1.
        self.assertEqual(be_b2c_costs_from(d("2025-12-23"), "letter"), d("2026-01-12"))

    def test_dutch_fourteen_days_after_receipt(self):
        self.assertEqual(nl_b2c_costs_from(d("2026-03-02"), "email"), d("2026-03-17"))
        self.assertEqual(nl_b2c_costs_from(d("2026-03-02"), "letter"), d("2026-03-19"))


class FeeCase(BelgianDunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.consumer = cls.make_partner("Jan Peeters", is_company=False, lang="nl_BE")
        cls.policy_b2c.fee_clause = True

    def fees(self, letter, kind=None):
        lines = letter.fee_line_ids.filtered(lambda f: not kind or f.kind == kind)
        return [(f.move_id, f.date_from, f.date_to, f.days, f.rate, f.amount) for f in lines]

    def letter_on(self, day, partner=None):
        run = self.run_dunning(d(day))
        return run.letter_ids.filtered(lambda ltr: ltr.partner_id == (partner or self.customer))


class TestBelgianBusinesses(FeeCase):
    def test_interest_from_the_day_after_due_and_40_per_invoice(self):
        self.assertEqual(self.company.currency_id.name, "EUR")
        big = self.make_invoice(self.customer, 1000.0, DUE)
        small = self.make_invoice(self.customer, 500.0, DUE)
        letter = self.letter_on("2026-03-09")
        # 3 to 9 March: 7 days at 10.5 %.
        self.assertEqual(
            self.fees(letter, "interest"),
            [
                (big, d("2026-03-03"), d("2026-03-09"), 7, 10.5, 2.01),
                (small, d("2026-03-03"), d("2026-03-09"), 7, 10.5, 1.01),
            ],
        )
        self.assertEqual(
            sorted(self.fees(letter, "recovery"), key=lambda f: f[0].id),
            [(big, False, False, 0, 0.0, 40.0), (small, False, False, 0, 0.0, 40.0)],
        )
        self.assertEqual(
            (letter.amount_due, letter.amount_interest, letter.amount_fees, letter.amount_total),
            (1500.0, 3.02, 80.0, 1583.02),
        )
        self.assertFalse(letter.is_first_reminder, "businesses get no consumer mentions")

    def test_claim_is_recomputed_on_the_day_the_letter_leaves(self):
        self.make_invoice(self.customer, 1000.0, DUE)
        letter = self.letter_on("2026-03-09")
        letter._dunning_send(sent_date=d("2026-03-16"))
        self.assertEqual(self.fees(letter, "interest")[0][2:4], (d("2026-03-16"), 14))
        self.assertEqual(letter.amount_interest, 4.03)  # 1000 x 10.5 % x 14 / 365

    def test_rate_change_inside_the_period(self):
        invoice = self.make_invoice(self.customer, 1000.0, d("2025-06-20"))
        letter = self.letter_on("2025-06-27")
        letter._dunning_send(sent_date=d("2025-07-10"))
        self.assertEqual(
            self.fees(letter, "interest"),
            [
                (invoice, d("2025-06-21"), d("2025-06-30"), 10, 11.5, 3.15),
                (invoice, d("2025-07-01"), d("2025-07-10"), 10, 10.5, 2.88),
            ],
        )

    def test_credit_note_lowers_the_interest_base_of_the_oldest_invoice(self):
        old = self.make_invoice(self.customer, 1000.0, DUE - timedelta(days=3))
        self.make_invoice(self.customer, 500.0, DUE)
        self.make_invoice(self.customer, 200.0, DUE, move_type="out_refund")
        letter = self.letter_on("2026-03-09")
        bases = {f.move_id: f.base_amount for f in letter.fee_line_ids if f.kind == "interest"}
        self.assertEqual(bases[old], 800.0)
        self.assertEqual(sorted(bases.values()), [500.0, 800.0])

    def test_policy_may_claim_neither(self):
        self.policy_b2b.write({"claim_interest": False, "claim_fees": False})
        self.make_invoice(self.customer, 1000.0, DUE)
        letter = self.letter_on("2026-03-09")
        self.assertFalse(letter.fee_line_ids)
        self.assertEqual(letter.amount_total, 1000.0)

    def test_policy_without_interest_needs_no_rate(self):
        self.policy_b2b.claim_interest = False
        self.make_invoice(self.customer, 1000.0, d("2026-06-25"))
        letter = self.letter_on("2026-07-02")
        self.assertEqual(letter.state, "draft")
        self.assertEqual(letter.fee_line_ids.mapped("kind"), ["recovery"])

    def test_missing_rate_holds_the_letter_and_refuses_to_send(self):
        # LEGAL.md gives no rate for the second half of 2026.
        self.make_invoice(self.customer, 1000.0, d("2026-06-25"))
        letter = self.letter_on("2026-07-02")
        self.assertEqual((letter.state, letter.approval_reason), ("to_approve", "missing_rate"))
        self.assertFalse(letter.fee_line_ids, "nothing is claimed with a guessed rate")
        self.assertIn(format_date(self.env, d("2026-07-01")), letter.fee_error)
        with self.assertRaises(UserError) as caught:
            letter.action_send()
        self.assertIn("Collections > Configuration", str(caught.exception))
        self.env["dunning.legal.rate"].create(
            {"kind": "be_late_payment", "date_from": d("2026-07-01"), "rate": 10.0}
        )
        letter.action_update_fees()
        self.assertFalse(letter.fee_error)
        letter.action_send()
        self.assertEqual(letter.state, "sent")
        self.assertEqual([f[4] for f in self.fees(letter, "interest")], [10.5, 10.0])


class TestBelgianConsumers(FeeCase):
    def test_first_reminder_is_free_and_announces_the_damages(self):
        self.make_invoice(self.consumer, 300.0, DUE)
        letter = self.letter_on("2026-03-09", self.consumer)
        self.assertEqual(letter.level_id.channel, "email")
        self.assertTrue(letter.is_first_reminder)
        self.assertFalse(letter.fee_line_ids)
        self.assertEqual(letter.amount_total, 300.0)
        self.assertEqual(letter.amount_fees_announced, 45.0)  # LEGAL.md: 300 -> 45
        # E-mail of Monday 9 March: the 14 days run 10-23 March.
        self.assertEqual(letter.costs_from, d("2026-03-24"))

    def test_costs_after_the_waiting_period_of_a_paper_letter(self):
        levels = self.b2c_levels
        levels[0].channel = "letter"
        levels[1].delay_days = 20
        invoice = self.make_invoice(self.consumer, 1000.0, DUE)
        first = self.letter_on("2026-03-09", self.consumer)
        first._dunning_send(sent_date=d("2026-03-09"))
        # Paper of Monday 9 March: day 1 is Thursday 12 March, costs from Thursday 26 March.
        second = self.letter_on("2026-03-22", self.consumer)
        self.assertFalse(second.is_first_reminder)
        self.assertFalse(second.fee_line_ids, "inside the waiting period: no cost at all")
        second._update_fees(as_of=d("2026-03-25"))
        self.assertFalse(second.fee_line_ids, "last day of the waiting period")
        second._update_fees(as_of=d("2026-03-26"))
        self.assertEqual(
            self.fees(second),
            [
                (invoice, d("2026-03-26"), d("2026-03-26"), 1, 10.5, 0.29),
                (self.env["account.move"], False, False, 0, 0.0, 90.0),  # 1000 -> 90
            ],
        )
        self.assertEqual(second.fee_line_ids.mapped("kind"), ["interest", "lump_sum"])

    def test_reminder_fees_instead_of_the_lump_sum_never_both(self):
        self.policy_b2c.b2c_damages = "reminder"
        self.make_invoice(self.consumer, 1000.0, DUE)
        for level in self.b2c_levels[:3]:
            day = DUE + timedelta(days=level.delay_days)
            letter = self.letter_on(fields.Date.to_string(day), self.consumer)
            letter._dunning_send(sent_date=day)
        letters = self.consumer.dunning_letter_ids.sorted("date")
        self.assertEqual(letters.mapped("amount_fees"), [0.0, 7.5, 15.0])
        self.assertNotIn("lump_sum", letters.fee_line_ids.mapped("kind"))
        self.assertEqual(letters[0].amount_fees_announced, 7.5)

    def test_without_clause_only_the_legal_interest(self):
        self.policy_b2c.fee_clause = False
        self.make_invoice(self.consumer, 1000.0, DUE)
        first = self.letter_on("2026-03-09", self.consumer)
        first._dunning_send(sent_date=d("2026-03-09"))
        self.assertEqual(first.amount_fees_announced, 0.0)
        second = self.letter_on("2026-03-27", self.consumer)
        self.assertEqual(second.fee_line_ids.mapped("kind"), ["interest"])
        self.assertEqual(second.fee_line_ids.basis, "be_legal")
        self.assertEqual(second.fee_line_ids.rate, 4.5)
        self.assertEqual(second.fee_line_ids.date_from, d("2026-03-24"))

    def test_contract_rate_is_capped_at_the_business_rate(self):
        self.make_invoice(self.consumer, 1000.0, DUE)
        first = self.letter_on("2026-03-09", self.consumer)
        first._dunning_send(sent_date=d("2026-03-09"))
        second = self.letter_on("2026-03-27", self.consumer)
        for contract, expected in ((12.0, 10.5), (8.0, 8.0)):
            self.policy_b2c.contract_interest_rate = contract
            second._update_fees()
            self.assertEqual(
                second.fee_line_ids.filtered(lambda f: f.kind == "interest").rate, expected
            )


class TestDutchCustomers(FeeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.nl_b2c = cls.policy_b2c.copy({"name": "NL consumers", "legal_regime": "nl_b2c"})
        cls.nl_b2b = cls.policy_b2b.copy({"name": "NL businesses", "legal_regime": "nl_b2b"})
        cls.dutch_consumer = cls.make_partner(
            "Sanne de Vries", is_company=False, lang="nl_NL", dunning_policy_id=cls.nl_b2c.id
        )
        cls.dutch_company = cls.make_partner(
            "Jansen Installatie BV", lang="nl_NL", dunning_policy_id=cls.nl_b2b.id
        )

    def test_fourteen_day_letter_then_wik_costs_on_the_sum(self):
        due = d("2025-03-03")
        first_invoice = self.make_invoice(self.dutch_consumer, 600.0, due)
        self.make_invoice(self.dutch_consumer, 400.0, due)
        letter = self.letter_on("2025-03-10", self.dutch_consumer)
        self.assertTrue(letter.is_first_reminder)
        self.assertEqual(letter.amount_fees_announced, 150.0, "WIK on 1000, not 2 x on 600/400")
        self.assertEqual(letter.costs_from, d("2025-03-25"))
        self.assertEqual(letter.fee_line_ids.mapped("kind"), ["interest", "interest"])
        self.assertEqual(
            self.fees(letter, "interest")[0][:5],
            (first_invoice, d("2025-03-04"), d("2025-03-10"), 7, 6.0),
        )
        letter._dunning_send(sent_date=d("2025-03-10"))
        second = self.letter_on("2025-03-28", self.dutch_consumer)
        self.assertEqual(self.fees(second, "collection")[0][5], 150.0)

    def test_business_wik_per_invoice_with_the_40_minimum(self):
        due = d("2025-03-03")
        self.make_invoice(self.dutch_company, 100.0, due)
        self.make_invoice(self.dutch_company, 1000.0, due)
        letter = self.letter_on("2025-03-10", self.dutch_company)
        self.assertEqual(sorted(f[5] for f in self.fees(letter, "collection")), [40.0, 150.0])
        self.assertEqual(
            set(letter.fee_line_ids.filtered(lambda f: f.kind == "interest").mapped("rate")),
            {11.15},
        )

    def test_unverified_rate_is_refused(self):
        self.make_invoice(self.dutch_company, 1000.0, d("2025-06-20"))
        letter = self.letter_on("2025-07-05", self.dutch_company)
        self.assertEqual(letter.approval_reason, "missing_rate")
        self.assertIn("6:119a", letter.fee_error)


class TestFeeInvoice(FeeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_fee_product_and_account()

    def test_fee_invoicing_needs_a_product_and_an_account(self):
        with self.assertRaises(ValidationError):
            self.policy_b2b.invoice_fees = True

    def test_fees_are_booked_on_a_separate_invoice_never_on_the_original(self):
        self.policy_b2b.write(
            {
                "invoice_fees": True,
                "fee_product_id": self.fee_product.id,
                "fee_account_id": self.fee_account.id,
            }
        )
        first = self.make_invoice(self.customer, 1000.0, DUE)
        second = self.make_invoice(self.customer, 500.0, DUE)
        letter = self.letter_on("2026-03-09")
        letter._dunning_send(sent_date=d("2026-03-09"))
        fee_invoice = letter.fee_move_id
        self.assertEqual(fee_invoice.state, "posted")
        self.assertEqual(fee_invoice.dunning_fee_letter_id, letter)
        self.assertEqual(fee_invoice.commercial_partner_id, self.customer)
        self.assertEqual(fee_invoice.amount_total, 83.02)  # 2 x 40 + interest 2.01 + 1.01
        self.assertEqual(fee_invoice.amount_tax, 0.0)
        self.assertEqual(set(fee_invoice.invoice_line_ids.account_id.ids), {self.fee_account.id})
        self.assertEqual(fee_invoice.invoice_line_ids.product_id, self.fee_product)
        self.assertEqual(fee_invoice.payment_reference, letter.payment_reference)
        for invoice, amount in ((first, 1000.0), (second, 500.0)):
            self.assertEqual(invoice.amount_total, amount, "the original invoice is untouched")
            self.assertEqual(len(invoice.invoice_line_ids), 1)

        # The next letter claims interest to its own date; what the first fee invoice booked
        # (the 2 x 40 and 7 days of interest) is not booked twice.
        second_letter = self.letter_on("2026-03-23")
        second_letter._dunning_send(sent_date=d("2026-03-23"))
        self.assertEqual(round(second_letter.amount_fees + second_letter.amount_interest, 2), 6.04)
        self.assertEqual(second_letter.fee_move_id.amount_total, 6.04)
        self.assertEqual(
            second_letter.fee_line_ids.filtered(lambda f: f.kind == "invoiced").amount, -83.02
        )
        self.assertNotIn(fee_invoice, second_letter.move_ids, "not yet due")


class TestRunScales(FeeCase):
    """A run claims fees for thousands of letters: its SQL must not grow with them."""

    def queries_of_a_run(self, customers, day):
        # as in production: chatter tracking on
        self.env = self.env(
            context=dict(self.env.context, tracking_disable=False, mail_notrack=False)
        )
        for number in range(customers):
            partner = self.make_partner(f"Klant {customers}-{number} BV")
            self.make_invoice(partner, 100.0 + number, DUE)
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        run = self.run_dunning(d(day))
        self.env.cr.flush()  # tracking messages are written at commit time
        count = self.env.cr.sql_log_count - before
        letters = run.letter_ids.filtered(
            lambda ltr: ltr.partner_id.name.startswith(f"Klant {customers}-")
        )
        # every customer got a letter and its claim, else the count proves nothing
        self.assertEqual(len(letters), customers)
        return count, letters

    def test_claims_of_a_run_cost_the_same_queries_for_2_or_20_letters(self):
        few, letters = self.queries_of_a_run(2, "2026-03-09")
        self.assertTrue(all(letter.amount_interest for letter in letters))
        many, letters = self.queries_of_a_run(20, "2026-03-10")
        self.assertTrue(all(letter.amount_interest for letter in letters))
        self.assertLessEqual(many, few)

    def test_held_letters_of_a_run_cost_the_same_queries_for_2_or_20(self):
        # No rate is known for the second half of 2026: every letter is held, and says why
        # on its form without a chatter message each.
        few, letters = self.queries_of_a_run(2, "2026-07-02")
        many, letters = self.queries_of_a_run(20, "2026-07-03")
        self.assertEqual(set(letters.mapped("approval_reason")), {"missing_rate"})
        self.env.invalidate_all()  # what the database says, not the cache
        self.assertEqual(set(letters.mapped("state")), {"to_approve"})
        self.assertEqual(set(letters.line_ids.mapped("state")), {"to_approve"})
        self.assertTrue(all(letter.fee_error for letter in letters))
        self.assertLessEqual(many, few)

    def test_a_run_inserts_the_claim_the_letter_computes_itself(self):
        # The run computes claims before it inserts its letters: "Update Fees" on the stored
        # letter must find exactly the same.
        self.make_invoice(self.customer, 1000.0, DUE - timedelta(days=3))
        self.make_invoice(self.customer, 500.0, DUE)
        self.make_invoice(self.customer, 200.0, DUE, move_type="out_refund")
        self.make_invoice(self.consumer, 300.0, DUE)
        letters = self.run_dunning(d("2026-03-09")).letter_ids

        def claims():
            self.env.invalidate_all()  # what the database says, not the cache
            return {
                ltr.partner_id: (
                    self.fees(ltr),
                    ltr.amount_credit,
                    ltr.amount_interest,
                    ltr.amount_fees,
                    ltr.amount_total,
                    ltr.is_first_reminder,
                    ltr.costs_from,
                    ltr.amount_fees_announced,
                    ltr.state,
                )
                for ltr in letters
            }

        inserted = claims()
        self.assertEqual(set(inserted), {self.customer, self.consumer})
        business, consumer = inserted[self.customer], inserted[self.consumer]
        self.assertEqual(business[1], 200.0)
        self.assertGreater(business[2], 0.0)
        self.assertEqual(business[4], 1300.0 + business[2] + business[3])
        self.assertTrue(consumer[5])
        self.assertGreater(consumer[7], 0.0)
        letters._update_fees()
        self.assertEqual(claims(), inserted)
