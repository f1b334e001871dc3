"""Activities speak their assignee's language: the jobs of a Flemish company write Dutch in
the chatter, but its French-speaking collector reads the activities the jobs give them in
French."""

from odoo.tests import freeze_time

from .common import d
from .test_disputes import DUE, DisputeCase


class TestActivityLanguage(DisputeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("nl_BE", "fr_BE"):
            cls.env["res.lang"]._activate_lang(lang)
        cls.company.partner_id.lang = "nl_BE"
        groups = "base.group_user,smart_dunning.group_dunning_user"
        cls.collector_fr = cls.make_user("lang_collector_fr", groups, lang="fr_BE")
        cls.collector_nl = cls.make_user("lang_collector_nl", groups, lang="nl_BE")
        cls.seller_fr = cls.make_user("lang_seller_fr", "base.group_user", lang="fr_BE")
        cls.garage = cls.make_partner("Garage Dupont", lang="fr_BE")
        cls.garage.dunning_user_id = cls.collector_fr
        cls.customer.dunning_user_id = cls.collector_nl
        cls.reason_price.deadline_days = 14

    def plan(self, invoice):
        plan = self.env["dunning.plan"].create(
            {
                "partner_id": invoice.partner_id.id,
                "move_ids": [(6, 0, invoice.ids)],
                "schedule_count": 1,
                "schedule_first_date": d("2026-04-10"),
            }
        )
        plan.action_generate_schedule()
        with freeze_time("2026-03-16"):
            plan.action_confirm()
        return plan

    def test_broken_plan_activity_in_the_collectors_language_chatter_in_the_companys(self):
        french = self.plan(self.make_invoice(self.garage, 100.0, DUE))
        dutch = self.plan(self.make_invoice(self.customer, 100.0, DUE))
        with freeze_time("2026-04-15"):
            self.env["dunning.plan"]._cron_check_breaches()
        self.assertEqual((french.state, dutch.state), ("broken", "broken"))

        self.assertEqual(french.activity_ids.user_id, self.collector_fr)
        self.assertEqual(
            french.activity_ids.summary, "Plan de paiement rompu : appelez Garage Dupont"
        )
        self.assertIn("du 10/04/2026 est toujours impayée", str(french.activity_ids.note))
        self.assertIn("Les rappels pour", str(french.activity_ids.note))

        self.assertEqual(dutch.activity_ids.user_id, self.collector_nl)
        self.assertEqual(
            dutch.activity_ids.summary, "Afbetalingsplan niet nagekomen: bel Brouwerij De Kroon"
        )
        self.assertIn("op 10/04/2026 is nog niet betaald", str(dutch.activity_ids.note))

        # the invoice's chatter, read by everyone, stays in the company's language
        for plan in french | dutch:
            self.assertTrue(
                plan.move_ids.message_ids.filtered(
                    lambda m, p=plan: f"Afbetalingsplan {p.name} niet nagekomen" in (m.body or "")
                ),
                plan.partner_id.name,
            )

    def test_overdue_dispute_activity_in_each_assignees_language(self):
        with freeze_time("2026-03-10"):
            french = self.open_dispute(
                self.make_invoice(self.garage, 600.0, DUE), user_id=self.collector_fr.id
            )
            dutch = self.open_dispute(
                self.make_invoice(self.customer, 600.0, DUE), user_id=self.collector_nl.id
            )
        kind = self.env.ref("smart_dunning.mail_activity_type_dispute_overdue")
        with freeze_time("2026-03-25"):
            self.env["dunning.dispute"]._cron_overdue_activities()

        def overdue(dispute, user):
            return dispute.activity_ids.filtered(
                lambda a: a.activity_type_id == kind and a.user_id == user
            )

        self.assertEqual(
            overdue(french, self.collector_fr).summary,
            "Contestation au-delà de son échéance du 24/03/2026",
        )
        self.assertEqual(
            overdue(dutch, self.collector_nl).summary,
            "Geschil voorbij de uiterste datum van 24/03/2026",
        )

    def test_salesperson_told_of_a_dispute_in_their_language(self):
        self.garage.user_id = self.seller_fr
        invoice = self.make_invoice(self.garage, 600.0, DUE)
        with freeze_time("2026-03-10"):
            dispute = self.open_dispute(invoice)
        todo = dispute.activity_ids
        self.assertEqual(todo.user_id, self.seller_fr)
        self.assertEqual(
            todo.summary,
            f"Garage Dupont conteste {invoice.name} : Désaccord sur le prix ou la quantité",
        )
