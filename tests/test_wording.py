"""What the customer reads: the wording points of a Belgian legal translator (issue #13), the
Dutch of the Netherlands (nl_NL.po over nl.po), and no English left whatever the order in
which the module and the languages were installed."""

from datetime import timedelta

from odoo.tests import freeze_time

from .common import d, english_left
from .test_install import demo_env
from .test_letters import DUE, LetterCase, pdf_text
from .test_plans import PlanCase


class TestLetterWording(LetterCase):
    def send_up_to(self, customer, stage):
        """Send the B2B letters of ``customer`` up to the level of ``stage``; return the last."""
        self.make_invoice(customer, 900.0, DUE)
        for level in self.b2b_levels:
            day = DUE + timedelta(days=level.delay_days)
            letter = self.run_dunning(day).letter_ids.filtered(
                lambda ltr: ltr.partner_id == customer
            )
            with freeze_time(day):
                letter.action_send()
            if level.stage == stage:
                return letter
        raise AssertionError(stage)

    def test_dutch_and_french_letters_give_the_same_last_day(self):
        for lang, label in (
            ("nl_BE", "Uiterlijk te betalen op"),
            ("fr_BE", "À payer au plus tard le"),
        ):
            consumer = self.make_partner(f"Klant {lang}", is_company=False, lang=lang)
            letter = self.letter_for(consumer)
            last_day = (letter.costs_from - timedelta(days=1)).strftime("%d/%m/%Y")
            html = letter.letter_html
            # The term and the Book XIX box name the same day: the day itself still counts.
            self.assertIn(label, html)
            self.assertEqual(html.count(last_day), 2, lang)
            self.assertNotIn("vóór", html)

    def test_french_letter_greets_and_heads_its_amounts_as_a_letter(self):
        letter = self.letter_for(self.make_partner("Brasserie Lambert", lang="fr_BE"))
        html = letter.letter_html
        self.assertIn("Madame, Monsieur,", html)
        self.assertNotIn("attention", html)
        self.assertIn("Montant payé", html)
        self.assertIn("Solde dû", html)
        self.assertNotIn(">Payée<", html)
        self.assertNotIn(">Ouvert<", html)

    def test_dutch_consumer_reads_damages_and_free_of_charge(self):
        self.policy_b2c.fee_clause = True
        letter = self.letter_for(self.make_partner("An Wouters", is_company=False, lang="nl_BE"))
        html = letter.letter_html
        self.assertIn("Deze eerste herinnering is kosteloos", html)
        self.assertIn("Schadevergoeding die wij vorderen", html)
        self.assertNotIn("schadebeding", html.lower())
        self.assertIn("Geachte mevrouw, geachte heer,", html)

    def test_formal_notice_gives_the_last_day(self):
        for lang, words in (
            ("nl_BE", "uiterlijk op die datum"),
            ("fr_BE", "au plus tard à cette date"),
        ):
            letter = self.send_up_to(self.make_partner(f"Klant {lang}", lang=lang), "formal_notice")
            self.assertIn(words, letter.letter_html, lang)
            self.assertFalse(english_left(self.env, letter, letter.letter_html), lang)

    def test_subject_is_the_level_name_without_the_handler(self):
        letter = self.letter_for(self.make_partner("Garage Peeters", lang="nl_BE"))
        with freeze_time("2026-03-09"):
            letter.action_send()
        email = letter.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertTrue(email.subject.startswith("Herinnering: "), email.subject)
        judicial = self.b2b_levels.filtered(lambda lvl: lvl.stage == "judicial")
        self.assertEqual(judicial.with_context(lang="nl_BE").name, "Gerechtelijke invordering")
        self.assertEqual(judicial.with_context(lang="fr_BE").name, "Recouvrement judiciaire")


