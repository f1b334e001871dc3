"""Disputes: mediation, the pause of dunning while they are open and its resumption after."""

from psycopg2.errors import CheckViolation

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time
from odoo.tools import mute_logger

from .common import DunningCase, d
from .test_install import demo_env

DUE = d("2026-03-02")  # a Monday; B2B level 1 at +7 (9 March), level 2 at +21 (23 March)
TRACKING = {
    "tracking_disable": False,
    "mail_notrack": False,
    "mail_create_nolog": False,
    "mail_create_nosubscribe": False,
}


class DisputeCase(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reason_price = cls.env.ref("smart_dunning.dunning_dispute_reason_price_quantity")
        cls.reason_email = cls.env.ref("smart_dunning.dunning_dispute_reason_wrong_email")
        cls.reason_address = cls.env.ref("smart_dunning.dunning_dispute_reason_wrong_address")
        cls.reason_po = cls.env.ref("smart_dunning.dunning_dispute_reason_missing_po")

    def open_dispute(self, invoices, reason=None, **vals):
        return self.env["dunning.dispute"].create(
            {
                "partner_id": invoices.commercial_partner_id.id,
                "move_ids": [Command.set(invoices.ids)],
                "reason_id": (reason or self.reason_price).id,
                **vals,
            }
        )

    def state_of(self, invoice, on_date):
        with freeze_time(on_date):
            invoice.invalidate_recordset(["dunning_state"])
            return invoice.dunning_state


class TestReasons(DisputeCase):
    def test_shipped_reasons_in_three_languages_with_their_data_fix(self):
        reasons = self.env["dunning.dispute.reason"].search([])
        self.assertEqual(len(reasons), 8)
        expected = {
            "dunning_dispute_reason_wrong_email": (
                "email",
                "Wrong e-mail address",
                "Verkeerd e-mailadres",
                "Adresse e-mail erronée",
            ),
            "dunning_dispute_reason_wrong_address": (
                "address",
                "Wrong postal address or postcode",
                "Verkeerd postadres of verkeerde postcode",
                "Adresse postale ou code postal erroné",
            ),
            "dunning_dispute_reason_missing_po": (
                "po",
                "Missing purchase-order number",
                "Bestelbonnummer ontbreekt",
                "Numéro de bon de commande manquant",
            ),
            "dunning_dispute_reason_not_satisfied": (
                False,
                "Not satisfied with the service or product",
                "Niet tevreden over de dienst of het product",
                "Pas satisfait du service ou du produit",
            ),
            "dunning_dispute_reason_already_paid": (
                False,
                "Says already paid",
                "Zegt al betaald te hebben",
                "Affirme avoir déjà payé",
            ),
        }
        for lang in ("nl_BE", "fr_BE"):
            self.env["res.lang"]._activate_lang(lang)
        for xmlid, (fix, en, nl, fr) in expected.items():
            reason = self.env.ref(f"smart_dunning.{xmlid}")
            self.assertEqual(reason.data_fix, fix, xmlid)
            self.assertEqual(reason.with_context(lang="en_US").name, en)
            self.assertEqual(reason.with_context(lang="nl_BE").name, nl)
            self.assertEqual(reason.with_context(lang="fr_BE").name, fr)


class TestDisputeStates(DisputeCase):
    def test_open_mediation_resolved_on_the_chatter(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        dispute = self.open_dispute(invoice).with_context(**TRACKING)
        # changes are tracked from the transaction after the creation, at each commit
        self.env.cr.precommit.run()
        self.assertEqual(dispute.state, "open")
        self.assertEqual(dispute.amount_disputed, 500.0)
        self.assertTrue(dispute.name.startswith("DSP/"))
        dispute.action_mediation()
        self.assertEqual(dispute.state, "mediation")
        self.env.cr.precommit.run()
        with self.assertRefused(UserError, "Only an open dispute can go to mediation"):
            dispute.action_mediation()
        with self.assertRefused(UserError, "Choose how dispute .* was resolved"):
            dispute.action_resolve()
        self.assertEqual(dispute.state, "mediation", "a refused resolution changes nothing")
        dispute.resolution = "customer_pays"
        with freeze_time("2026-03-20"):
            dispute.action_resolve()
        self.assertEqual((dispute.state, dispute.date_resolved), ("resolved", d("2026-03-20")))
        self.env.cr.precommit.run()
        tracked = dispute.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "state"
        )
        self.assertEqual(sorted(tracked.mapped("new_value_char")), ["In mediation", "Resolved"])
        with self.assertRefused(UserError, "already Resolved"):
            dispute.action_cancel()
        self.assertIn(dispute.name, invoice.message_ids[0].body)

    def test_open_to_cancelled(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        dispute = self.open_dispute(invoice)
        dispute.action_cancel()
        self.assertEqual(dispute.state, "cancelled")
        dispute.resolution = "rejected"
        with self.assertRefused(UserError, "already Cancelled"):
            dispute.action_resolve()
        self.assertEqual(dispute.state, "cancelled")

    def test_credit_note_resolution_needs_the_credit_note(self):
        invoice = self.make_invoice(self.customer, 500.0, DUE)
        dispute = self.open_dispute(invoice, resolution="credit_note")
        with self.assertRefused(UserError, "resolved with a credit note: select it"):
            dispute.action_resolve()
        self.assertEqual(dispute.state, "open")

    def test_salesperson_and_collector_follow(self):
        salesperson = self.make_user("sales_follow", "base.group_user")
        collector = self.make_user("collector_follow", "smart_dunning.group_dunning_user")
        self.customer.write({"user_id": salesperson.id, "dunning_user_id": collector.id})
        dispute = self.open_dispute(self.make_invoice(self.customer, 100.0, DUE))
        self.assertLessEqual(
            (salesperson | collector | self.env.user).partner_id,
            dispute.message_partner_ids,
        )

    def test_only_invoices_of_the_customer(self):
        other = self.make_partner("Andere Klant NV")
        theirs = self.make_invoice(other, 100.0, DUE)
        draft = self.make_invoice(self.customer, 100.0, DUE, post=False)
        bill = self.make_invoice(self.customer, 100.0, DUE, move_type="in_invoice")
        Dispute = self.env["dunning.dispute"]
        for moves in (theirs, draft, bill):
            with self.assertRefused(ValidationError, "only covers posted customer invoices"):
                Dispute.create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [Command.set(moves.ids)],
                        "reason_id": self.reason_price.id,
                    }
                )
        with self.assertRefused(ValidationError, "at least one invoice"):
            Dispute.create({"partner_id": self.customer.id, "reason_id": self.reason_price.id})
        self.assertFalse(Dispute.search([]), "nothing was created")

    def test_negative_amount_is_refused(self):
        dispute = self.open_dispute(self.make_invoice(self.customer, 100.0, DUE))
        with self.assertRaises(CheckViolation), mute_logger("odoo.sql_db"):
            dispute.amount_disputed = -5.0
            dispute.flush_recordset()
        dispute.invalidate_recordset()
        self.assertEqual(dispute.amount_disputed, 100.0)


