"""Sending under faults: only a real bounce flags an address, an address known to bounce is
not mailed again, a letter has one addressee, and the daily send keeps companies, batches and
letters apart."""

import smtplib
from contextlib import contextmanager
from unittest.mock import patch

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
