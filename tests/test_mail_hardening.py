"""Sending under faults: only a real bounce flags an address, an address known to bounce is
not mailed again, a letter has one addressee, and the daily send keeps companies, batches and
letters apart."""

import smtplib
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.tests import freeze_time

from .common import BelgianDunningCase, d

DUE = d("2026-03-02")
RUN_DAY = d("2026-03-09")


class MailCase(BelgianDunningCase):
    @contextmanager
    def mail_server(self, connect_error=None, send_error=None, refuse=None):
        """A mail server reached through smtplib: down when ``connect_error`` is given, else
        failing the message with ``send_error`` or answering every recipient with ``refuse``
        = (code, text) when given. Yields the recipient lists of the messages it accepted."""
        accepted = []

        class Session:
            def set_debuglevel(self, level):
                pass

            def ehlo_or_helo_if_needed(self):
                pass

            def quit(self):
                pass

            def send_message(self, message, smtp_from, smtp_to_list):
                if send_error:
                    raise send_error
                if refuse:
                    raise smtplib.SMTPRecipientsRefused(dict.fromkeys(smtp_to_list, refuse))
                accepted.append(smtp_to_list)

        def connect(*args, **kwargs):
            if connect_error:
                raise connect_error
            return Session()

        IrMailServer = type(self.env["ir.mail_server"])
        with (
            patch("smtplib.SMTP", side_effect=connect),
            patch("smtplib.SMTP_SSL", side_effect=connect),
            # the test mode never talks to a mail server: this one does
            patch.object(IrMailServer, "_disable_send", lambda _self: False),
        ):
            yield accepted

    def letter_for(self, partner, amount=300.0):
        invoice = self.make_invoice(partner, amount, DUE)
        letter = self.run_dunning(RUN_DAY).letter_ids.filtered(
            lambda ltr: ltr.partner_id == partner
        )
        self.assertEqual((len(letter), letter.state), (1, "draft"))
        return letter, invoice

    def letter_mails(self, letters):
        return self.env["mail.mail"].search(
            [("model", "=", "dunning.letter"), ("res_id", "in", letters.ids)]
        )

    def daily_send(self, letters):
        """The cron's send, then the mail queue as its own cron would process it."""
        with freeze_time(RUN_DAY):
            self.env["dunning.letter"]._cron_send()
        queued = self.letter_mails(letters).filtered(lambda mail: mail.state == "outgoing")
        self.env["mail.mail"].process_email_queue(email_ids=queued.ids)

    def assertNoBounce(self, letter, partner, invoice):
        self.assertFalse(partner.dunning_email_suspect)
        self.assertFalse(invoice.dunning_data_errors)
        self.assertFalse(letter.activity_ids)
        self.assertNotEqual(letter.approval_reason, "mail_failed")