class TestDisputeReference(DisputeCase):
    def test_numbered_by_the_company_sequence(self):
        # The references come from ir.sequence: an admin may give a company its own.
        self.env["ir.sequence"].create(
            {
                "name": "Geschillen",
                "code": "dunning.dispute",
                "prefix": "GES/",
                "padding": 3,
                "company_id": self.company.id,
            }
        )
        first = self.open_dispute(self.make_invoice(self.customer, 100.0, DUE))
        second = self.open_dispute(self.make_invoice(self.customer, 200.0, DUE))
        self.assertEqual((first.name, second.name), ("GES/001", "GES/002"))


class TestPauseAndResume(DisputeCase):
    def test_dispute_pauses_then_dunning_resumes_from_the_resolution_date(self):
        invoice = self.make_invoice(self.customer, 800.0, DUE)
        self.run_dunning(d("2026-03-09")).letter_ids._dunning_send(sent_date=d("2026-03-09"))
        self.assertEqual(invoice.dunning_level_id, self.b2b_levels[0])
        with freeze_time("2026-03-10"):
            dispute = self.open_dispute(invoice)
        self.assertEqual(invoice._dunning_is_paused(d("2026-03-23")), invoice)
        self.assertEqual(self.state_of(invoice, "2026-03-23"), "paused")
        run = self.run_dunning(d("2026-03-23"))
        self.assertFalse(run.letter_ids, "no second reminder while the dispute is open")
        self.assertEqual(run.paused_count, 1)
        dispute.action_mediation()
        self.assertFalse(self.run_dunning(d("2026-03-30")).letter_ids, "nor in mediation")

        dispute.resolution = "rejected"
        with freeze_time("2026-04-01"):
            dispute.action_resolve()
        self.assertEqual(invoice.dunning_level_id, self.b2b_levels[0], "the level reached stays")
        # Level 2 comes 14 days (21 - 7) after the resolution, not 21 days after the due date.
        self.assertEqual(invoice.dunning_next_date, d("2026-04-15"))
        self.assertEqual(invoice.dunning_next_level_id, self.b2b_levels[1])
        self.assertFalse(self.run_dunning(d("2026-04-14")).letter_ids, "the day before")
        letter = self.run_dunning(d("2026-04-15")).letter_ids
        self.assertEqual(letter.level_id, self.b2b_levels[1], "the day of the resume")
        self.assertEqual(letter.move_ids, invoice)

    def test_invoice_never_reminded_starts_with_the_first_level_after_resolution(self):
        invoice = self.make_invoice(self.customer, 300.0, DUE)
        with freeze_time("2026-03-05"):
            dispute = self.open_dispute(invoice, resolution="customer_pays")
        self.assertFalse(self.run_dunning(d("2026-03-09")).letter_ids)
        with freeze_time("2026-03-20"):
            dispute.action_resolve()
        self.assertFalse(self.run_dunning(d("2026-03-26")).letter_ids, "the day before")
        letter = self.run_dunning(d("2026-03-27")).letter_ids
        self.assertEqual(letter.level_id, self.b2b_levels[0], "7 days after the resolution")

    def test_cancelled_dispute_also_resumes_from_its_date(self):
        invoice = self.make_invoice(self.customer, 300.0, DUE)
        dispute = self.open_dispute(invoice)
        with freeze_time("2026-03-20"):
            dispute.action_cancel()
        self.assertEqual(invoice.dunning_next_date, d("2026-03-27"))

    def test_full_credit_note_settles_the_invoice_and_nothing_resumes(self):
        invoice = self.make_invoice(self.customer, 250.0, DUE)
        credit = self.make_invoice(self.customer, 250.0, DUE, move_type="out_refund")
        dispute = self.open_dispute(invoice)
        dispute.write({"resolution": "credit_note", "credit_note_ids": [Command.set(credit.ids)]})
        with freeze_time("2026-03-20"):
            dispute.action_resolve()
        self.assertEqual((invoice.amount_residual, credit.amount_residual), (0.0, 0.0))
        self.assertIn(invoice.payment_state, ("paid", "reversed"))
        self.assertFalse(invoice.dunning_anchor_date)
        self.assertFalse(self.run_dunning(d("2026-05-01")).letter_ids)

    def test_partial_credit_note_resumes_on_the_rest(self):
        invoice = self.make_invoice(self.customer, 250.0, DUE)
        credit = self.make_invoice(self.customer, 100.0, DUE, move_type="out_refund")
        dispute = self.open_dispute(invoice)
        dispute.write({"resolution": "credit_note", "credit_note_ids": [Command.set(credit.ids)]})
        with freeze_time("2026-03-20"):
            dispute.action_resolve()
        self.assertEqual(invoice.amount_residual, 150.0)
        self.assertFalse(self.run_dunning(d("2026-03-26")).letter_ids)
        letter = self.run_dunning(d("2026-03-27")).letter_ids
        self.assertEqual(letter.amount_due, 150.0)

    def test_invoice_taken_out_of_an_open_dispute_resumes_from_that_day(self):
        first = self.make_invoice(self.customer, 100.0, DUE)
        second = self.make_invoice(self.customer, 200.0, DUE)
        dispute = self.open_dispute(first | second)
        with freeze_time("2026-03-20"):
            dispute.move_ids = [Command.unlink(second.id)]
        self.assertEqual(second.dunning_next_date, d("2026-03-27"))
        self.assertEqual(first._dunning_is_paused(d("2026-03-27")), first)
        self.assertFalse(second._dunning_is_paused(d("2026-03-27")))

    def test_paused_state_is_searchable(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        other = self.make_invoice(self.customer, 100.0, DUE)
        self.open_dispute(invoice)
        with freeze_time("2026-03-10"):
            paused = self.env["account.move"].search([("dunning_state", "in", ["paused"])])
            overdue = self.env["account.move"].search([("dunning_state", "in", ["overdue"])])
        self.assertIn(invoice, paused)
        self.assertNotIn(other, paused)
        self.assertIn(other, overdue)

    def test_has_dispute_hook(self):
        open_one = self.make_invoice(self.customer, 100.0, DUE)
        resolved = self.make_invoice(self.customer, 100.0, DUE)
        cancelled = self.make_invoice(self.customer, 100.0, DUE)
        never = self.make_invoice(self.customer, 100.0, DUE)
        self.open_dispute(open_one)
        self.open_dispute(resolved, resolution="customer_pays").action_resolve()
        self.open_dispute(cancelled).action_cancel()
        invoices = open_one | resolved | cancelled | never
        with self.assertQueryCount(1):
            has = invoices._dunning_has_dispute()
        self.assertEqual(has, open_one | resolved)


class TestDataFix(DisputeCase):
    def fix(self, dispute, **vals):
        wizard = self.env["dunning.dispute.fix"].create({"dispute_id": dispute.id, **vals})
        return wizard.action_apply()

    def test_wrong_email_fixed_and_invoice_sent_again_in_one_step(self):
        customer = self.make_partner(
            "Schrijnwerkerij Hendrickx", email="info@hendrickx-schrijnwerk"
        )
        invoice = self.make_invoice(customer, 460.0, DUE)
        self.run_dunning(d("2026-03-09"))
        with freeze_time("2026-03-12"):
            dispute = self.open_dispute(invoice, self.reason_email)
        action = dispute.action_open_fix()
        self.assertEqual(action["res_model"], "dunning.dispute.fix")
        with self.assertRefused(UserError, "is not a valid e-mail address"):
            self.fix(dispute, email="info@hendrickx-schrijnwerk")
        self.assertEqual(customer.email, "info@hendrickx-schrijnwerk", "nothing changed")
        self.assertEqual(dispute.state, "open")

        with freeze_time("2026-03-16"):
            self.fix(dispute, email="boekhouding@hendrickx.be")
        self.assertEqual(customer.email, "boekhouding@hendrickx.be")
        self.assertEqual(
            (dispute.state, dispute.resolution, dispute.date_resolved),
            ("resolved", "corrected", d("2026-03-16")),
        )
        sent = invoice.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(sent), 1, "the invoice went out again by e-mail")
        self.assertIn(customer, sent.partner_ids)
        self.assertTrue(invoice.is_move_sent)
        log = dispute.message_ids.filtered(lambda m: "boekhouding@hendrickx.be" in (m.body or ""))
        self.assertIn(invoice.name, log.body)
        # Level 2 counts from the fix: 16 March + 14 days.
        self.assertEqual(invoice.dunning_next_date, d("2026-03-30"))

    def test_belgian_postcode_has_four_digits(self):
        customer = self.make_partner(
            "Galerie Moderne SRL", lang="fr_BE", zip="10000", country_id=self.env.ref("base.be").id
        )
        invoice = self.make_invoice(customer, 210.0, DUE)
        dispute = self.open_dispute(invoice, self.reason_address)
        for bad in ("10000", "0999", "1O00", ""):
            with self.assertRefused(UserError, "A Belgian postcode has four digits"):
                self.fix(dispute, zip=bad)
            self.assertEqual((customer.zip, dispute.state), ("10000", "open"))
        self.fix(dispute, zip=" 1000 ", street="Rue Haute 130", city="Bruxelles")
        self.assertEqual((customer.zip, customer.street), ("1000", "Rue Haute 130"))
        self.assertEqual(dispute.state, "resolved")

    def test_dutch_postcode_is_written_1234_ab(self):
        customer = self.make_partner(
            "Jansen Installatie", lang="nl_NL", zip="1234", country_id=self.env.ref("base.nl").id
        )
        dispute = self.open_dispute(self.make_invoice(customer, 120.0, DUE), self.reason_address)
        for bad in ("1234", "12345 AB", "0123 AB", "1234 A1"):
            with self.assertRefused(UserError, "A Dutch postcode has four digits and two"):
                self.fix(dispute, zip=bad)
        self.fix(dispute, zip="2514ab")
        self.assertEqual(customer.zip, "2514 AB")

    def test_missing_purchase_order_number(self):
        customer = self.make_partner("Stad Oostende", dunning_po_required=True)
        first = self.make_invoice(customer, 1500.0, DUE)
        second = self.make_invoice(customer, 700.0, DUE)
        dispute = self.open_dispute(first | second, self.reason_po)
        with self.assertRefused(UserError, "Enter the customer's purchase-order number"):
            self.fix(dispute, ref="  ")
        self.assertFalse(first.ref)
        self.fix(dispute, ref="BB/2026/0042")
        self.assertEqual((first | second).mapped("ref"), ["BB/2026/0042"] * 2)
        self.assertEqual(dispute.state, "resolved")
        for invoice in first | second:
            self.assertTrue(invoice.message_ids.filtered(lambda m: m.message_type == "comment"))

    def test_no_one_step_fix_for_other_reasons(self):
        dispute = self.open_dispute(self.make_invoice(self.customer, 100.0, DUE))
        with self.assertRefused(UserError, "about a data error"):
            dispute.action_open_fix()