class TestDutchOfTheNetherlands(LetterCase):
    """nl_NL.po words the letter as Dutch law and usage do; nl_BE keeps the Belgian words."""

    def test_dutch_consumer_gets_the_fourteen_day_letter(self):
        policy = self.policy_b2c.copy({"name": "NL", "legal_regime": "nl_b2c"})
        letters = {}
        for lang in ("nl_NL", "nl_BE"):
            consumer = self.make_partner(
                f"Sanne Bakker {lang}", is_company=False, lang=lang, dunning_policy_id=policy.id
            )
            self.make_invoice(consumer, 1000.0, d("2025-03-03"))
            letters[lang] = self.run_dunning(d("2025-03-10")).letter_ids.filtered(
                lambda ltr, c=consumer: ltr.partner_id == c
            )
        dutch = letters["nl_NL"].letter_html
        self.assertIn("Veertiendagenbrief", dutch)
        self.assertIn("incassokosten", dutch)
        self.assertIn("Betalingskenmerk", dutch)
        self.assertIn("Geachte heer, mevrouw,", dutch)
        self.assertNotIn("gestructureerde mededeling", dutch.lower())
        self.assertIn("Veertiendagenbrief", pdf_text(self.env, letters["nl_NL"]))
        self.assertEqual(self.b2c_levels[0].with_context(lang="nl_NL").name, "Betalingsherinnering")

        flemish = letters["nl_BE"].letter_html
        self.assertNotIn("Veertiendagenbrief", flemish)
        self.assertIn("Gestructureerde mededeling", flemish)
        self.assertEqual(self.b2c_levels[0].with_context(lang="nl_BE").name, "Herinnering")

    def test_belgian_consumer_reads_no_dutch_collection_costs(self):
        letter = self.letter_for(self.make_partner("Jan Claes", is_company=False, lang="nl_BE"))
        self.assertNotIn("incassokosten", letter.letter_html.lower())
        self.assertNotIn("Veertiendagenbrief", letter.letter_html)


