"""The manager's week (issue #17 item 9): call statistics, promises kept, reasons for
non-payment, invoices posted with data errors, paid revenue targets against the paid revenue,
and the weekly summary e-mail, on one small known data set.

The week of the summary is Monday 16 to Sunday 22 March 2026.
"""

from datetime import datetime

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import freeze_time
from odoo.tools import mute_logger

from .common import DunningCase, d


class TestManagementReports(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.dunning_plan_breach_days = 5
        collector = "base.group_user,smart_dunning.group_dunning_user"
        cls.sofie = cls.make_user("mr_sofie", collector, name="Sofie", tz="Europe/Brussels")
        cls.karim = cls.make_user("mr_karim", collector, name="Karim", tz="Europe/Brussels")
        cls.anna = cls.make_user("mr_anna", "base.group_user", name="Anna")
        cls.luc = cls.make_user("mr_luc", "base.group_user", name="Luc")
        manager = "base.group_user,smart_dunning.group_dunning_manager"
        for lang in ("nl_BE", "fr_BE"):
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(["smart_dunning"], ["nl_BE", "fr_BE"])
        cls.manager_nl = cls.make_user(
            "mr_manager_nl", manager, name="Wim", lang="nl_BE", email="wim@example.com"
        )
        cls.manager_fr = cls.make_user(
            "mr_manager_fr", manager, name="Chloé", lang="fr_BE", email="chloe@example.com"
        )
        due = d("2026-02-15")
        cls.customers = {key: cls.make_partner(f"Customer {key.upper()}") for key in "abcdefg"}
        cls.invoices = {
            key: cls.make_invoice(cls.customers[key], amount, due)
            for key, amount in zip(
                "abcdefg", (500.0, 300.0, 200.0, 100.0, 400.0, 250.0, 150.0), strict=True
            )
        }
        # Promises: (collector, confirmed on, promised date, paid in full on)
        promises = {
            "a": (cls.sofie, "2026-03-02", "2026-03-10", "2026-03-12"),  # kept (tolerance)
            "b": (cls.sofie, "2026-03-02", "2026-03-10", "2026-03-20"),  # paid late
            "c": (cls.karim, "2026-03-02", "2026-03-12", None),  # broken on 17 March
            "d": (cls.karim, "2026-03-16", "2026-03-25", None),  # not due yet
            "e": (cls.sofie, "2026-03-09", "2026-03-17", "2026-03-18"),  # kept
        }
        Call = cls.env["dunning.call"]
        cls.plans = {}
        for key, (user, day, promised, _paid) in promises.items():
            with freeze_time(f"{day} 10:00:00"):
                call = Call._dunning_log_calls(
                    [
                        {
                            "partner": cls.customers[key],
                            "moves": cls.invoices[key],
                            "outcome": "promise",
                            "promise_date": d(promised),
                            "user": user,
                        }
                    ]
                )
            cls.plans[key] = call.plan_id
        for key, (_user, _day, _promised, paid) in promises.items():
            if paid:
                cls.pay(cls.invoices[key], cls.invoices[key].amount_total, d(paid))
        # Reasons: two calls that give one, a dispute opened on a call, a dispute opened
        # directly, and a call of February.
        cls.forgot = cls.env.ref("smart_dunning.dunning_call_reason_forgot")
        cls.cash_flow = cls.env.ref("smart_dunning.dunning_call_reason_cash_flow")
        cls.price = cls.env.ref("smart_dunning.dunning_dispute_reason_price_quantity")
        no_moves = cls.env["account.move"]
        reason_calls = (
            ("2026-02-20 09:00:00", cls.sofie, "a", "reached", cls.forgot),
            ("2026-03-10 09:00:00", cls.karim, "b", "reached", cls.cash_flow),
            # Monday 16 March 09:30 and 09:50, Tuesday 17 March 14:00 in Brussels
            ("2026-03-16 08:30:00", cls.sofie, "c", "reached", None),
            ("2026-03-16 08:50:00", cls.sofie, "c", "no_answer", None),
            ("2026-03-17 13:00:00", cls.sofie, "g", "reached", cls.forgot),
            # Wednesday 18 March 10:00
            ("2026-03-18 09:00:00", cls.karim, "d", "wrong_number", None),
        )
        for moment, user, key, outcome, reason in reason_calls:
            with freeze_time(moment):
                Call._dunning_log_calls(
                    [
                        {
                            "partner": cls.customers[key],
                            "moves": no_moves,
                            "outcome": outcome,
                            "user": user,
                            "call_reason": reason,
                        }
                    ]
                )
        with freeze_time("2026-03-17 14:00:00"):
            cls.dispute_f = Call._dunning_log_calls(
                [
                    {
                        "partner": cls.customers["f"],
                        "moves": cls.invoices["f"],
                        "outcome": "dispute",
                        "reason": cls.price,
                        "user": cls.karim,
                    }
                ]
            ).dispute_id
        with freeze_time("2026-03-18"):
            cls.dispute_g = cls.env["dunning.dispute"].create(
                {
                    "partner_id": cls.customers["g"].id,
                    "move_ids": [Command.set(cls.invoices["g"].ids)],
                    "reason_id": cls.price.id,
                    "date_deadline": "2026-03-20",
                }
            )
        with freeze_time("2026-03-19"):
            cls.dispute_f.resolution = "rejected"
            cls.dispute_f.action_resolve()

    def grouped(self, model, groupby, aggregates, domain=()):
        """{group key (a tuple when several): aggregate (a tuple when several)}."""
        result = {}
        for row in self.env[model]._read_group(list(domain), groupby, aggregates):
            keys, values = row[: len(groupby)], row[len(groupby) :]
            result[keys[0] if len(keys) == 1 else tuple(keys)] = (
                values[0] if len(values) == 1 else tuple(values)
            )
        return result

    # ------------------------------------------------------------------ calls

    def test_calls_by_hour_weekday_and_contact_rate_per_week(self):
        week = [("date", ">=", "2026-03-16"), ("date", "<", "2026-03-23")]
        # the promise of customer D (Monday 16 March 10:00 UTC, 11:00 in Brussels) is a call
        self.assertEqual(
            self.grouped("dunning.call", ["hour"], ["__count"], week),
            {9: 2, 10: 1, 11: 1, 14: 1, 15: 1},
        )
        self.assertEqual(
            self.grouped("dunning.call", ["weekday"], ["__count"], week), {"0": 3, "1": 2, "2": 1}
        )
        rates = self.grouped(
            "dunning.call",
            ["user_id", "date:week"],
            ["contact_rate:avg"],
            [("date", ">=", "2026-03-09"), ("date", "<", "2026-03-23")],
        )
        self.assertEqual(
            rates,
            {
                (self.sofie, datetime(2026, 3, 9)): 100.0,  # promise E
                (self.sofie, datetime(2026, 3, 16)): 200 / 3,  # reached, no answer, reached
                (self.karim, datetime(2026, 3, 9)): 100.0,  # cash-flow call
                (self.karim, datetime(2026, 3, 16)): 200 / 3,  # promise D, wrong number, dispute
            },
        )
        self.assertEqual(
            self.grouped("dunning.call", ["user_id", "outcome"], ["__count"], week),
            {
                (self.sofie, "reached"): 2,
                (self.sofie, "no_answer"): 1,
                (self.karim, "promise"): 1,
                (self.karim, "wrong_number"): 1,
                (self.karim, "dispute"): 1,
            },
        )

    # ------------------------------------------------------------------ promises

    def test_promises_kept_per_collector(self):
        with freeze_time("2026-03-20"):
            Report = self.env["dunning.promise.report"]
            rows = Report.search([])
            self.assertEqual(
                {row.plan_id: (row.status, row.date_deadline, row.date_paid) for row in rows},
                {
                    self.plans["a"]: ("kept", d("2026-03-15"), d("2026-03-12")),
                    self.plans["b"]: ("late", d("2026-03-15"), d("2026-03-20")),
                    self.plans["c"]: ("broken", d("2026-03-17"), False),
                    self.plans["d"]: ("pending", d("2026-03-30"), False),
                    self.plans["e"]: ("kept", d("2026-03-22"), d("2026-03-18")),
                },
            )
            self.assertEqual(
                self.grouped(
                    "dunning.promise.report",
                    ["user_id"],
                    ["promise_count:sum", "kept_count:sum", "kept_rate:avg"],
                ),
                {self.sofie: (3, 2, 200 / 3), self.karim: (2, 0, 0.0)},
            )

    def test_a_partial_payment_does_not_keep_a_promise(self):
        invoice = self.make_invoice(self.customers["a"], 1000.0, d("2026-02-15"))
        with freeze_time("2026-03-02"):
            plan = (
                self.env["dunning.call"]
                ._dunning_log_calls(
                    [
                        {
                            "partner": self.customers["a"],
                            "moves": invoice,
                            "outcome": "promise",
                            "promise_date": d("2026-03-10"),
                        }
                    ]
                )
                .plan_id
            )
        self.pay(invoice, 900.0, d("2026-03-09"))
        with freeze_time("2026-03-20"):
            row = self.env["dunning.promise.report"].search([("plan_id", "=", plan.id)])
            self.assertEqual((row.status, row.kept_rate), ("broken", 0.0))
        self.pay(invoice, 100.0, d("2026-03-21"))
        self.env.invalidate_all()  # the report's rows read before are in the cache
        with freeze_time("2026-03-22"):
            row = self.env["dunning.promise.report"].search([("plan_id", "=", plan.id)])
            self.assertEqual((row.status, row.date_paid), ("late", d("2026-03-21")))

    # ------------------------------------------------------------------ reasons

    def test_reasons_for_non_payment_per_month(self):
        rows = self.grouped("dunning.reason.report", ["reason", "date:month"], ["count:sum"])
        self.assertEqual(
            rows,
            {
                (self.forgot.name, d("2026-02-01")): 1,
                (self.forgot.name, d("2026-03-01")): 1,
                (self.cash_flow.name, d("2026-03-01")): 1,
                # the dispute call counts once, with the dispute's reason
                (self.price.name, d("2026-03-01")): 2,
            },
        )
        self.assertEqual(
            self.grouped("dunning.reason.report", ["source"], ["count:sum"]),
            {"call": 3, "dispute": 2},
        )
        # in the user's language
        names = self.env["dunning.reason.report"].with_context(lang="fr_BE").search([])
        self.assertIn(self.forgot.with_context(lang="fr_BE").name, names.mapped("reason"))
        self.assertNotEqual(
            self.forgot.with_context(lang="fr_BE").name, self.forgot.name, "translated"
        )

    # ------------------------------------------------------------------ data errors

    def test_invoices_posted_with_data_errors_per_month(self):
        self.company.dunning_data_check = "warn"
        no_email = self.make_partner("Zonder Mail", email=False)
        wrong = self.make_invoice(no_email, 100.0, d("2026-04-30"), invoice_date=d("2026-04-02"))
        self.make_invoice(self.customers["a"], 100.0, d("2026-04-30"), invoice_date=d("2026-04-03"))
        self.make_invoice(self.customers["b"], 100.0, d("2026-05-30"), invoice_date=d("2026-05-04"))
        self.assertEqual(wrong.dunning_data_errors, "email_missing")
        no_email.email = "boekhouding@zondermail.be"
        self.assertFalse(wrong.dunning_data_errors, "corrected since")
        self.assertEqual(wrong.dunning_posted_data_errors, "email_missing")
        rows = self.grouped(
            "dunning.data.error.report",
            ["date:month"],
            ["invoice_count:sum", "error_count:sum", "email_error_count:sum", "error_rate:avg"],
            [("date", ">=", "2026-04-01")],
        )
        self.assertEqual(rows, {d("2026-04-01"): (2, 1, 1, 50.0), d("2026-05-01"): (1, 0, 0, 0.0)})
        row = self.env["dunning.data.error.report"].search([("move_id", "=", wrong.id)])
        self.assertEqual((row.has_errors, row.still_wrong), (True, False))

    # ------------------------------------------------------------------ targets

    def make_targets(self):
        anna_customer = self.make_partner("Anna's Customer", user_id=self.anna.id)
        luc_customer = self.make_partner("Luc's Customer", user_id=self.luc.id)
        # the invoice's salesperson counts, else the customer's
        sold = self.make_invoice(
            anna_customer, 1000.0, d("2026-02-15"), invoice_user_id=self.anna.id
        )
        sold_by_luc = self.make_invoice(luc_customer, 300.0, d("2026-02-15"), invoice_user_id=False)
        self.pay(sold, 400.0, d("2026-03-05"))
        self.pay(sold, 600.0, d("2026-04-02"))
        self.pay(sold_by_luc, 300.0, d("2026-03-25"))
        Target = self.env["dunning.sales.target"]
        return Target.create(
            [
                {"user_id": self.anna.id, "month": "2026-03-01", "amount": 500.0},
                # any day of the month stands for the month
                {"user_id": self.anna.id, "month": "2026-04-17", "amount": 1000.0},
                {"user_id": self.anna.id, "month": "2026-05-01", "amount": 200.0},
            ]
        )

    def test_target_vs_actual(self):
        targets = self.make_targets()
        self.assertEqual(
            targets.mapped("month"), [d("2026-03-01"), d("2026-04-01"), d("2026-05-01")]
        )
        rows = self.grouped(
            "dunning.target.report",
            ["user_id", "month:month"],
            ["amount_target:sum", "amount_actual:sum", "amount_gap:sum"],
            [("user_id", "in", (self.anna | self.luc).ids)],
        )
        self.assertEqual(
            rows,
            {
                (self.anna, d("2026-03-01")): (500.0, 400.0, 100.0),
                (self.anna, d("2026-04-01")): (1000.0, 600.0, 400.0),
                (self.anna, d("2026-05-01")): (200.0, 0.0, 200.0),
                (self.luc, d("2026-03-01")): (0.0, 300.0, -300.0),
            },
        )
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["dunning.sales.target"].create(
                {"user_id": self.anna.id, "month": "2026-03-31", "amount": 1.0}
            )

    def test_who_sees_the_targets(self):
        self.make_targets()
        Report = self.env["dunning.target.report"]
        # a salesperson sees their own target and paid revenue, nobody else's
        self.assertEqual(set(Report.with_user(self.anna).search([]).user_id), {self.anna})
        self.assertEqual(set(Report.with_user(self.luc).search([]).user_id), {self.luc})
        Target = self.env["dunning.sales.target"]
        self.assertEqual(len(Target.with_user(self.anna).search([])), 3)
        self.assertFalse(Target.with_user(self.luc).search([]))
        # collectors neither: only managers set and see every target
        self.assertFalse(Target.with_user(self.sofie).search([]))
        self.assertFalse(Report.with_user(self.sofie).search([]))
        for user in (self.anna, self.sofie):
            with self.assertRaises(AccessError):
                Target.with_user(user).create(
                    {"user_id": user.id, "month": "2026-06-01", "amount": 1e6}
                )
        self.assertEqual(len(Target.with_user(self.manager_nl).search([])), 3)

    def test_who_sees_which_report(self):
        Menu = self.env["ir.ui.menu"]

        def visible(user):
            ids = Menu.with_user(user)._visible_menu_ids()

            def shown(menu):
                # the web client shows a menu when it and all its parents are visible
                return not menu or (menu.id in ids and shown(menu.parent_id))

            return {
                name
                for name in (
                    "menu_reporting",
                    "menu_report_calls",
                    "menu_report_calls_hour",
                    "menu_report_contact_rate",
                    "menu_report_promises",
                    "menu_report_reasons",
                    "menu_report_data_errors",
                    "menu_report_targets",
                    "menu_sales_targets",
                    "menu_report_aging",
                    "menu_my_targets",
                )
                if shown(self.env.ref(f"smart_dunning.{name}"))
            }

        calls = {
            "menu_reporting",
            "menu_report_calls",
            "menu_report_calls_hour",
            "menu_report_contact_rate",
            "menu_report_promises",
            "menu_report_reasons",
            "menu_report_data_errors",
        }
        managers = {"menu_report_targets", "menu_sales_targets", "menu_report_aging"}
        self.assertEqual(visible(self.sofie), calls | {"menu_my_targets"})
        self.assertEqual(visible(self.manager_nl), calls | managers | {"menu_my_targets"})
        self.assertEqual(visible(self.anna), {"menu_my_targets"})
        with self.assertRaises(AccessError):
            self.env["dunning.promise.report"].with_user(self.anna).search([])
        self.assertEqual(
            len(self.env["dunning.promise.report"].with_user(self.sofie).search([])), 5
        )

    # ------------------------------------------------------------------ weekly summary

    def test_weekly_summary_figures(self):
        self.make_targets()
        with freeze_time("2026-03-23"):
            values = self.env["dunning.weekly.summary"]._weekly_summary_values(
                d("2026-03-16"), d("2026-03-22")
            )
        self.assertEqual(
            {key: values[key] for key in FIGURES},
            {
                "calls": 6,  # promise D, reached, no answer, reached, dispute F, wrong number
                "calls_reached": 4,
                "contact_rate": 66.7,
                "promises_made": 1,  # D
                "promises_kept": 1,  # E, paid on the 18th
                "promises_broken": 1,  # C, deadline the 17th
                "disputes_opened": 2,
                "disputes_closed": 1,
                "disputes_overdue": 1,  # G, deadline the 20th
                # B on the 20th, E on the 18th; Luc's customer paid on the 25th
                "amount_collected": 700.0,
            },
        )
        self.assertEqual(
            values["top_overdue"],
            [
                (self.customers["f"], 250.0),
                (self.customers["c"], 200.0),
                (self.customers["g"], 150.0),
                (self.customers["d"], 100.0),
            ],
        )
        # month to date: Anna's payment of 2 April is not in March
        self.assertEqual(values["targets"], [(self.anna, 500.0, 400.0)])
        self.assertEqual(values["letters"], [])

    def test_weekly_summary_letters_per_level(self):
        late = self.make_partner("Late Payer")
        self.make_invoice(late, 100.0, d("2026-02-23"))
        # the first reminder the week before, the second one in the week
        for day in ("2026-03-02", "2026-03-16"):
            with freeze_time(day):
                self.run_dunning(d(day)).letter_ids.filtered(
                    lambda letter: letter.partner_id == late
                ).action_send()
        with freeze_time("2026-03-23"):
            values = self.env["dunning.weekly.summary"]._weekly_summary_values(
                d("2026-03-16"), d("2026-03-22")
            )
        self.assertEqual(values["letters"], [(self.b2b_levels[1].name, 1)])

    def test_weekly_summary_one_mail_per_manager_in_their_language(self):
        with freeze_time("2026-03-23 06:00:00"):
            self.env["dunning.weekly.summary"]._cron_send_weekly_summary()
        mails = self.env["mail.mail"].search(
            [("recipient_ids", "in", (self.manager_nl | self.manager_fr).partner_id.ids)]
        )
        by_manager = {mail.recipient_ids: mail for mail in mails}
        self.assertEqual(set(by_manager), {self.manager_nl.partner_id, self.manager_fr.partner_id})
        self.assertEqual(len(mails), 2)
        dutch = by_manager[self.manager_nl.partner_id]
        french = by_manager[self.manager_fr.partner_id]
        self.assertIn("16/03/2026", dutch.subject)
        self.assertIn("Bereikte klanten", dutch.body_html)
        self.assertIn("Hallo Wim", dutch.body_html)
        self.assertIn("Bonjour Chloé", french.body_html)
        self.assertIn("Appels passés", french.body_html)
        self.assertIn("Contestations", french.body_html)
        self.assertIn("Ouvertes :", french.body_html)  # une contestation
        # 4 of the 6 calls reached: the rate in the reader's number format, as the amounts
        for mail in (dutch, french):
            self.assertIn("66,7 %", mail.body_html)
            self.assertNotIn("66.7", mail.body_html)
        for mail in mails:
            self.assertIn("Customer F", mail.body_html)
        # collectors and salespeople get none
        others = self.env["mail.mail"].search(
            [("recipient_ids", "in", (self.sofie | self.anna).partner_id.ids)]
        )
        self.assertFalse(others)

    def test_the_cron_runs_on_monday(self):
        cron = self.env.ref("smart_dunning.ir_cron_dunning_weekly_summary")
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "weeks"))
        self.assertEqual(cron.nextcall.weekday(), 0)


FIGURES = (
    "calls",
    "calls_reached",
    "contact_rate",
    "promises_made",
    "promises_kept",
    "promises_broken",
    "disputes_opened",
    "disputes_closed",
    "disputes_overdue",
    "amount_collected",
)
