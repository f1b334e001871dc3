"""The credit manager's reports on a small known data set, on a frozen date."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time
from odoo.tools.safe_eval import safe_eval

from .common import DunningCase, d

TODAY = "2026-06-15"


class ReportCase(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_1 = cls.make_user("sales_report_1", "base.group_user", name="Sofie Verkoop")
        cls.sales_2 = cls.make_user("sales_report_2", "base.group_user", name="Pierre Vente")
        cls.collector = cls.make_user(
            "collector_report", "smart_dunning.group_dunning_user", name="Karel Incasso"
        )
        cls.customer.write({"user_id": cls.sales_1.id, "dunning_user_id": cls.collector.id})
        cls.other_customer = cls.make_partner(
            "Boulangerie Dupont", lang="fr_BE", user_id=cls.sales_2.id
        )

    def grouped(self, model, groupby, measure, domain=()):
        """{group: value} as the pivot or graph of ``model`` shows it today."""
        with freeze_time(TODAY):
            self.env.invalidate_all()
            rows = self.env[model]._read_group(list(domain), [groupby], [measure])
        return {key: value for key, value in rows}


class TestAging(ReportCase):
    def test_buckets_by_customer_salesperson_and_collector(self):
        a, b = self.customer, self.other_customer
        self.make_invoice(a, 1000.0, d("2026-06-15"))  # due today: not due
        self.make_invoice(a, 200.0, d("2026-06-05"))  # 10 days
        partly = self.make_invoice(a, 300.0, d("2026-05-01"))  # 45 days, 100 paid
        self.pay(partly, 100.0, d("2026-05-20"))
        self.make_invoice(b, 400.0, d("2026-03-31"))  # 76 days
        self.make_invoice(b, 500.0, d("2026-02-01"))  # 134 days
        self.make_invoice(b, 50.0, d("2026-06-10"), move_type="out_refund")  # credit, 5 days
        paid = self.make_invoice(b, 70.0, d("2026-01-01"))
        self.pay(paid, 70.0, d("2026-01-05"))  # paid: not in the aging

        self.assertEqual(
            self.grouped("dunning.aging.report", "bucket", "amount_residual:sum"),
            {
                "not_due": 1000.0,
                "1_30": 200.0 - 50.0,
                "31_60": 200.0,
                "61_90": 400.0,
                "over_90": 500.0,
            },
        )
        self.assertEqual(
            self.grouped("dunning.aging.report", "partner_id", "amount_residual:sum"),
            {a: 1400.0, b: 850.0},
        )
        self.assertEqual(
            self.grouped("dunning.aging.report", "user_id", "amount_residual:sum"),
            {self.sales_1: 1400.0, self.sales_2: 850.0},
        )
        self.assertEqual(
            self.grouped("dunning.aging.report", "collector_id", "amount_residual:sum"),
            {self.collector: 1400.0, self.env["res.users"]: 850.0},
        )
        # The bucket columns of the list add up the same way.
        with freeze_time(TODAY):
            rows = self.env["dunning.aging.report"].search([("partner_id", "=", b.id)])
            self.assertEqual(sum(rows.mapped("amount_61_90")), 400.0)
            self.assertEqual(sum(rows.mapped("amount_1_30")), -50.0)
            self.assertEqual(max(rows.mapped("days_overdue")), 134)

    def test_buckets_in_age_order(self):
        for due in ("2026-06-20", "2026-06-05", "2026-05-01", "2026-03-31", "2026-02-01"):
            self.make_invoice(self.customer, 100.0, d(due))
        with freeze_time(TODAY):
            self.env.invalidate_all()
            Aging = self.env["dunning.aging.report"]
            rows = Aging._read_group([], ["bucket"], ["amount_residual:sum"])
            by_partner = Aging._read_group([], ["partner_id", "bucket"], ["__count"])
        expected = ["not_due", "1_30", "31_60", "61_90", "over_90"]
        self.assertEqual([bucket for bucket, _amount in rows], expected)
        self.assertEqual([bucket for _partner, bucket, _count in by_partner], expected)

    def test_bucket_boundaries(self):
        for due, bucket in (
            ("2026-06-16", "not_due"),
            ("2026-06-14", "1_30"),
            ("2026-05-16", "1_30"),  # 30 days
            ("2026-05-15", "31_60"),  # 31 days
            ("2026-04-16", "31_60"),  # 60 days
            ("2026-04-15", "61_90"),  # 61 days
            ("2026-03-17", "61_90"),  # 90 days
            ("2026-03-16", "over_90"),  # 91 days
        ):
            invoice = self.make_invoice(self.customer, 10.0, d(due))
            with freeze_time(TODAY):
                row = self.env["dunning.aging.report"].search([("move_id", "=", invoice.id)])
                self.assertEqual(row.bucket, bucket, due)

    def test_buckets_move_with_today(self):
        invoice = self.make_invoice(self.customer, 10.0, d("2026-06-01"))
        Aging = self.env["dunning.aging.report"]
        for today, bucket in (("2026-06-01", "not_due"), ("2026-07-01", "1_30")):
            with freeze_time(today):
                self.env.invalidate_all()
                self.assertEqual(Aging.search([("move_id", "=", invoice.id)]).bucket, bucket)


class TestMonthlyFigures(ReportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        a, b = cls.customer, cls.other_customer
        first = cls.make_invoice(a, 1000.0, d("2026-05-10"), invoice_date=d("2026-04-10"))
        cls.pay(first, 1000.0, d("2026-05-20"))  # 40 days to pay, 10 late
        second = cls.make_invoice(a, 600.0, d("2026-06-04"), invoice_date=d("2026-05-05"))
        cls.pay(second, 200.0, d("2026-06-01"))
        cls.make_invoice(b, 400.0, d("2026-06-19"), invoice_date=d("2026-05-20"))
        cls.make_invoice(
            b, 100.0, d("2026-06-02"), invoice_date=d("2026-06-02"), move_type="out_refund"
        )
        third = cls.make_invoice(b, 300.0, d("2026-07-10"), invoice_date=d("2026-06-10"))
        cls.pay(third, 300.0, d("2026-06-12"))  # 2 days to pay, 28 early

    def month(self, day):
        """The figures of the month starting on ``day``, as shown today."""
        with freeze_time(TODAY):
            self.env.invalidate_all()
            row = self.env["dunning.month.report"].search(
                [("company_id", "=", self.company.id), ("month", "=", d(day))]
            )
            return row.read()[0]

    def test_invoiced_collected_receivables_dso_and_days_to_pay(self):
        april, may, june = (self.month(day) for day in ("2026-04-01", "2026-05-01", "2026-06-01"))
        amounts = ("amount_invoiced", "amount_collected", "amount_receivable")
        self.assertEqual(
            [tuple(month[name] for name in amounts) for month in (april, may, june)],
            [(1000.0, 0.0, 1000.0), (1000.0, 1000.0, 1000.0), (200.0, 500.0, 700.0)],
        )
        # Receivables / (invoiced / days): 30 days in April, 31 in May, 15 so far in June.
        self.assertAlmostEqual(april["dso"], 30.0)
        self.assertAlmostEqual(may["dso"], 31.0)
        self.assertAlmostEqual(june["dso"], 52.5)
        days = ("avg_days_to_pay", "avg_days_late", "paid_count")
        self.assertEqual(tuple(may[name] for name in days), (40.0, 10.0, 1))
        self.assertEqual(tuple(june[name] for name in days), (2.0, -28.0, 1))
        self.assertFalse(april["paid_count"])

    def test_two_years_of_months_up_to_this_one(self):
        with freeze_time(TODAY):
            months = self.env["dunning.month.report"].search([("company_id", "=", self.company.id)])
            self.assertEqual(len(months), 24)
            self.assertEqual(months[0].month, d("2026-06-01"))
            self.assertEqual(months[-1].month, d("2024-07-01"))
            self.assertFalse(months[-1].dso, "nothing invoiced: no DSO")
            self.assertEqual(months[-1].amount_receivable, 0.0)

    def test_collected_per_month_and_paid_revenue_per_salesperson(self):
        tax = self.env["account.tax"].create(
            {
                "name": "BTW 21%",
                "amount": 21.0,
                "type_tax_use": "sale",
                "company_id": self.company.id,
            }
        )
        taxed = self.make_invoice(self.customer, 1000.0, d("2026-06-30"), post=False)
        taxed.invoice_line_ids.tax_ids = [Command.set(tax.ids)]
        taxed.action_post()
        self.assertEqual(taxed.amount_total, 1210.0)
        self.pay(taxed, 605.0, d("2026-06-14"))
        self.assertEqual(
            self.grouped("dunning.collection.report", "date:month", "amount:sum"),
            {
                d("2026-05-01"): 1000.0,
                d("2026-06-01"): 200.0 + 300.0 + 605.0,
            },
        )
        # Paid revenue is without VAT: half of the taxed invoice was paid, so 500.
        self.assertEqual(
            self.grouped("dunning.collection.report", "user_id", "amount_untaxed:sum"),
            {self.sales_1: 1000.0 + 200.0 + 500.0, self.sales_2: 300.0},
        )

    def test_credit_notes_are_not_collections(self):
        invoice = self.make_invoice(self.customer, 80.0, d("2026-06-30"))
        refund = self.make_invoice(self.customer, 80.0, d("2026-06-14"), move_type="out_refund")
        (invoice | refund).line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        ).reconcile()
        self.assertIn(invoice.payment_state, ("paid", "reversed"))
        with freeze_time(TODAY):
            rows = self.env["dunning.collection.report"].search([("move_id", "=", invoice.id)])
        self.assertFalse(rows)


class TestActivityReports(ReportCase):
    def send(self, run, day):
        with freeze_time(day):
            run.letter_ids.action_send()
            # several letters are sent by the background job
            self.env["dunning.run"]._cron_print()

    def test_letters_per_level_per_month(self):
        self.make_invoice(self.customer, 100.0, d("2026-03-02"))
        self.make_invoice(self.other_customer, 100.0, d("2026-04-01"))
        self.send(self.run_dunning(d("2026-03-09")), "2026-03-09")
        self.send(self.run_dunning(d("2026-03-23")), "2026-03-23")
        self.send(self.run_dunning(d("2026-04-08")), "2026-04-08")
        self.run_dunning(d("2026-04-15"))  # not sent: not counted
        action = self.env.ref("smart_dunning.dunning_letter_action_report")
        self.assertEqual(action.domain, "[('state', '=', 'sent')]")
        rows = self.env["dunning.letter"]._read_group(
            [("state", "=", "sent")], ["level_id", "sent_date:month"], ["__count"]
        )
        levels = self.b2b_levels
        self.assertEqual(
            {(level, month): count for level, month, count in rows},
            {
                (levels[0], d("2026-03-01")): 1,
                (levels[1], d("2026-03-01")): 1,
                (levels[0], d("2026-04-01")): 1,  # the second customer's first
                (levels[2], d("2026-04-01")): 1,  # the first customer's formal notice
            },
        )

    def test_disputes_by_reason(self):
        price = self.env.ref("smart_dunning.dunning_dispute_reason_price_quantity")
        email = self.env.ref("smart_dunning.dunning_dispute_reason_wrong_email")
        for partner, reason in ((self.customer, price), (self.other_customer, price)):
            self.env["dunning.dispute"].create(
                {
                    "partner_id": partner.id,
                    "reason_id": reason.id,
                    "move_ids": [
                        Command.set(self.make_invoice(partner, 10.0, d("2026-06-01")).ids)
                    ],
                }
            )
        self.env["dunning.dispute"].create(
            {
                "partner_id": self.customer.id,
                "reason_id": email.id,
                "move_ids": [
                    Command.set(self.make_invoice(self.customer, 5.0, d("2026-06-01")).ids)
                ],
            }
        )
        self.assertEqual(
            self.grouped("dunning.dispute", "reason_id", "__count"), {price: 2, email: 1}
        )

    def test_plans_kept_and_broken(self):
        plans = self.env["dunning.plan"]
        for partner in (self.customer, self.other_customer, self.make_partner("Derde BV")):
            invoice = self.make_invoice(partner, 90.0, d("2026-06-01"))
            plan = self.env["dunning.plan"].create(
                {
                    "partner_id": partner.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "schedule_count": 1,
                    "schedule_first_date": d("2026-06-20"),
                }
            )
            plan.action_generate_schedule()
            with freeze_time(TODAY):
                plan.action_confirm()
            plans |= plan
        kept, broken, running = plans
        self.pay(kept.move_ids, 90.0, d("2026-06-18"))
        broken._break(d("2026-06-26"))
        self.env["dunning.plan"].create(  # a draft: left out
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(kept.move_ids.ids)],
            }
        )
        action = self.env.ref("smart_dunning.dunning_plan_action_report")
        self.assertEqual(
            self.grouped("dunning.plan", "state", "__count", safe_eval(action.domain)),
            {"done": 1, "broken": 1, "active": 1},
        )
        self.assertEqual(running.state, "active")


class TestReportAccess(ReportCase):
    def test_collections_read_reports_salespeople_do_not(self):
        invoice = self.make_invoice(self.customer, 100.0, d("2026-06-01"))
        self.pay(invoice, 40.0, d("2026-06-10"))
        with freeze_time(TODAY):
            as_collector = self.env(user=self.collector)
            self.assertEqual(as_collector["dunning.aging.report"].search([]).move_id, invoice)
            self.assertEqual(
                as_collector["dunning.collection.report"].search([]).mapped("amount"), [40.0]
            )
            self.assertEqual(len(as_collector["dunning.month.report"].search([])), 24)
            for model in (
                "dunning.aging.report",
                "dunning.month.report",
                "dunning.collection.report",
            ):
                with self.assertRaises(AccessError, msg=model):
                    self.env[model].with_user(self.sales_1).search([])

    def test_reporting_menu_is_for_the_credit_manager(self):
        menu = self.env.ref("smart_dunning.menu_reporting")
        manager = self.make_user("manager_report", "smart_dunning.group_dunning_manager")
        Menu = self.env["ir.ui.menu"]
        aging = self.env.ref("smart_dunning.menu_report_aging")
        self.assertIn(menu.id, Menu.with_user(manager)._visible_menu_ids())
        self.assertIn(aging.id, Menu.with_user(manager)._visible_menu_ids())
        # collectors see the call statistics under Reporting (#17), not the credit manager's
        # reports
        self.assertIn(menu.id, Menu.with_user(self.collector)._visible_menu_ids())
        self.assertNotIn(aging.id, Menu.with_user(self.collector)._visible_menu_ids())
        status = self.env.ref("smart_dunning.menu_my_customers_status")
        self.assertIn(status.id, Menu.with_user(self.sales_1)._visible_menu_ids())

    def test_other_company_stays_out(self):
        other = self.setup_other_company(name="Coop NL")["company"]
        elsewhere = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "company_id": other.id,
                "invoice_date": d("2026-05-01"),
                "invoice_date_due": d("2026-05-31"),
                "invoice_line_ids": [
                    Command.create({"name": "X", "price_unit": 900.0, "tax_ids": [Command.clear()]})
                ],
            }
        )
        elsewhere.with_company(other).action_post()
        mine = self.make_invoice(self.customer, 100.0, d("2026-06-01"))
        with freeze_time(TODAY):
            Aging = self.env["dunning.aging.report"].with_user(self.collector)
            self.assertEqual(Aging.search([]).move_id, mine)
            Month = self.env["dunning.month.report"].with_user(self.collector)
            self.assertEqual(Month.search([]).company_id, self.company)
