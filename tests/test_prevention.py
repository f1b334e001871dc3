"""Prevention at posting: the customer data an invoice needs is checked before it goes out."""

from odoo import Command
from odoo.exceptions import AccessError, UserError

from odoo.addons.smart_dunning.lib import data_check

from .common import DunningCase, d
from .test_disputes import DisputeCase
from .test_fees import FeeCase
from .test_install import demo_env

DUE = d("2026-03-02")
DATA_ERRORS = [("dunning_data_errors", "!=", False)]


class PreventionCase(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.dunning_data_check = "warn"
        cls.be = cls.env.ref("base.be")
        cls.nl = cls.env.ref("base.nl")

    def draft(self, partner, **vals):
        return self.make_invoice(partner, 100.0, DUE, post=False, **vals)

    def notes(self, invoice):
        return invoice.message_ids.filtered(lambda m: m.message_type == "notification")


class TestChecks(PreventionCase):
    def test_each_check_on_a_batch_of_invoices(self):
        cases = [
            # (partner values, invoice values, problems found)
            ({}, {}, []),
            ({"email": False}, {}, ["email_missing"]),
            ({"email": "  "}, {}, ["email_missing"]),
            ({"email": "info@hendrickx-schrijnwerk"}, {}, ["email_invalid"]),
            ({"email": "jan peeters@telenet.be"}, {}, ["email_invalid"]),
            ({"email": "jan@@telenet.be"}, {}, ["email_invalid"]),
            ({"email": "a@kroon.be, nonsense"}, {}, ["email_invalid"]),
            # a reminder to this address bounced
            ({"email": "a@kroon.be", "dunning_email_suspect": True}, {}, ["email_bounced"]),
            ({"email": "a@@kroon.be", "dunning_email_suspect": True}, {}, ["email_invalid"]),
            ({"email": '"Peeters, Jan" <jan@telenet.be>; boekhouding@kroon.be'}, {}, []),
            ({"email": "boekhouding@théâtre.be"}, {}, []),  # an international domain
            ({"country_id": "be", "zip": "1000"}, {}, []),
            ({"country_id": "be", "zip": "10000"}, {}, ["zip_be"]),
            ({"country_id": "be", "zip": "0999"}, {}, ["zip_be"]),
            ({"country_id": "be", "zip": "1O00"}, {}, ["zip_be"]),
            ({"country_id": "be", "zip": False}, {}, ["zip_be"]),
            ({"country_id": "nl", "zip": "2514 AB"}, {}, []),
            ({"country_id": "nl", "zip": "2514ab"}, {}, []),
            ({"country_id": "nl", "zip": "2514"}, {}, ["zip_nl"]),
            ({"country_id": "nl", "zip": "0123 AB"}, {}, ["zip_nl"]),
            ({"country_id": "nl", "zip": "1234 A1"}, {}, ["zip_nl"]),
            ({"zip": "75001"}, {}, []),  # no country: nothing to check the postcode against
            ({"dunning_po_required": True}, {}, ["po_missing"]),
            ({"dunning_po_required": True}, {"ref": "  "}, ["po_missing"]),
            ({"dunning_po_required": True}, {"ref": "BB/2026/0042"}, []),
            (
                {"email": False, "country_id": "be", "zip": "123", "dunning_po_required": True},
                {},
                ["email_missing", "zip_be", "po_missing"],
            ),
        ]
        invoices = self.env["account.move"]
        for number, (partner_vals, invoice_vals, _problems) in enumerate(cases):
            if "country_id" in partner_vals:
                partner_vals = dict(
                    partner_vals, country_id=self.env.ref(f"base.{partner_vals['country_id']}").id
                )
            partner = self.make_partner(f"Klant {number}", **partner_vals)
            invoices |= self.draft(partner, **invoice_vals)
        invoices.action_post()
        for invoice, (partner_vals, invoice_vals, problems) in zip(invoices, cases, strict=True):
            with self.subTest(partner=partner_vals, invoice=invoice_vals):
                self.assertEqual(invoice.state, "posted")
                self.assertEqual(invoice.dunning_data_errors or "", ",".join(problems))

    def test_the_check_reads_a_batch_in_the_same_number_of_queries(self):
        def queries(count):
            invoices = self.env["account.move"]
            for number in range(count):
                partner = self.make_partner(
                    f"Batch {count} {number}",
                    email=False,
                    country_id=self.be.id,
                    zip="99",
                    dunning_po_required=True,
                )
                invoices |= self.draft(partner)
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            problems = invoices._dunning_data_problems()
            self.assertEqual(len(problems), count)
            return self.cr.sql_log_count - before

        queries(1)  # the first call fills the caches of the registry
        self.assertEqual(queries(2), queries(25))

    def test_dispute_fix_and_check_share_one_rule(self):
        # Whatever the fix wizard accepts must clear the warning, and the other way round.
        self.assertEqual(data_check.normalize_postcode("NL", "2514ab"), "2514 AB")
        self.assertIsNone(data_check.postcode_problem("NL", "2514ab"))
        self.assertIsNone(data_check.normalize_postcode("BE", "0999"))
        self.assertEqual(data_check.postcode_problem("BE", "0999"), "zip_be")

    def test_public_rule_paths_still_import(self):
        # The README's public contract names the rules by their former home under models/.
        from odoo.addons.smart_dunning.models.data_check import data_problems
        from odoo.addons.smart_dunning.models.open_credit import invoice_net_sql

        self.assertIs(data_problems, data_check.data_problems)
        self.assertEqual(invoice_net_sql.__module__, "odoo.addons.smart_dunning.lib.open_credit")

    def test_credit_notes_and_vendor_bills_are_not_checked(self):
        self.company.dunning_data_check = "block"
        partner = self.make_partner("Zonder Adres", email=False, dunning_po_required=True)
        refund = self.make_invoice(partner, 50.0, DUE, move_type="out_refund")
        self.assertEqual((refund.state, refund.dunning_data_errors), ("posted", False))
        bill = self.make_invoice(partner, 50.0, DUE, move_type="in_invoice")
        self.assertEqual((bill.state, bill.dunning_data_errors), ("posted", False))


class TestWarn(PreventionCase):
    def test_posted_with_the_problems_on_the_invoice(self):
        partner = self.make_partner(
            "Schrijnwerkerij Hendrickx",
            email="info@hendrickx-schrijnwerk",
            country_id=self.be.id,
            zip="2300",
            dunning_po_required=True,
        )
        clean = self.make_invoice(self.customer, 80.0, DUE)
        invoice = self.make_invoice(partner, 460.0, DUE)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.dunning_data_errors, "email_invalid,po_missing")
        self.assertEqual(
            invoice.dunning_data_error_text,
            "The e-mail address of Schrijnwerkerij Hendrickx is not valid: "
            "info@hendrickx-schrijnwerk.\n"
            "Schrijnwerkerij Hendrickx requires its purchase-order number on every invoice, "
            "and the customer reference is empty.",
        )
        # The banner of the form and a note in the chatter.
        alert = invoice.alerts["smart_dunning_data_errors"]
        self.assertEqual(alert["level"], "warning")
        self.assertIn("info@hendrickx-schrijnwerk", alert["message"])
        self.assertEqual(
            alert["action_call"], ["account.move", "action_dunning_check_data", invoice.ids]
        )
        self.assertNotIn("smart_dunning_data_errors", clean.alerts or {})
        note = self.notes(invoice).filtered(lambda m: "Posted with errors" in m.body)
        self.assertEqual(len(note), 1)
        self.assertIn("purchase-order number", note.body)
        self.assertFalse(self.notes(clean).filtered(lambda m: "customer data" in m.body))
        # The "Data errors" filter of the invoice list.
        found = self.env["account.move"].search(DATA_ERRORS + [("id", "in", (invoice | clean).ids)])
        self.assertEqual(found, invoice)

    def test_draft_shows_the_problems_before_posting(self):
        partner = self.make_partner("Jansen Installatie", country_id=self.nl.id, zip="1234")
        invoice = self.draft(partner)
        alert = invoice.alerts["smart_dunning_data_errors"]
        self.assertEqual(alert["level"], "warning")
        self.assertIn('not a Dutch postcode (e.g. "1234 AB"): 1234', alert["message"])
        self.company.dunning_data_check = "block"
        invoice.invalidate_recordset(["alerts"])
        self.assertEqual(invoice.alerts["smart_dunning_data_errors"]["level"], "danger")
        self.company.dunning_data_check = "off"
        invoice.invalidate_recordset(["alerts"])
        self.assertNotIn("smart_dunning_data_errors", invoice.alerts or {})

    def test_off_checks_nothing(self):
        self.company.dunning_data_check = "off"
        partner = self.make_partner("Stad Oostende", email=False, dunning_po_required=True)
        invoice = self.make_invoice(partner, 1500.0, DUE)
        self.assertEqual((invoice.state, invoice.dunning_data_errors), ("posted", False))
        self.assertFalse(self.notes(invoice).filtered(lambda m: "customer data" in m.body))