class TestPlanWording(PlanCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.country_id = cls.env.ref("base.be")
        cls.env["res.partner.bank"].create(
            {"acc_number": "BE68539007547034", "partner_id": cls.company.partner_id.id}
        )

    def confirmation(self, lang):
        customer = self.make_partner(f"Klant {lang} {self.company.country_id.code}", lang=lang)
        plan = self.make_plan(self.make_invoice(customer, 300.0, d("2026-03-02")))
        with freeze_time("2026-03-16"):
            plan.action_confirm()
        return plan, plan.message_ids.filtered(lambda m: m.message_type == "comment").body

    def test_structured_communication_only_for_a_belgian_reference(self):
        plan, body = self.confirmation("nl_BE")
        self.assertTrue(plan.payment_reference.startswith("+++"))
        self.assertIn("gestructureerde mededeling", body)
        _plan, body = self.confirmation("fr_BE")
        self.assertIn("communication structurée", body)

        self.company.country_id = self.env.ref("base.nl")
        plan, body = self.confirmation("nl_BE")
        self.assertEqual(plan.payment_reference, plan.name)
        self.assertIn("met de referentie", body)
        self.assertIn("BE68539007547034", body.replace(" ", ""))
        self.assertNotIn("gestructureerde mededeling", body)
        _plan, body = self.confirmation("fr_BE")
        self.assertIn("avec la référence", body)
        self.assertNotIn("communication structurée", body)


class TestWhateverTheInstallOrder(LetterCase):
    """Issue #13 item 2: a Dutch customer's e-mail and a French customer's PDF carry no
    English, whether Dutch and French were loaded before the company was created or after."""

    def wipe_translations(self):
        """As when the company and the module came before the languages: English only."""
        policies = self.policy_b2b | self.policy_b2c
        template = self.env.ref("smart_dunning.mail_template_dunning_letter")
        view = self.env.ref("smart_dunning.report_dunning_letter_body")
        self.env.flush_all()
        for query, ids in (
            (
                "UPDATE dunning_policy SET name = jsonb_build_object('en_US', name->>'en_US') "
                "WHERE id IN %s",
                policies.ids,
            ),
            (
                "UPDATE dunning_level SET name = jsonb_build_object('en_US', name->>'en_US') "
                "WHERE policy_id IN %s",
                policies.ids,
            ),
            (
                "UPDATE mail_template SET subject = jsonb_build_object('en_US', subject->>'en_US'),"
                " body_html = jsonb_build_object('en_US', body_html->>'en_US') WHERE id IN %s",
                template.ids,
            ),
            (
                "UPDATE ir_ui_view SET arch_db = jsonb_build_object('en_US', arch_db->>'en_US') "
                "WHERE id IN %s",
                view.ids,
            ),
        ):
            self.env.cr.execute(query, [tuple(ids)])
        self.env.invalidate_all()
        self.env.registry.clear_cache("templates")

    def check_customer_texts(self, due, label):
        dutch = self.make_partner(f"Bakkerij Peeters {label}", lang="nl_BE")
        french = self.make_partner(f"Boulangerie Dupont {label}", lang="fr_BE")
        for customer in (dutch, french):
            self.make_invoice(customer, 300.0, due)
        day = due + timedelta(days=self.b2b_levels[0].delay_days)
        letters = self.run_dunning(day).letter_ids
        mail_letter = letters.filtered(lambda ltr: ltr.partner_id == dutch)
        pdf_letter = letters.filtered(lambda ltr: ltr.partner_id == french)
        with freeze_time(day):
            mail_letter.action_send()
        email = mail_letter.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertTrue(email.subject.startswith("Herinnering: "), (label, email.subject))
        self.assertIn("Betalingsherinnering", email.body, label)
        self.assertFalse(english_left(self.env, mail_letter, email.body), label)
        text = pdf_text(self.env, pdf_letter)
        self.assertIn("Rappel de paiement", text, label)
        self.assertFalse(english_left(self.env, pdf_letter, text), label)

    def test_dutch_mail_and_french_pdf_in_both_orders(self):
        # Languages first, then the company (the test company is created after them).
        self.check_customer_texts(d("2026-03-02"), "languages first")

        # Company first, then the languages.
        self.wipe_translations()
        first = self.b2b_levels[0]
        self.assertEqual(first.with_context(lang="nl_BE").name, "Friendly reminder")
        self.env["ir.module.module"]._load_module_terms(["smart_dunning"], ["nl_BE", "fr_BE"])
        self.check_customer_texts(d("2026-05-04"), "languages after")


class TestDemoWording(LetterCase):
    """`make demo`: what the demo sent to its Dutch and French customers has no English."""

    def test_demo_mails_and_letters_speak_the_customers_language(self):
        with demo_env() as env:
            letters = (
                env["dunning.letter"]
                .search([("state", "=", "sent")])
                .filtered(lambda ltr: ltr.report_lang != "en_US")
            )
            self.assertTrue(letters.filtered(lambda ltr: ltr.report_lang == "nl_BE"))
            self.assertTrue(letters.filtered(lambda ltr: ltr.report_lang == "fr_BE"))
            mailed = 0
            for letter in letters:
                english_level = letter.level_id.with_context(lang="en_US").name
                for message in letter.message_ids.filtered(lambda m: m.message_type == "comment"):
                    mailed += 1
                    self.assertNotIn(english_level, message.subject or "", letter.name)
                    self.assertFalse(english_left(env, letter, message.body), letter.name)
                html = (
                    env["ir.actions.report"]
                    ._render_qweb_html("smart_dunning.action_report_dunning_letter", letter.ids)[0]
                    .decode()
                )
                self.assertFalse(english_left(env, letter, html), letter.name)
            self.assertTrue(mailed, "the demo e-mailed reminders")
            # One PDF per language, through wkhtmltopdf as the postal run prints them.
            for lang in ("nl_BE", "fr_BE"):
                letter = letters.filtered(lambda ltr, lg=lang: ltr.report_lang == lg)[:1]
                self.assertFalse(english_left(env, letter, pdf_text(env, letter)), lang)
