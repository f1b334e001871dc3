"""Letters: payment reference and reconciliation, rendering in the customer's language,
postal runs, e-mail failures."""

import io
from datetime import timedelta
from unittest.mock import patch

import PyPDF2

from odoo.exceptions import UserError
from odoo.tests import freeze_time

from odoo.addons.smart_dunning.lib.structured_communication import find_ogms, is_valid_ogm

from .common import BelgianDunningCase, DunningCase, d

DUE = d("2026-03-02")  # a Monday


class TestPaymentReference(BelgianDunningCase):
    def sent_letter(self, partner=None, amounts=(300.0, 500.0)):
        partner = partner or self.customer
        invoices = self.env["account.move"]
        for days_earlier, amount in zip((5, 0), amounts, strict=True):
            invoices |= self.make_invoice(partner, amount, DUE - timedelta(days=days_earlier))
        letter = self.run_dunning(d("2026-03-10")).letter_ids.filtered(
            lambda ltr: ltr.partner_id == partner
        )
        letter._dunning_send(sent_date=d("2026-03-10"))
        return letter, invoices

    def receive_payment(self, amount, memo, partner=None):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": (partner or self.customer).id,
                "amount": amount,
                "memo": memo,
                "date": d("2026-03-15"),
                "journal_id": self.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        return payment

    def test_belgian_company_gets_a_structured_communication_per_letter(self):
        letter, _invoices = self.sent_letter()
        self.assertEqual(len(letter.move_ids), 2, "one reference for the whole letter")
        digits = f"{1_000_000_000 + letter.id:010d}"
        self.assertTrue(is_valid_ogm(letter.payment_reference))
        self.assertEqual(letter.payment_reference.replace("/", "")[3:13], digits)

    def test_payment_with_the_reference_pays_the_oldest_invoice_first(self):
        letter, (old, new) = self.sent_letter()
        # The bank passes the communication on as twelve digits.
        digits = "".join(c for c in letter.payment_reference if c.isdigit())
        payment = self.receive_payment(400.0, digits)
        self.assertEqual(old.payment_state, "paid")
        self.assertEqual(new.amount_residual, 400.0)
        self.assertTrue(payment.is_reconciled)
        self.assertIn(old.name, letter.message_ids[0].body)

    def test_reference_of_another_customer_is_ignored(self):
        letter, (old, _new) = self.sent_letter()
        other = self.make_partner("Andere Klant NV")
        payment = self.receive_payment(300.0, letter.payment_reference, partner=other)
        self.assertEqual(old.payment_state, "not_paid")
        self.assertFalse(payment.is_reconciled)

    def test_bank_statement_line_with_the_reference(self):
        letter, invoices = self.sent_letter()
        st_line = self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.company_data["default_journal_bank"].id,
                "date": d("2026-03-16"),
                "amount": 850.0,
                "payment_ref": f"Betaling {letter.payment_reference}",
            }
        )
        self.assertEqual(set(invoices.mapped("payment_state")), {"paid"})
        self.assertEqual(st_line.partner_id, self.customer)
        self.assertTrue(st_line.is_reconciled)
        # The 50 paid too much stays on the customer's account as a credit.
        receivable = st_line.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.amount_residual, -50.0)

    def test_payment_registered_on_chosen_invoices_stays_there(self):
        letter, (old, new) = self.sent_letter()
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=new.ids)
            .create({"amount": 500.0, "payment_date": d("2026-03-15")})
        )
        wizard.communication = letter.payment_reference
        wizard._create_payments()
        self.assertEqual((old.payment_state, new.payment_state), ("not_paid", "paid"))

    def test_finding_references_in_bank_communications(self):
        self.assertEqual(find_ogms("Factuur +++123/4567/89002+++ dank u"), ["+++123/4567/89002+++"])
        self.assertEqual(find_ogms("***123/4567/89002***"), ["+++123/4567/89002+++"])
        self.assertEqual(find_ogms("123 4567 89002"), ["+++123/4567/89002+++"])
        self.assertEqual(find_ogms("123456789002"), ["+++123/4567/89002+++"])
        self.assertEqual(find_ogms("123456789003"), [], "wrong check digits")
        self.assertEqual(find_ogms("1234567890021"), [], "thirteen digits")


