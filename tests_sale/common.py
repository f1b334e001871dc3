"""Base of the sale bridge suite: run by `make test` on a database where `sale_management` is
installed, so that smart_dunning_sale is installed automatically."""

from contextlib import nullcontext
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import freeze_time

from tests.common import DunningCase


class DunningSaleCase(DunningCase):
    test_tags = {"standard", "post_install", "smart_dunning_sale"}
    test_module = "smart_dunning_sale"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create(
            {"name": "Begeleiding", "type": "service", "list_price": 250.0}
        )
        cls.salesperson = cls.make_user(
            "verkoper", "sales_team.group_sale_salesman", name="Verkoper Vermeulen"
        )
        cls.manager = cls.make_user(
            "kredietbeheerder",
            "sales_team.group_sale_salesman_all_leads,smart_dunning.group_dunning_manager",
            name="Kredietbeheerder Claes",
        )

    @classmethod
    def make_quotation(cls, partner, user=None):
        return (
            cls.env["sale.order"]
            .with_user(user or cls.salesperson)
            .create(
                {
                    "partner_id": partner.id,
                    "order_line": [Command.create({"product_id": cls.product.id})],
                }
            )
        )

    def reach(self, invoice, level):
        """Run the dunning until ``invoice`` reaches ``level`` of its policy, sending each
        letter on the day of its run."""
        for step in invoice.dunning_policy_id.level_ids.sorted("sequence"):
            day = invoice.invoice_date_due + timedelta(days=step.delay_days)
            # A run cannot be dated after today: a later step is run on its own day.
            with freeze_time(day) if day > fields.Date.today() else nullcontext():
                letters = self.run_dunning(day).letter_ids
                letters.filtered(lambda ltr: ltr.state == "draft")._dunning_send(sent_date=day)
            if step == level:
                break
        self.assertEqual(invoice.dunning_level_id, level)
        return invoice
