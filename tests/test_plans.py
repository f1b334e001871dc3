"""Payment plans and promises to pay: the schedule, the payments, the breach."""

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time

from odoo.addons.smart_dunning.lib.structured_communication import format_ogm

from .common import DunningCase, d
from .test_install import demo_env

DUE = d("2026-03-02")  # B2B: level 1 at +7 (9 March), level 2 at +21 (23 March)
TODAY = "2026-03-16"


class PlanCase(DunningCase):
    def make_plan(self, invoices, count=3, first="2026-04-10", interval="monthly", **vals):
        plan = self.env["dunning.plan"].create(
            {
                "partner_id": invoices.commercial_partner_id.id,
                "move_ids": [Command.set(invoices.ids)],
                "schedule_count": count,
                "schedule_first_date": d(first),
                "schedule_interval": interval,
                **vals,
            }
        )
        plan.action_generate_schedule()
        return plan

    def schedule(self, plan):
        return [(line.date_due, line.amount) for line in plan.line_ids]


class TestSchedule(PlanCase):
    def test_cents_go_on_the_last_instalment(self):
        plan = self.make_plan(self.make_invoice(self.customer, 100.0, DUE))
        self.assertEqual(
            self.schedule(plan),
            [(d("2026-04-10"), 33.33), (d("2026-05-10"), 33.33), (d("2026-06-10"), 33.34)],
        )
        self.assertEqual(plan.amount_total, 100.0)
        self.assertEqual([line.state for line in plan.line_ids], ["open"] * 3)

    def test_sum_is_always_the_residual(self):
        for amount, count in ((100.0, 7), (1234.57, 12), (0.05, 3), (999.99, 2)):
            invoice = self.make_invoice(self.customer, amount, DUE)
            plan = self.make_plan(invoice, count=count)
            amounts = [line.amount for line in plan.line_ids]
            self.assertEqual(len(amounts), count)
            self.assertAlmostEqual(sum(amounts), amount, places=2, msg=f"{amount} in {count}")
            self.assertEqual(len(set(amounts[:-1])), 1 if count > 1 else 0)
            self.assertGreaterEqual(amounts[-1], amounts[0])

    def test_partly_paid_invoices_are_split_on_what_is_left(self):
        first = self.make_invoice(self.customer, 250.0, DUE)
        second = self.make_invoice(self.customer, 100.0, DUE)
        self.pay(first, 50.0, DUE)
        plan = self.make_plan(first | second, count=2)
        self.assertEqual([line.amount for line in plan.line_ids], [150.0, 150.0])

    def test_monthly_keeps_the_day_and_weekly_counts_seven_days(self):
        invoice = self.make_invoice(self.customer, 90.0, DUE)
        plan = self.make_plan(invoice, first="2026-01-31")
        self.assertEqual(
            [line.date_due for line in plan.line_ids],
            [d("2026-01-31"), d("2026-02-28"), d("2026-03-31")],
        )
        plan.write({"schedule_interval": "weekly", "schedule_first_date": d("2026-04-01")})
        plan.action_generate_schedule()
        self.assertEqual(
            self.schedule(plan),
            [(d("2026-04-01"), 30.0), (d("2026-04-08"), 30.0), (d("2026-04-15"), 30.0)],
        )

    def test_fixed_amount(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        plan = self.make_plan(invoice)
        plan.write({"schedule_mode": "amount", "schedule_amount": 30.0})
        plan.action_generate_schedule()
        self.assertEqual([line.amount for line in plan.line_ids], [30.0, 30.0, 30.0, 10.0])
        plan.schedule_amount = 250.0
        plan.action_generate_schedule()
        self.assertEqual(self.schedule(plan), [(d("2026-04-10"), 100.0)])

    def test_generator_refuses_nonsense_and_keeps_the_schedule(self):
        invoice = self.make_invoice(self.customer, 0.02, DUE)
        plan = self.make_plan(invoice, count=2)
        before = self.schedule(plan)
        for vals, message in (
            ({"schedule_count": 3}, "cannot be split into 3 instalments"),
            ({"schedule_count": 0}, "at least one instalment"),
            ({"schedule_mode": "amount", "schedule_amount": 0.0}, "more than zero"),
            ({"schedule_first_date": False}, "date of the first instalment"),
        ):
            with self.assertRefused(UserError, message):
                plan.write(vals)
                plan.action_generate_schedule()
            self.assertEqual(self.schedule(plan), before)


class TestPlanLifecycle(PlanCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.country_id = cls.env.ref("base.be")
        cls.bank = cls.env["res.partner.bank"].create(
            {"acc_number": "BE68539007547034", "partner_id": cls.company.partner_id.id}
        )

    def test_draft_active_done_with_payments_allocated_in_date_order(self):
        invoice = self.make_invoice(self.customer, 300.0, DUE)
        plan = self.make_plan(invoice)
        self.assertEqual(plan.state, "draft")
        with freeze_time(TODAY):
            plan.action_confirm()
        self.assertEqual((plan.state, plan.date_confirmed), ("active", d(TODAY)))
        self.assertEqual(plan.amount_start, 300.0)
        self.assertEqual(invoice.dunning_plan_id, plan)

        self.pay(invoice, 150.0, d("2026-04-09"))
        self.assertEqual(plan.amount_paid, 150.0)
        self.assertEqual([line.amount_paid for line in plan.line_ids], [100.0, 50.0, 0.0])
        self.assertEqual([line.state for line in plan.line_ids], ["paid", "partial", "open"])
        self.assertEqual((plan.state, plan.amount_due), ("active", 150.0))
        self.pay(invoice, 149.99, d("2026-05-10"))
        self.assertEqual(plan.state, "active", "one cent short")
        self.pay(invoice, 0.01, d("2026-05-11"))
        self.assertEqual(plan.state, "done")
        self.assertEqual([line.state for line in plan.line_ids], ["paid"] * 3)

    def test_payments_on_any_covered_invoice_count(self):
        first = self.make_invoice(self.customer, 100.0, DUE)
        second = self.make_invoice(self.customer, 200.0, DUE)
        plan = self.make_plan(first | second, count=2)
        with freeze_time(TODAY):
            plan.action_confirm()
        self.pay(second, 200.0, d("2026-04-01"))
        self.assertEqual([line.state for line in plan.line_ids], ["paid", "partial"])
        self.pay(first, 100.0, d("2026-05-01"))
        self.assertEqual(plan.state, "done")

    def test_undone_payment_reopens_a_done_plan(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        plan = self.make_plan(invoice, count=1)
        with freeze_time(TODAY):
            plan.action_confirm()
        self.pay(invoice, 100.0, d("2026-04-01"))
        self.assertEqual(plan.state, "done")
        invoice.line_ids.remove_move_reconcile()
        self.assertEqual((plan.state, plan.amount_paid), ("active", 0.0))

    def test_confirmation_in_the_customer_language_with_how_to_pay(self):
        expectations = {
            "nl_BE": ("afbetalingsplan", "uw betalingsregeling"),
            "fr_BE": ("plan de paiement", "votre arrangement de paiement"),
            "en_US": ("payment plan", "your payment arrangement"),
        }
        for lang, (body_words, subject_words) in expectations.items():
            customer = self.make_partner(f"Klant {lang}", lang=lang)
            plan = self.make_plan(self.make_invoice(customer, 300.0, DUE))
            with freeze_time(TODAY):
                plan.action_confirm()
            self.assertEqual(plan.payment_reference, format_ogm(2_000_000_000 + plan.id))
            mail = plan.message_ids.filtered(lambda m: m.message_type == "comment")
            self.assertEqual(len(mail), 1, lang)
            self.assertIn(customer, mail.partner_ids)
            self.assertIn(body_words, mail.body, lang)
            self.assertIn(subject_words, mail.subject, lang)
            self.assertIn(plan.payment_reference, mail.body)
            self.assertIn("BE68 5390 0754 7034", mail.body)  # base_iban groups it
            self.assertRegex(mail.body, r"100[.,]00")
            invoice_log = plan.move_ids.message_ids.filtered(lambda m, p=plan: p.name in m.body)
            self.assertTrue(invoice_log, "the plan is noted on the invoice")

    def test_reference_outside_belgium_is_the_plan_number(self):
        self.company.country_id = self.env.ref("base.nl")
        plan = self.make_plan(self.make_invoice(self.customer, 100.0, DUE))
        self.assertEqual(plan.payment_reference, plan.name)
        self.assertTrue(plan.name.startswith("PLAN/"))

    def test_active_plan_pauses_dunning_and_done_plan_leaves_nothing_to_dun(self):
        invoice = self.make_invoice(self.customer, 300.0, DUE)
        self.run_dunning(d("2026-03-09")).letter_ids._dunning_send(sent_date=d("2026-03-09"))
        plan = self.make_plan(invoice, first="2026-03-20", interval="weekly")
        with freeze_time(TODAY):
            plan.action_confirm()
        run = self.run_dunning(d("2026-03-23"))
        self.assertFalse(run.letter_ids, "no second reminder while the plan is kept")
        self.assertEqual(run.paused_count, 1)
        with freeze_time("2026-03-23"):
            invoice.invalidate_recordset(["dunning_state"])
            self.assertEqual(invoice.dunning_state, "paused")

    def test_draft_plan_does_not_pause(self):
        invoice = self.make_invoice(self.customer, 300.0, DUE)
        self.make_plan(invoice)
        self.assertEqual(self.run_dunning(d("2026-03-09")).letter_ids.move_ids, invoice)


class TestBreach(PlanCase):
    def test_breach_on_exactly_the_tolerance_day_then_dunning_resumes(self):
        collector = self.make_user(
            "collector_breach", "smart_dunning.group_dunning_user", lang="nl_BE"
        )
        self.customer.dunning_user_id = collector
        self.assertEqual(self.company.dunning_plan_breach_days, 5)
        invoice = self.make_invoice(self.customer, 300.0, DUE)
        self.run_dunning(d("2026-03-09")).letter_ids._dunning_send(sent_date=d("2026-03-09"))
        plan = self.make_plan(invoice)
        with freeze_time(TODAY):
            plan.action_confirm()
        self.pay(invoice, 60.0, d("2026-04-10"))  # 60 of the 100 due on 10 April
        Plan = self.env["dunning.plan"]
        with freeze_time("2026-04-14"):
            Plan._cron_check_breaches()
        self.assertEqual(plan.state, "active", "4 days after: still kept")
        with freeze_time("2026-04-15"):
            Plan._cron_check_breaches()
        self.assertEqual((plan.state, plan.date_broken), ("broken", d("2026-04-15")))
        activity = plan.activity_ids
        self.assertEqual(activity.user_id, collector)
        self.assertIn(self.customer.name, activity.summary)
        # The activity is in its collector's language, here Dutch.
        self.assertRegex(activity.note, r"40,00 op 10/04/2026 is nog niet betaald")

        # The level reached before the plan stays; level 2 counts 14 days (21 - 7) from the
        # breach.
        self.assertEqual(invoice.dunning_level_id, self.b2b_levels[0])
        self.assertFalse(invoice._dunning_is_paused(d("2026-04-15")))
        self.assertEqual(invoice.dunning_next_date, d("2026-04-29"))
        self.assertFalse(self.run_dunning(d("2026-04-28")).letter_ids, "the day before")
        letter = self.run_dunning(d("2026-04-29")).letter_ids
        self.assertEqual(letter.level_id, self.b2b_levels[1], "the day of the resume")
        self.assertEqual(letter.amount_due, 240.0)

    def test_tolerance_is_a_company_setting(self):
        self.company.dunning_plan_breach_days = 0
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        plan = self.make_plan(invoice, count=1)
        with freeze_time(TODAY):
            plan.action_confirm()
        with freeze_time("2026-04-09"):
            self.env["dunning.plan"]._cron_check_breaches()
        self.assertEqual(plan.state, "active")
        with freeze_time("2026-04-10"):
            self.env["dunning.plan"]._cron_check_breaches()
        self.assertEqual(plan.state, "broken")

    def test_instalments_paid_on_time_do_not_break(self):
        invoice = self.make_invoice(self.customer, 200.0, DUE)
        plan = self.make_plan(invoice, count=2)
        with freeze_time(TODAY):
            plan.action_confirm()
        self.pay(invoice, 100.0, d("2026-04-12"))
        with freeze_time("2026-05-14"):
            self.env["dunning.plan"]._cron_check_breaches()
        self.assertEqual(plan.state, "active")
        with freeze_time("2026-05-15"):
            self.env["dunning.plan"]._cron_check_breaches()
        self.assertEqual(plan.state, "broken")

    def test_cron_is_declared(self):
        cron = self.env.ref("smart_dunning.ir_cron_dunning_plan_breach")
        self.assertEqual(cron.code.strip(), "model._cron_check_breaches()")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))


class TestRefusals(PlanCase):
    """Each refused input gives its reason and changes nothing."""

    def assert_refused_confirmation(self, plan, message):
        lines = self.schedule(plan)
        with freeze_time(TODAY), self.assertRefused(UserError, message):
            plan.action_confirm()
        self.assertEqual(plan.state, "draft")
        self.assertEqual(self.schedule(plan), lines)
        self.assertFalse(plan.message_ids.filtered(lambda m: m.message_type == "comment"))

    def test_amounts_must_sum_to_the_residual(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        plan = self.make_plan(invoice)
        plan.line_ids[-1].amount = 30.0
        self.assert_refused_confirmation(plan, "add up to .*96.66.* still have .*100.00")
        plan.action_generate_schedule()
        self.pay(invoice, 10.0, DUE)
        self.assert_refused_confirmation(plan, "still have .*90.00 to pay")

    def test_first_date_in_the_past(self):
        plan = self.make_plan(self.make_invoice(self.customer, 100.0, DUE), first="2026-03-15")
        self.assert_refused_confirmation(plan, "first instalment falls on .* in the past")
        plan.schedule_first_date = d(TODAY)
        plan.action_generate_schedule()
        with freeze_time(TODAY):
            plan.action_confirm()
        self.assertEqual(plan.state, "active", "today is not in the past")

    def test_invoice_already_in_another_active_plan(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        first = self.make_plan(invoice)
        with freeze_time(TODAY):
            first.action_confirm()
        second = self.make_plan(invoice | self.make_invoice(self.customer, 50.0, DUE))
        self.assert_refused_confirmation(
            second, f"{invoice.name} is already covered by the active plan {first.name}"
        )

    def test_plan_on_a_disputed_invoice(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        plan = self.make_plan(invoice)
        self.env["dunning.dispute"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(invoice.ids)],
                "reason_id": self.env.ref("smart_dunning.dunning_dispute_reason_not_satisfied").id,
            }
        )
        self.assert_refused_confirmation(plan, f"{invoice.name} is disputed")

    def test_instalment_of_zero_or_less(self):
        plan = self.make_plan(self.make_invoice(self.customer, 100.0, DUE))
        before = self.schedule(plan)
        for amount in (0.0, -10.0):
            with self.assertRefused(ValidationError, "Each instalment must be more than zero"):
                plan.line_ids[0].amount = amount
                plan.line_ids.flush_recordset()
            self.assertEqual(self.schedule(plan), before)
            with self.assertRefused(ValidationError, "Each instalment must be more than zero"):
                plan.line_ids = [Command.create({"date_due": d("2026-08-01"), "amount": amount})]
            self.assertEqual(self.schedule(plan), before)

    def test_plan_without_instalments_or_invoices(self):
        plan = self.env["dunning.plan"].create({"partner_id": self.customer.id})
        self.assert_refused_confirmation(plan, "Add the invoices the plan covers")
        plan.move_ids = self.make_invoice(self.customer, 100.0, DUE)
        self.assert_refused_confirmation(plan, "no instalments: generate the schedule")

    def test_only_the_customers_posted_invoices(self):
        other = self.make_invoice(self.make_partner("Ander NV"), 100.0, DUE)
        with self.assertRefused(ValidationError, "only covers posted customer invoices"):
            self.env["dunning.plan"].create(
                {"partner_id": self.customer.id, "move_ids": [Command.set(other.ids)]}
            )
        self.assertFalse(self.env["dunning.plan"].search([]))

    def test_confirmed_plan_is_frozen(self):
        plan = self.make_plan(self.make_invoice(self.customer, 100.0, DUE))
        with freeze_time(TODAY):
            plan.action_confirm()
        with self.assertRefused(UserError, "is confirmed"):
            plan.line_ids[0].date_due = d("2026-12-01")
        with self.assertRefused(UserError, "is confirmed"):
            plan.action_generate_schedule()
        with self.assertRefused(UserError, "is confirmed"):
            plan.unlink()
        with self.assertRefused(UserError, "already confirmed"):
            plan.action_confirm()
        self.assertEqual(plan.line_ids[0].date_due, d("2026-04-10"))


class TestPromise(PlanCase):
    def test_promise_from_the_invoice_in_one_step(self):
        invoice = self.make_invoice(self.customer, 420.0, DUE)
        action = invoice.action_dunning_promise()
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create({"date_due": d("2026-03-31"), "note": "Beloofd aan de telefoon"})
        )
        self.assertEqual(wizard.amount, 420.0)
        with freeze_time(TODAY):
            result = wizard.action_confirm()
        plan = self.env["dunning.plan"].browse(result["res_id"])
        self.assertEqual((plan.kind, plan.state, plan.move_ids), ("promise", "active", invoice))
        self.assertEqual(self.schedule(plan), [(d("2026-03-31"), 420.0)])
        self.assertTrue(plan.name.startswith("PTP/"))
        self.assertTrue(plan.message_ids.filtered(lambda m: m.message_type == "comment"))
        self.assertFalse(self.run_dunning(d("2026-03-23")).letter_ids, "paused until then")
        with freeze_time("2026-04-05"):
            self.env["dunning.plan"]._cron_check_breaches()
        self.assertEqual(plan.state, "broken", "5 days after the promised date")

    def test_promise_from_the_partner_covers_its_open_invoices(self):
        first = self.make_invoice(self.customer, 100.0, DUE)
        second = self.make_invoice(self.customer, 50.0, DUE)
        paid = self.make_invoice(self.customer, 70.0, DUE)
        self.pay(paid, 70.0, DUE)
        disputed = self.make_invoice(self.customer, 30.0, DUE)
        self.env["dunning.dispute"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(disputed.ids)],
                "reason_id": self.env.ref("smart_dunning.dunning_dispute_reason_other").id,
            }
        )
        action = self.customer.action_dunning_promise()
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create({"date_due": d("2026-04-01")})
        )
        self.assertEqual(wizard.move_ids, first | second)
        self.assertEqual(wizard.amount, 150.0)

    def test_promise_in_the_past_is_refused_and_nothing_is_created(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        wizard = self.env["dunning.plan.promise"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(invoice.ids)],
                "date_due": d("2026-03-10"),
            }
        )
        with freeze_time(TODAY), self.assertRefused(UserError, "in the past"):
            wizard.action_confirm()
        self.assertFalse(self.env["dunning.plan"].search([]))


