"""Letters on paper and in e-mails: the company's letterhead, the PDFs attached to reminders,
and the postal run printed in the background."""

import base64
import io
from datetime import timedelta
from unittest.mock import patch

import lxml.html
import PyPDF2
from PIL import Image

from odoo.tests import freeze_time

from odoo.addons.smart_dunning.models import ir_actions_report

from .common import d
from .test_letters import DUE, LetterCase, pdf_text


def png_logo():
    """A small PNG, enough for the layout to show a logo."""
    stream = io.BytesIO()
    Image.new("RGB", (60, 20), "navy").save(stream, format="PNG")
    return base64.b64encode(stream.getvalue())


class PrintCase(LetterCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"logo": png_logo(), "street": "Koningsstraat 100", "city": "Brussel"})

    def html_of(self, letters):
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "smart_dunning.action_report_dunning_letter", letters.ids
        )
        return lxml.html.fromstring(html)

    def letterhead_text(self, root):
        (div,) = root.xpath("//div[@class='o_dunning_letterhead']")
        return " ".join(" ".join(div.itertext()).split())


class TestLetterhead(PrintCase):
    def test_letter_carries_logo_address_enterprise_number_and_bank(self):
        letter = self.letter_for(self.make_partner("Drukkerij Peeters", lang="nl_BE"))
        root = self.html_of(letter)
        self.assertTrue(root.xpath("//img[contains(@class, 'o_company_logo_small')]"))
        header = " ".join(root.xpath("//div[contains(@class, 'header')]")[0].itertext())
        self.assertIn("Koningsstraat 100", header)
        head = " ".join(
            " ".join(root.xpath("//div[@class='o_dunning_letterhead']")[0].itertext()).split()
        )
        self.assertIn("Ondernemingsnummer: 0458.221.397", head)
        self.assertIn("BE68 5390 0754 7034", head)

    def test_judicial_letter_still_names_the_bank_account(self):
        # The hand-over letter asks for no payment, but the letterhead stays.
        partner = self.make_partner("Bouw Janssens", lang="nl_BE")
        self.make_invoice(partner, 700.0, DUE)
        for level in self.b2b_levels:
            day = DUE + timedelta(days=level.delay_days)
            letter = self.run_dunning(day).letter_ids
            with freeze_time(day):
                letter.action_send()
        self.assertEqual(letter.level_id.stage, "judicial")
        self.assertNotIn("IBAN", letter.letter_html)
        head = " ".join(
            self.html_of(letter).xpath("//div[@class='o_dunning_letterhead']")[0].itertext()
        )
        self.assertIn("BE68 5390 0754 7034", " ".join(head.split()))

    def test_without_patched_qt_the_letterhead_stays_in_the_page(self):
        """wkhtmltopdf without patched Qt drops --header-html and --footer-html: the letter's
        logo and company address then go into the page itself."""
        letter = self.letter_for(self.make_partner("Grafiek BV", lang="nl_BE"))
        Report = self.env["ir.actions.report"]
        html, _kind = Report._render_qweb_html(
            "smart_dunning.action_report_dunning_letter", letter.ids
        )
        report = Report._get_report("smart_dunning.action_report_dunning_letter")
        with patch.object(ir_actions_report, "wkhtmltopdf_patched", return_value=False):
            bodies, ids, _header, _footer, _args = report._prepare_html(html, "dunning.letter")
        self.assertEqual(ids, letter.ids)
        self.assertIn("o_company_logo_small", bodies[0])
        self.assertIn("Koningsstraat 100", bodies[0])
        with patch.object(ir_actions_report, "wkhtmltopdf_patched", return_value=True):
            bodies, ids, header, _footer, _args = report._prepare_html(html, "dunning.letter")
        self.assertNotIn("Koningsstraat 100", bodies[0])
        self.assertIn("Koningsstraat 100", header)

    def test_pdf_shows_the_company_address_and_enterprise_number(self):
        letter = self.letter_for(self.make_partner("Papier NV", lang="nl_BE"))
        text = pdf_text(self.env, letter)
        self.assertIn("Koningsstraat 100", text)
        self.assertIn("0458.221.397", text)
        reader = PyPDF2.PdfReader(io.BytesIO(self.pdf_of(letter)))
        resources = reader.pages[0]["/Resources"]
        self.assertIn("/XObject", resources, "the logo")

    def pdf_of(self, letter):
        return (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("smart_dunning.action_report_dunning_letter", letter.ids)[0]
        )


