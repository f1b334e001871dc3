"""The payment status panel: figures, behaviour label, last contact, batch cost, who sees it."""

from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time
from odoo.tools.safe_eval import safe_eval

from .common import DunningCase, d

TODAY = "2026-06-15"
PANEL = [
    "dunning_payment_behaviour",
    "dunning_behaviour_reason",
    "dunning_amount_due",
    "dunning_amount_overdue",
    "dunning_days_overdue",
    "dunning_status_level_id",
    "dunning_status_dispute_count",
    "dunning_plan_name",
    "dunning_next_instalment_date",
    "dunning_next_instalment_amount",
    "dunning_last_contact",
    "dunning_avg_days_to_pay",
    "dunning_paid_count",
]


class PanelCase(DunningCase):
    def panel(self, partner, user=None):
        """What the partner form shows today, read fresh as ``user``."""
        self.env.invalidate_all()
        partner = partner.with_user(user) if user else partner
        with freeze_time(TODAY):
            return partner.read(PANEL)[0]

    def behaviour(self, partner):
        return self.panel(partner)["dunning_payment_behaviour"]

    def send(self, run, day):
        """Approve and send a run's letters on ``day``."""
        with freeze_time(day):
            run.letter_ids.action_send()
            # several letters are sent by the background job
            self.env["dunning.run"]._cron_print()

    def make_plan(self, invoices, count=3, first="2026-06-20"):
        plan = self.env["dunning.plan"].create(
            {
                "partner_id": invoices.commercial_partner_id.id,
                "move_ids": [Command.set(invoices.ids)],
                "schedule_count": count,
                "schedule_first_date": d(first),
                "schedule_interval": "monthly",
            }
        )
        plan.action_generate_schedule()
        with freeze_time(TODAY):
            plan.action_confirm()
        return plan


