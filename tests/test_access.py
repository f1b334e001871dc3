"""Who may see and change what: the Log Call wizard, calls, dispute states, fee invoices posted
by a call, the customer's level per company, payment-status ids over XML-RPC, what the portal
reads, and who decides how a customer is dunned. Each test acts as the least-privileged user
concerned."""

import xmlrpc.client

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time

from .common import BelgianDunningCase, d

DUE = d("2026-03-02")
TODAY = "2026-03-20"


class AccessCase(BelgianDunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = cls.make_user(
            "acc_collector", "base.group_user,smart_dunning.group_dunning_user"
        )
        cls.seller = cls.make_user("acc_seller", "base.group_user", name="Sam Seller")
        cls.customer.write({"user_id": cls.seller.id, "phone": "+32 9 123 45 67"})
        cls.other = cls.make_partner("Garage Lambert", lang="fr_BE")

    def log_call(self, user, partner, outcome="reached", on_date=TODAY, **vals):
        with freeze_time(on_date):
            Log = self.env["dunning.call.log"].with_user(user)
            action = Log._action_open(partner)
            wizard = Log.with_context(action["context"]).create({"outcome": outcome, **vals})
            wizard.action_confirm()
        return self.env["dunning.call"].search([("partner_id", "=", partner.id)], limit=1)


class TestLogCallWizard(AccessCase):
    def test_nothing_of_a_customer_one_may_not_see(self):
        theirs = self.make_invoice(self.other, 1234.0, DUE)
        own = self.make_invoice(self.customer, 500.0, DUE)
        Log = self.env["dunning.call.log"].with_user(self.seller)
        with freeze_time(TODAY):
            with self.assertRefused(AccessError, "payment status you see"):
                Log.create(
                    {
                        "partner_id": self.other.id,
                        "move_ids": [Command.set(theirs.ids)],
                        "outcome": "reached",
                    }
                )
            with self.assertRefused(AccessError, "payment status you see"):
                Log.with_context(active_model="res.partner", active_id=self.other.id).default_get(
                    ["partner_id", "move_ids"]
                )
            with self.assertRefused(AccessError, "payment status you see"):
                Log.with_context(active_model="account.move", active_id=theirs.id).default_get(
                    ["partner_id", "move_ids"]
                )
            # What the form computes while it is filled in (onchange) shows nothing either.
            draft = Log.new({"partner_id": self.other.id, "move_ids": [Command.set(theirs.ids)]})
            self.assertEqual((draft.amount_due, draft.invoice_names), (0.0, False))
            self.assertFalse(draft.current_payment_term_id)
            # Their own customer: its invoices only, not another customer's slipped in.
            draft = Log.new(
                {"partner_id": self.customer.id, "move_ids": [Command.set((own | theirs).ids)]}
            )
            self.assertEqual((draft.amount_due, draft.invoice_names), (500.0, own.name))
        self.assertFalse(self.env["dunning.call"].search([("partner_id", "=", self.other.id)]))

    def test_company_must_be_one_of_the_users(self):
        elsewhere = self.setup_other_company(name="Coop NL")["company"]
        self.make_invoice(self.other, 1234.0, DUE)
        Log = self.env["dunning.call.log"].with_user(self.collector)
        with freeze_time(TODAY):
            with self.assertRefused(AccessError, "You do not work for Coop NL"):
                Log.create(
                    {"partner_id": self.other.id, "company_id": elsewhere.id, "outcome": "reached"}
                )
            draft = Log.new({"partner_id": self.other.id, "company_id": elsewhere.id})
            self.assertEqual(draft.amount_due, 0.0)
            # Collectors log calls about every customer of their company.
            wizard = Log.create({"partner_id": self.other.id, "outcome": "reached"})
            self.assertEqual(wizard.amount_due, 0.0, "no invoice discussed yet")
        call = self.log_call(self.collector, self.other)
        self.assertEqual((call.user_id, call.company_id), (self.collector, self.company))


class TestCalls(AccessCase):
    def worklist(self, user):
        with freeze_time(TODAY):
            Worklist = self.env["dunning.worklist"].with_user(user)
            Worklist.invalidate_model()
            return Worklist.search([]).partner_id

    def test_calls_are_created_only_through_log_call(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        self.assertIn(self.customer, self.worklist(self.seller))
        for user in (self.seller, self.collector):
            with freeze_time(TODAY), self.assertRefused(AccessError, "Log Call"):
                # a "promise" today would drop the customer from the worklist
                self.env["dunning.call"].with_user(user).create(
                    {
                        "partner_id": self.customer.id,
                        "user_id": self.collector.id,
                        "outcome": "promise",
                    }
                )
        self.assertFalse(self.env["dunning.call"].search([("partner_id", "=", self.customer.id)]))
        self.assertIn(self.customer, self.worklist(self.collector), "still to call")

        call = self.log_call(self.seller, self.customer, note="Betaalt volgende week")
        self.assertEqual((call.user_id, call.move_ids), (self.seller, invoice))

        entry = {"partner": self.customer, "moves": invoice, "outcome": "no_answer"}
        with freeze_time(TODAY):
            with self.assertRefused(AccessError, "Only collections managers"):
                self.env["dunning.call"].with_user(self.collector)._dunning_log_calls(
                    [dict(entry, user=self.seller)]
                )
            # A collections manager records the call a collector made.
            call = self.env["dunning.call"]._dunning_log_calls([dict(entry, user=self.collector)])
        self.assertEqual(call.user_id, self.collector)


class TestDisputeStates(AccessCase):
    def test_only_collections_users_change_the_state(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        reason = self.env.ref("smart_dunning.dunning_dispute_reason_price_quantity")
        dispute = self.env["dunning.dispute"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(invoice.ids)],
                "reason_id": reason.id,
                "resolution": "customer_pays",
            }
        )
        with freeze_time(TODAY):
            dispute.action_resolve()
        theirs = dispute.with_user(self.seller)
        for state in ("open", "mediation", "cancelled"):
            with self.assertRefused(UserError, "Only collections users may change the state"):
                theirs.write({"state": state})
        self.assertEqual(dispute.state, "resolved")
        self.assertFalse(invoice._dunning_is_paused(d(TODAY)), "dunning is not paused again")
        with self.assertRefused(UserError, "Only collections users may change the state"):
            self.env["dunning.dispute"].with_user(self.seller).create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "reason_id": reason.id,
                    "state": "mediation",
                }
            )
        # Salespeople still open disputes and write notes.
        mine = (
            self.env["dunning.dispute"]
            .with_user(self.seller)
            .create(
                {"partner_id": self.customer.id, "move_ids": invoice.ids, "reason_id": reason.id}
            )
        )
        mine.note_ids = [Command.create({"note": "Klant gebeld"})]
        self.assertEqual((mine.state, len(mine.note_ids)), ("open", 1))
        # A collector may reopen a dispute closed by mistake.
        dispute.with_user(self.collector).write({"state": "open"})
        self.assertEqual(dispute.state, "open")


