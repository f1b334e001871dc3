"""Judicial files: the hand-over opens one per customer, with the claim of its letters; the
dossier PDF and the CSV for the bailiff or the lawyer; closing keeps dunning stopped."""

import csv
import io
from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time

from .common import BelgianDunningCase, d

DUE = d("2026-03-02")  # a Monday
JUDICIAL_DAY = DUE + timedelta(days=60)  # the B2B policy's hand-over level


class JudicialCase(BelgianDunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "company_registry": "0458.221.397",
                "phone": "+32 2 555 01 00",
                "email": "klanten@coop.example.com",
            }
        )
        cls.bailiff = cls.make_partner("Gerechtsdeurwaarder Janssens", lang="nl_BE")
        cls.lawyer = cls.make_partner("Advocaat Claes")
        # the bailiff comes from the Collections settings, the lawyer from the policy
        cls.company.dunning_bailiff_partner_id = cls.bailiff
        cls.policy_b2b.write({"lawyer_id": cls.lawyer.id, "judicial_threshold": 5000.0})
        cls.customer.write(
            {
                "vat": "BE0477472701",
                "street": "Kerkstraat 12",
                "zip": "9000",
                "city": "Gent",
                "country_id": cls.env.ref("base.be").id,
                "phone": "+32 9 123 45 67",
            }
        )
        cls.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")

    def dun_through_levels(self, due=DUE):
        """Every level of the B2B policy, each run sent on its day; the letters of the
        judicial level."""
        for level in self.b2b_levels:
            day = due + timedelta(days=level.delay_days)
            letters = self.run_dunning(day).letter_ids
            with freeze_time(day):
                letters.action_send()
                # more than one letter: the background job sends them
                self.env["dunning.run"]._cron_print()
        return letters

    def file_of(self, partner):
        return self.env["dunning.judicial.file"].search([("partner_id", "=", partner.id)])


class TestHandOver(JudicialCase):
    def test_one_file_per_customer_with_the_claim_and_the_route(self):
        first = self.make_invoice(self.customer, 1200.0, DUE)
        second = self.make_invoice(self.customer, 800.0, DUE)
        big_customer = self.make_partner("Groot NV")
        big = self.make_invoice(big_customer, 6000.0, DUE)
        letters = self.dun_through_levels()
        self.assertEqual(set(letters.mapped("state")), {"sent"})

        file = self.file_of(self.customer)
        self.assertEqual(len(file), 1)
        self.assertRegex(file.name, r"^JUD/2026/\d{4}$")
        self.assertEqual(file.move_ids, first | second)
        self.assertEqual(file.route, "bailiff")
        self.assertEqual(file.recipient_id, self.bailiff)
        self.assertEqual(file.state, "draft")
        letter = letters.filtered(lambda ltr: ltr.partner_id == self.customer)
        self.assertEqual(file.letter_id, letter)
        self.assertEqual(file.amount_principal, 2000.0)
        # the claim is the hand-over letter's: late-payment interest since the day after the
        # due date and a recovery compensation per invoice (law of 2 August 2002)
        self.assertGreater(file.amount_interest, 0)
        self.assertEqual(file.amount_interest, letter.amount_interest)
        self.assertEqual(file.amount_fees, letter.amount_fees)
        recovery = letter.fee_line_ids.filtered(lambda fee: fee.kind == "recovery")
        self.assertEqual(recovery.move_id, first | second)
        self.assertAlmostEqual(file.amount_fees, sum(recovery.mapped("amount")))
        self.assertAlmostEqual(file.amount_total, 2000.0 + file.amount_interest + file.amount_fees)

        big_file = self.file_of(big_customer)
        self.assertEqual(big_file.move_ids, big)
        self.assertEqual(big_file.route, "lawyer")
        self.assertEqual(big_file.recipient_id, self.lawyer)
        self.assertEqual(big_file.amount_principal, 6000.0)

    def test_a_second_hand_over_adds_its_invoices_to_the_open_file(self):
        first = self.make_invoice(self.customer, 1200.0, DUE)
        self.dun_through_levels()
        file = self.file_of(self.customer)
        claimed = file.amount_total
        later_due = DUE + timedelta(days=14)
        later = self.make_invoice(self.customer, 500.0, later_due)
        second_letter = self.dun_through_levels(later_due)
        self.assertEqual(self.file_of(self.customer), file, "no second file")
        # the invoice of the open file got no letter meanwhile
        self.assertEqual(second_letter.move_ids, later)
        self.assertEqual(file.move_ids, first | later)
        self.assertEqual(len(file.letter_ids), 2)
        self.assertEqual(file.amount_principal, 1700.0)
        self.assertAlmostEqual(
            file.amount_total,
            claimed + 500.0 + second_letter.amount_interest + second_letter.amount_fees,
        )
        self.assertTrue(later.dunning_judicial)

    def test_a_customer_handed_over_by_hand(self):
        invoice = self.make_invoice(self.customer, 900.0, DUE)
        not_due = self.make_invoice(self.customer, 300.0, JUDICIAL_DAY + timedelta(days=10))
        with freeze_time(JUDICIAL_DAY):
            action = self.customer.action_dunning_new_judicial_file()
        file = self.env["dunning.judicial.file"].browse(action["res_id"])
        self.assertEqual(file.move_ids, invoice)
        self.assertEqual(file.route, "bailiff")
        self.assertEqual(file.recipient_id, self.bailiff)
        self.assertTrue(invoice.dunning_judicial)
        self.assertFalse(not_due.dunning_judicial)
        self.assertEqual(file.amount_principal, 900.0)
        # the claim engine, on the day the file opened: interest and the compensation
        self.assertGreater(file.amount_interest, 0)
        self.assertGreater(file.amount_fees, 0)
        self.assertEqual(self.customer.dunning_judicial_file_count, 1)
        with (
            freeze_time(JUDICIAL_DAY),
            self.assertRefused(UserError, "no overdue invoice that is not handed over"),
        ):
            self.customer.action_dunning_new_judicial_file()