class TestFigures(PanelCase):
    """Amounts, days and averages against values computed by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chf = cls.setup_other_currency("CHF", rates=[("2020-01-01", 2.0)])

    def test_amounts_days_and_average_days_to_pay(self):
        customer = self.customer
        # Open: 1000 due 1 May, 400 paid on 20 May -> 600 open, 45 days overdue.
        partly = self.make_invoice(customer, 1000.0, d("2026-05-01"))
        self.pay(partly, 400.0, d("2026-05-20"))
        # Open, not yet due.
        self.make_invoice(customer, 500.0, d("2026-07-01"))
        # Open credit note of 200: deducted from the total due and, as every open credit, from
        # the oldest invoice first, so from the overdue amount too.
        self.make_invoice(customer, 200.0, d("2026-05-10"), move_type="out_refund")
        # 300 CHF at 2 CHF per company unit = 150, due 1 June: 14 days overdue.
        self.make_invoice(customer, 300.0, d("2026-06-01"), currency=self.chf)
        # Paid in the last 12 months: 40 days (10 late) and 30 days (on the due date).
        first = self.make_invoice(customer, 100.0, d("2026-02-09"), invoice_date=d("2026-01-10"))
        self.pay(first, 100.0, d("2026-02-19"))
        second = self.make_invoice(customer, 700.0, d("2026-03-31"), invoice_date=d("2026-03-01"))
        self.pay(second, 300.0, d("2026-03-15"))
        self.pay(second, 400.0, d("2026-03-31"))
        # Paid more than 12 months ago (61 days): left out of the average.
        old = self.make_invoice(customer, 100.0, d("2025-03-31"), invoice_date=d("2025-03-01"))
        self.pay(old, 100.0, d("2025-05-01"))

        self.assertEqual(first.dunning_paid_date, d("2026-02-19"))
        self.assertEqual(second.dunning_paid_date, d("2026-03-31"), "the last payment counts")
        self.assertFalse(partly.dunning_paid_date)
        panel = self.panel(customer)
        self.assertAlmostEqual(panel["dunning_amount_due"], 600.0 + 500.0 - 200.0 + 150.0)
        self.assertAlmostEqual(panel["dunning_amount_overdue"], 600.0 + 150.0 - 200.0)
        self.assertEqual(panel["dunning_days_overdue"], 45)
        self.assertAlmostEqual(panel["dunning_avg_days_to_pay"], 35.0)
        self.assertEqual(panel["dunning_paid_count"], 2)
        self.assertEqual(panel["dunning_payment_behaviour"], "late")
        self.assertEqual(
            panel["dunning_behaviour_reason"],
            "an invoice 45 days overdue, pays 5 days after the due date on average",
        )
        with freeze_time(TODAY):
            status = self.env["dunning.partner.status"].search([("partner_id", "=", customer.id)])
            self.assertEqual((status.invoice_count, status.overdue_count), (3, 2))
            self.assertAlmostEqual(status.avg_days_late, 5.0)

    def test_fully_paid_customer_keeps_its_history_and_nothing_due(self):
        invoice = self.make_invoice(
            self.customer, 100.0, d("2026-05-31"), invoice_date=d("2026-05-01")
        )
        self.pay(invoice, 100.0, d("2026-05-21"))
        panel = self.panel(self.customer)
        self.assertEqual(panel["dunning_amount_due"], 0.0)
        self.assertEqual(panel["dunning_avg_days_to_pay"], 20.0)
        self.assertEqual(panel["dunning_payment_behaviour"], "on_time")

    def test_contacts_show_their_company(self):
        contact = self.env["res.partner"].create(
            {"name": "Jan Peeters", "parent_id": self.customer.id, "type": "invoice"}
        )
        self.make_invoice(contact, 250.0, d("2026-06-01"))
        self.make_invoice(self.customer, 100.0, d("2026-06-10"))
        for partner in (contact, self.customer):
            panel = self.panel(partner)
            self.assertEqual(panel["dunning_amount_overdue"], 350.0, partner.name)
            self.assertEqual(panel["dunning_days_overdue"], 14, partner.name)
        action = contact.action_dunning_open_status()
        status = self.env["dunning.partner.status"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((action["res_model"], action["res_id"]), (status._name, status.id))

    def test_customer_without_invoices_has_no_status(self):
        panel = self.panel(self.make_partner("Nieuwe Klant BV"))
        self.assertFalse(panel["dunning_payment_behaviour"])
        self.assertEqual(panel["dunning_amount_due"], 0.0)

    def test_other_company_invoices_stay_out(self):
        other = self.setup_other_company(name="Coop NL")["company"]
        self.make_invoice(self.customer, 100.0, d("2026-06-01"))
        elsewhere = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "company_id": other.id,
                "invoice_date": d("2026-01-01"),
                "invoice_date_due": d("2026-01-31"),
                "invoice_line_ids": [
                    Command.create({"name": "X", "price_unit": 900.0, "tax_ids": [Command.clear()]})
                ],
            }
        )
        elsewhere.with_company(other).action_post()
        panel = self.panel(self.customer)
        self.assertEqual(panel["dunning_amount_overdue"], 100.0)
        self.assertEqual(panel["dunning_days_overdue"], 14)
        with freeze_time(TODAY):
            there = self.customer.with_company(other)
            self.env.invalidate_all()
            self.assertEqual(there.dunning_days_overdue, 135)
            self.assertEqual(there.dunning_payment_behaviour, "at_risk")


class TestBehaviour(PanelCase):
    """The label's rule, on each side of each threshold."""

    def test_on_time_within_grace(self):
        # B2B grace: 3 days.
        self.make_invoice(self.customer, 100.0, d("2026-06-12"))
        self.assertEqual(self.behaviour(self.customer), "on_time")

    def test_late_past_grace(self):
        self.make_invoice(self.customer, 100.0, d("2026-06-11"))
        self.assertEqual(self.behaviour(self.customer), "late")

    def test_late_by_the_average_of_past_payments(self):
        for invoice_day, due, paid in (
            ("2026-01-01", "2026-01-31", "2026-02-05"),  # 5 days late
            ("2026-02-01", "2026-03-03", "2026-03-06"),  # 3 days late
        ):
            invoice = self.make_invoice(self.customer, 100.0, d(due), invoice_date=d(invoice_day))
            self.pay(invoice, 100.0, d(paid))
        # 4 days late on average, beyond the 3 grace days, with nothing open.
        panel = self.panel(self.customer)
        self.assertEqual(panel["dunning_payment_behaviour"], "late")
        self.assertEqual(
            panel["dunning_behaviour_reason"], "pays 4 days after the due date on average"
        )
        self.policy_b2b.grace_days = 4
        self.assertEqual(self.behaviour(self.customer), "on_time")

    def test_at_risk_beyond_60_days(self):
        self.make_invoice(self.customer, 100.0, d("2026-04-16"))
        self.assertEqual(self.behaviour(self.customer), "late", "60 days")
        later = self.make_partner("Later BV")
        self.make_invoice(later, 100.0, d("2026-04-15"))
        panel = self.panel(later)
        self.assertEqual(panel["dunning_payment_behaviour"], "at_risk", "61 days")
        self.assertEqual(panel["dunning_behaviour_reason"], "an invoice 61 days overdue")

    def test_at_risk_from_formal_notice(self):
        invoice = self.make_invoice(self.customer, 100.0, d("2026-05-01"))
        self.send(self.run_dunning(d("2026-05-08")), "2026-05-08")
        self.send(self.run_dunning(d("2026-05-22")), "2026-05-22")
        self.assertEqual(invoice.dunning_level_id, self.b2b_levels[1])
        self.assertEqual(self.behaviour(self.customer), "late", "second reminder, 45 days")
        self.run_dunning(d("2026-06-05"))
        self.assertEqual(invoice.dunning_level_id, self.b2b_levels[2])
        panel = self.panel(self.customer)
        self.assertEqual(panel["dunning_payment_behaviour"], "at_risk")
        self.assertEqual(panel["dunning_behaviour_reason"], "formal notice reached")
        self.assertEqual(panel["dunning_status_level_id"][0], self.b2b_levels[2].id)

    def test_at_risk_after_a_broken_plan_for_a_year(self):
        invoice = self.make_invoice(self.customer, 300.0, d("2026-06-14"))
        plan = self.make_plan(invoice, count=1, first="2026-06-20")
        self.assertEqual(self.behaviour(self.customer), "on_time", "plan kept so far")
        plan._break(d("2026-06-15"))
        panel = self.panel(self.customer)
        self.assertEqual(panel["dunning_payment_behaviour"], "at_risk")
        self.assertRegex(panel["dunning_behaviour_reason"], "payment plan broken on")
        self.pay(invoice, 300.0, d("2026-07-01"))
        # A year and a day later, only the 17 days late payment is left.
        with freeze_time("2027-06-16"):
            self.env.invalidate_all()
            self.assertEqual(self.customer.dunning_payment_behaviour, "late")
            self.assertNotRegex(self.customer.dunning_behaviour_reason, "plan")

    def test_invoices_under_an_agreement_do_not_count(self):
        invoice = self.make_invoice(self.customer, 100.0, d("2026-03-01"))
        dispute = self.env["dunning.dispute"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(invoice.ids)],
                "reason_id": self.env.ref("smart_dunning.dunning_dispute_reason_price_quantity").id,
            }
        )
        panel = self.panel(self.customer)
        self.assertEqual(panel["dunning_payment_behaviour"], "on_time")
        self.assertEqual(panel["dunning_days_overdue"], 106, "still shown as overdue")
        self.assertEqual(panel["dunning_status_dispute_count"], 1)
        dispute.action_cancel()
        self.assertEqual(self.behaviour(self.customer), "at_risk")