class TestReferenceOutsideBelgium(DunningCase):
    def test_other_companies_use_the_letter_name(self):
        self.assertNotEqual(self.company.country_id.code, "BE")
        self.make_invoice(self.customer, 100.0, DUE)
        letter = self.run_dunning(d("2026-03-09")).letter_ids
        self.assertEqual(letter.payment_reference, letter.name)


def pdf_text(env, letters):
    """The text of the letters' PDF, rendered by wkhtmltopdf."""
    pdf, kind = (
        env["ir.actions.report"]
        .with_context(force_report_rendering=True)
        ._render_qweb_pdf("smart_dunning.action_report_dunning_letter", letters.ids)
    )
    assert kind == "pdf", kind
    reader = PyPDF2.PdfReader(io.BytesIO(pdf))
    # The extraction separates words with tabs and breaks lines: compare on single spaces.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


class LetterCase(BelgianDunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "company_registry": "0458.221.397",
                "phone": "+32 2 555 01 00",
                "email": "klanten@coop.example.com",
                "dunning_service_hours": "Monday to Friday, 9:00 to 17:00",
            }
        )
        cls.env["res.partner.bank"].create(
            {"acc_number": "BE68539007547034", "partner_id": cls.company.partner_id.id}
        )
        # wkhtmltopdf loads the report styles from this address: point it to a closed port,
        # not to whatever Odoo happens to listen on localhost:8069 on this machine.
        cls.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")

    def letter_for(self, partner, amount=300.0, day="2026-03-09"):
        self.make_invoice(partner, amount, DUE)
        return self.run_dunning(d(day)).letter_ids.filtered(lambda ltr: ltr.partner_id == partner)


class TestLanguages(LetterCase):
    def test_dutch_for_flemish_and_dutch_customers(self):
        for lang in ("nl_BE", "nl_NL"):
            letter = self.letter_for(self.make_partner(f"Klant {lang}", lang=lang))
            self.assertEqual(letter.report_lang, lang)
            self.assertIn("Betalingsherinnering", letter.letter_html, lang)
            self.assertIn("Onze referentie", letter.letter_html, lang)
            # Dutch usage says betalingskenmerk (nl_NL.po), Belgian gestructureerde mededeling.
            label = "Betalingskenmerk" if lang == "nl_NL" else "Gestructureerde mededeling"
            self.assertIn(label, letter.letter_html, lang)
            self.assertIn("BE68 5390 0754 7034", letter.letter_html)
            text = pdf_text(self.env, letter)
            self.assertIn("Betalingsherinnering", text, lang)
            self.assertIn(letter.payment_reference, text, lang)

    def test_the_form_names_the_language(self):
        letter = self.letter_for(self.make_partner("Klant Gent", lang="nl_BE"))
        self.assertEqual(letter.lang, "nl_BE")
        labels = dict(letter._fields["lang"]._description_selection(self.env))
        self.assertEqual(labels[letter.lang], self.env["res.lang"]._lang_get("nl_BE").name)

    def test_french_for_walloon_and_french_customers(self):
        for lang in ("fr_BE", "fr_FR"):
            letter = self.letter_for(self.make_partner(f"Client {lang}", lang=lang))
            self.assertIn("Rappel de paiement", letter.letter_html, lang)
            self.assertIn("Communication structurée", letter.letter_html, lang)
            self.assertIn("Rappel de paiement", pdf_text(self.env, letter), lang)

    def test_english_for_everyone_else(self):
        for lang in ("de_DE", "en_US"):
            letter = self.letter_for(self.make_partner(f"Kunde {lang}", lang=lang))
            self.assertEqual(letter.report_lang, "en_US")
            self.assertIn("Payment reminder", letter.letter_html, lang)
            self.assertIn("Payment reminder", pdf_text(self.env, letter), lang)

    def test_the_wording_follows_the_stage(self):
        customer = self.make_partner("Boulangerie Dubois", lang="fr_BE")
        self.make_invoice(customer, 900.0, DUE)
        expected = [
            "Rappel de paiement",
            "Second rappel",
            "Mise en demeure",
            "Transmission de votre dossier",
        ]
        for level, word in zip(self.b2b_levels, expected, strict=True):
            day = DUE + timedelta(days=level.delay_days)
            letter = self.run_dunning(day).letter_ids
            with freeze_time(day):
                letter.action_send()
            self.assertIn(word, letter.letter_html, level.name)
        self.assertIn("Mise en demeure", pdf_text(self.env, customer.dunning_letter_ids[1]))

    def test_email_goes_out_in_the_customers_language(self):
        letter = self.letter_for(self.make_partner("Brasserie Lambert", lang="fr_BE"))
        with freeze_time("2026-03-09"):
            letter.action_send()
        email = letter.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertIn("Rappel de paiement", email.body)
        self.assertIn(letter.payment_reference, email.body)
        self.assertIn("Rappel", email.subject)