class TestFollowUp(JudicialCase):
    def test_closing_keeps_dunning_stopped(self):
        invoice = self.make_invoice(self.customer, 1200.0, DUE)
        self.dun_through_levels()
        file = self.file_of(self.customer)
        with freeze_time(JUDICIAL_DAY + timedelta(days=1)):
            file.action_send()
        self.assertEqual(file.state, "sent")
        self.assertEqual(file.sent_on, JUDICIAL_DAY + timedelta(days=1))
        with self.assertRefused(UserError, "Choose the outcome"):
            file.action_close()
        tracked = file.with_context(tracking_disable=False, mail_notrack=False)
        tracked.write({"outcome": "irrecoverable", "costs": 120.0})
        with freeze_time(JUDICIAL_DAY + timedelta(days=90)):
            tracked.action_close()
        self.env.cr.flush()  # tracking messages are written at commit time
        self.env.invalidate_all()
        self.assertEqual(file.state, "closed")
        self.assertEqual(file.closed_on, JUDICIAL_DAY + timedelta(days=90))
        self.assertTrue(invoice.dunning_judicial)
        self.assertEqual(invoice.dunning_state, "judicial")
        run = self.run_dunning(JUDICIAL_DAY + timedelta(days=90))
        self.assertFalse(run.letter_ids.filtered(lambda ltr: ltr.partner_id == self.customer))
        tracking = file.message_ids.tracking_value_ids
        self.assertEqual(
            tracking.filtered(lambda t: t.field_id.name == "outcome").new_value_char,
            "Irrecoverable",
        )
        self.assertEqual(
            tracking.filtered(lambda t: t.field_id.name == "state").new_value_char, "Closed"
        )

    def test_a_file_goes_nowhere_without_a_recipient(self):
        self.company.dunning_bailiff_partner_id = False
        self.make_invoice(self.customer, 1200.0, DUE)
        self.dun_through_levels()
        file = self.file_of(self.customer)
        with self.assertRefused(UserError, "no bailiff or lawyer"):
            file.action_send()
        self.assertEqual(file.state, "draft")