class TestAgreementsAndContacts(PanelCase):
    def test_active_plan_and_next_instalment(self):
        invoice = self.make_invoice(self.customer, 300.0, d("2026-05-31"))
        plan = self.make_plan(invoice, count=3, first="2026-06-20")
        panel = self.panel(self.customer)
        self.assertEqual(panel["dunning_plan_name"], plan.name)
        self.assertEqual(panel["dunning_next_instalment_date"], d("2026-06-20"))
        self.assertEqual(panel["dunning_next_instalment_amount"], 100.0)
        self.pay(invoice, 130.0, d("2026-06-14"))
        panel = self.panel(self.customer)
        self.assertEqual(panel["dunning_next_instalment_date"], d("2026-07-20"))
        self.assertEqual(panel["dunning_next_instalment_amount"], 70.0, "30 of 100 paid")

    def test_last_contact_is_the_latest_call_or_letter(self):
        invoice = self.make_invoice(self.customer, 300.0, d("2026-05-01"))
        Call = self.env["dunning.call"]
        Call.create(
            {
                "partner_id": self.customer.id,
                "date": datetime(2026, 5, 5, 10, 0),
                "outcome": "no_answer",
            }
        )
        Call.create(
            {
                "partner_id": self.customer.id,
                "date": datetime(2026, 6, 1, 10, 0),
                "outcome": "promise",
            }
        )
        self.assertRegex(self.panel(self.customer)["dunning_last_contact"], "call, Promise to pay")
        self.send(self.run_dunning(d("2026-06-10")), "2026-06-10")
        self.assertEqual(invoice.dunning_date, d("2026-06-10"))
        self.assertRegex(
            self.panel(self.customer)["dunning_last_contact"], "letter Friendly reminder"
        )
        Call.create(
            {"partner_id": self.customer.id, "date": datetime(2026, 6, 12, 9), "outcome": "reached"}
        )
        self.assertRegex(self.panel(self.customer)["dunning_last_contact"], "call, Reached")

    def test_last_contact_in_the_users_language(self):
        self.make_invoice(self.customer, 300.0, d("2026-05-01"))
        self.send(self.run_dunning(d("2026-06-10")), "2026-06-10")
        self.env["res.lang"]._activate_lang("nl_BE")
        self.env.invalidate_all()
        with freeze_time(TODAY):
            contact = self.customer.with_context(lang="nl_BE").dunning_last_contact
        self.assertIn("brief Herinnering", contact)