class TestQuickActions(DisputeCase):
    def test_open_dispute_from_invoice_and_partner(self):
        invoice = self.make_invoice(self.customer, 100.0, DUE)
        other_open = self.make_invoice(self.customer, 50.0, DUE)
        paid = self.make_invoice(self.customer, 70.0, DUE)
        self.pay(paid, 70.0, DUE)
        action = invoice.action_dunning_new_dispute()
        self.assertEqual(action["res_model"], "dunning.dispute")
        dispute = (
            self.env["dunning.dispute"]
            .with_context(**action["context"])
            .create({"reason_id": self.reason_price.id})
        )
        self.assertEqual((dispute.partner_id, dispute.move_ids), (self.customer, invoice))
        self.assertEqual(invoice.dunning_dispute_count, 1)
        self.assertEqual(invoice.dunning_open_dispute_ids, dispute)
        self.assertEqual(
            invoice.action_dunning_open_disputes()["domain"], [("move_ids", "in", invoice.ids)]
        )

        action = self.customer.action_dunning_new_dispute()
        self.assertEqual(
            set(action["context"]["default_move_ids"]), {invoice.id, other_open.id}, "open ones"
        )
        self.assertEqual(self.customer.dunning_dispute_count, 1)
        self.assertEqual(self.customer.dunning_open_dispute_ids, dispute)

    def test_count_by_reason(self):
        self.open_dispute(self.make_invoice(self.customer, 100.0, DUE))
        self.open_dispute(self.make_invoice(self.customer, 100.0, DUE))
        self.open_dispute(self.make_invoice(self.customer, 100.0, DUE), self.reason_po)
        counts = dict(self.env["dunning.dispute"]._read_group([], ["reason_id"], ["__count"]))
        self.assertEqual(counts, {self.reason_price: 2, self.reason_po: 1})


