"""A payment term agreed in a call: the due dates of the invoices the collector chooses move to
it, and an invoice posted later with another term gets a warning (issue #17, item 6)."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time

from .common import d
from .test_callcentre import CallcentreCase
from .test_worklist import DUE, TODAY, WorklistCase


class AgreedTermCase(WorklistCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.term_30 = cls.env.ref("account.account_payment_term_30days")
        cls.term_45 = cls.env.ref("account.account_payment_term_45days")
        cls.customer.property_payment_term_id = cls.term_30
        # invoiced on 31 January and 8 February, due after 30 days: 18 and 10 days late today
        cls.inv_a = cls.make_invoice(cls.customer, 1000.0, DUE)
        cls.inv_b = cls.make_invoice(cls.customer, 400.0, d("2026-03-10"))

    def agree(self, term, user=None, **vals):
        """The collector logs a call that agrees on ``term``; returns the call and the action
        the wizard returned."""
        user = user or self.collector
        with freeze_time(TODAY):
            Wizard = self.env["dunning.call.log"].with_user(user)
            action = Wizard._action_open(self.customer)
            wizard = Wizard.with_context(action["context"]).create(
                {
                    "outcome": "payment_term",
                    "payment_term_id": term.id,
                    **vals,
                }
            )
            result = wizard.action_confirm()
        call = self.env["dunning.call"].search([("partner_id", "=", self.customer.id)], limit=1)
        return call, wizard, result

    def receivable_dates(self, invoice):
        return (
            invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")
            .sorted("date_maturity")
            .mapped("date_maturity")
        )

    def letters_of(self, run):
        return run.sudo().letter_ids.line_ids.move_id


class TestMoveDueDates(AgreedTermCase):
    def test_chosen_invoices_move_with_a_note_each(self):
        disputed = self.make_invoice(self.customer, 300.0, d("2026-03-01"))
        self.env["dunning.dispute"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(disputed.ids)],
                "reason_id": self.reason_price.id,
            }
        )
        with freeze_time(TODAY):
            wizard = (
                self.env["dunning.call.log"]
                .with_user(self.collector)
                .with_context(self.env["dunning.call.log"]._action_open(self.customer)["context"])
                .create({"outcome": "payment_term", "payment_term_id": self.term_45.id})
            )
            self.assertEqual(
                wizard.term_move_ids,
                self.inv_a | self.inv_b,
                "all open invoices are offered, not the disputed one",
            )
        # the collector unticks the younger invoice
        call, _wizard, result = self.agree(
            self.term_45, term_move_ids=[Command.set(self.inv_a.ids)]
        )
        self.assertEqual(result, {"type": "ir.actions.act_window_close"})
        self.assertEqual(self.customer.property_payment_term_id, self.term_45)
        # 31 January + 45 days
        self.assertEqual(self.inv_a.invoice_date_due, d("2026-03-17"))
        self.assertEqual(self.receivable_dates(self.inv_a), [d("2026-03-17")])
        self.assertEqual(self.inv_a.invoice_payment_term_id, self.term_45)
        self.assertEqual(self.inv_a.amount_residual, 1000.0)
        self.assertEqual(self.inv_a.state, "posted")
        note = self.inv_a.message_ids[0].body
        self.assertIn("Due date moved from 02/03/2026 to 17/03/2026", note)
        self.assertIn(f"payment term 45 Days agreed with {self.customer.name}", note)
        self.assertIn(f"(call #{call.id})", note)
        # the others keep their due date and get no such note
        for untouched, due in ((self.inv_b, d("2026-03-10")), (disputed, d("2026-03-01"))):
            self.assertEqual(untouched.invoice_date_due, due)
            self.assertEqual(self.receivable_dates(untouched), [due])
            self.assertFalse(untouched.invoice_payment_term_id)
            self.assertNotIn("Due date moved", "".join(untouched.message_ids.mapped("body")))

    def test_dunning_follows_the_new_due_date(self):
        with freeze_time(TODAY):
            self.assertEqual(self.inv_a.dunning_state, "overdue")
        self.agree(self.env.ref("account.account_payment_term_end_following_month"))
        with freeze_time(TODAY):
            self.inv_a.invalidate_recordset()
            # 31 January: end of the following month
            self.assertEqual(self.inv_a.invoice_date_due, d("2026-02-28"))
        # a term that puts both invoices after today: they leave the run
        self.customer.property_payment_term_id = self.term_30
        self.agree(self.env.ref("account.account_payment_term_90days_on_the_10th"))
        with freeze_time(TODAY):
            self.inv_a.invalidate_recordset()
            # 31 January + 90 days, then the 10th of the following month
            self.assertEqual(self.inv_a.invoice_date_due, d("2026-06-10"))
            self.assertEqual(self.inv_a.dunning_state, "not_due")
            self.assertEqual(self.inv_a.dunning_days_overdue, 0)
            self.assertTrue(self.inv_a.dunning_next_date > d("2026-06-10"))
        run = self.run_dunning(d(TODAY))
        self.assertFalse(self.letters_of(run) & (self.inv_a | self.inv_b))
        self.assertFalse(self.on_list(self.inv_a, "2026-03-21"))

    def test_partly_paid_moves_only_to_a_single_instalment(self):
        halves = self.env["account.payment.term"].create(
            {
                "name": "Half in 30, half in 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 60}),
                ],
            }
        )
        self.pay(self.inv_a, 300.0, d("2026-03-05"))
        self.assertEqual(self.inv_a.payment_state, "partial")
        _call, _wizard, result = self.agree(halves)
        # the unpaid invoice gets two instalments; the partly paid one is not split
        self.assertEqual(self.receivable_dates(self.inv_b), [d("2026-03-10"), d("2026-04-09")])
        self.assertEqual(self.inv_b.invoice_date_due, d("2026-04-09"))
        self.assertEqual(self.inv_b.amount_residual, 400.0)
        self.assertEqual(self.receivable_dates(self.inv_a), [DUE])
        self.assertEqual((self.inv_a.amount_residual, self.inv_a.payment_state), (700.0, "partial"))
        self.assertIn("Partly paid", self.inv_a.message_ids[0].body)
        self.assertIn("Half in 30, half in 60 days", self.inv_a.message_ids[0].body)
        self.assertEqual(result["tag"], "display_notification")
        self.assertIn(self.inv_a.name, result["params"]["message"])

        # a term of one instalment moves it, payment kept
        self.customer.property_payment_term_id = self.term_30
        self.agree(self.term_45, term_move_ids=[Command.set(self.inv_a.ids)])
        self.assertEqual(self.receivable_dates(self.inv_a), [d("2026-03-17")])
        self.assertEqual((self.inv_a.amount_residual, self.inv_a.payment_state), (700.0, "partial"))

    def test_locked_period_keeps_its_lines(self):
        halves = self.env["account.payment.term"].create(
            {
                "name": "Half in 30, half in 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 60}),
                ],
            }
        )
        # inv_a (31 January) is in the locked period, inv_b (8 February) is not
        self.company.fiscalyear_lock_date = d("2026-02-01")
        _call, _wizard, result = self.agree(halves)
        self.assertEqual(self.receivable_dates(self.inv_a), [DUE])
        self.assertIn("locked period", self.inv_a.message_ids[0].body)
        self.assertIn(self.inv_a.name, result["params"]["message"])
        self.assertEqual(self.receivable_dates(self.inv_b), [d("2026-03-10"), d("2026-04-09")])
        # one instalment: only the maturity changes, allowed in a locked period
        self.customer.property_payment_term_id = self.term_30
        self.agree(self.term_45, term_move_ids=[Command.set(self.inv_a.ids)])
        self.assertEqual(self.receivable_dates(self.inv_a), [d("2026-03-17")])


class TestWarningAtPosting(AgreedTermCase):
    def draft(self, term):
        return self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": d(TODAY),
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [Command.create({"name": "Bier", "price_unit": 120.0})],
            }
        )

    def test_other_term_warns_and_posts_with_a_note(self):
        self.env["res.lang"]._activate_lang("fr_BE")
        self.agree(self.term_45)
        invoice = self.draft(self.term_30)
        self.assertEqual(
            invoice.dunning_term_warning,
            f"{self.customer.name} agreed to the payment term 45 Days on 20/03/2026, and this "
            "invoice has 30 Days. Check the payment term before posting.",
        )
        self.assertIn("smart_dunning_term", invoice.alerts)
        nl = invoice.with_context(lang="nl_BE")
        nl.invalidate_recordset(["dunning_term_warning"])
        self.assertIn("betalingstermijn", nl.dunning_term_warning)
        self.assertIn("20/03/2026", nl.dunning_term_warning)
        fr = invoice.with_context(lang="fr_BE")
        fr.invalidate_recordset(["dunning_term_warning"])
        self.assertIn("délai de paiement", fr.dunning_term_warning)
        self.assertIn("20/03/2026", fr.dunning_term_warning)

        invoice.action_post()  # not blocked
        self.assertEqual(invoice.state, "posted")
        self.assertFalse(invoice.dunning_term_warning)
        self.assertIn("Posted despite the warning", invoice.message_ids[0].body)
        self.assertIn("45 Days", invoice.message_ids[0].body)

    def test_no_warning_with_the_agreed_term_or_after_a_new_term(self):
        self.agree(self.term_45)
        agreed = self.draft(self.term_45)
        self.assertFalse(agreed.dunning_term_warning)
        agreed.action_post()
        self.assertNotIn("Posted despite", "".join(agreed.message_ids.mapped("body")))
        # the customer's term was changed since (not in a call): nothing agreed to compare with
        self.customer.property_payment_term_id = self.term_30
        self.assertFalse(
            self.draft(self.env.ref("account.account_payment_term_15days")).dunning_term_warning
        )


class TestWhoMovesDueDates(AgreedTermCase):
    def test_salesperson_cannot_move_due_dates(self):
        call, _wizard, _result = self.agree(self.term_45, term_move_ids=[Command.clear()])
        self.assertEqual(self.inv_a.invoice_date_due, DUE)
        with self.assertRefused(AccessError, "Only collections users"):
            call.with_user(self.seller)._dunning_move_due_dates(self.inv_a)
        with self.assertRefused(AccessError, "Only collections users"):
            call.with_user(self.seller).action_dunning_move_due_dates()
        self.assertEqual(self.inv_a.invoice_date_due, DUE)
        # the collector can, from the call
        action = call.with_user(self.collector).action_dunning_move_due_dates()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.collector)
            .with_context(action["context"])
            .create({})
        )
        self.assertEqual(wizard.move_ids, self.inv_a | self.inv_b)
        wizard.move_ids = self.inv_a
        wizard.action_confirm()
        self.assertEqual(self.inv_a.invoice_date_due, d("2026-03-17"))
        self.assertEqual(self.inv_b.invoice_date_due, d("2026-03-10"))


class TestCallCentreAgreement(CallcentreCase):
    def test_import_leaves_a_todo_that_opens_the_step(self):
        content, _wizard = self.export("xlsx")
        term_45 = self.env.ref("account.account_payment_term_45days")
        self.customer.property_payment_term_id = self.env.ref("account.account_payment_term_30days")
        self.import_file(
            self.fill(
                content,
                {
                    self.inv_1.name: {
                        "Outcome": "payment_term",
                        "Call Date": "19/03/2026",
                        "Payment Term Agreed": term_45.name,
                    }
                },
            )
        )
        call = self.calls().filtered(lambda c: c.outcome == "payment_term")
        # not moved automatically: the call centre cannot choose the invoices
        self.assertEqual(self.inv_1.invoice_date_due, DUE)
        activity = call.term_activity_id
        self.assertEqual(
            (activity.res_model, activity.res_id, activity.user_id, activity.activity_type_id),
            (
                "res.partner",
                self.customer.id,
                self.collector,
                self.env.ref("mail.mail_activity_data_todo"),
            ),
        )
        # in the collector's language (Dutch, the database's default)
        self.assertEqual(
            activity.summary, "Vervaldatums naar de afgesproken betalingstermijn verplaatsen?"
        )
        self.assertIn(f"#{call.id}", activity.note, "links to the call")
        action = call.with_user(self.collector).action_dunning_move_due_dates()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.collector)
            .with_context(action["context"])
            .create({})
        )
        self.assertEqual(wizard.move_ids, self.inv_1 | self.inv_2)
        wizard.move_ids = self.inv_1
        wizard.action_confirm()
        # invoiced on 31 January + 45 days
        self.assertEqual(self.inv_1.invoice_date_due, d("2026-03-17"))
        self.assertEqual(self.inv_2.invoice_date_due, d("2026-02-18"))
        self.customer.invalidate_recordset(["activity_ids"])
        self.assertNotIn(activity, self.customer.activity_ids, "the to-do is done")
