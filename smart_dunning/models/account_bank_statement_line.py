from odoo import api, models
from odoo.fields import Command


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._dunning_reconcile_letters()
        return lines

    def _dunning_reconcile_letters(self):
        """A bank line whose communication carries a letter's reference pays that letter.

        Odoo Community has no reconciliation screen for bank lines: the line's suspense item
        becomes the customer's receivable, then it is reconciled with the letter's invoices.
        An amount above what they owe stays on the customer's account as a credit.
        """
        candidates = self.filtered(
            lambda st: st.amount > 0
            and st.payment_ref
            and not st.foreign_currency_id
            and not st.is_reconciled
        )
        found = self.env["dunning.letter"]._dunning_find_by_references(
            {st: (st.payment_ref, st.partner_id, st.company_id) for st in candidates}
        )
        for st_line, letter in found.items():
            _liquidity, suspense, other = st_line._seek_for_lines()
            receivable = letter.move_ids.line_ids.account_id.filtered(
                lambda account: account.account_type == "asset_receivable"
            )[:1]
            if len(suspense) != 1 or other or not receivable:
                continue
            if not st_line.partner_id:
                st_line.partner_id = letter.partner_id
            st_line.move_id.with_context(skip_readonly_check=True).write(
                {
                    "line_ids": [
                        Command.update(
                            suspense.id,
                            {"account_id": receivable.id, "partner_id": letter.partner_id.id},
                        )
                    ]
                }
            )
            letter._dunning_reconcile(suspense)
