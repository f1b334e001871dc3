"""The addon installs without and with demo data, with its groups, policies, cron and rules."""

import os
from contextlib import contextmanager
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tools import config

from .common import DunningCase

DEMO_DB = os.environ.get("SMART_DUNNING_DEMO_DB", "smart_dunning_test_demo")


class TestInstall(DunningCase):
    def test_installed_without_demo_data(self):
        module = self.env["ir.module.module"].search([("name", "=", "smart_dunning")])
        self.assertEqual(module.state, "installed")
        self.assertFalse(module.demo, "the test database is built without demo data")
        self.assertFalse(self.env.ref("smart_dunning.demo_company", raise_if_not_found=False))

    def test_groups(self):
        user = self.env.ref("smart_dunning.group_dunning_user")
        manager = self.env.ref("smart_dunning.group_dunning_manager")
        self.assertIn(user, manager.implied_ids)
        self.assertEqual(manager.privilege_id.name, "Collections")
        self.assertIn(self.env.ref("base.user_admin"), manager.all_user_ids)
        self.assertIn(self.env.ref("account.group_account_invoice"), user.implied_ids)

    def test_shipped_policies_have_four_levels_in_three_languages(self):
        main = self.env.ref("base.main_company").sudo()
        expected = {
            "en_US": [
                "Friendly reminder",
                "Second reminder",
                "Formal notice",
                "Judicial hand-over",
            ],
            "nl_BE": [
                "Herinnering",
                "Aanmaning",
                "Ingebrekestelling",
                "Gerechtelijke invordering",
            ],
            "fr_BE": [
                "Rappel",
                "Second rappel",
                "Mise en demeure",
                "Recouvrement judiciaire",
            ],
        }
        for policy, kind in (
            (main.dunning_policy_b2b_id, "b2b"),
            (main.dunning_policy_b2c_id, "b2c"),
        ):
            self.assertEqual(policy.customer_kind, kind)
            for lang, names in expected.items():
                levels = policy.with_context(lang=lang).level_ids.sorted("sequence")
                self.assertEqual(levels.mapped("name"), names, f"{kind} {lang}")
            self.assertEqual(
                policy.level_ids.sorted("sequence").mapped("channel"),
                ["email", "email", "letter", "judicial"],
            )

    def test_every_new_company_gets_its_own_policies(self):
        company = self.env["res.company"].create({"name": "Filiaal Gent"})
        self.assertEqual(company.dunning_policy_b2b_id.company_id, company)
        self.assertEqual(company.dunning_policy_b2c_id.company_id, company)
        self.assertEqual(len(company.dunning_policy_b2b_id.level_ids), 4)

    def test_new_companies_policies_speak_dutch_and_french(self):
        company = self.env["res.company"].create({"name": "Filiaal Namen"})
        levels = company.dunning_policy_b2b_id.level_ids.sorted("sequence")
        self.assertEqual(levels.with_context(lang="nl_BE")[0].name, "Herinnering")
        self.assertEqual(levels.with_context(lang="fr_BE")[2].name, "Mise en demeure")

    def test_languages_loaded_after_the_company_translate_its_policies(self):
        company = self.env["res.company"].create({"name": "Filiaal Luik"})
        policy = company.dunning_policy_b2b_id
        first, second = policy.level_ids.sorted("sequence")[:2]
        second.name = "Tweede brief (huisstijl)"
        # As when the company was created before Dutch and French were added: English only.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE dunning_level SET name = jsonb_build_object('en_US', name->>'en_US') "
            "WHERE policy_id = %s",
            [policy.id],
        )
        self.env.invalidate_all()
        self.assertEqual(first.with_context(lang="nl_BE").name, "Friendly reminder")

        self.env["ir.module.module"]._load_module_terms(["smart_dunning"], ["nl_BE", "fr_BE"])

        self.assertEqual(first.with_context(lang="nl_BE").name, "Herinnering")
        self.assertEqual(first.with_context(lang="fr_BE").name, "Rappel")
        # A name the admin changed is theirs: it is not overwritten.
        self.assertEqual(second.with_context(lang="nl_BE").name, "Tweede brief (huisstijl)")

    def test_languages_loaded_after_the_company_give_its_letters_their_wording(self):
        company = self.env["res.company"].create({"name": "Filiaal Hasselt"})
        first, second = company.dunning_policy_b2b_id.level_ids.sorted("sequence")[:2]
        # The communication team rewrote the second letter's Dutch intro.
        second.with_context(lang="nl_BE").letter_intro = "<p>Onze eigen tekst.</p>"
        # As when the company was created before Dutch and French were added: English only,
        # beside the team's Dutch.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE dunning_level SET letter_intro = jsonb_build_object("
            "'en_US', letter_intro->>'en_US') WHERE id = %s",
            [first.id],
        )
        self.env.invalidate_all()
        self.assertIn("Our records show", first.with_context(lang="nl_BE").letter_intro)

        self.env["ir.module.module"]._load_module_terms(["smart_dunning"], ["nl_BE", "fr_BE"])

        self.assertIn("Volgens onze gegevens", first.with_context(lang="nl_BE").letter_intro)
        self.assertIn("Selon nos données", first.with_context(lang="fr_BE").letter_intro)
        self.assertEqual(second.with_context(lang="nl_BE").letter_intro, "<p>Onze eigen tekst.</p>")

    def test_daily_cron(self):
        cron = self.env.ref("smart_dunning.ir_cron_dunning_run")
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))

    def test_every_model_has_access_rows_and_company_rules(self):
        own = self.env["ir.model.data"].search(
            [("module", "=", "smart_dunning"), ("model", "=", "ir.model")]
        )
        models = (
            self.env["ir.model"]
            .browse(own.mapped("res_id"))
            .filtered(lambda m: not self.env[m.model]._abstract)
            # core models the addon only extends keep the rules of their own module
            .filtered(lambda m: self.env[m.model]._original_module == "smart_dunning")
        )
        self.assertIn("dunning.letter", models.mapped("model"))
        for model in models:
            self.assertTrue(model.access_ids, f"{model.model} has no ir.model.access row")
            Model = self.env[model.model]
            company = Model._fields.get("company_id")
            if company and company.store and not Model._transient:
                rules = model.rule_ids.filtered(
                    lambda r: not r.groups and "company_ids" in r.domain_force
                )
                self.assertTrue(rules, f"{model.model} has no multi-company rule")