class TestCallPostsNoFeeInvoice(AccessCase):
    def test_a_salesperson_call_posts_no_fee_invoice(self):
        fee_product = self.env["product.product"].create(
            {"name": "Invorderingskosten", "type": "service"}
        )
        fee_account = self.company_data["default_account_revenue"].copy(
            {"code": "746000", "name": "Recovered collection costs"}
        )
        self.policy_b2b.write(
            {
                "invoice_fees": True,
                "fee_product_id": fee_product.id,
                "fee_account_id": fee_account.id,
            }
        )
        self.b2b_levels[0].write(
            {"channel": "call", "needs_approval": False, "ask_salesperson_new_customer": False}
        )
        self.make_invoice(self.customer, 1000.0, DUE)
        letter = self.run_dunning(d("2026-03-09")).letter_ids
        self.assertEqual((letter.channel, letter.state), ("call", "draft"))
        fee_invoices = self.env["account.move"].search([("dunning_fee_letter_id", "=", letter.id)])

        call = self.log_call(self.seller, self.customer, on_date="2026-03-09")
        self.assertEqual(call.letter_id, letter)
        self.assertEqual(letter.state, "draft", "left for a collector to send")
        self.assertFalse(letter.fee_move_id)
        self.assertFalse(fee_invoices.search([("dunning_fee_letter_id", "=", letter.id)]))

        # A collector's call sends the letter, with the collector's own rights.
        self.log_call(self.collector, self.customer, on_date="2026-03-09")
        self.assertEqual(letter.state, "sent")
        self.assertEqual(letter.fee_move_id.state, "posted")
        self.assertEqual(letter.fee_move_id.create_uid, self.collector)
        self.assertEqual(letter.fee_move_id.amount_total, 42.01)  # 40 + 7 days of interest