class TestTemporaryFailures(MailCase):
    def test_mail_server_down_is_no_bounce_and_the_letter_goes_again(self):
        self.company.dunning_data_check = "block"
        partner = self.make_partner("Stille Post BV", lang="nl_BE")
        letter, invoice = self.letter_for(partner)
        with self.mail_server(connect_error=ConnectionRefusedError(111, "Connection refused")):
            self.daily_send(letter)
        self.assertEqual((letter.state, letter.sent_date), ("draft", False))
        self.assertIn("Connection refused", letter.mail_failure_reason)
        self.assertNoBounce(letter, partner, invoice)
        self.assertTrue(
            letter.message_ids.filtered(lambda m: "next send" in (m.body or "")),
            "the chatter says why the letter is still to send",
        )
        # The failed copy is cancelled: only the letter's next send mails the customer.
        self.assertEqual(set(self.letter_mails(letter).mapped("state")), {"cancel"})
        # The customer's next invoice is posted as usual.
        self.make_invoice(partner, 50.0, d("2026-04-30"))
        with self.mail_server() as accepted:
            self.daily_send(letter)
        self.assertEqual((letter.state, letter.sent_date), ("sent", RUN_DAY))
        self.assertFalse(letter.mail_failure_reason)
        self.assertEqual(accepted, [[partner.email]])

    def test_a_letter_sent_again_keeps_the_claim_its_fee_invoice_booked(self):
        fee_account = self.company_data["default_account_revenue"].copy(
            {"code": "746000", "name": "Recovered collection costs"}
        )
        self.policy_b2b.write(
            {
                "invoice_fees": True,
                "fee_product_id": self.env["product.product"].create({"name": "Kosten"}).id,
                "fee_account_id": fee_account.id,
            }
        )
        partner = self.make_partner("Rente BV", lang="nl_BE")
        letter, _invoice = self.letter_for(partner, amount=1000.0)
        with self.mail_server(connect_error=ConnectionRefusedError(111, "Connection refused")):
            self.daily_send(letter)
        fee_invoice = letter.fee_move_id
        self.assertEqual((letter.state, fee_invoice.state), ("draft", "posted"))
        claim = (letter.amount_interest, letter.amount_fees)
        self.assertEqual(sum(claim), fee_invoice.amount_total)
        # Three days later the server is back: the same claim goes out, booked once.
        with self.mail_server(), freeze_time("2026-03-12"):
            self.env["dunning.letter"]._cron_send()
        self.assertEqual((letter.state, letter.sent_date), ("sent", d("2026-03-12")))
        self.assertEqual((letter.amount_interest, letter.amount_fees), claim)
        self.assertEqual(
            self.env["account.move"].search([("dunning_fee_letter_id", "=", letter.id)]),
            fee_invoice,
        )

    def test_temporary_failures_flag_nobody(self):
        failures = {
            "server disconnected": {
                "connect_error": smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            },
            "connection timeout": {"connect_error": TimeoutError("timed out")},
            "timeout while sending": {"send_error": TimeoutError("timed out")},
            "authentication": {
                "connect_error": smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials")
            },
            "mailbox busy (4xx)": {"refuse": (450, b"4.2.1 Mailbox busy, try again later")},
        }
        cases = []
        for number, name in enumerate(failures):
            partner = self.make_partner(f"Klant {number}", lang="nl_BE")
            cases.append((name, partner, *self.letter_for(partner)))
        for name, partner, letter, invoice in cases:
            with self.mail_server(**failures[name]), freeze_time(RUN_DAY):
                letter.action_send()
            self.assertEqual(letter.state, "draft", name)
            self.assertTrue(letter.mail_failure_reason, name)
            self.assertNoBounce(letter, partner, invoice)
        name, partner, letter, _invoice = cases[-1]
        self.assertIn("450", letter.mail_failure_reason)
        with self.mail_server() as accepted, freeze_time(RUN_DAY):
            letter.action_send()
        self.assertEqual(letter.state, "sent")
        self.assertEqual(accepted, [[partner.email]])


