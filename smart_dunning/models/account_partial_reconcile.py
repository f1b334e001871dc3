from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    # Every reconciliation, whatever its origin (payment, bank statement, credit note), goes
    # through here: the one place where a payment plan learns that its invoices got paid.

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._dunning_moves()._dunning_update_plans()
        return partials

    def unlink(self):
        moves = self._dunning_moves()
        result = super().unlink()
        moves._dunning_update_plans()
        return result

    def _dunning_moves(self):
        return (self.debit_move_id | self.credit_move_id).move_id.filtered(
            lambda move: move.move_type == "out_invoice"
        )