class TestEmailAttachments(PrintCase):
    def send_letter(self, partner, invoices=2):
        for days in range(invoices):
            self.make_invoice(partner, 200.0 + days, DUE - timedelta(days=days))
        letter = self.run_dunning(d("2026-03-09")).letter_ids
        with freeze_time("2026-03-09"):
            letter.with_context(force_report_rendering=True).action_send()
        self.assertEqual(letter.state, "sent")
        message = letter.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(message), 1)
        return letter, message

    def test_reminder_carries_the_letter_and_its_invoices(self):
        partner = self.make_partner("Bijlagen BV", lang="nl_BE")
        letter, message = self.send_letter(partner)
        invoices = letter.move_ids.sorted("name")
        expected = {letter.name.replace("/", "_") + ".pdf"} | {
            invoice._get_invoice_report_filename() for invoice in invoices
        }
        attachments = message.attachment_ids
        self.assertEqual(len(attachments), 3)
        self.assertEqual(set(attachments.mapped("name")), expected)
        self.assertEqual(set(attachments.mapped("mimetype")), {"application/pdf"})
        for attachment in attachments:
            self.assertTrue(attachment.raw.startswith(b"%PDF"), attachment.name)
        # The mail that leaves carries them.
        mail = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertEqual(mail.attachment_ids, attachments)
        # The invoices keep their PDF as Odoo stores it when it sends them.
        for invoice in invoices:
            self.assertIn(invoice.invoice_pdf_report_id, attachments)
        # The letter keeps the PDF it went out with, and prints it again as it was.
        letter_pdf = attachments.filtered(lambda a: a.res_model == "dunning.letter")
        self.assertEqual(letter_pdf.res_id, letter.id)
        reprint = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("smart_dunning.action_report_dunning_letter", letter.ids)[0]
        )
        self.assertEqual(reprint, letter_pdf.raw)

    def test_invoice_pdf_already_sent_is_reused(self):
        partner = self.make_partner("Hergebruik BV", lang="nl_BE")
        invoice = self.make_invoice(partner, 450.0, DUE)
        stored = self.env["ir.attachment"].create(
            {
                "name": "as sent.pdf",
                "raw": b"%PDF-1.4 what the customer got",
                "res_model": "account.move",
                "res_id": invoice.id,
                "res_field": "invoice_pdf_report_file",
            }
        )
        invoice.invalidate_recordset(["invoice_pdf_report_id"])
        letter = self.run_dunning(d("2026-03-09")).letter_ids
        with freeze_time("2026-03-09"):
            letter.with_context(force_report_rendering=True).action_send()
        message = letter.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertIn(stored, message.attachment_ids)
        self.assertEqual(len(message.attachment_ids), 2)

    def test_setting_off_attaches_the_letter_only(self):
        self.company.dunning_attach_invoices = False
        partner = self.make_partner("Zonder Facturen BV", lang="nl_BE")
        letter, message = self.send_letter(partner)
        self.assertEqual(
            message.attachment_ids.mapped("name"), [letter.name.replace("/", "_") + ".pdf"]
        )
        self.assertFalse(letter.move_ids.invoice_pdf_report_id)

    def test_resent_email_carries_the_pdf_it_first_went_out_with(self):
        partner = self.make_partner("Opnieuw BV", lang="nl_BE")
        letter, message = self.send_letter(partner, invoices=1)
        with freeze_time("2026-03-12"):
            letter.with_context(force_report_rendering=True).action_resend()
        again = letter.message_ids.filtered(lambda m: m.message_type == "comment") - message
        self.assertEqual(again.attachment_ids, message.attachment_ids)
