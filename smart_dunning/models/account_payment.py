from odoo import models

from ..lib.payment_matching import find_documents, reconcile_document


class AccountPayment(models.Model):
    _inherit = "account.payment"

    def action_post(self):
        result = super().action_post()
        if not self.env.context.get("dunning_skip_reference_match"):
            self._dunning_reconcile_letters()
        return result

    def _dunning_reconcile_letters(self):
        """A customer payment whose memo quotes a payment plan, a letter or invoices (number or
        structured communication) pays their open invoices, the oldest due first."""
        payments = self.filtered(
            lambda p: p.payment_type == "inbound"
            and p.partner_type == "customer"
            and p.memo
            and p.move_id
        )
        found = find_documents(
            self.env, {pay: (pay.memo, pay.partner_id, pay.company_id) for pay in payments}
        )
        for payment, (document, _customer) in found.items():
            credit_lines = payment.move_id.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
                and not line.reconciled
            )
            reconcile_document(document, credit_lines)