@contextmanager
def demo_env():
    """An environment on the database that `make test` builds with demo data."""
    # Loading a registry with test_enable on would run the modules' own tests.
    test_enable = config["test_enable"]
    config["test_enable"] = False
    try:
        registry = Registry(DEMO_DB)
    finally:
        config["test_enable"] = test_enable
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})
        cr.rollback()


class TestDemoData(DunningCase):
    def test_demo_database_has_every_situation(self):
        with demo_env() as env:
            module = env["ir.module.module"].search([("name", "=", "smart_dunning")])
            self.assertEqual((module.state, module.demo), ("installed", True))
            company = env.ref("smart_dunning.demo_company")
            self.assertEqual((company.country_id.code, company.currency_id.name), ("BE", "EUR"))
            self.assertEqual(env.ref("base.user_admin").company_id, company)
            invoices = env["account.move"].search(
                [
                    ("company_id", "=", company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                ]
            )
            customers = invoices.commercial_partner_id
            self.assertGreaterEqual(len(customers), 28)
            self.assertEqual(set(customers.mapped("lang")), {"nl_BE", "fr_BE", "nl_NL", "en_US"})
            self.assertEqual(set(customers.mapped("dunning_customer_kind")), {"b2b", "b2c"})

            # The demo lives around the day it was loaded (which may be yesterday when the
            # suite runs past midnight): its new customer was invoiced six weeks before.
            newcomer = env.ref("smart_dunning.partner_demo_new_customer")
            today = invoices.filtered(
                lambda m: m.commercial_partner_id == newcomer
            ).invoice_date + timedelta(weeks=6)
            self.assertLessEqual(today, fields.Date.context_today(invoices))
            open_invoices = invoices.filtered(lambda m: m.payment_state in ("not_paid", "partial"))
            late = {(today - m.invoice_date_due).days for m in open_invoices}
            for days in (3, 20, 40, 70, 100):
                self.assertIn(days, late, f"an invoice {days} days late")
            self.assertTrue(any(m.invoice_date_due > today for m in open_invoices), "not yet due")
            self.assertIn("paid", invoices.mapped("payment_state"))
            self.assertIn("partial", invoices.mapped("payment_state"))
            credit_notes = env["account.move"].search(
                [
                    ("company_id", "=", company.id),
                    ("move_type", "=", "out_refund"),
                    ("payment_state", "=", "not_paid"),
                ]
            )
            self.assertTrue(credit_notes, "an open credit note")
            self.assertTrue(env.ref("smart_dunning.partner_demo_wrong_email").email)
            po_customer = env.ref("smart_dunning.partner_demo_po_missing")
            self.assertTrue(po_customer.dunning_po_required)
            unpaid = po_customer.invoice_ids.filtered(
                lambda m: m.move_type == "out_invoice" and m.payment_state == "not_paid"
            )
            self.assertTrue(unpaid)
            self.assertFalse(any(unpaid.mapped("ref")), "its open invoices lack the PO number")
            newcomer = env.ref("smart_dunning.partner_demo_new_customer")
            self.assertEqual(
                min(newcomer.invoice_ids.mapped("invoice_date")), today - timedelta(weeks=6)
            )

            letters = env["dunning.letter"].search([("company_id", "=", company.id)])
            self.assertEqual(
                set(letters.level_id.mapped("sequence")),
                {10, 20, 30, 40},
                "the history reaches every level",
            )
            self.assertIn("to_approve", letters.mapped("state"))
            self.assertIn("sent", letters.mapped("state"))


class TestDemoLogins(DunningCase):
    """Each role of the README logs straight into the demo company and sees its own work."""

    def test_each_role_sees_its_work_in_the_demo_company(self):
        with demo_env() as env:
            company = env.ref("smart_dunning.demo_company")
            logins = {
                "collector": "smart_dunning.user_collector_demo",
                "manager": "smart_dunning.user_manager_demo",
                "anna": "smart_dunning.user_sales_anna_demo",
                "luc": "smart_dunning.user_sales_luc_demo",
                "accountant": "smart_dunning.user_accountant_demo",
            }
            for login, xmlid in logins.items():
                user = env.ref(xmlid)
                self.assertEqual(user.login, login)
                self.assertEqual(user.company_id, company, f"{login} logs into the demo company")
                self.assertEqual(user.lang, "nl_BE")
                # The password the README gives is the login.
                user.with_user(user)._check_credentials(
                    {"type": "password", "password": login}, {"interactive": False}
                )

            collector = env.ref("smart_dunning.user_collector_demo")
            self.assertTrue(collector.has_group("smart_dunning.group_dunning_user"))
            self.assertFalse(collector.has_group("smart_dunning.group_dunning_manager"))
            self.assertTrue(
                env.ref("smart_dunning.user_manager_demo").has_group(
                    "smart_dunning.group_dunning_manager"
                )
            )
            worklist = env["dunning.worklist"].with_user(collector).search([])
            self.assertTrue(worklist, "the collector has customers to call")
            self.assertEqual(set(worklist.mapped("user_id")), {collector})

            # Each salesperson sees the payment status of their own customers, and only those.
            seen = {}
            for xmlid in (
                "smart_dunning.user_sales_anna_demo",
                "smart_dunning.user_sales_luc_demo",
            ):
                salesperson = env.ref(xmlid)
                statuses = (
                    env["dunning.partner.status"]
                    .with_user(salesperson)
                    .with_company(company)
                    .search([("amount_overdue", ">", 0)])
                )
                self.assertTrue(statuses, f"{salesperson.login} has customers who owe")
                self.assertEqual(set(statuses.partner_id.mapped("user_id")), {salesperson})
                seen[salesperson.login] = set(statuses.partner_id.ids)
            self.assertFalse(seen["anna"] & seen["luc"])

            # The demo's reminders and plan confirmations speak the customer's language.
            for xmlid, word, english in (
                ("smart_dunning.partner_demo_garage", "Herinnering", "Friendly reminder"),
                ("smart_dunning.partner_demo_fleuriste", "Rappel", "Friendly reminder"),
            ):
                letter = env["dunning.letter"].search(
                    [("partner_id", "=", env.ref(xmlid).id), ("channel", "=", "email")], limit=1
                )
                subjects = letter.message_ids.mapped("subject")
                self.assertTrue(any(word in (s or "") for s in subjects), (xmlid, subjects))
                self.assertFalse(any(english in (s or "") for s in subjects), (xmlid, subjects))
            confirmations = env["mail.message"].search(
                [("model", "=", "dunning.plan"), ("message_type", "!=", "notification")]
            )
            for message in confirmations.filtered(
                lambda m: env["dunning.plan"].browse(m.res_id).partner_id.lang[:2] in ("nl", "fr")
            ):
                self.assertNotIn("Thank you", message.body)
                self.assertNotIn("Dear", message.body)

            accountant = env.ref("smart_dunning.user_accountant_demo")
            every = env["dunning.partner.status"].with_user(accountant).search([])
            self.assertGreaterEqual(
                len(every.filtered(lambda s: s.amount_overdue > 0)),
                len(seen["anna"]) + len(seen["luc"]),
            )
