"""Letters on paper and in e-mails: the company's letterhead, the PDFs attached to reminders,
and the postal run printed in the background."""

import base64
import io
import os
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
        # and the installed fonts, which it embeds as text rather than drawing outlines
        self.assertIn(ir_actions_report.SYSTEM_FONTS, bodies[0])
        with patch.object(ir_actions_report, "wkhtmltopdf_patched", return_value=True):
            bodies, ids, header, _footer, _args = report._prepare_html(html, "dunning.letter")
        self.assertNotIn("Koningsstraat 100", bodies[0])
        self.assertNotIn(ir_actions_report.SYSTEM_FONTS, bodies[0])
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


class TestBackgroundPrinting(PrintCase):
    def paper_letters(self, count, channel="letter"):
        self.b2b_levels[0].channel = channel
        for i in range(count):
            partner = self.make_partner(f"Drukwerk {i}", lang="nl_BE" if i % 2 else "fr_BE")
            self.make_invoice(partner, 100.0 + i, DUE)
        letters = self.run_dunning(d("2026-03-09")).letter_ids.sorted("id")
        self.assertEqual(len(letters), count)
        return letters

    def cron(self, **kwargs):
        self.env["dunning.run"].with_context(force_report_rendering=True)._cron_print(**kwargs)

    def merged_text(self, run):
        self.assertEqual(run.print_attachment_id.mimetype, "application/pdf")
        reader = PyPDF2.PdfReader(io.BytesIO(run.print_attachment_id.raw))
        return " ".join(" ".join(page.extract_text() for page in reader.pages).split()), reader

    def test_postal_run_button_only_queues(self):
        letters = self.paper_letters(3)
        run = letters.run_id
        cron = self.env.ref("smart_dunning.ir_cron_dunning_print")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        action = letters.action_print_postal_run()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(set(letters.mapped("state")), {"draft"})
        self.assertTrue(all(letters.mapped("print_pending")))
        self.assertEqual((run.print_state, run.print_done, run.print_total), ("queued", 0, 3))
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1
        )
        # Queued twice, a letter is printed once.
        letters[:1].action_print_postal_run()
        self.assertEqual(run.print_total, 3)

    def test_job_sends_prints_merges_and_tells_who_asked(self):
        letters = self.paper_letters(3)
        run = letters.run_id
        with freeze_time("2026-03-10"):
            letters.action_print_postal_run()
            self.cron()
        self.assertEqual(set(letters.mapped("state")), {"sent"})
        self.assertEqual(set(letters.mapped("sent_date")), {d("2026-03-10")})
        self.assertEqual((run.print_state, run.print_done, run.print_total), ("done", 3, 3))
        self.assertEqual(
            (run.print_attachment_id.res_model, run.print_attachment_id.res_id),
            ("dunning.run", run.id),
        )
        text, _reader = self.merged_text(run)
        for letter in letters:
            self.assertEqual(text.count(letter.payment_reference), 1, letter.name)
        message = run.message_ids[0]
        self.assertEqual(message.attachment_ids, run.print_attachment_id)
        self.assertIn(self.env.user.partner_id, message.partner_ids)
        self.assertIn("3", message.body)
        action = run.action_download_print()
        self.assertIn(str(run.print_attachment_id.id), action["url"])

    def test_worker_dying_half_way_loses_nothing_and_prints_each_letter_once(self):
        letters = self.paper_letters(5)
        run = letters.run_id
        with freeze_time("2026-03-10"):
            letters.action_print_postal_run()
            # The first batch commits...
            self.assertTrue(
                run.with_context(force_report_rendering=True)._print_batch(batch_size=2)
            )
            self.assertEqual((run.print_state, run.print_done), ("printing", 2))
            # ...the worker dies while rendering the second one: that transaction is lost.
            Letter = type(self.env["dunning.letter"])
            with (
                patch.object(Letter, "_ensure_pdfs", side_effect=MemoryError),
                self.assertRaises(MemoryError),
                self.env.cr.savepoint(),
            ):
                run._print_batch(batch_size=2)
            self.env.invalidate_all()
            self.assertEqual(run.print_done, 2)
            self.assertEqual(letters.filtered("print_pending"), letters[2:])
            self.assertEqual(set(letters[2:].mapped("state")), {"draft"})
            # The next cron goes on from there.
            self.cron(batch_size=2)
        self.assertEqual(set(letters.mapped("state")), {"sent"})
        self.assertEqual((run.print_state, run.print_done), ("done", 5))
        text, reader = self.merged_text(run)
        for letter in letters:
            self.assertEqual(text.count(letter.payment_reference), 1, letter.name)
            stored = self.env["ir.attachment"].search(
                [("res_model", "=", "dunning.letter"), ("res_id", "=", letter.id)]
            )
            self.assertEqual(len(stored), 1, letter.name)
        self.assertEqual(
            len(reader.pages),
            sum(
                len(PyPDF2.PdfReader(io.BytesIO(a.raw)).pages)
                for a in self.env["ir.attachment"].search(
                    [("res_model", "=", "dunning.letter"), ("res_id", "in", letters.ids)]
                )
            ),
        )

    def test_sending_several_emails_goes_to_the_background(self):
        letters = self.paper_letters(2, channel="email")
        run = letters.run_id
        with freeze_time("2026-03-10"):
            action = letters.action_send()
            self.assertEqual(action["tag"], "display_notification")
            self.assertEqual(set(letters.mapped("state")), {"draft"})
            self.cron()
        self.assertEqual(set(letters.mapped("state")), {"sent"})
        for letter in letters:
            email = letter.message_ids.filtered(lambda m: m.message_type == "comment")
            self.assertEqual(len(email.attachment_ids), 2, "letter and invoice")
        self.assertEqual(run.print_state, "done")
        self.assertFalse(run.print_attachment_id, "nothing to post")

    def test_one_wkhtmltopdf_document_per_cpu_split_per_letter(self):
        """Without patched Qt, several letters go into one document per process, and each
        letter gets its own pages back."""
        letters = self.paper_letters(4)
        calls = []
        run = ir_actions_report.base_report._run_wkhtmltopdf

        def counting(args):
            calls.append(args)
            return run(args)

        with (
            patch.object(ir_actions_report, "wkhtmltopdf_patched", return_value=False),
            patch.object(ir_actions_report.base_report, "_run_wkhtmltopdf", counting),
        ):
            documents = letters.with_context(force_report_rendering=True)._render_pdfs()
        self.assertEqual(len(calls), min(os.cpu_count() or 1, 4))
        self.assertEqual(set(documents), set(letters.ids))
        for letter in letters:
            content, kind = documents[letter.id]
            self.assertEqual(kind, "pdf")
            reader = PyPDF2.PdfReader(io.BytesIO(content))
            text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
            self.assertIn(letter.payment_reference, text)
            for other in letters - letter:
                self.assertNotIn(other.payment_reference, text)