class TestDossier(JudicialCase):
    def setUp(self):
        super().setUp()
        self.invoice = self.make_invoice(self.customer, 1200.0, DUE)
        self.letters = self.env["dunning.letter"]
        for level in self.b2b_levels:
            day = DUE + timedelta(days=level.delay_days)
            letters = self.run_dunning(day).letter_ids
            with freeze_time(day):
                letters.action_send()
            self.letters |= letters
        self.file = self.file_of(self.customer)
        reason = self.env.ref("smart_dunning.dunning_dispute_reason_price_quantity")
        self.dispute = self.env["dunning.dispute"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.invoice.ids)],
                "reason_id": reason.id,
                "description": "Twelve pallets were delivered instead of twenty",
            }
        )
        with freeze_time("2026-04-15 10:30:00"):
            self.call = self.env["dunning.call"].create(
                {
                    "partner_id": self.customer.id,
                    "outcome": "no_answer",
                    "note": "Voicemail of the accountant",
                    "move_ids": [Command.set(self.invoice.ids)],
                }
            )

    def test_the_dossier_holds_everything_the_bailiff_needs(self):
        self.bailiff.lang = "en_US"
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "smart_dunning.action_report_dunning_judicial_file", self.file.ids
        )
        html = html.decode()
        for text in (
            self.file.name,
            # creditor and debtor, with their enterprise numbers and contact data
            self.company.name,
            "0458.221.397",
            "klanten@coop.example.com",
            "Brouwerij De Kroon",
            "BE0477472701",
            "0477.472.701",
            "Kerkstraat 12",
            "+32 9 123 45 67",
            # the invoice with its dates and amounts
            self.invoice.name,
            "03/02/2026",
            "1,200.00",
            # the disputed invoice and the call
            "Twelve pallets were delivered instead of twenty",
            self.dispute.name,
            "Open",
            "No answer",
            "Voicemail of the accountant",
            "Gerechtsdeurwaarder Janssens",
        ):
            self.assertIn(text, html)
        # every letter, with the day it left and its channel
        self.assertEqual(len(self.letters), 4)
        for letter in self.letters:
            self.assertIn(letter.name, html)
            self.assertIn(letter.sent_date.strftime("%m/%d/%Y"), html)
        for channel in ("E-mail", "Paper letter", "Judicial hand-over"):
            self.assertIn(channel, html)
        # the claim with its legal basis, as on the letter
        self.assertIn("Fixed recovery compensation", html)
        self.assertIn("Belgium", html)
        self.assertIn(f"{self.file.amount_total:,.2f}", html)

    def test_the_dossier_is_in_the_recipients_language(self):
        self.bailiff.lang = "fr_BE"
        self.env["res.lang"]._activate_lang("fr_BE")
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "smart_dunning.action_report_dunning_judicial_file", self.file.ids
        )
        judicial = self.b2b_levels.filtered(lambda lvl: lvl.channel == "judicial")
        self.assertIn(judicial.with_context(lang="fr_BE").name, html.decode())
        self.assertIn("02/03/2026", html.decode())

    def test_sending_attaches_the_dossier(self):
        self.file.action_send()
        attachment = self.file.dossier_attachment_id
        self.assertEqual(attachment.res_model, "dunning.judicial.file")
        self.assertEqual(attachment.res_id, self.file.id)
        self.assertEqual(attachment.name, self.file.name.replace("/", "_") + ".pdf")
        self.assertIn(self.invoice.name.encode(), attachment.raw)
        self.assertIn(attachment, self.file.message_ids.attachment_ids)

    def test_the_csv_holds_the_documented_columns(self):
        action = self.file.action_export_csv()
        attachment_id = int(action["url"].split("/")[3].split("?")[0])
        content = self.env["ir.attachment"].browse(attachment_id).raw.decode("utf-8")
        rows = list(csv.DictReader(io.StringIO(content), delimiter=";"))
        self.assertEqual(len(rows), 1)
        row = rows[0]
        judicial_letter = self.letters.filtered(lambda ltr: ltr.channel == "judicial")
        interest = sum(
            judicial_letter.fee_line_ids.filtered(lambda f: f.kind == "interest").mapped("amount")
        )
        fees = sum(
            judicial_letter.fee_line_ids.filtered(lambda f: f.kind != "interest").mapped("amount")
        )
        self.assertEqual(
            row,
            {
                "file_reference": self.file.name,
                "route": "bailiff",
                "customer_name": "Brouwerij De Kroon",
                "customer_vat": "0477.472.701",
                "customer_street": "Kerkstraat 12",
                "customer_zip": "9000",
                "customer_city": "Gent",
                "customer_country": "BE",
                "invoice_number": self.invoice.name,
                "invoice_date": "2026-01-31",
                "due_date": "2026-03-02",
                "amount": "1200.00",
                "residual": "1200.00",
                "interest": f"{interest:.2f}",
                "fees": f"{fees:.2f}",
                "currency": "EUR",
                "last_letter_date": judicial_letter.sent_date.isoformat(),
                "last_letter_level": judicial_letter.level_id.name,
                "last_letter_channel": "judicial",
            },
        )

    def test_several_files_in_one_csv(self):
        other = self.make_partner("Garage Lambert", lang="fr_BE")
        other_invoice = self.make_invoice(other, 400.0, DUE)
        with freeze_time(JUDICIAL_DAY):
            other.action_dunning_new_judicial_file()
        files = self.file | self.file_of(other)
        action = self.env.ref("smart_dunning.dunning_judicial_file_action_export_csv")
        result = action.with_context(
            active_model="dunning.judicial.file", active_ids=files.ids
        ).run()
        attachment_id = int(result["url"].split("/")[3].split("?")[0])
        content = self.env["ir.attachment"].browse(attachment_id).raw.decode("utf-8")
        rows = list(csv.DictReader(io.StringIO(content), delimiter=";"))
        self.assertEqual(
            {(r["file_reference"], r["invoice_number"]) for r in rows},
            {(self.file.name, self.invoice.name), (self.file_of(other).name, other_invoice.name)},
        )
        lambert = next(r for r in rows if r["invoice_number"] == other_invoice.name)
        self.assertEqual(lambert["last_letter_date"], "")


