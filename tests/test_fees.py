"""Legal fees and interest: the shipped scales and rates of LEGAL.md, and the arithmetic."""

from odoo.exceptions import ValidationError

from odoo.addons.smart_dunning.models.belgian_calendar import (
    add_working_days,
    easter,
    public_holidays,
)
from odoo.addons.smart_dunning.models.dunning_fees import (
    MissingRateError,
    be_b2c_costs_from,
    interest,
    nl_b2c_costs_from,
)

from .common import DunningCase, d


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
        scales = self.env["dunning.fee.scale"]._dunning_scales(["be_b2c_lump_sum"])
        self.assertFalse(scales["be_b2c_lump_sum"]._on(d("2023-08-31")), "Book XIX starts 1/9/2023")
        self.assertTrue(scales["be_b2c_lump_sum"]._on(d("2023-09-01")))

    def test_overlapping_scales_are_refused(self):
        with self.assertRaises(ValidationError):
            self.env["dunning.fee.scale"].create(
                {
                    "kind": "nl_wik",
                    "date_from": d("2026-01-01"),
                    "band_ids": [(0, 0, {"threshold": 0, "fixed_amount": 40})],
                }
            )

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
        return self.env["dunning.legal.rate"]._dunning_periods([kind])[kind]

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
        with self.assertRaises(ValidationError):
            Rate.create({"kind": "be_legal", "date_from": d("2026-12-01"), "rate": 5.0})
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
