"""Credit hold: the levels from which a customer's new sales are held, and the policy switch
that blocks them (the sale bridge, smart_dunning_sale, acts on both)."""

from .common import DunningCase


class TestCreditHoldLevels(DunningCase):
    def test_shipped_levels_hold_from_the_formal_notice_on(self):
        for policy in (self.policy_b2b, self.policy_b2c):
            levels = policy.level_ids.sorted("sequence")
            self.assertEqual(
                [(level.channel, level.credit_hold) for level in levels],
                [("email", False), ("email", False), ("letter", True), ("judicial", True)],
                policy.name,
            )
            self.assertFalse(policy.credit_hold_block, "shipped policies only warn")

    def test_a_new_company_gets_the_same_levels(self):
        company = self.env["res.company"].create({"name": "Filiaal Luik"})
        levels = company.dunning_policy_b2b_id.level_ids.sorted("sequence")
        self.assertEqual(levels.mapped("credit_hold"), [False, False, True, True])
