"""The collectors' call worklist and the Log Call wizard: who is on the list, in which order, and
what each outcome of a call does."""

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time

from .common import DunningCase, d

DUE = d("2026-03-02")  # a Monday
TODAY = "2026-03-20"  # DUE + 18 days: past the default 15 days after which collectors call


class WorklistCase(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.dunning_call_after_days = 15
        cls.collector = cls.make_user(
            "collector", "base.group_user,smart_dunning.group_dunning_user", name="Cora Collector"
        )
        cls.seller = cls.make_user("seller", "base.group_user", name="Sam Seller")
        cls.customer.write({"phone": "+32 9 123 45 67", "dunning_user_id": cls.collector.id})
        cls.reason_price = cls.env.ref("smart_dunning.dunning_dispute_reason_price_quantity")

    def rows(self, on_date=TODAY, domain=(), user=None):
        """{customer: (invoices, amount due, days overdue)} as the list shows it that day, in
        the list's order."""
        with freeze_time(on_date):
            Worklist = self.env["dunning.worklist"].with_user(user or self.env.user)
            Worklist.invalidate_model()
            return {
                row.partner_id: (row.move_ids, row.amount_due, row.days_overdue)
                for row in Worklist.search(list(domain))
            }

    def on_list(self, invoice, on_date=TODAY):
        return invoice in self.rows(on_date).get(invoice.commercial_partner_id, ((),))[0]

    def log_call(self, partner, outcome, on_date=TODAY, user=None, moves=None, **vals):
        with freeze_time(on_date):
            action = (
                self.env["dunning.call.log"]
                .with_user(user or self.env.user)
                ._action_open(partner, moves)
            )
            wizard = (
                self.env["dunning.call.log"]
                .with_user(user or self.env.user)
                .with_context(action["context"])
                .create({"outcome": outcome, **vals})
            )
            wizard.action_confirm()
        return self.env["dunning.call"].search([("partner_id", "=", partner.id)], limit=1)


class TestWhoIsOnTheList(WorklistCase):
    def test_overdue_more_than_the_company_days(self):
        late = self.make_invoice(self.customer, 1000.0, DUE)  # 18 days
        recent = self.make_invoice(self.customer, 400.0, d("2026-03-10"))  # 10 days
        not_due = self.make_invoice(self.customer, 300.0, d("2026-03-25"))
        self.assertEqual(self.rows(), {self.customer: (late, 1000.0, 18)})
        self.assertFalse(self.rows("2026-03-17"), "15 days overdue is not more than 15")
        self.assertTrue(self.on_list(late, "2026-03-18"))
        self.company.dunning_call_after_days = 5
        self.assertEqual(self.rows()[self.customer][0], late | recent)
        self.assertFalse(self.on_list(not_due))

    def test_a_call_level_puts_the_invoice_on_the_list_until_the_call_is_logged(self):
        # The first B2B level (7 days after the due date) asks for a call.
        self.b2b_levels[0].channel = "call"
        invoice = self.make_invoice(self.customer, 800.0, DUE)
        self.assertFalse(self.on_list(invoice, "2026-03-09"), "9 days: not yet")
        run = self.run_dunning(d("2026-03-09"))
        letter = run.letter_ids
        self.assertEqual(letter.channel, "call")
        self.assertTrue(self.on_list(invoice, "2026-03-09"), "the call letter is to send")
        with freeze_time("2026-03-09"):
            letter._dunning_send()
        activity = letter.activity_ids
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        with freeze_time("2026-03-10"):
            Worklist = self.env["dunning.worklist"]
            Worklist.invalidate_model()
            row = Worklist.search([("partner_id", "=", self.customer.id)])
            self.assertTrue(row.call_requested)

        self.log_call(self.customer, "no_answer", "2026-03-10")
        self.assertTrue(self.on_list(invoice, "2026-03-10"), "nobody answered: call again")
        self.assertTrue(activity.active)

        call = self.log_call(self.customer, "reached", "2026-03-10", note="Pays on Friday")
        self.assertEqual(call.letter_id, letter)
        self.assertFalse(activity.active, "the letter's call is done")
        self.assertFalse(self.on_list(invoice, "2026-03-10"))
        self.assertTrue(self.on_list(invoice, "2026-03-18"), "and back after the 15 days")

    def test_a_call_letter_not_sent_yet_is_sent_by_the_call(self):
        self.b2b_levels[0].channel = "call"
        invoice = self.make_invoice(self.customer, 800.0, DUE)
        letter = self.run_dunning(d("2026-03-09")).letter_ids
        self.assertEqual(letter.state, "draft")
        self.log_call(self.customer, "reached", "2026-03-09")
        self.assertEqual((letter.state, letter.sent_date), ("sent", d("2026-03-09")))
        self.assertFalse(letter.activity_ids, "no call left to make")
        self.assertFalse(self.on_list(invoice, "2026-03-09"))

    def test_exclusions(self):
        def on_list(invoice):
            return self.on_list(invoice)

        base = self.make_invoice(self.customer, 100.0, DUE)
        self.assertTrue(on_list(base))

        paid = self.make_invoice(self.customer, 200.0, DUE)
        self.pay(paid, 200.0, d("2026-03-15"))
        partial = self.make_invoice(self.customer, 300.0, DUE)
        self.pay(partial, 100.0, d("2026-03-15"))
        self.assertFalse(on_list(paid))
        self.assertTrue(on_list(partial))
        self.assertEqual(self.rows()[self.customer][1], 100.0 + 200.0, "what is still open")

        excluded = self.make_invoice(self.customer, 100.0, DUE)
        excluded.write({"dunning_excluded": True, "dunning_exclusion_reason": "Goodwill"})
        paused = self.make_invoice(self.customer, 100.0, DUE)
        paused.dunning_pause_until = d(TODAY)
        judicial = self.make_invoice(self.customer, 100.0, DUE)
        judicial.dunning_judicial = True
        disputed = self.make_invoice(self.customer, 100.0, DUE)
        self.env["dunning.dispute"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(disputed.ids)],
                "reason_id": self.reason_price.id,
            }
        )
        planned = self.make_invoice(self.customer, 100.0, DUE)
        with freeze_time("2026-03-16"):
            plan = self.env["dunning.plan"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(planned.ids)],
                    "schedule_count": 2,
                    "schedule_first_date": d("2026-04-01"),
                }
            )
            plan.action_generate_schedule()
            plan.action_confirm()
        for invoice in (excluded, paused, judicial, disputed, planned):
            self.assertFalse(on_list(invoice), invoice.dunning_state)
        self.assertTrue(self.on_list(paused, "2026-03-21"), "the pause ends")
        self.assertEqual(self.rows()[self.customer][0], base | partial)

        self.customer.write({"dunning_excluded": True, "dunning_exclusion_reason": "Member"})
        self.assertFalse(self.rows())

    def test_no_call_just_before_the_customer_pays(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        other = self.make_partner("Traiteur Dubois", lang="fr_BE", payment_days="end")
        other_invoice = self.make_invoice(other, 100.0, DUE)
        self.customer.payment_days = "22"  # window of 3 days: 19 to 22 March
        self.assertFalse(self.on_list(invoice))
        self.assertTrue(self.on_list(other_invoice), "its payment day is the 31st")
        self.assertFalse(self.on_list(other_invoice, "2026-03-28"))
        self.assertTrue(self.on_list(invoice, "2026-03-23"), "the day after the payment day")
        self.customer.payment_days = "10, 25"
        self.assertTrue(self.on_list(invoice))

    def test_other_companies_invoices_stay_out(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        other_company = self.setup_other_company(name="Coop NL")["company"]
        nl_customer = self.make_partner("Klant NL", lang="nl_NL")
        nl_invoice = self.make_invoice(nl_customer, 100.0, DUE, company_id=other_company.id)
        self.assertEqual(nl_invoice.company_id, other_company)
        with freeze_time(TODAY):
            rows = self.env["dunning.worklist"].with_company(other_company).search([])
            self.assertEqual(rows.partner_id, nl_customer)
            self.assertEqual(rows.move_ids, nl_invoice)
            self.assertEqual(rows.currency_id, other_company.currency_id)
        self.assertEqual(set(self.rows()), {self.customer})
        self.assertTrue(self.on_list(invoice))


class TestPriority(WorklistCase):
    def test_amount_times_days_overdue_in_company_currency(self):
        other_currency = self.setup_other_currency("EUR", rates=[("2026-01-01", 2.0)])
        brewery = self.customer
        bakery = self.make_partner("Bakkerij Peeters", lang="nl_BE")
        garage = self.make_partner("Garage Lambert", lang="fr_BE")
        self.make_invoice(brewery, 1000.0, d("2026-03-02"))  # 18 days: 18,000
        self.make_invoice(bakery, 500.0, d("2026-02-08"))  # 40 days: 20,000
        self.make_invoice(garage, 300.0, d("2026-02-18"))  # 30 days: 9,000
        # 1,200 in a currency worth half of the company's: 600 x 20 days = 12,000
        self.make_invoice(garage, 1200.0, d("2026-02-28"), currency=other_currency)
        # the garage (9,000 + 12,000) comes first, its amount in company currency
        with freeze_time(TODAY):
            rows = self.env["dunning.worklist"].search([])
            self.assertEqual(rows.partner_id.ids, [garage.id, bakery.id, brewery.id])
            self.assertEqual(rows.mapped("priority"), [21000.0, 20000.0, 18000.0])
            garage_row = rows[0]
            self.assertEqual(
                (garage_row.amount_due, garage_row.invoice_count, garage_row.days_overdue),
                (900.0, 2, 30),
            )
            self.assertEqual(garage_row.date_due, d("2026-02-18"))


class TestLogCall(WorklistCase):
    def test_reached_logs_the_call_on_the_chatter(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        call = self.log_call(self.customer, "reached", note="Accountant on holiday")
        self.assertEqual(
            (call.outcome, call.source, call.user_id, call.phone, call.move_ids),
            ("reached", "collector", self.env.user, "+32 9 123 45 67", invoice),
        )
        for record in (self.customer, invoice):
            body = record.message_ids[0].body
            self.assertIn("Reached", body)
            self.assertIn("Accountant on holiday", body)
        self.assertTrue(self.on_list(invoice), "reached, but nothing agreed")

    def test_promise_to_pay(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        call = self.log_call(self.customer, "promise", promise_date=d("2026-03-27"))
        plan = call.plan_id
        self.assertEqual((plan.kind, plan.state, plan.amount_total), ("promise", "active", 500.0))
        self.assertEqual(plan.line_ids.date_due, d("2026-03-27"))
        self.assertEqual(invoice.dunning_plan_id, plan)
        self.assertFalse(self.on_list(invoice))
        self.assertIn(plan.name, self.customer.message_ids[0].body)

    def test_dispute(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        call = self.log_call(
            self.customer, "dispute", dispute_reason_id=self.reason_price.id, note="Wrong price"
        )
        dispute = call.dispute_id
        self.assertEqual(
            (dispute.state, dispute.reason_id, dispute.move_ids, dispute.description),
            ("open", self.reason_price, invoice, "Wrong price"),
        )
        self.assertFalse(self.on_list(invoice))

    def test_payment_term_agreed(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        term_30 = self.env.ref("account.account_payment_term_30days")
        term_45 = self.env.ref("account.account_payment_term_45days")
        self.customer.property_payment_term_id = term_30
        # the invoice keeps its due date (moving it: tests/test_agreed_term.py)
        call = self.log_call(
            self.customer,
            "payment_term",
            payment_term_id=term_45.id,
            term_move_ids=[Command.clear()],
        )
        self.assertEqual(call.payment_term_id, term_45)
        self.assertEqual(self.customer.property_payment_term_id, term_45)
        body = self.customer.message_ids[0].body
        self.assertIn(term_30.name, body)
        self.assertIn(term_45.name, body)
        self.assertFalse(self.on_list(invoice), "agreed today: not called again today")
        self.assertTrue(self.on_list(invoice, "2026-03-21"))
        with self.assertRefused(UserError, "already has the payment term"):
            self.log_call(self.customer, "payment_term", payment_term_id=term_45.id)

    def test_wrong_number_flags_the_number_until_it_changes(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        self.log_call(self.customer, "wrong_number")
        with freeze_time(TODAY):
            row = self.env["dunning.worklist"].search([("partner_id", "=", self.customer.id)])
            self.assertEqual((row.phone, row.phone_wrong), ("+32 9 123 45 67", True))
            self.assertEqual(row.last_call_outcome, "wrong_number")
        self.assertTrue(self.on_list(invoice), "still to reach")
        self.customer.phone = "+32 9 765 43 21"
        with freeze_time(TODAY):
            row.invalidate_recordset()
            self.assertFalse(row.phone_wrong)

    def test_refusals_change_nothing(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        for outcome, vals, message in (
            ("promise", {"promise_date": d("2026-03-19")}, "in the past"),
            ("promise", {"promise_date": False}, "date the customer promises"),
            ("dispute", {}, "reason of the dispute"),
            ("payment_term", {}, "payment term agreed"),
        ):
            with self.assertRefused(UserError, message):
                self.log_call(self.customer, outcome, **vals)
        with self.assertRefused(UserError, "Select the invoices"):
            self.log_call(
                self.customer,
                "promise",
                move_ids=[Command.clear()],
                promise_date=d("2026-03-27"),
            )
        self.assertFalse(self.env["dunning.call"].search([("partner_id", "=", self.customer.id)]))
        self.assertFalse(invoice.dunning_plan_ids)

    def test_defaults_from_a_customer_and_from_an_invoice(self):
        contact = self.env["res.partner"].create(
            {"name": "Jan Peeters", "parent_id": self.customer.id, "phone": "+32 477 11 22 33"}
        )
        invoice = self.make_invoice(contact, 500.0, DUE)
        recent = self.make_invoice(self.customer, 100.0, d("2026-03-15"))
        with freeze_time(TODAY):
            Log = self.env["dunning.call.log"]
            form = Form(Log.with_context(active_model="res.partner", active_id=self.customer.id))
            self.assertEqual(form.partner_id, self.customer)
            self.assertEqual(form.move_ids[:], invoice, "the invoices on the worklist")
            self.assertEqual((form.contact_id, form.phone), (contact, "+32 477 11 22 33"))
            self.assertEqual(form.amount_due, 500.0)
            form = Form(Log.with_context(active_model="account.move", active_id=recent.id))
            self.assertEqual((form.partner_id, form.move_ids[:]), (self.customer, recent))

    def test_log_call_button_on_the_customer_and_the_invoice(self):
        for model, action in (
            ("res.partner", "smart_dunning.dunning_call_log_action_partner"),
            ("account.move", "smart_dunning.dunning_call_log_action_invoice"),
        ):
            views = self.env[model].with_user(self.collector).get_views([(False, "form")])
            arch = etree.fromstring(views["views"]["form"]["arch"])
            buttons = arch.xpath(f"//button[@type='action'][@name='{self.env.ref(action).id}']")
            self.assertEqual(len(buttons), 1, f"one Log Call button on the {model} form")


class TestAccess(WorklistCase):
    def test_salesperson_logs_calls_for_own_customers_only(self):
        self.customer.user_id = self.seller
        other = self.make_partner("Garage Lambert", lang="fr_BE")
        own_invoice = self.make_invoice(self.customer, 500.0, DUE)
        self.make_invoice(other, 300.0, DUE)
        self.assertEqual(set(self.rows(user=self.seller)), {self.customer})
        self.assertEqual(set(self.rows(user=self.collector)), {self.customer, other})

        call = self.log_call(self.customer, "reached", user=self.seller, note="Will pay")
        self.assertEqual((call.user_id, call.move_ids), (self.seller, own_invoice))
        call = self.log_call(
            self.customer, "dispute", user=self.seller, dispute_reason_id=self.reason_price.id
        )
        self.assertEqual(call.dispute_id.state, "open")
        with self.assertRefused(AccessError, "only log calls about your own customers"):
            self.log_call(other, "reached", user=self.seller)
        with self.assertRefused(AccessError, "Only collections users"):
            self.log_call(self.customer, "promise", user=self.seller, promise_date=d(TODAY))
        with self.assertRaises(AccessError):
            self.env["dunning.call"].with_user(self.seller).create(
                {"partner_id": other.id, "outcome": "reached"}
            )

    def test_collector_logs_calls_for_every_customer(self):
        other = self.make_partner("Garage Lambert", lang="fr_BE")
        invoice = self.make_invoice(other, 300.0, DUE)
        call = self.log_call(other, "promise", user=self.collector, promise_date=d("2026-03-27"))
        self.assertEqual((call.user_id, call.plan_id.state), (self.collector, "active"))
        self.assertFalse(self.on_list(invoice))