class TestQueryCount(PanelCase):
    """The panel costs the same number of queries for 1 or 20 invoices, 1 or 10 partners."""

    def queries_to_read(self, partners):
        self.env.invalidate_all()
        self.env.user.tz  # noqa: B018 - read at every request's start anyway
        with freeze_time(TODAY):
            before = self.env.cr.sql_log_count
            partners.read(PANEL)
            return self.env.cr.sql_log_count - before

    def test_queries_do_not_grow_with_invoices_or_partners(self):
        small = self.make_partner("Klein BV")
        self.make_invoice(small, 10.0, d("2026-06-01"))
        large = self.make_partner("Groot BV")
        for day in range(1, 21):
            invoice = self.make_invoice(large, 10.0 * day, d(f"2026-05-{day:02d}"))
            if day % 4 == 0:
                self.pay(invoice, 5.0, d("2026-06-01"))
        many = self.env["res.partner"]
        for number in range(10):
            partner = self.make_partner(f"Klant {number} BV")
            self.make_invoice(partner, 10.0, d("2026-06-01"))
            many |= partner
        self.queries_to_read(small | large | many)  # caches (rules, users) warm up
        one = self.queries_to_read(small)
        self.assertEqual(self.queries_to_read(large), one, "20 invoices cost what 1 costs")
        self.assertEqual(
            self.queries_to_read(many), self.queries_to_read(many[:5]), "10 partners as 5"
        )
        # the status row, and the level by its one rule (res.partner.dunning_level_id)
        self.assertLessEqual(one, 4)


