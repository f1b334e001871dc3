"""Disputes with a clock: a deadline from their reason, an activity past it, and the
salesperson told when their customer disputes an invoice."""

from odoo.tests import freeze_time

from .common import d
from .test_disputes import DUE, DisputeCase


class TestDisputeClock(DisputeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = cls.make_user(
            "clock_collector", "base.group_user,smart_dunning.group_dunning_user", name="Carl Clock"
        )
        cls.manager = cls.make_user(
            "clock_manager",
            "base.group_user,smart_dunning.group_dunning_manager",
            name="Mia Manager",
        )
        cls.seller = cls.make_user("clock_seller", "base.group_user", name="Sam Seller")
        cls.customer.user_id = cls.seller
        cls.reason_price.deadline_days = 14
        cls.invoice = cls.make_invoice(cls.customer, 600.0, DUE)
        cls.overdue_type = cls.env.ref("smart_dunning.mail_activity_type_dispute_overdue")

    def test_deadline_from_the_reason_and_the_salesperson_told(self):
        with freeze_time("2026-03-10"):
            dispute = (
                self.env["dunning.dispute"]
                .with_user(self.collector)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [(6, 0, self.invoice.ids)],
                        "reason_id": self.reason_price.id,
                        "description": "Ordered 10, got 8",
                    }
                )
                .with_env(self.env)
            )
        self.assertEqual(dispute.date_deadline, d("2026-03-24"))
        todo = dispute.activity_ids
        self.assertEqual(todo.user_id, self.seller)
        self.assertIn("betwist", todo.summary, "in the salesperson's language, Dutch")
        self.assertIn(self.invoice.name, todo.summary)
        # a deadline chosen by hand stays
        with freeze_time("2026-03-10"):
            other = self.open_dispute(
                self.make_invoice(self.customer, 50.0, DUE), date_deadline=d("2026-04-30")
            )
        self.assertEqual(other.date_deadline, d("2026-04-30"))

    def test_the_salesperson_who_opens_it_gets_no_activity_for_themselves(self):
        with freeze_time("2026-03-10"):
            dispute = (
                self.env["dunning.dispute"]
                .with_user(self.seller)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [(6, 0, self.invoice.ids)],
                        "reason_id": self.reason_price.id,
                    }
                )
            )
        self.assertFalse(dispute.sudo().activity_ids)

    def test_past_its_deadline_the_owner_and_the_managers_act_once(self):
        with freeze_time("2026-03-10"):
            dispute = self.open_dispute(self.invoice, user_id=self.collector.id)
        dispute.activity_ids.unlink()  # the salesperson's
        Dispute = self.env["dunning.dispute"]
        with freeze_time("2026-03-24"):
            Dispute._cron_overdue_activities()
            self.assertFalse(dispute.activity_ids, "on its deadline: not overdue yet")
            self.assertFalse(Dispute.search([("is_overdue", "=", True)]))
        with freeze_time("2026-03-25"):
            Dispute._cron_overdue_activities()
            overdue = dispute.activity_ids.filtered(
                lambda a: a.activity_type_id == self.overdue_type
            )
            self.assertIn(self.collector, overdue.user_id)
            self.assertIn(self.manager, overdue.user_id)
            self.assertEqual(len(overdue), len(overdue.user_id), "one each")
            Dispute._cron_overdue_activities()
            self.assertEqual(len(dispute.activity_ids), len(overdue), "none twice")
            self.assertEqual(Dispute.search([("is_overdue", "=", True)]), dispute)
            self.assertEqual(
                Dispute.search([("is_overdue", "=", False), ("id", "=", dispute.id)]),
                Dispute,
            )
            dispute.action_cancel()
            self.assertFalse(Dispute.search([("is_overdue", "=", True)]), "closed: not overdue")

    def test_a_reason_without_days_sets_no_deadline(self):
        self.reason_price.deadline_days = 0
        with freeze_time("2026-03-10"):
            dispute = self.open_dispute(self.invoice)
        self.assertFalse(dispute.date_deadline)
        with freeze_time("2027-01-01"):
            self.env["dunning.dispute"]._cron_overdue_activities()
        self.assertFalse(
            dispute.activity_ids.filtered(lambda a: a.activity_type_id == self.overdue_type)
        )
