"""Audit trail: what a court or an auditor may ask for is never deleted, and every change of
state of a letter, a dispute or a payment plan shows in its chatter."""

from datetime import timedelta

from psycopg2.errors import ForeignKeyViolation

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time
from odoo.tools import mute_logger

from .common import BelgianDunningCase, d

DUE = d("2026-03-02")  # B2B level 1 at +7 (9 March)
SENT = d("2026-03-09")
TRACKING = {
    "tracking_disable": False,
    "mail_notrack": False,
    "mail_create_nolog": False,
}


class TrailCase(BelgianDunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = cls.make_user("collector_trail", "smart_dunning.group_dunning_user")
        cls.manager = cls.make_user("manager_trail", "smart_dunning.group_dunning_manager")
        cls.reason = cls.env.ref("smart_dunning.dunning_dispute_reason_price_quantity")

    def letter_for(self, invoices, send=True):
        letter = self.run_dunning(SENT).letter_ids.filtered(
            lambda ltr: ltr.partner_id == invoices.commercial_partner_id
        )
        self.assertEqual(letter.move_ids, invoices)
        if send:
            letter._dunning_send(sent_date=SENT)
            self.assertEqual(letter.state, "sent")
        return letter

    def open_dispute(self, invoices, **vals):
        return self.env["dunning.dispute"].create(
            {
                "partner_id": invoices.commercial_partner_id.id,
                "move_ids": [Command.set(invoices.ids)],
                "reason_id": self.reason.id,
                **vals,
            }
        )

    def confirmed_plan(self, invoices):
        plan = self.env["dunning.plan"].create(
            {
                "partner_id": invoices.commercial_partner_id.id,
                "move_ids": [Command.set(invoices.ids)],
                "schedule_count": 2,
                "schedule_first_date": d("2026-04-10"),
            }
        )
        plan.action_generate_schedule()
        # confirmed in a later request: changes made in the creating one are not tracked
        self.env.cr.flush()
        with freeze_time("2026-03-16"):
            plan.action_confirm()
        self.assertEqual(plan.state, "active")
        return plan

    def delete_invoice(self, invoice):
        invoice.button_draft()
        # force_delete: past Odoo's own check on the sequence chain, to reach ours
        invoice.with_context(force_delete=True).unlink()

    def tracked(self, record, field):
        """(old, new) of each tracked change of ``field`` in the chatter, oldest first."""
        values = record.sudo().message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == field
        )
        return [
            (
                t.old_value_char or t.old_value_datetime or t.old_value_integer or False,
                t.new_value_char or t.new_value_datetime or t.new_value_integer or False,
            )
            for t in values.sorted("id")
        ]


