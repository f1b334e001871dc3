"""Collectors assigned by the company's rules when a customer reaches its first level without
one, else by workload; and each collector's workload."""

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time

from .common import DunningCase, d

DUE = d("2026-03-02")
RUN_DAY = d("2026-03-09")  # the first business level, 7 days after the due date


class AssignmentCase(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "base.group_user,smart_dunning.group_dunning_user"
        cls.ann = cls.make_user("as_ann", groups, name="Ann French")
        cls.bob = cls.make_user("as_bob", groups, name="Bob Big")
        cls.cas = cls.make_user("as_cas", groups, name="Cas Busy")
        cls.dee = cls.make_user("as_dee", groups, name="Dee Free")
        cls.seller = cls.make_user("as_seller", "base.group_user", name="Sam Seller")
        cls.company.dunning_collector_ids = cls.cas | cls.dee
        Rule = cls.env["dunning.assignment.rule"]
        cls.rule_fr = Rule.create({"sequence": 1, "lang": "fr_BE", "user_id": cls.ann.id})
        cls.rule_big = Rule.create({"sequence": 2, "amount_min": 5000, "user_id": cls.bob.id})
        # Cas already follows two customers, Dee none
        for name in ("Old One", "Old Two"):
            cls.make_partner(name, dunning_user_id=cls.cas.id)


class TestAssignment(AssignmentCase):
    def test_rules_then_the_least_busy_collector(self):
        garage = self.make_partner("Garage Lambert", lang="fr_BE")
        big = self.make_partner("Bouwbedrijf Groot", lang="nl_BE")
        small_1 = self.make_partner("Kapper Klein", lang="nl_BE")
        small_2 = self.make_partner("Bakker Klein", lang="nl_BE")
        followed = self.make_partner("Already Followed", lang="fr_BE", dunning_user_id=self.cas.id)
        for partner, amount in (
            (garage, 9000.0),  # French first: rule 1 before the amount rule
            (big, 9000.0),
            (small_1, 300.0),
            (small_2, 200.0),
            (followed, 400.0),
        ):
            self.make_invoice(partner, amount, DUE)
        not_yet = self.make_partner("Not Yet Late", lang="nl_BE")
        self.make_invoice(not_yet, 100.0, d("2026-03-08"))
        with freeze_time(RUN_DAY):
            run = self.run_dunning(RUN_DAY)
        self.assertEqual(
            [
                garage.dunning_user_id,
                big.dunning_user_id,
                small_1.dunning_user_id,
                small_2.dunning_user_id,
                followed.dunning_user_id,
            ],
            # Dee has no customer: the larger debt first goes to her, then Dee (1) and
            # Cas (2) -> Dee again
            [self.ann, self.bob, self.dee, self.dee, self.cas],
        )
        self.assertFalse(not_yet.dunning_user_id, "no level reached: nobody assigned")
        letter = run.letter_ids.filtered(lambda ltr: ltr.partner_id == garage)
        self.assertEqual(letter.user_id, self.ann, "the letter carries the new collector")

    def test_by_salesperson_and_kind_and_amount_band(self):
        self.rule_fr.active = False
        self.rule_big.active = False
        Rule = self.env["dunning.assignment.rule"]
        Rule.create(
            {
                "sequence": 5,
                "salesperson_ids": [Command.set(self.seller.ids)],
                "user_id": self.bob.id,
            }
        )
        Rule.create(
            {
                "sequence": 6,
                "customer_kind": "b2c",
                "amount_min": 100,
                "amount_max": 1000,
                "user_id": self.ann.id,
            }
        )
        sold = self.make_partner("Sold By Sam", user_id=self.seller.id)
        person = self.make_partner("Jan Janssens", is_company=False)
        rich = self.make_partner("Piet Rijk", is_company=False)
        for partner, amount in ((sold, 200.0), (person, 500.0), (rich, 1000.0)):
            self.make_invoice(partner, amount, DUE)
        self.assertEqual(person.dunning_customer_kind, "b2c")
        with freeze_time("2026-03-20"):
            self.run_dunning(d("2026-03-20"))
        self.assertEqual(sold.dunning_user_id, self.bob)
        self.assertEqual(person.dunning_user_id, self.ann)
        self.assertEqual(rich.dunning_user_id, self.dee, "1,000 is not below 1,000")

    def test_a_band_upside_down_is_refused(self):
        with self.assertRefused(ValidationError, "upper amount must be above"):
            self.env["dunning.assignment.rule"].create(
                {"amount_min": 500, "amount_max": 100, "user_id": self.ann.id}
            )

    def test_who_may_change_the_rules(self):
        self.assertTrue(self.env["dunning.assignment.rule"].with_user(self.ann).search([]))
        with self.assertRefused(AccessError, "not allowed to modify"):
            self.rule_fr.with_user(self.ann).user_id = self.bob
        with self.assertRefused(AccessError, "not allowed to access"):
            self.env["dunning.assignment.rule"].with_user(self.seller).search([])


class TestWorkload(AssignmentCase):
    def test_each_collectors_figures(self):
        late = self.make_partner("Laat BV", dunning_user_id=self.dee.id)
        inv_1 = self.make_invoice(late, 1000.0, DUE)
        inv_2 = self.make_invoice(late, 500.0, DUE)
        self.make_invoice(late, 250.0, d("2026-04-30"))  # not due yet: owed, not to call
        other = self.make_partner("Ander BV", dunning_user_id=self.dee.id)
        inv_3 = self.make_invoice(other, 300.0, DUE)
        with freeze_time("2026-03-20"):
            self.env["dunning.plan.promise"].create(
                {
                    "partner_id": other.id,
                    "move_ids": [Command.set(inv_3.ids)],
                    "date_due": d("2026-03-25"),
                }
            ).action_confirm()
            self.env["dunning.dispute"].create(
                {
                    "partner_id": late.id,
                    "move_ids": [Command.set(inv_2.ids)],
                    "reason_id": self.env.ref(
                        "smart_dunning.dunning_dispute_reason_not_received"
                    ).id,
                }
            )
        Workload = self.env["dunning.collector.workload"].with_user(self.dee)

        def figures(on_date):
            with freeze_time(on_date):
                Workload.invalidate_model()
                row = Workload.search([("user_id", "=", self.dee.id)])
                return (
                    row.customer_count,
                    row.amount_due,
                    row.call_count,
                    row.promise_count,
                    row.dispute_count,
                )

        # 20 March: Laat BV is to call about inv_1 (inv_2 is disputed), Ander BV promised
        self.assertEqual(figures("2026-03-20"), (2, 2050.0, 1, 0, 1))
        self.assertEqual(figures("2026-03-26"), (2, 2050.0, 1, 1, 1), "the promise is due")
        self.assertEqual(inv_1.amount_residual, 1000.0)
        cas = Workload.search([("user_id", "=", self.cas.id)])
        self.assertEqual((cas.customer_count, cas.amount_due), (2, 0.0))

    def test_salespeople_do_not_see_it(self):
        with self.assertRefused(AccessError, "not allowed to access"):
            self.env["dunning.collector.workload"].with_user(self.seller).search([])
