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
