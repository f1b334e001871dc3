"""New customers are their salesperson's to call first: on "My Customers to Call", not on the
collectors' worklist nor in the call-centre file, until the salesperson logged a call or the
new-customer period ends."""

from odoo.exceptions import UserError
from odoo.tests import freeze_time
from odoo.tools.safe_eval import safe_eval

from .common import d
from .test_worklist import DUE, TODAY, WorklistCase


class TestNewCustomersCalledBySalesperson(WorklistCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.dunning_new_customer_days = 90
        # first invoice on 31 January: 48 days old on TODAY, a new customer
        cls.customer.user_id = cls.seller
        cls.invoice = cls.make_invoice(cls.customer, 1000.0, DUE)
        cls.regular = cls.make_partner(
            "Bakkerij Peeters", user_id=cls.seller.id, dunning_user_id=cls.collector.id
        )
        cls.make_invoice(cls.regular, 50.0, d("2025-10-01"), invoice_date=d("2025-09-01"))
        cls.make_invoice(cls.regular, 400.0, DUE)

    def listed(self, action, user, on_date=TODAY):
        """The customers an action shows to ``user`` that day (its domain, no filter)."""
        action = self.env.ref(action)
        domain = safe_eval(action.domain or "[]", {"uid": user.id})
        return set(self.rows(on_date, domain=domain, user=user))

    def collectors_list(self, on_date=TODAY):
        return self.listed("smart_dunning.dunning_worklist_action", self.collector, on_date)

    def sellers_list(self, on_date=TODAY):
        return self.listed(
            "smart_dunning.dunning_worklist_action_salesperson", self.seller, on_date
        )

    def test_the_salesperson_calls_a_new_customer_first(self):
        self.assertEqual(self.sellers_list(), {self.customer})
        self.assertEqual(self.collectors_list(), {self.regular})
        # a collector's call does not take the salesperson's turn
        self.log_call(self.customer, "no_answer", user=self.collector)
        self.assertEqual(self.sellers_list(), {self.customer})
        self.log_call(self.customer, "reached", user=self.seller, note="Invoice was lost")
        self.assertEqual(self.sellers_list(), set())
        self.assertEqual(self.collectors_list(), {self.customer, self.regular})

    def test_the_period_ends(self):
        # 2026-05-01: the first invoice (31 January) is 90 days old
        self.assertEqual(self.sellers_list("2026-04-30"), {self.customer})
        self.assertEqual(self.sellers_list("2026-05-01"), set())
        self.assertIn(self.customer, self.collectors_list("2026-05-01"))

    def test_only_where_a_level_asks_the_salesperson_and_there_is_one(self):
        self.env["dunning.level"].search([]).ask_salesperson_new_customer = False
        self.assertIn(self.customer, self.collectors_list())
        self.env["dunning.level"].search([]).ask_salesperson_new_customer = True
        self.customer.user_id = False
        self.assertIn(self.customer, self.collectors_list(), "no salesperson to call first")

    def test_not_in_the_call_centre_file(self):
        with freeze_time(TODAY):
            wizard = (
                self.env["dunning.callcentre.export"]
                .with_user(self.collector)
                .create({"file_format": "csv", "partner_ids": [(6, 0, self.customer.ids)]})
            )
            with self.assertRefused(UserError, "Nobody to call"):
                wizard.action_export()
            wizard.partner_ids = self.customer | self.regular
            headers, rows = wizard._export_table()
        self.assertEqual({row[1] for row in rows}, {"Bakkerij Peeters"})

    def test_a_salesperson_sees_only_their_own_new_customers(self):
        other_seller = self.make_user("seller2", "base.group_user", name="Olga Other")
        self.assertEqual(
            self.listed("smart_dunning.dunning_worklist_action_salesperson", other_seller),
            set(),
        )
        menu = self.env.ref("smart_dunning.menu_my_customers_to_call")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.seller)._visible_menu_ids())