class TestBlock(PreventionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.dunning_data_check = "block"

    def test_nothing_posted_and_every_problem_listed(self):
        hendrickx = self.make_partner("Schrijnwerkerij Hendrickx", email="info@hendrickx")
        oostende = self.make_partner(
            "Stad Oostende", country_id=self.be.id, zip="84000", dunning_po_required=True
        )
        invoices = self.draft(self.customer) | self.draft(hendrickx) | self.draft(oostende)
        with self.assertRefused(UserError, "Not posted: correct the customer data first") as error:
            invoices.action_post()
        message = str(error.exception)
        self.assertIn(f"{invoices[1].display_name}\n  - The e-mail address of", message)
        self.assertIn("not valid: info@hendrickx.", message)
        self.assertIn(
            f"{invoices[2].display_name}\n  - The postcode of Stad Oostende is not a Belgian "
            "postcode (four digits, e.g. 1000): 84000.\n  - Stad Oostende requires",
            message,
        )
        self.assertNotIn(self.customer.name, message)
        self.assertEqual(invoices.mapped("state"), ["draft"] * 3, "nothing is posted")

        # Corrected, the same batch posts.
        hendrickx.email = "boekhouding@hendrickx.be"
        oostende.zip = "8400"
        invoices[2].ref = "BB/2026/0042"
        invoices.action_post()
        self.assertEqual(invoices.mapped("state"), ["posted"] * 3)
        self.assertFalse(any(invoices.mapped("dunning_data_errors")))

    def test_the_error_is_in_the_language_of_the_user(self):
        partner = self.make_partner("Galerie Moderne SRL", email=False, lang="fr_BE")
        accountant = self.make_user(
            "comptable", "account.group_account_invoice", lang="fr_BE", name="Comptable"
        )
        # As the web client does: the user's language is in the context of each call.
        invoice = self.draft(partner).with_user(accountant).with_context(lang=accountant.lang)
        with self.assertRefused(UserError, "Galerie Moderne SRL n'a pas d'adresse e-mail"):
            invoice.action_post()
        self.assertEqual(invoice.state, "draft")

    def test_each_company_its_own_setting(self):
        other = self.setup_other_company(name="Smart Nederland")["company"]
        other.dunning_data_check = "warn"
        partner = self.make_partner("Zonder E-mail", email=False)
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "company_id": other.id,
                "invoice_date": DUE,
                "invoice_line_ids": [
                    Command.create({"name": "Prestatie", "quantity": 1, "price_unit": 10.0})
                ],
            }
        )
        invoice.action_post()
        self.assertEqual((invoice.state, invoice.dunning_data_errors), ("posted", "email_missing"))
        with self.assertRefused(UserError, "has no e-mail address"):
            self.make_invoice(partner, 10.0, DUE)