class TestLegalMentions(LetterCase):
    def test_first_reminder_to_a_belgian_consumer(self):
        self.policy_b2c.fee_clause = True
        consumer = self.make_partner("An Wouters", is_company=False, lang="nl_BE")
        letter = self.letter_for(consumer, 300.0)
        html = letter.letter_html
        for words in (
            "Deze eerste herinnering is kosteloos",  # free
            "Nog verschuldigd bedrag",  # 1. amount due and damages
            "45,00",
            "Ondernemingsnummer",  # 2. creditor and enterprise number
            "0458.221.397",
            "Prestation",  # 3. what the debt is for, and when it fell due
            "14 kalenderdagen",  # 4. at least 14 days before any cost
            "23/03/2026",
        ):
            self.assertIn(words, html)
        text = pdf_text(self.env, letter)
        self.assertIn("Ondernemingsnummer", text)
        self.assertIn("kalenderdagen", text)

    def test_later_reminder_to_a_consumer_has_no_mentions(self):
        consumer = self.make_partner("Marie Dubois", is_company=False, lang="fr_BE")
        first = self.letter_for(consumer, 300.0)
        first._dunning_send(sent_date=d("2026-03-09"))
        second = self.run_dunning(d("2026-03-27")).letter_ids
        self.assertIn("Second rappel", second.letter_html)
        self.assertNotIn("numéro d'entreprise", second.letter_html.lower())

    def test_fourteen_day_letter_to_a_dutch_consumer(self):
        policy = self.policy_b2c.copy({"name": "NL", "legal_regime": "nl_b2c"})
        consumer = self.make_partner(
            "Sanne Bakker", is_company=False, lang="nl_NL", dunning_policy_id=policy.id
        )
        self.make_invoice(consumer, 1000.0, d("2025-03-03"))
        letter = self.run_dunning(d("2025-03-10")).letter_ids
        self.assertIn(
            "binnen veertien dagen na de dag waarop u deze brief hebt ontvangen", letter.letter_html
        )
        self.assertIn("150,00", letter.letter_html)
        self.assertIn("veertien dagen", pdf_text(self.env, letter))

    def test_customer_outside_the_eu_reads_the_company_text(self):
        self.company.dunning_non_eu_text = "You can also pay by card on our website."
        swiss = self.make_partner("Uhren AG", lang="en_US", country_id=self.env.ref("base.ch").id)
        belgian = self.make_partner(
            "Horloges NV", lang="en_US", country_id=self.env.ref("base.be").id
        )
        self.assertIn("pay by card", self.letter_for(swiss).letter_html)
        self.assertNotIn("pay by card", self.letter_for(belgian, day="2026-03-10").letter_html)