class TestSentLetterIsKept(TrailCase):
    def test_nobody_deletes_a_sent_letter_its_lines_or_its_fees(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        letter = self.letter_for(invoice)
        fees = letter.fee_line_ids
        self.assertTrue(fees, "a Belgian business letter claims interest and recovery costs")
        amount_total = letter.amount_total
        for user in (self.manager, self.env.ref("base.user_root")):
            with self.assertRefused(UserError, f"Letter {letter.name} went out"):
                letter.with_user(user).unlink()
        with self.assertRefused(UserError, "invoices it listed are kept"):
            letter.line_ids.with_user(self.collector).unlink()
        with self.assertRefused(UserError, "fees and interest it claimed are kept"):
            fees.with_user(self.collector).unlink()
        with self.assertRefused(UserError, "fees and interest it claimed are kept"):
            fees.sudo().unlink()
        # the invoice keeps its level: the next run does not send this level again
        self.assertEqual(letter.state, "sent")
        self.assertEqual(letter.move_ids, invoice)
        self.assertEqual(letter.fee_line_ids, fees)
        self.assertEqual(letter.amount_total, amount_total)
        self.assertEqual(invoice.dunning_level_id, self.b2b_levels[0])
        self.assertFalse(self.run_dunning(d("2026-03-10")).letter_ids)

    def test_a_letter_that_went_out_and_was_cancelled_is_kept(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        letter = self.letter_for(invoice)
        self.assertTrue(letter.was_sent)
        # as when the e-mail bounced: the letter comes back for approval, then is cancelled
        letter.write({"state": "to_approve", "approval_reason": "mail_failed"})
        with self.assertRefused(UserError, "went out"):
            letter.unlink()
        letter.with_user(self.collector).action_cancel()
        self.assertEqual(letter.state, "cancel")
        self.assertTrue(letter.was_sent)
        with self.assertRefused(UserError, "went out"):
            letter.unlink()
        with self.assertRefused(UserError, "invoices it listed are kept"):
            letter.line_ids.unlink()
        with self.assertRefused(UserError, "fees and interest it claimed are kept"):
            letter.fee_line_ids.unlink()
        self.assertEqual(letter.move_ids, invoice)

    def test_letters_still_to_send_may_be_cancelled_or_deleted_by_a_manager(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        letter = self.letter_for(invoice, send=False)
        self.assertFalse(letter.was_sent)
        with self.assertRaises(AccessError):
            letter.with_user(self.collector).unlink()
        letter.with_user(self.collector).action_cancel()
        letter.with_user(self.manager).unlink()
        self.assertFalse(letter.exists())
        self.assertFalse(invoice.dunning_level_id)

    def test_an_invoice_paid_before_sending_still_leaves_its_letter(self):
        paid = self.make_invoice(self.customer, 100.0, DUE)
        still_open = self.make_invoice(self.customer, 70.0, DUE)
        letter = self.letter_for(paid | still_open, send=False)
        self.pay(paid, 100.0, SENT)
        letter.with_user(self.collector)._dunning_send(sent_date=SENT)
        self.assertEqual(letter.state, "sent")
        self.assertEqual(letter.move_ids, still_open)
        self.assertEqual(letter.amount_due, 70.0)


class TestInvoiceWithEvidenceIsKept(TrailCase):
    def test_invoice_of_a_sent_letter_cannot_be_deleted(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        letter = self.letter_for(invoice)
        amounts = (letter.amount_due, letter.amount_total)
        with self.assertRefused(UserError, f"{invoice.name} cannot be deleted: {letter.name}"):
            self.delete_invoice(invoice)
        self.assertTrue(invoice.exists())
        self.assertEqual(letter.move_ids, invoice)
        self.assertEqual(set(letter.fee_line_ids.move_id.ids), {invoice.id})
        self.assertEqual((letter.amount_due, letter.amount_total), amounts)

    def test_the_database_refuses_it_too(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        letter = self.letter_for(invoice)
        self.env.flush_all()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaisesRegex(ForeignKeyViolation, "dunning_letter_(line|fee)"),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute("DELETE FROM account_move WHERE id = %s", [invoice.id])
        self.assertTrue(letter.line_ids.exists())

    def test_credit_note_deducted_by_a_sent_letter_cannot_be_deleted(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        credit = self.make_invoice(self.customer, 200.0, DUE, move_type="out_refund")
        letter = self.letter_for(invoice)
        self.assertEqual(letter.credit_move_ids, credit)
        with self.assertRefused(UserError, f"{credit.name} cannot be deleted"):
            self.delete_invoice(credit)
        self.assertEqual(letter.credit_move_ids, credit)
        self.assertEqual(letter.amount_due, 800.0)

    def test_fee_invoice_of_a_sent_letter_cannot_be_deleted(self):
        self.policy_b2b.write(
            {
                "invoice_fees": True,
                "fee_product_id": self.env["product.product"]
                .create({"name": "Invorderingskosten", "type": "service"})
                .id,
                "fee_account_id": self.company_data["default_account_revenue"].id,
            }
        )
        letter = self.letter_for(self.make_invoice(self.customer, 1000.0, DUE))
        fee_invoice = letter.fee_move_id
        self.assertTrue(fee_invoice)
        with self.assertRefused(UserError, f"{fee_invoice.name} cannot be deleted"):
            self.delete_invoice(fee_invoice)
        self.assertEqual(letter.fee_move_id, fee_invoice)

    def test_invoice_of_a_letter_still_to_send_leaves_it(self):
        gone = self.make_invoice(self.customer, 100.0, DUE)
        kept = self.make_invoice(self.customer, 70.0, DUE)
        letter = self.letter_for(gone | kept, send=False)
        self.delete_invoice(gone)
        self.assertFalse(gone.exists())
        self.assertEqual(letter.move_ids, kept)
        self.assertEqual(letter.amount_due, 70.0)
        self.assertEqual(set(letter.fee_line_ids.move_id.ids), {kept.id})

    def test_invoice_in_a_dispute_cannot_be_deleted_even_once_cancelled(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        dispute = self.open_dispute(invoice)
        dispute.action_cancel()
        with self.assertRefused(UserError, f"{invoice.name} cannot be deleted: {dispute.name}"):
            self.delete_invoice(invoice)
        self.assertEqual(dispute.move_ids, invoice)

    def test_credit_note_settling_a_dispute_cannot_be_deleted(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        credit = self.make_invoice(self.customer, 1000.0, DUE, move_type="out_refund")
        dispute = self.open_dispute(invoice, credit_note_ids=[Command.set(credit.ids)])
        with self.assertRefused(UserError, f"{credit.name} cannot be deleted: {dispute.name}"):
            self.delete_invoice(credit)
        self.assertEqual(dispute.credit_note_ids, credit)

    def test_invoice_of_a_confirmed_plan_cannot_be_deleted_of_a_draft_one_can(self):
        invoice = self.make_invoice(self.customer, 300.0, DUE)
        plan = self.confirmed_plan(invoice)
        with self.assertRefused(UserError, f"{invoice.name} cannot be deleted: {plan.name}"):
            self.delete_invoice(invoice)
        self.assertEqual(plan.move_ids, invoice)

        other = self.make_invoice(self.make_partner("Bakkerij Peeters BV"), 100.0, DUE)
        draft = self.env["dunning.plan"].create(
            {"partner_id": other.commercial_partner_id.id, "move_ids": [Command.set(other.ids)]}
        )
        self.delete_invoice(other)
        self.assertFalse(other.exists())
        self.assertFalse(draft.move_ids)


class TestAgreementsAreKept(TrailCase):
    def test_disputes_are_cancelled_never_deleted(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        dispute = self.open_dispute(invoice).with_user(self.collector)
        dispute.note_ids = [Command.create({"note": "Klant belt terug"})]
        with self.assertRefused(UserError, f"{dispute.name} is kept .* cancel it instead"):
            dispute.unlink()
        with self.assertRefused(UserError, "mediation log .* cannot be deleted"):
            dispute.note_ids.unlink()
        dispute.action_cancel()
        for user in (self.collector, self.manager, self.env.ref("base.user_root")):
            with self.assertRefused(UserError, "cancel it instead"):
                dispute.with_user(user).unlink()
        self.assertEqual(dispute.state, "cancelled")
        self.assertEqual(len(dispute.note_ids), 1)
        self.assertEqual(invoice.dunning_dispute_ids, dispute)

    def test_calls_are_kept(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        call = (
            self.env["dunning.call"]
            .with_user(self.collector)
            ._dunning_log_calls(
                [
                    {
                        "partner": self.customer,
                        "moves": invoice,
                        "outcome": "reached",
                        "note": "Betaalt volgende week",
                    }
                ]
            )
        )
        for user in (self.collector, self.manager, self.env.ref("base.user_root")):
            with self.assertRefused(UserError, "kept as evidence .* Log a new call"):
                call.with_user(user).unlink()
        with self.assertRefused(UserError, f"{invoice.name} cannot be deleted: .*Reached"):
            self.delete_invoice(invoice)
        self.assertTrue(call.exists())
        self.assertEqual(call.move_ids, invoice)

    def test_confirmed_plans_are_kept_drafts_may_go(self):
        invoice = self.make_invoice(self.customer, 300.0, DUE)
        plan = self.confirmed_plan(invoice)
        with self.assertRefused(UserError, f"Plan {plan.name} is confirmed: it is kept"):
            plan.with_user(self.collector).unlink()
        self.assertTrue(plan.exists())
        draft = self.env["dunning.plan"].create(
            {"partner_id": self.customer.id, "move_ids": [Command.set(invoice.ids)]}
        )
        draft.with_user(self.collector).unlink()
        self.assertFalse(draft.exists())


class TestStateChangesAreTracked(TrailCase):
    def setUp(self):
        super().setUp()
        self.env = self.env(context=dict(self.env.context, **TRACKING))

    def flush_tracking(self):
        self.env.cr.flush()  # tracking messages are written at commit time
        self.env.invalidate_all()

    def test_letter_sent_shows_its_state_change_and_date(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        self.b2b_levels[0].needs_approval = True
        letter = self.letter_for(invoice, send=False)
        self.flush_tracking()
        self.assertEqual(self.tracked(letter, "state"), [], "inserted by the run: no message")
        letter.with_user(self.collector).action_approve()
        self.flush_tracking()
        with freeze_time(SENT):  # the claim is the one of the day the letter leaves
            letter.with_user(self.collector).action_send()
        self.flush_tracking()
        self.assertEqual(
            self.tracked(letter, "state"), [("To approve", "To send"), ("To send", "Sent")]
        )
        self.assertEqual(self.tracked(letter, "sent_date")[-1][1].date(), SENT)
        letter.write({"state": "to_approve", "approval_reason": "mail_failed"})
        self.flush_tracking()
        self.assertEqual(self.tracked(letter, "state")[-1], ("Sent", "To approve"))
        self.assertEqual(
            self.tracked(letter, "approval_reason")[-1],
            ("Level needs approval", "E-mail not delivered"),
        )

    def test_dispute_resolved_shows_old_and_new_state(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        dispute = self.open_dispute(invoice)
        self.flush_tracking()
        dispute = dispute.with_user(self.collector)
        dispute.action_mediation()
        self.flush_tracking()
        dispute.write({"resolution": "customer_pays", "date_deadline": d("2026-04-01")})
        with freeze_time("2026-03-20"):
            dispute.action_resolve()
        self.flush_tracking()
        self.assertEqual(
            self.tracked(dispute, "state"),
            [("Open", "In mediation"), ("In mediation", "Resolved")],
        )
        self.assertEqual(self.tracked(dispute, "resolution"), [(False, "Customer pays")])
        self.assertEqual(self.tracked(dispute, "date_resolved")[-1][1].date(), d("2026-03-20"))
        self.assertEqual(self.tracked(dispute, "date_deadline")[-1][1].date(), d("2026-04-01"))

    def test_plan_confirmed_and_broken_shows_each_state(self):
        invoice = self.make_invoice(self.customer, 300.0, DUE)
        plan = self.confirmed_plan(invoice)
        self.flush_tracking()
        with freeze_time("2026-04-20"):
            self.env["dunning.plan"]._cron_check_breaches()
        self.flush_tracking()
        self.assertEqual(plan.state, "broken")
        # The breach is the daily job's: it writes in the company's language (Dutch here).
        Plan = self.env["dunning.plan"].with_context(lang=self.company.partner_id.lang)
        dutch = dict(Plan._fields["state"]._description_selection(Plan.env))
        self.assertEqual(dutch["broken"], "Niet nagekomen")
        self.assertEqual(
            self.tracked(plan, "state"),
            [("Draft", "Active"), (dutch["active"], dutch["broken"])],
        )
        self.assertEqual(self.tracked(plan, "date_confirmed")[-1][1].date(), d("2026-03-16"))
        self.assertEqual(self.tracked(plan, "date_broken")[-1][1].date(), d("2026-04-15"))

    def test_hand_over_shows_on_the_invoice(self):
        # The hand-over is written through write(): tracking and other modules' overrides
        # see it, and it is not taken for the user's own edit of the invoice.
        self.policy_b2b.bailiff_id = self.make_partner("Gerechtsdeurwaarder Janssens")
        invoice = self.make_invoice(self.customer, 1000.0, DUE)
        for level in self.b2b_levels:
            day = DUE + timedelta(days=level.delay_days)
            with freeze_time(day):
                letters = self.run_dunning(day).letter_ids
                letters.filtered(lambda ltr: ltr.state == "draft")._dunning_send(sent_date=day)
        self.assertEqual(letters.state, "to_approve", "the hand-over waits for approval")
        self.flush_tracking()
        manually_modified = invoice.is_manually_modified
        with freeze_time(day):
            letters.with_user(self.collector).action_send()
        self.flush_tracking()
        self.assertEqual(invoice.dunning_judicial_route, "bailiff")
        self.assertEqual(self.tracked(invoice, "dunning_judicial"), [(False, 1)])
        self.assertEqual(invoice.is_manually_modified, manually_modified)
