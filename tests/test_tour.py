"""In a real browser: a collector works the call worklist."""

from datetime import date, timedelta

from odoo import fields
from odoo.tests import HttpCase

from .common import DunningCase


class TestWorklistTour(DunningCase, HttpCase):
    def test_collector_logs_a_promise_and_the_invoice_leaves_the_worklist(self):
        # The browser runs in real time: dates count back from today.
        today = fields.Date.context_today(self.env.user)
        collector = self.make_user(
            "tour_collector",
            "base.group_user,smart_dunning.group_dunning_user",
            name="Tess Tour",
            lang="en_US",
        )
        brewery = self.make_partner("Tour Brewery", dunning_user_id=collector.id)
        bakery = self.make_partner("Tour Bakery", dunning_user_id=collector.id)
        invoice = self.make_invoice(brewery, 1000.0, today - timedelta(days=40))
        self.make_invoice(bakery, 300.0, today - timedelta(days=20))

        self.start_tour("/odoo", "smart_dunning_worklist_promise", login="tour_collector")

        call = self.env["dunning.call"].search([("partner_id", "=", brewery.id)])
        self.assertEqual(
            (call.outcome, call.user_id, call.move_ids, call.note),
            ("promise", collector, invoice, "The accountant pays before the end of the year"),
        )
        self.assertEqual(
            call.reason_id, self.env.ref("smart_dunning.dunning_call_reason_cash_flow")
        )
        self.assertEqual(call.plan_id.state, "active")
        self.assertEqual(call.plan_id.line_ids.date_due, date(2099, 12, 31))
        self.assertEqual(invoice.dunning_plan_id, call.plan_id)