class TestBounces(MailCase):
    def test_550_refusal_of_the_address_is_a_bounce(self):
        partner = self.make_partner("Onbekend BV", lang="nl_BE")
        letter, invoice = self.letter_for(partner)
        with self.mail_server(refuse=(550, b"5.1.1 User unknown")), freeze_time(RUN_DAY):
            letter.action_send()
        self.assertEqual((letter.state, letter.approval_reason), ("to_approve", "mail_failed"))
        self.assertIn("550", letter.mail_failure_reason)
        self.assertTrue(partner.dunning_email_suspect)
        self.assertEqual(invoice.dunning_data_errors, "email_bounced")
        self.assertIn("Onbekend BV", letter.activity_ids.summary)

    def test_a_failed_mail_to_someone_else_leaves_the_letter_alone(self):
        partner = self.make_partner("Goed Adres BV", lang="nl_BE")
        letter, invoice = self.letter_for(partner)
        with freeze_time(RUN_DAY):
            letter.action_send()
        # A note to a follower of the letter (here: the collector) fails for good.
        collector = self.make_partner("Collector", email="collector@coop.example.com")
        mail = self.env["mail.mail"].create(
            {
                "model": "dunning.letter",
                "res_id": letter.id,
                "recipient_ids": [Command.link(collector.id)],
                "body_html": "<p>Note</p>",
            }
        )
        mail._postprocess_sent_message(
            success_pids=[],
            success_emails=[],
            failure_type="mail_email_invalid",
            failure_reason="Invalid email address",
        )
        self.assertEqual(letter.state, "sent")
        self.assertFalse(collector.dunning_email_suspect)
        self.assertNoBounce(letter, partner, invoice)

    def bounce(self, letter, email, partner):
        message = letter.message_ids.filtered(lambda m: m.message_type == "comment")
        self.env["mail.thread"]._routing_handle_bounce(
            None,
            {
                "email_from": "MAILER-DAEMON@example.com",
                "to": "bounce@coop.example.com",
                "message_id": f"<bounce-{letter.id}@example.com>",
                "bounced_email": email,
                "bounced_partner": partner,
                "bounced_msg_ids": [message.message_id],
                "bounced_message": message,
                "body": "550 5.1.1 User unknown",
            },
        )

    def test_a_bounce_of_someone_elses_address_leaves_the_letter_alone(self):
        partner = self.make_partner("Geen Bounce BV", lang="nl_BE")
        letter, invoice = self.letter_for(partner)
        with freeze_time(RUN_DAY):
            letter.action_send()
        follower = self.make_partner("Volger", email="volger@coop.example.com")
        self.bounce(letter, follower.email, follower)
        self.assertEqual(letter.state, "sent")
        self.assertNoBounce(letter, partner, invoice)
        # The customer's own bounce still counts.
        self.bounce(letter, partner.email, partner)
        self.assertEqual((letter.state, letter.approval_reason), ("to_approve", "mail_failed"))
        self.assertTrue(partner.dunning_email_suspect)

    def test_known_bounce_is_not_mailed_again(self):
        partner = self.make_partner("Kapot Adres BV", lang="nl_BE")
        letter, _invoice = self.letter_for(partner)
        partner.dunning_email_suspect = True
        with self.mail_server() as accepted, freeze_time(RUN_DAY):
            letter.action_send()
        self.assertEqual(accepted, [], "nothing goes to an address that bounced")
        self.assertFalse(self.letter_mails(letter))
        self.assertFalse(letter.message_ids.filtered(lambda m: m.message_type == "comment"))
        self.assertEqual((letter.state, letter.approval_reason), ("to_approve", "mail_failed"))
        self.assertIn(partner.email, letter.mail_failure_reason)
        self.assertIn("Kapot Adres BV", letter.activity_ids.summary)
        # The daily send leaves it with the collector too.
        with self.mail_server() as accepted:
            self.daily_send(letter)
        self.assertEqual((accepted, letter.state), ([], "to_approve"))


class TestAddressee(MailCase):
    def contact(self, name, parent, **vals):
        return self.env["res.partner"].create(
            {"name": name, "parent_id": parent.id, "email": f"{name.lower()}@example.com", **vals}
        )

    def letter_of(self, invoices):
        letter = self.run_dunning(RUN_DAY).letter_ids.filtered(lambda ltr: ltr.move_ids & invoices)
        self.assertEqual(letter.move_ids, invoices)
        return letter

    def test_invoices_of_one_contact_go_to_that_contact(self):
        customer = self.make_partner("Een Contact NV", lang="nl_BE")
        anna = self.contact("Anna", customer)
        invoices = self.make_invoice(anna, 100.0, DUE) | self.make_invoice(anna, 200.0, DUE)
        self.assertEqual(self.letter_of(invoices).contact_id, anna)

    def test_invoices_of_several_contacts_go_to_the_customer(self):
        customer = self.make_partner("Twee Contacten NV", lang="nl_BE")
        anna, bert = self.contact("Anna", customer), self.contact("Bert", customer)
        invoices = self.make_invoice(anna, 100.0, DUE) | self.make_invoice(bert, 200.0, DUE)
        letter = self.letter_of(invoices)
        self.assertEqual(letter.contact_id, customer)
        with self.mail_server() as accepted, freeze_time(RUN_DAY):
            letter.action_send()
        self.assertEqual(accepted, [[customer.email]])

    def test_invoices_of_several_contacts_go_to_the_invoice_address(self):
        customer = self.make_partner("Met Factuuradres NV", lang="nl_BE")
        anna, bert = self.contact("Anna", customer), self.contact("Bert", customer)
        billing = self.contact("Boekhouding", customer, type="invoice", lang="fr_BE")
        invoices = self.make_invoice(anna, 100.0, DUE) | self.make_invoice(bert, 200.0, DUE)
        letter = self.letter_of(invoices)
        self.assertEqual((letter.contact_id, letter.lang), (billing, "fr_BE"))


