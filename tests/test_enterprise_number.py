"""Art. XIX.2 CEL: the first reminder to a Belgian consumer states the creditor's enterprise
number, or it does not leave (docs/LEGAL.md section 5.3)."""

from odoo.exceptions import UserError

from odoo.addons.smart_dunning.lib.enterprise_number import be_enterprise_number

from .common import d
from .test_fees import DUE, FeeCase


class TestEnterpriseNumber(FeeCase):
    def setUp(self):
        super().setUp()
        self.company.write({"company_registry": False, "vat": False})

    def first_reminder(self):
        self.make_invoice(self.consumer, 300.0, DUE)
        return self.letter_on("2026-03-09", self.consumer)

    def test_number_from_the_registry_else_the_belgian_vat(self):
        self.assertEqual(be_enterprise_number("0403170701", False), "0403.170.701")
        self.assertEqual(be_enterprise_number("403.170.701", False), "0403.170.701")
        self.assertEqual(be_enterprise_number(False, "BE0202239951"), "0202.239.951")
        self.assertEqual(be_enterprise_number(" ", "BE 0202.239.951"), "0202.239.951")
        self.assertEqual(be_enterprise_number(False, "BE0202239952"), "", "bad check digits")
        self.assertEqual(be_enterprise_number(False, "NL123456789B01"), "")
        self.assertEqual(be_enterprise_number(False, False), "")

    def test_first_reminder_without_the_number_cannot_be_sent(self):
        letter = self.first_reminder()
        self.assertTrue(letter.is_first_reminder)
        self.assertEqual((letter.state, letter.approval_reason), ("to_approve", "legal_mention"))
        self.assertIn("enterprise number", letter.legal_error)
        with self.assertRefused(UserError, "enterprise number"):
            letter.action_send()
        self.assertEqual((letter.state, letter.sent_date), ("to_approve", False))
        # In the collector's language.
        self.env["res.lang"]._activate_lang("fr_BE")
        letter.invalidate_recordset(["legal_error"])
        self.assertIn("numéro d'entreprise", letter.with_context(lang="fr_BE").legal_error)
        self.env["res.lang"]._activate_lang("nl_BE")
        letter.invalidate_recordset(["legal_error"])
        self.assertIn("ondernemingsnummer", letter.with_context(lang="nl_BE").legal_error)

    def test_the_vat_number_is_enough_and_the_letter_states_it(self):
        letter = self.first_reminder()
        self.company.vat = "BE0202239951"
        self.assertFalse(letter.legal_error)
        letter.action_send()
        self.assertEqual(letter.state, "sent")
        self.assertIn("0202.239.951", letter._dunning_letter_values()["enterprise_number"])

    def test_daily_send_holds_a_letter_that_lost_its_number(self):
        self.company.company_registry = "0403.170.701"
        letter = self.first_reminder()
        self.assertEqual(letter.state, "draft")
        self.company.company_registry = False
        letter._send_each()
        self.assertEqual(
            (letter.state, letter.approval_reason, letter.sent_date),
            ("to_approve", "legal_mention", False),
        )

    def test_later_reminders_and_businesses_do_not_need_it(self):
        self.make_invoice(self.customer, 300.0, DUE)
        business = self.letter_on("2026-03-09")
        self.assertFalse(business.legal_error)
        business._dunning_send(sent_date=d("2026-03-09"), raise_missing_rate=True)
        self.assertEqual(business.state, "sent")
        self.company.company_registry = "0403.170.701"
        first = self.first_reminder()
        first._dunning_send(sent_date=d("2026-03-09"), raise_missing_rate=True)
        self.assertEqual(first.state, "sent")
        self.company.company_registry = False
        second = self.letter_on("2026-04-01", self.consumer)
        self.assertFalse(second.is_first_reminder)
        self.assertFalse(second.legal_error)
        second._dunning_send(sent_date=d("2026-04-01"))
        self.assertEqual(second.state, "sent")

    def test_settings_warn_a_belgian_company_without_the_number(self):
        settings = self.env["res.config.settings"].create({})
        self.assertIn("enterprise number", settings.dunning_enterprise_number_warning)
        self.company.company_registry = "0403.170.701"
        self.assertFalse(
            self.env["res.config.settings"].create({}).dunning_enterprise_number_warning
        )