class TestFeeInvoice(FeeCase):
    def test_fee_invoice_of_a_letter_is_not_blocked(self):
        self.company.dunning_data_check = "block"
        self.customer.dunning_po_required = True
        self.policy_b2b.write(
            {
                "invoice_fees": True,
                "fee_product_id": self.env["product.product"].create({"name": "Kosten"}).id,
                "fee_account_id": self.company_data["default_account_revenue"].id,
            }
        )
        self.make_invoice(self.customer, 1000.0, DUE, ref="PO 2026/17")
        letter = self.letter_on("2026-03-09")
        letter._dunning_send(sent_date=d("2026-03-09"))
        self.assertEqual(letter.state, "sent")
        self.assertEqual(letter.fee_move_id.state, "posted")
        self.assertFalse(letter.fee_move_id.ref, "no PO number, and yet posted")
        self.assertFalse(letter.fee_move_id.dunning_data_errors)


class TestCorrection(PreventionCase):
    def test_corrected_data_clears_the_warning(self):
        partner = self.make_partner(
            "Brasserie du Parc", email="compta@brasserie", dunning_po_required=True
        )
        invoice = self.make_invoice(partner, 300.0, DUE)
        other = self.make_invoice(partner, 200.0, DUE, ref="PO-7")
        self.assertEqual(invoice.dunning_data_errors, "email_invalid,po_missing")
        self.assertEqual(other.dunning_data_errors, "email_invalid")

        partner.email = "compta@brasserieduparc.be"
        self.assertEqual(invoice.dunning_data_errors, "po_missing")
        self.assertFalse(other.dunning_data_errors)
        self.assertTrue(self.notes(other).filtered(lambda m: "no data errors left" in m.body))
        self.assertTrue(self.notes(invoice).filtered(lambda m: "still to correct" in m.body))

        invoice.ref = "PO-8"
        self.assertFalse(invoice.dunning_data_errors)
        self.assertNotIn("smart_dunning_data_errors", invoice.alerts or {})
        self.assertFalse(
            self.env["account.move"].search(DATA_ERRORS + [("partner_id", "=", partner.id)])
        )

    def test_a_bounced_reminder_marks_the_open_invoices_until_the_address_changes(self):
        partner = self.make_partner("Bouncing BV", email="boekhouding@bouncing.example.com")
        unpaid = self.make_invoice(partner, 300.0, DUE)
        paid = self.make_invoice(partner, 100.0, DUE)
        self.pay(paid, 100.0, DUE)
        self.assertFalse(unpaid.dunning_data_errors)
        # what a bounced reminder does to its addressee (see TestMailFailures)
        partner.dunning_email_suspect = True
        self.assertEqual(unpaid.dunning_data_errors, "email_bounced")
        self.assertIn(
            "A reminder to boekhouding@bouncing.example.com, the e-mail address of Bouncing BV, "
            "bounced",
            unpaid.dunning_data_error_text,
        )
        self.assertFalse(paid.dunning_data_errors, "a paid invoice needs no reminder")
        posted_after = self.make_invoice(partner, 50.0, DUE)
        self.assertEqual(posted_after.dunning_data_errors, "email_bounced")
        partner.email = "boekhouding@bouncing-bv.example.com"
        self.assertFalse((unpaid | posted_after).filtered("dunning_data_errors"))
        self.assertTrue(self.notes(unpaid).filtered(lambda m: "no data errors left" in m.body))

    def test_a_bounce_marks_nothing_where_the_check_is_off(self):
        self.company.dunning_data_check = "off"
        partner = self.make_partner("Bouncing BV", email="boekhouding@bouncing.example.com")
        unpaid = self.make_invoice(partner, 300.0, DUE)
        partner.dunning_email_suspect = True
        self.assertFalse(unpaid.dunning_data_errors)

    def test_invoice_address_of_a_contact(self):
        contact = self.env["res.partner"].create(
            {
                "name": "Boekhouding",
                "type": "invoice",
                "parent_id": self.customer.id,
                "email": False,
                "country_id": self.nl.id,
                "zip": "1234",
            }
        )
        invoice = self.make_invoice(contact, 120.0, DUE)
        self.assertEqual(invoice.dunning_data_errors, "email_missing,zip_nl")
        self.assertIn(
            "Brouwerij De Kroon, Boekhouding has no e-mail", invoice.dunning_data_error_text
        )
        contact.write({"email": "boekhouding@kroon.nl", "zip": "1234 AB"})
        self.assertFalse(invoice.dunning_data_errors)

    def test_switching_the_po_requirement_off_clears_it(self):
        partner = self.make_partner("Stad Oostende", dunning_po_required=True)
        invoice = self.make_invoice(partner, 1500.0, DUE)
        self.assertEqual(invoice.dunning_data_errors, "po_missing")
        partner.dunning_po_required = False
        self.assertFalse(invoice.dunning_data_errors)

    def test_a_salesperson_corrects_the_email_of_a_customer(self):
        salesperson = self.make_user("verkoper", "base.group_user,base.group_partner_manager")
        partner = self.make_partner("Drukkerij Peeters", email=False, user_id=salesperson.id)
        invoice = self.make_invoice(partner, 90.0, DUE)
        partner.with_user(salesperson).email = "info@drukkerij-peeters.be"
        self.assertFalse(invoice.dunning_data_errors)

    def test_reset_to_draft_and_post_again(self):
        partner = self.make_partner("Jansen Installatie", country_id=self.nl.id, zip="1234")
        invoice = self.make_invoice(partner, 120.0, DUE)
        self.assertEqual(invoice.dunning_data_errors, "zip_nl")
        invoice.button_draft()
        self.assertFalse(invoice.dunning_data_errors)
        self.assertIn("smart_dunning_data_errors", invoice.alerts)
        invoice.action_post()
        self.assertEqual(invoice.dunning_data_errors, "zip_nl")

    def test_check_again_on_demand(self):
        self.company.dunning_data_check = "off"
        bad = self.make_invoice(self.make_partner("Zonder E-mail", email=False), 10.0, DUE)
        good = self.make_invoice(self.customer, 10.0, DUE)
        self.company.dunning_data_check = "warn"
        self.assertFalse(bad.dunning_data_errors, "posted before the check was on")
        action = (bad | good).action_dunning_check_data()
        self.assertEqual(
            action["params"]["message"], "2 invoices checked, 1 with errors in the customer data."
        )
        self.assertEqual(bad.dunning_data_errors, "email_missing")
        self.assertFalse(good.dunning_data_errors)

    def test_portal_users_cannot_check_again(self):
        invoice = self.make_invoice(self.make_partner("Zonder E-mail", email=False), 10.0, DUE)
        portal = self.make_user("klant", "base.group_portal", partner_id=invoice.partner_id.id)
        with self.assertRefused(AccessError, "Only employees"):
            invoice.with_user(portal).action_dunning_check_data()