class TestDailySend(MailCase):
    def other_company_letter(self):
        other = self.setup_other_company(name="Coop Wallonie")["company"]
        partner = self.make_partner("Client Wallon SA", lang="fr_BE")
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "company_id": other.id,
                "invoice_date": DUE - timedelta(days=30),
                "invoice_date_due": DUE,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create({"name": "X", "price_unit": 400.0, "tax_ids": [Command.clear()]})
                ],
            }
        )
        invoice.with_company(other).action_post()
        letter = self.run_dunning(RUN_DAY, company=other).letter_ids
        self.assertEqual((len(letter), letter.state), (1, "draft"))
        return letter

    def test_a_failing_letter_keeps_its_error_and_the_others_go_out(self):
        # The first level's e-mail cannot be rendered for one customer.
        self.b2b_levels[0].mail_template_id = self.env["mail.template"].create(
            {
                "name": "Reminder that breaks for one customer",
                "model_id": self.env.ref("smart_dunning.model_dunning_letter").id,
                "partner_to": "{{ object.partner_id.id }}",
                "subject": "Reminder {{ object.name }}",
                "body_html": "<p t-out=\"object.no_such_field if object.partner_id.ref == 'BROKEN' "
                'else object.name"/>',
            }
        )
        good = self.make_partner("Goed BV", lang="nl_BE")
        broken = self.make_partner("Kapot BV", lang="nl_BE", ref="BROKEN")
        letter_good, _inv = self.letter_for(good)
        letter_broken, _inv = self.letter_for(broken)
        letter_other = self.other_company_letter()
        with self.mail_server() as accepted:
            self.daily_send(letter_good | letter_broken | letter_other)
        self.assertEqual((letter_good.state, letter_other.state), ("sent", "sent"))
        self.assertEqual(sorted(accepted), sorted([[good.email], [letter_other.partner_id.email]]))
        self.assertEqual(letter_broken.state, "draft", "it stays to be sent")
        self.assertFalse(letter_broken.sent_date)
        self.assertIn("no_such_field", letter_broken.mail_failure_reason)
        # The daily job writes in the company's language (Dutch here).
        self.assertEqual(self.company.partner_id.lang, "nl_BE")
        self.assertTrue(
            letter_broken.message_ids.filtered(lambda m: "Niet verstuurd" in (m.body or "")),
            "the chatter says why",
        )
        self.assertFalse(self.letter_mails(letter_broken))
        self.assertFalse(broken.dunning_email_suspect)

    def test_each_company_and_batch_is_its_own_transaction(self):
        letters = self.env["dunning.letter"]
        for name in ("Een BV", "Twee BV", "Drie BV"):
            letters |= self.letter_for(self.make_partner(name, lang="nl_BE"))[0]
        letters |= self.other_company_letter()
        sent_at_commit = []
        Cron = type(self.env["ir.cron"])

        def commit_progress(cron, processed=0, *, remaining=None, deactivate=False):
            # What a real cron job commits: recorded here, never committed in a test.
            sent_at_commit.append(
                (processed, remaining, letters.filtered(lambda ltr: ltr.state == "sent"))
            )
            return 60.0

        cron = self.env.ref("smart_dunning.ir_cron_dunning_run")
        with (
            patch.object(Cron, "_commit_progress", commit_progress),
            freeze_time(RUN_DAY),
        ):
            self.env["dunning.letter"].with_context(
                ir_cron_progress_id=1, cron_id=cron.id
            )._cron_send(batch_size=2)
        self.assertEqual(set(letters.mapped("state")), {"sent"})
        # First the count of letters to send, then one commit per batch of at most two
        # letters of one company: 2 + 1 in this company, 1 in the other.
        self.assertEqual(sent_at_commit[0][:2], (0, 4))
        batches = [
            after - before
            for (_p, _r, before), (_p2, _r2, after) in zip(
                sent_at_commit, sent_at_commit[1:], strict=False
            )
        ]
        self.assertEqual([len(b) for b in batches], [p for p, _r, _s in sent_at_commit[1:]])
        self.assertEqual(sorted(len(b) for b in batches), [1, 1, 2])
        self.assertTrue(all(len(b.company_id) == 1 for b in batches))