class TestAccess(JudicialCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = cls.make_user(
            "jud_collector", "base.group_user,smart_dunning.group_dunning_user"
        )
        cls.seller = cls.make_user("jud_seller", "base.group_user")
        cls.other_seller = cls.make_user("jud_other_seller", "base.group_user")
        cls.customer.user_id = cls.seller

    def test_access_per_group(self):
        self.make_invoice(self.customer, 1200.0, DUE)
        with freeze_time(JUDICIAL_DAY):
            self.customer.action_dunning_new_judicial_file()
        file = self.file_of(self.customer)
        # the salesperson reads the files of their own customers, never changes them
        self.assertEqual(self.env["dunning.judicial.file"].with_user(self.seller).search([]), file)
        self.assertEqual(file.with_user(self.seller).amount_principal, 1200.0)
        with self.assertRaises(AccessError):
            file.with_user(self.seller).write({"notes": "paid in cash"})
        self.assertFalse(self.env["dunning.judicial.file"].with_user(self.other_seller).search([]))
        # the collector works the file but may not delete it; the manager may
        file.with_user(self.collector).write({"notes": "Bailiff called the customer"})
        file.with_user(self.collector).action_send()
        self.assertEqual(file.state, "sent")
        with self.assertRaises(AccessError):
            file.with_user(self.collector).unlink()
        with self.assertRaises(AccessError):
            self.customer.with_user(self.seller).action_dunning_new_judicial_file()
        file.unlink()
        self.assertFalse(file.exists())