class TestDisputeAccess(DisputeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = cls.make_user("sales_disp", "base.group_user")
        cls.collector = cls.make_user("collector_disp", "smart_dunning.group_dunning_user")
        cls.portal = cls.make_user("portal_disp", "base.group_portal")
        cls.customer.user_id = cls.salesperson
        cls.invoice = cls.make_invoice(cls.customer, 100.0, DUE)
        cls.not_mine = cls.make_partner("Niet Van Mij BV")
        cls.other_invoice = cls.make_invoice(cls.not_mine, 100.0, DUE)

    def test_salesperson_opens_and_notes_but_does_not_close(self):
        Dispute = self.env["dunning.dispute"].with_user(self.salesperson)
        dispute = Dispute.create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.invoice.ids)],
                "reason_id": self.reason_price.id,
                "description": "De klant zegt dat er 3 uur te veel gerekend is.",
            }
        )
        self.assertEqual(dispute.invoice_names, self.invoice.name)
        dispute.write(
            {
                "note_ids": [
                    Command.create({"note": "Gebeld met de zaakvoerder", "with_customer": True})
                ]
            }
        )
        self.assertEqual(dispute.note_ids.user_id, self.salesperson)
        self.assertIn("Gebeld met de zaakvoerder", dispute.message_ids[0].body)
        dispute.action_mediation()
        dispute.resolution = "customer_pays"
        with self.assertRefused(UserError, "Only collections users"):
            dispute.action_resolve()
        with self.assertRefused(UserError, "Only collections users"):
            dispute.action_cancel()
        with self.assertRefused(UserError, "Only collections users"):
            dispute.write({"state": "resolved"})
        self.assertEqual(dispute.state, "mediation")
        with self.assertRaises(AccessError):
            dispute.unlink()

    def test_salesperson_sees_and_opens_only_for_own_customers(self):
        theirs = self.open_dispute(self.other_invoice)
        mine = self.open_dispute(self.invoice)
        self.assertEqual(self.env["dunning.dispute"].with_user(self.salesperson).search([]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.salesperson).read(["name"])
        with self.assertRaises(AccessError):
            self.env["dunning.dispute"].with_user(self.salesperson).create(
                {
                    "partner_id": self.not_mine.id,
                    "move_ids": [Command.set(self.other_invoice.ids)],
                    "reason_id": self.reason_price.id,
                }
            )
        with self.assertRaises(AccessError):
            self.env["dunning.dispute.note"].with_user(self.salesperson).create(
                {"dispute_id": theirs.id, "note": "Niet mijn klant"}
            )
        with self.assertRaises(AccessError):
            self.reason_price.with_user(self.salesperson).name = "Anders"

    def test_collector_does_everything(self):
        dispute = self.open_dispute(self.other_invoice).with_user(self.collector)
        dispute.action_mediation()
        dispute.note_ids = [Command.create({"note": "Met operations besproken"})]
        dispute.write({"resolution": "rejected", "date_deadline": d("2026-04-01")})
        dispute.action_resolve()
        self.assertEqual(dispute.state, "resolved")
        second = self.open_dispute(self.invoice).with_user(self.collector)
        second.action_cancel()
        with self.assertRefused(UserError, "cancel it instead"):
            second.unlink()
        self.assertEqual(second.state, "cancelled", "kept on file, cancelled")

    def test_portal_user_sees_nothing(self):
        self.open_dispute(self.invoice)
        for model in ("dunning.dispute", "dunning.dispute.note", "dunning.dispute.reason"):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.portal).search([])

    def test_companies_do_not_see_each_other(self):
        other = self.setup_other_company(name="Coop NL")["company"]
        dispute = self.open_dispute(self.invoice)
        dispute.note_ids = [Command.create({"note": "Nota"})]
        user = self.make_user("collector_disp_nl", "smart_dunning.group_dunning_user")
        user.write({"company_ids": [Command.set(other.ids)], "company_id": other.id})
        self.assertFalse(self.env["dunning.dispute"].with_user(user).search([]))
        self.assertFalse(self.env["dunning.dispute.note"].with_user(user).search([]))
        self.assertEqual(self.env["dunning.dispute"].with_user(self.collector).search([]), dispute)


class TestDisputeDemo(DunningCase):
    def test_demo_has_a_dispute_in_mediation_and_a_resolved_one(self):
        with demo_env() as env:
            galerie = env.ref("smart_dunning.partner_demo_wrong_postcode")
            disputes = env["dunning.dispute"].search([])
            mediation = disputes.filtered(lambda dsp: dsp.state == "mediation")
            self.assertEqual(mediation.partner_id, galerie)
            self.assertEqual(
                mediation.reason_id, env.ref("smart_dunning.dunning_dispute_reason_wrong_address")
            )
            self.assertTrue(mediation.note_ids)
            self.assertTrue(mediation.move_ids._dunning_is_paused())
            resolved = disputes.filtered(lambda dsp: dsp.state == "resolved")
            self.assertTrue(resolved.resolution)
            self.assertTrue(resolved.move_ids.dunning_anchor_date)