class TestPanelAccess(PanelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = cls.make_user("sales_panel", "base.group_user")
        cls.other_salesperson = cls.make_user("sales_panel_2", "base.group_user")
        cls.billing = cls.make_user("billing_panel", "account.group_account_invoice")
        cls.collector = cls.make_user("collector_panel", "smart_dunning.group_dunning_user")
        cls.portal = cls.make_user("portal_panel", "base.group_portal")
        cls.customer.user_id = cls.salesperson
        cls.theirs = cls.make_partner("Concurrent NV", user_id=cls.other_salesperson.id)
        cls.make_invoice(cls.customer, 100.0, d("2026-06-01"))
        cls.make_invoice(cls.customer, 900.0, d("2026-04-01"))
        cls.make_invoice(cls.theirs, 50.0, d("2026-06-10"))

    def test_salesperson_sees_own_customers_only(self):
        mine = self.panel(self.customer, self.salesperson)
        self.assertEqual(mine["dunning_amount_overdue"], 1000.0)
        self.assertEqual(mine["dunning_payment_behaviour"], "at_risk")
        theirs = self.panel(self.theirs, self.salesperson)
        self.assertFalse(theirs["dunning_payment_behaviour"])
        self.assertEqual(theirs["dunning_amount_overdue"], 0.0)
        Status = self.env["dunning.partner.status"].with_user(self.salesperson)
        with freeze_time(TODAY):
            self.assertEqual(Status.search([]).partner_id, self.customer)
            theirs = Status.sudo().search([("partner_id", "=", self.theirs.id)])
            self.assertTrue(theirs)
            with self.assertRaises(AccessError):
                theirs.with_user(self.salesperson).read(["amount_due"])

    def test_billing_and_collections_see_every_customer(self):
        for user in (self.billing, self.collector):
            self.assertEqual(self.panel(self.theirs, user)["dunning_amount_overdue"], 50.0)

    def test_portal_sees_nothing(self):
        with self.assertRaises(AccessError):
            self.env["dunning.partner.status"].with_user(self.portal).search([])
        self.env.invalidate_all()
        self.assertNotIn(
            "dunning_payment_behaviour",
            self.customer.with_user(self.portal).fields_get(["dunning_payment_behaviour"]),
        )

    def test_never_another_companys_status(self):
        other = self.setup_other_company(name="Coop NL")["company"]
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "company_id": other.id,
                "invoice_date": d("2026-01-01"),
                "invoice_date_due": d("2026-01-31"),
                "invoice_line_ids": [
                    Command.create({"name": "X", "price_unit": 900.0, "tax_ids": [Command.clear()]})
                ],
            }
        )
        invoice.with_company(other).action_post()
        Status = self.env["dunning.partner.status"]
        with freeze_time(TODAY):
            # Working in the first company: its figures only, even for a user of both.
            self.salesperson.write({"company_ids": [Command.link(other.id)]})
            rows = Status.with_user(self.salesperson).search([])
            self.assertEqual(rows.company_id, self.company)
            self.assertEqual(rows.amount_due, 1000.0)
            # In the other company, for whoever may work in it.
            there = Status.with_user(self.salesperson).with_company(other).search([])
            self.assertEqual((there.company_id, there.amount_due), (other, 900.0))
            with self.assertRaises(AccessError):
                Status.with_user(self.collector).with_company(other).search([])

    def test_my_customers_sorted_by_overdue(self):
        self.make_invoice(self.theirs, 10.0, d("2026-06-01"))
        big = self.make_partner("Grote Klant NV", user_id=self.salesperson.id)
        self.make_invoice(big, 5000.0, d("2026-06-01"))
        small = self.make_partner("Kleine Klant", user_id=self.salesperson.id)
        self.make_invoice(small, 20.0, d("2026-07-01"))
        action = self.env.ref("smart_dunning.dunning_partner_status_action_my")
        Status = self.env["dunning.partner.status"].with_user(self.salesperson)
        with freeze_time(TODAY):
            rows = Status.search(safe_eval(action.domain, {"uid": self.salesperson.id}))
            self.assertEqual(rows.partner_id.ids, [big.id, self.customer.id, small.id])
            self.assertEqual(rows.mapped("amount_overdue"), [5000.0, 1000.0, 0.0])

    def test_partner_filters(self):
        late = self.make_partner("Laat BV", user_id=self.salesperson.id)
        self.make_invoice(late, 10.0, d("2026-06-10"))
        on_time = self.make_partner("Stipt BV", user_id=self.salesperson.id)
        self.make_invoice(on_time, 10.0, d("2026-07-10"))
        Partner = self.env["res.partner"]
        with freeze_time(TODAY):
            mine = Partner.with_user(self.salesperson)
            self.assertEqual(
                mine.search([("dunning_payment_behaviour", "=", "at_risk")]), self.customer
            )
            self.assertEqual(mine.search([("dunning_payment_behaviour", "=", "late")]), late)
            self.assertIn(self.theirs, Partner.search([("dunning_payment_behaviour", "=", "late")]))
            self.assertNotIn(self.theirs, mine.search([("dunning_payment_behaviour", "=", "late")]))
            self.assertEqual(
                mine.search(
                    [("dunning_amount_overdue", ">", 0), ("id", "in", (late | on_time).ids)]
                ),
                late,
            )
            newcomer = self.make_partner("Zonder Facturen")
            no_status = Partner.search([("dunning_payment_behaviour", "=", False)])
            self.assertIn(newcomer, no_status)
            self.assertNotIn(self.customer, no_status)

    def test_one_level_rule_masked_like_the_status(self):
        # 900 due 1 April reaches the formal notice; 100 due 1 June its first reminder.
        late = self.customer.invoice_ids.filtered(lambda inv: inv.amount_total == 900.0)
        recent = self.customer.invoice_ids - late
        self.send(self.run_dunning(d("2026-04-08")), "2026-04-08")
        self.send(self.run_dunning(d("2026-04-22")), "2026-04-22")
        self.run_dunning(d("2026-06-10"))
        self.assertEqual(late.dunning_level_id, self.b2b_levels[2])
        self.assertEqual(recent.dunning_level_id, self.b2b_levels[0])
        contact = self.env["res.partner"].create({"name": "Jan", "parent_id": self.customer.id})
        for user in (self.salesperson, self.collector):
            with freeze_time(TODAY):
                self.env.invalidate_all()
                for partner in (self.customer, contact):
                    mine = partner.with_user(user)
                    self.assertEqual(mine.dunning_status_level_id, self.b2b_levels[2], user.login)
                self.assertEqual(self.customer.with_user(user).dunning_level_id, self.b2b_levels[2])
        # not their customer: the level is there for the worklist, not in a status they may
        # not see
        with freeze_time(TODAY):
            self.env.invalidate_all()
            theirs = self.customer.with_user(self.other_salesperson)
            self.assertEqual(theirs.dunning_level_id, self.b2b_levels[2])
            self.assertFalse(theirs.dunning_status_id)
            self.assertFalse(theirs.dunning_status_level_id)