class TestPlanAccess(PlanCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = cls.make_user("sales_plan", "base.group_user")
        cls.collector = cls.make_user("collector_plan", "smart_dunning.group_dunning_user")
        cls.portal = cls.make_user("portal_plan", "base.group_portal")
        cls.customer.user_id = cls.salesperson
        cls.invoice = cls.make_invoice(cls.customer, 100.0, DUE)

    def test_salesperson_reads_own_customers_plans_only(self):
        mine = self.make_plan(self.invoice)
        theirs = self.make_plan(self.make_invoice(self.make_partner("Ander BV"), 80.0, DUE))
        as_sales = self.env["dunning.plan"].with_user(self.salesperson)
        self.assertEqual(as_sales.search([]), mine)
        self.assertEqual(mine.with_user(self.salesperson).invoice_names, self.invoice.name)
        self.assertEqual(
            mine.with_user(self.salesperson).line_ids.mapped("amount"), [33.33, 33.33, 33.34]
        )
        with self.assertRaises(AccessError):
            theirs.with_user(self.salesperson).read(["name"])
        with self.assertRaises(AccessError):
            as_sales.create({"partner_id": self.customer.id})
        with self.assertRaises(AccessError):
            mine.with_user(self.salesperson).action_confirm()

    def test_collector_plans_and_records_promises(self):
        plan = self.make_plan(self.invoice).with_user(self.collector)
        plan.action_generate_schedule()
        with freeze_time(TODAY):
            plan.action_confirm()
        self.assertEqual(plan.state, "active")
        other = self.make_invoice(self.customer, 40.0, DUE)
        wizard = (
            self.env["dunning.plan.promise"]
            .with_user(self.collector)
            .create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(other.ids)],
                    "date_due": d("2026-04-01"),
                }
            )
        )
        with freeze_time(TODAY):
            wizard.action_confirm()
        self.assertEqual(other.dunning_plan_id.kind, "promise")

    def test_portal_user_sees_nothing(self):
        self.make_plan(self.invoice)
        for model in ("dunning.plan", "dunning.plan.line", "dunning.plan.promise"):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.portal).search([])

    def test_companies_do_not_see_each_other(self):
        other = self.setup_other_company(name="Coop NL")["company"]
        self.make_plan(self.invoice)
        user = self.make_user("collector_plan_nl", "smart_dunning.group_dunning_user")
        user.write({"company_ids": [Command.set(other.ids)], "company_id": other.id})
        self.assertFalse(self.env["dunning.plan"].with_user(user).search([]))
        self.assertFalse(self.env["dunning.plan.line"].with_user(user).search([]))


class TestPlanDemo(DunningCase):
    def test_demo_has_an_active_plan_and_a_promise(self):
        with demo_env() as env:
            plans = env["dunning.plan"].search([("state", "=", "active")])
            self.assertEqual(set(plans.mapped("kind")), {"plan", "promise"})
            plan = plans.filtered(lambda p: p.kind == "plan")
            self.assertGreater(len(plan.line_ids), 1)
            self.assertIn("paid", plan.line_ids.mapped("state"), "a first instalment is paid")
            self.assertEqual(plans.move_ids._dunning_is_paused(), plans.move_ids)
