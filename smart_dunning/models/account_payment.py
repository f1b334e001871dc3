from odoo import models


class AccountPayment(models.Model):
    _inherit = "account.payment"

    def action_post(self):
        result = super().action_post()
        if not self.env.context.get("dunning_skip_reference_match"):
            self._dunning_reconcile_letters()
        return result

    def _dunning_reconcile_letters(self):
        """A customer payment whose memo carries a letter's reference pays that letter."""
        payments = self.filtered(
            lambda p: p.payment_type == "inbound"
            and p.partner_type == "customer"
            and p.memo
            and p.move_id
        )
        found = self.env["dunning.letter"]._dunning_find_by_references(
            {pay: (pay.memo, pay.partner_id, pay.company_id) for pay in payments}
        )
        for payment, letter in found.items():
            letter._dunning_reconcile(
                payment.move_id.line_ids.filtered(
                    lambda line: line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                )
            )