class TestLetterActions(LetterCase):
    def paper_letters(self, count):
        self.b2b_levels[0].channel = "letter"
        partners = [self.make_partner(f"Drukkerij {i}", lang="nl_BE") for i in range(count)]
        for partner in partners:
            self.make_invoice(partner, 100.0 * (1 + len(partner.name)), DUE)
        return self.run_dunning(d("2026-03-09")).letter_ids

    def test_preview_shows_the_letter_without_sending(self):
        letter = self.letter_for(self.make_partner("Voorbeeld NV", lang="nl_BE"))
        action = letter.action_preview()
        self.assertEqual(action["report_type"], "qweb-html")
        self.assertEqual(action["report_name"], "smart_dunning.report_dunning_letter")
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "smart_dunning.action_report_dunning_letter", letter.ids
        )
        self.assertIn(b"Betalingsherinnering", html)
        self.assertEqual(letter.state, "draft")

    def test_send_the_emails_of_a_selection_only(self):
        email_letter = self.letter_for(self.make_partner("Per Mail BV", lang="nl_BE"))
        self.b2b_levels[0].channel = "letter"
        paper_letter = self.letter_for(
            self.make_partner("Per Post BV", lang="nl_BE"), day="2026-03-10"
        )
        with freeze_time("2026-03-10"):
            (email_letter | paper_letter).action_send_emails()
        self.assertEqual((email_letter.state, paper_letter.state), ("sent", "draft"))

    def test_postal_run_prints_one_pdf_and_marks_the_letters_sent(self):
        letters = self.paper_letters(3)
        self.assertEqual(len(letters), 3)
        with freeze_time("2026-03-10"):
            letters.action_print_postal_run()
            # the background job (see tests/test_printing.py)
            self.env["dunning.run"].with_context(force_report_rendering=True)._cron_print()
        self.assertEqual(set(letters.mapped("state")), {"sent"})
        self.assertEqual(set(letters.mapped("sent_date")), {d("2026-03-10")})
        attachment = letters.run_id.print_attachment_id
        self.assertEqual(attachment.mimetype, "application/pdf")
        reader = PyPDF2.PdfReader(io.BytesIO(attachment.raw))
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        self.assertEqual(sum(text.count(letter.name) for letter in letters), 3)
        for letter in letters:
            self.assertEqual(text.count(letter.payment_reference), 1, letter.name)
        self.assertGreaterEqual(len(reader.pages), 3)
        # Each letter keeps the PDF it went out with.
        for letter in letters:
            self.assertTrue(
                self.env["ir.attachment"].search_count(
                    [("res_model", "=", "dunning.letter"), ("res_id", "=", letter.id)]
                ),
                letter.name,
            )

    def test_postal_run_needs_paper_letters(self):
        letter = self.letter_for(self.make_partner("Alleen Mail BV", lang="nl_BE"))
        with self.assertRaises(UserError):
            letter.action_print_postal_run()

    def test_resend_an_email(self):
        letter = self.letter_for(self.make_partner("Nog Eens BV", lang="nl_BE"))
        with freeze_time("2026-03-09"):
            letter.action_send()
        letter.action_resend()
        emails = letter.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(emails), 2)
        self.assertEqual(letter.state, "sent")


class TestMailFailures(LetterCase):
    def sent_letter(self, email):
        partner = self.make_partner("Bouncing BV", lang="nl_BE", email=email)
        letter = self.letter_for(partner)
        with freeze_time("2026-03-09"):
            letter.action_send()
        return letter, partner

    def assertBackToCollector(self, letter, partner):
        self.assertEqual((letter.state, letter.approval_reason), ("to_approve", "mail_failed"))
        self.assertTrue(letter.mail_failure_reason)
        self.assertTrue(partner.dunning_email_suspect)
        self.assertIn("Bouncing BV", letter.activity_ids.summary)

    def test_bounce_flags_the_address_and_returns_the_letter(self):
        letter, partner = self.sent_letter("boekhouding@bouncing.example.com")
        self.assertEqual(letter.state, "sent")
        message = letter.message_ids.filtered(lambda m: m.message_type == "comment")
        self.env["mail.thread"]._routing_handle_bounce(
            None,
            {
                "email_from": "MAILER-DAEMON@example.com",
                "to": "bounce@coop.example.com",
                "message_id": "<bounce-1@example.com>",
                "bounced_email": "boekhouding@bouncing.example.com",
                "bounced_partner": partner,
                "bounced_msg_ids": [message.message_id],
                "bounced_message": message,
                "body": "550 5.1.1 User unknown",
            },
        )
        self.assertBackToCollector(letter, partner)
        self.assertIn("bounced", letter.mail_failure_reason)
        # A corrected address clears the flag; the collector sends the letter again.
        partner.email = "boekhouding@bouncing-bv.example.com"
        self.assertFalse(partner.dunning_email_suspect)
        with freeze_time("2026-03-11"):
            letter.action_send()
        self.assertEqual((letter.state, letter.sent_date), ("sent", d("2026-03-11")))

    def test_failed_sending_returns_the_letter(self):
        letter, partner = self.sent_letter("not-an-address")
        mail = self.env["mail.mail"].search(
            [("model", "=", "dunning.letter"), ("res_id", "=", letter.id)]
        )
        self.assertEqual(len(mail), 1)
        # What the mail queue reports when the server refuses the address (test mode never
        # talks to a mail server, so the report is made here).
        mail._postprocess_sent_message(
            success_pids=[],
            success_emails=[],
            failure_type="mail_email_invalid",
            failure_reason="Invalid email address 'not-an-address'",
        )
        self.assertBackToCollector(letter, partner)
        self.assertIn("not-an-address", letter.mail_failure_reason)

    def test_customer_without_address(self):
        letter, partner = self.sent_letter(False)
        self.assertBackToCollector(letter, partner)
        self.assertFalse(letter.message_ids.filtered(lambda m: m.message_type == "comment"))


