"""Credit hold on quotations: a customer at formal notice or beyond."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time
from odoo.tools.misc import formatLang

from tests.common import d

from .common import DunningSaleCase

DUE = d("2026-03-02")  # B2B: formal notice at +35 (6 April), judicial hand-over at +60 (1 May)
TODAY = "2026-04-10"
# Customers of long standing: no reminder waits for their salesperson's opinion.
LONG_AGO = d("2025-10-01")


@freeze_time(TODAY)
class TestCreditHold(DunningSaleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.formal_notice = cls.b2b_levels[2]
        cls.late = cls.make_partner("Brouwerij De Kroon NV", lang="nl_BE")
        cls.invoice = cls.make_invoice(cls.late, 900.0, DUE, invoice_date=LONG_AGO)
        cls.make_invoice(cls.late, 100.0, d("2026-03-20"))  # also overdue, below formal notice
        cls.make_invoice(cls.late, 50.0, d("2026-05-01"))  # not due yet

    def setUp(self):
        super().setUp()
        self.reach(self.invoice, self.formal_notice)

    def test_warning_with_the_payment_status(self):
        quotation = self.make_quotation(self.late)
        self.assertTrue(quotation.dunning_credit_hold)
        self.assertEqual(quotation.dunning_credit_hold_level_id, self.formal_notice)
        self.assertFalse(quotation.dunning_credit_hold_block, "the shipped policy only warns")
        warning = quotation.dunning_credit_hold_warning
        self.assertIn(
            "Credit hold: Brouwerij De Kroon NV has an open invoice at the level Formal notice.",
            warning,
        )
        # 900 + 100 overdue; the invoice not yet due is left out.
        amount = formatLang(quotation.env, 1000.0, currency_obj=self.company.currency_id)
        self.assertIn(f"Overdue: {amount} on 2 invoices, the oldest 39 days late.", warning)
        self.assertIn("Ask collections before confirming this quotation.", warning)
        # Not blocked: the salesperson confirms, and the banner is gone on the order.
        quotation.action_confirm()
        self.assertEqual(quotation.state, "sale")
        self.assertFalse(quotation.dunning_credit_hold)

    def test_warning_in_the_language_of_the_salesperson(self):
        quotation = self.make_quotation(self.late).with_context(lang="nl_BE")
        self.assertIn("Ingebrekestelling", quotation.dunning_credit_hold_warning)

    def test_open_disputes_are_mentioned(self):
        self.env["dunning.dispute"].create(
            {
                "partner_id": self.late.id,
                "move_ids": [(6, 0, self.invoice.ids)],
                "reason_id": self.env.ref("smart_dunning.dunning_dispute_reason_price_quantity").id,
            }
        )
        warning = self.make_quotation(self.late).dunning_credit_hold_warning
        self.assertIn("Open disputes: 1.", warning)
        self.assertNotIn("payment plan", warning)

    def test_a_payment_plan_is_mentioned_and_does_not_lift_the_hold(self):
        plan = self.env["dunning.plan"].create(
            {
                "partner_id": self.late.id,
                "move_ids": [(6, 0, self.invoice.ids)],
                "schedule_count": 3,
                "schedule_first_date": d("2026-04-30"),
                "schedule_interval": "monthly",
            }
        )
        plan.action_generate_schedule()
        plan.action_confirm()
        quotation = self.make_quotation(self.late)
        self.assertTrue(quotation.dunning_credit_hold, "a plan does not lift the hold")
        self.assertIn(
            "The customer is paying under a payment plan.", quotation.dunning_credit_hold_warning
        )

    def test_judicial_level_is_beyond_formal_notice(self):
        self.reach(self.invoice, self.b2b_levels[3])
        quotation = self.make_quotation(self.late)
        self.assertEqual(quotation.dunning_credit_hold_level_id, self.b2b_levels[3])

    def test_customer_below_formal_notice_is_not_affected(self):
        self.policy_b2b.credit_hold_block = True
        reminded = self.make_partner("Drukkerij Peeters")
        invoice = self.make_invoice(reminded, 400.0, DUE, invoice_date=LONG_AGO)
        self.reach(invoice, self.b2b_levels[1])
        quotation = self.make_quotation(reminded)
        self.assertFalse(quotation.dunning_credit_hold)
        self.assertFalse(quotation.dunning_credit_hold_warning)
        quotation.action_confirm()
        self.assertEqual(quotation.state, "sale")

    def test_paying_lifts_the_hold(self):
        self.pay(self.invoice, 900.0, d(TODAY))
        self.assertFalse(self.make_quotation(self.late).dunning_credit_hold)

    def test_a_contact_of_the_customer_is_on_hold_too(self):
        contact = self.env["res.partner"].create({"name": "Jan", "parent_id": self.late.id})
        self.assertTrue(self.make_quotation(contact).dunning_credit_hold)

    def test_only_the_company_of_the_invoice(self):
        other = self.setup_other_company(name="Smart Nederland")["company"]
        quotation = (
            self.env["sale.order"]
            .sudo()
            .with_company(other)
            .create({"partner_id": self.late.id, "company_id": other.id})
        )
        self.assertFalse(quotation.dunning_credit_hold)


@freeze_time(TODAY)
class TestBlock(DunningSaleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy_b2b.credit_hold_block = True
        cls.late = cls.make_partner("Brouwerij De Kroon NV", user_id=cls.salesperson.id)
        cls.invoice = cls.make_invoice(cls.late, 900.0, DUE, invoice_date=LONG_AGO)

    def setUp(self):
        super().setUp()
        self.reach(self.invoice, self.b2b_levels[2])
        self.quotation = self.make_quotation(self.late)

    def test_salesperson_cannot_confirm(self):
        self.assertTrue(self.quotation.dunning_credit_hold_block)
        self.assertIn(
            "The dunning policy Businesses blocks the confirmation of this quotation",
            self.quotation.dunning_credit_hold_warning,
        )
        as_sales = self.quotation.with_user(self.salesperson)
        with self.assertRefused(UserError, "the customer is on credit hold \\(Formal notice\\)"):
            as_sales.action_confirm()
        self.assertEqual(self.quotation.state, "draft")
        # Neither the override button nor a hand-made context lets them through.
        with self.assertRefused(AccessError, "Only a collections manager"):
            as_sales.action_dunning_confirm_override()
        with self.assertRefused(UserError, "credit hold"):
            as_sales.with_context(dunning_credit_hold_override=True).action_confirm()
        self.assertEqual(self.quotation.state, "draft")
        self.assertFalse(self.quotation.dunning_credit_hold_override_user_id)

    def test_collections_manager_overrides_and_it_is_logged(self):
        self.quotation.with_user(self.manager).action_dunning_confirm_override()
        self.assertEqual(self.quotation.state, "sale")
        self.assertEqual(self.quotation.dunning_credit_hold_override_user_id, self.manager)
        self.assertTrue(self.quotation.dunning_credit_hold_override_date)
        log = self.quotation.message_ids.filtered(
            lambda m: "Confirmed despite the credit hold by Kredietbeheerder Claes" in m.body
        )
        self.assertEqual(len(log), 1)
        self.assertIn("Formal notice", log.body)
        self.assertEqual(
            self.env["sale.order"].search([("dunning_credit_hold_override_user_id", "!=", False)]),
            self.quotation,
        )

    def test_the_manager_confirm_button_alone_is_refused_too(self):
        with self.assertRefused(UserError, "Ask a collections manager"):
            self.quotation.with_user(self.manager).action_confirm()

    def test_customer_signing_online_is_held_for_collections(self):
        portal = self.make_user("klant", "base.group_portal", partner_id=self.late.id)
        # The portal signs as superuser on behalf of the customer: no error on their screen.
        self.quotation.with_user(portal).sudo()._validate_order()
        self.assertEqual(self.quotation.state, "draft")
        self.assertTrue(
            self.quotation.message_ids.filtered(lambda m: "Not confirmed" in (m.body or ""))
        )
        activity = self.quotation.activity_ids
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertIn("credit hold", activity.summary)

    def test_other_quotations_of_a_batch_are_confirmed(self):
        other = self.make_quotation(self.make_partner("Drukkerij Peeters"))
        (self.quotation | other).sudo().action_confirm()
        self.assertEqual((self.quotation.state, other.state), ("draft", "sale"))