class TestDisputeFix(DisputeCase):
    def test_fixing_the_dispute_clears_the_warning(self):
        self.company.dunning_data_check = "warn"
        customer = self.make_partner("Schrijnwerkerij Hendrickx", email="info@hendrickx")
        invoice = self.make_invoice(customer, 460.0, DUE)
        self.assertEqual(invoice.dunning_data_errors, "email_invalid")
        dispute = self.open_dispute(invoice, self.reason_email)
        self.env["dunning.dispute.fix"].create(
            {"dispute_id": dispute.id, "email": "boekhouding@hendrickx.be"}
        ).action_apply()
        self.assertEqual(dispute.state, "resolved")
        self.assertFalse(invoice.dunning_data_errors)

    def test_fixing_the_po_number_clears_the_warning(self):
        self.company.dunning_data_check = "warn"
        customer = self.make_partner("Stad Oostende", dunning_po_required=True)
        invoices = self.make_invoice(customer, 1500.0, DUE) | self.make_invoice(customer, 70.0, DUE)
        self.assertEqual(invoices.mapped("dunning_data_errors"), ["po_missing"] * 2)
        dispute = self.open_dispute(invoices, self.reason_po)
        self.env["dunning.dispute.fix"].create(
            {"dispute_id": dispute.id, "ref": "BB/2026/0042"}
        ).action_apply()
        self.assertEqual(invoices.mapped("dunning_data_errors"), [False, False])


class TestDemo(DunningCase):
    def test_demo_invoices_with_data_errors(self):
        with demo_env() as env:
            company = env.ref("smart_dunning.demo_company")
            self.assertEqual(company.dunning_data_check, "warn")
            flagged = env["account.move"].search(DATA_ERRORS + [("company_id", "=", company.id)])
            self.assertEqual(
                set(flagged.commercial_partner_id.ids),
                {
                    env.ref("smart_dunning.partner_demo_wrong_email").id,
                    env.ref("smart_dunning.partner_demo_wrong_postcode").id,
                    env.ref("smart_dunning.partner_demo_po_missing").id,
                },
            )
