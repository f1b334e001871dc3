"""Letters: payment reference and reconciliation, rendering in the customer's language,
postal runs, e-mail failures."""

from datetime import timedelta

from odoo.addons.smart_dunning.models.structured_communication import find_ogms, is_valid_ogm

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