class TestJudicialHandOver(LetterCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bailiff = cls.make_partner("Gerechtsdeurwaarder Janssens")
        cls.lawyer = cls.make_partner("Advocaat Claes")
        cls.policy_b2b.write(
            {"bailiff_id": cls.bailiff.id, "lawyer_id": cls.lawyer.id, "judicial_threshold": 5000}
        )

    def hand_over(self, partner):
        invoice = self.make_invoice(partner, 1200.0, DUE)
        for level in self.b2b_levels:
            day = DUE + timedelta(days=level.delay_days)
            letters = self.run_dunning(day).letter_ids
            with freeze_time(day):
                letters.action_send()
        return invoice, letters

    def test_no_invoice_is_disputed_by_default(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        self.assertFalse(invoice._dunning_has_dispute())

    def test_undisputed_small_debt_goes_to_the_bailiff_and_the_customer_is_told(self):
        partner = self.make_partner("Bouw Peeters NV", lang="nl_BE")
        invoice, letter = self.hand_over(partner)
        self.assertEqual(invoice.dunning_judicial_route, "bailiff")
        notice = letter.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertIn("Overdracht van uw dossier", notice.body)
        self.assertIn("Gerechtsdeurwaarder Janssens", notice.body)

    def test_disputed_invoice_never_goes_to_the_bailiffs_uncontested_procedure(self):
        partner = self.make_partner("Betwist BV", lang="nl_BE")
        Move = type(self.env["account.move"])
        # What disputes (another module) report for this invoice.
        with patch.object(
            Move,
            "_dunning_has_dispute",
            lambda moves: moves.filtered(lambda m: m.partner_id.name == "Betwist BV"),
        ):
            invoice, letter = self.hand_over(partner)
        self.assertEqual(invoice.dunning_judicial_route, "lawyer")
        self.assertEqual(letter.judicial_route, "lawyer")
        self.assertIn("Advocaat Claes", letter.activity_ids.summary)
        # the activity in its collector's language (Dutch), the chatter in the job's
        self.assertIn("onbetwiste geldschulden", letter.activity_ids.note)
        self.assertIn(invoice.name, letter.activity_ids.note)
        self.assertTrue(
            letter.message_ids.filtered(lambda m: "uncontested debts" in (m.body or ""))
        )


class TestSalespersonView(LetterCase):
    def test_salesperson_reads_the_letter_of_an_own_customer(self):
        salesperson = self.make_user("sales_letter", "base.group_user")
        partner = self.make_partner("Eigen Klant BV", lang="nl_BE", user_id=salesperson.id)
        letter = self.letter_for(partner).with_user(salesperson)
        letter.invalidate_recordset()
        self.assertIn("Betalingsherinnering", letter.letter_html)
        self.assertIn("BE68 5390 0754 7034", letter.letter_html)