class TestLevelPerCompany(AccessCase):
    def test_another_companys_level_is_never_shown(self):
        elsewhere = self.setup_other_company(name="Coop NL")["company"]
        self.make_invoice(self.customer, 1000.0, DUE)
        self.run_dunning(d("2026-03-09"))
        self.assertEqual(self.customer.dunning_level_id, self.b2b_levels[0])
        self.assertIn(
            self.customer, self.env["res.partner"].search([("dunning_level_id", "!=", False)])
        )
        user_nl = self.make_user(
            "acc_collector_nl", "base.group_user,smart_dunning.group_dunning_user"
        )
        user_nl.write({"company_ids": [Command.set(elsewhere.ids)], "company_id": elsewhere.id})
        self.env.invalidate_all()
        there = self.customer.with_user(user_nl)
        self.assertFalse(there.dunning_level_id)
        self.assertFalse(there.read(["dunning_level_id"])[0]["dunning_level_id"])
        Partner = self.env["res.partner"].with_user(user_nl)
        self.assertNotIn(self.customer, Partner.search([("dunning_level_id", "!=", False)]))
        self.assertIn(self.customer, Partner.search([("dunning_level_id", "=", False)]))
        # A user of both companies sees the level of the one they work in.
        self.collector.write({"company_ids": [Command.link(elsewhere.id)]})
        self.env.invalidate_all()
        self.assertFalse(
            self.customer.with_user(self.collector).with_company(elsewhere).dunning_level_id
        )
        self.assertEqual(
            self.customer.with_user(self.collector).dunning_level_id, self.b2b_levels[0]
        )


class TestStatusOverXmlRpc(AccessCase):
    def test_status_ids_fit_xmlrpc(self):
        self.make_invoice(self.customer, 500.0, DUE)
        self.make_invoice(self.other, 300.0, DUE)
        Status = self.env["dunning.partner.status"].with_user(self.collector)
        with freeze_time(TODAY):
            rows = Status.search_read([], ["partner_id", "amount_due"])
            self.assertEqual(
                {row["partner_id"][0]: row["amount_due"] for row in rows},
                {self.customer.id: 500.0, self.other.id: 300.0},
            )
            for row in rows:
                self.assertLess(row["id"], 2**31)
                self.assertEqual(Status.browse(row["id"]).partner_id.id, row["partner_id"][0])
            xmlrpc.client.dumps((rows,), methodresponse=True)


class TestPortal(AccessCase):
    def test_portal_user_does_not_read_internal_dunning_fields(self):
        portal = self.make_user("acc_portal", "base.group_portal")
        partner = portal.partner_id
        partner.write(
            {
                "dunning_excluded": True,
                "dunning_exclusion_reason": "Slechte betaler, niet meer leveren",
                "property_account_receivable_id": self.company_data[
                    "default_account_receivable"
                ].id,
            }
        )
        invoice = self.make_invoice(partner, 100.0, DUE)
        invoice.message_subscribe(partner_ids=partner.ids)
        invoice.write({"dunning_exclusion_reason": "Intern"})
        self.env.invalidate_all()
        mine = partner.with_user(portal)
        self.assertEqual(mine.read(["name"])[0]["name"], partner.name)
        for field in ("dunning_exclusion_reason", "dunning_level_id"):
            with self.assertRaises(AccessError, msg=field):
                mine.read([field])
        theirs = invoice.with_user(portal)
        self.assertEqual(theirs.read(["name"])[0]["name"], invoice.name)
        for field in ("dunning_exclusion_reason", "dunning_level_id", "dunning_data_errors"):
            with self.assertRaises(AccessError, msg=field):
                theirs.read([field])


class TestPartnerDunningFields(AccessCase):
    def test_only_collections_users_decide_how_a_customer_is_dunned(self):
        clerk = self.make_user("acc_clerk", "base.group_user,base.group_partner_manager")
        partner = self.customer.with_user(clerk)
        for vals in (
            {"dunning_excluded": True},
            {"dunning_exclusion_reason": "Subsidie"},
            {"dunning_policy_id": self.policy_b2c.id},
            {"dunning_user_id": clerk.id},
            {"dunning_customer_kind": "b2c"},
            {"payment_days": "25"},
            {"dunning_po_required": True},
        ):
            with self.assertRefused(AccessError, "Only collections users may change how"):
                partner.write(vals)
        with self.assertRefused(AccessError, "Excluded from Dunning"):
            self.env["res.partner"].with_user(clerk).create(
                {"name": "Nieuwe Klant", "dunning_excluded": True}
            )
        # Everything else, and the dunning fields unchanged (a form saves them all), still goes.
        partner.write({"phone": "+32 9 999 99 99", "dunning_excluded": False, "payment_days": ""})
        new = self.env["res.partner"].with_user(clerk).create({"name": "Nieuwe Klant"})
        self.assertEqual(new.dunning_customer_kind, "b2c")
        self.assertEqual(
            (
                self.customer.phone,
                self.customer.dunning_excluded,
                self.customer.dunning_policy_id,
                self.customer.dunning_user_id,
            ),
            ("+32 9 999 99 99", False, self.env["dunning.policy"], self.env["res.users"]),
        )
        self.assertFalse(
            self.customer.with_user(clerk).read(["dunning_can_edit"])[0]["dunning_can_edit"]
        )
        # Collectors decide.
        self.customer.with_user(self.collector).write(
            {"dunning_excluded": True, "dunning_exclusion_reason": "Subsidie", "payment_days": "25"}
        )
        self.assertTrue(self.customer.dunning_excluded)
