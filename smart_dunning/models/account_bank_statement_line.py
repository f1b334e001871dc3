from odoo import api, models
from odoo.fields import Command

from .payment_matching import find_documents, reconcile_document


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._dunning_reconcile_letters()
        return lines

    def _dunning_reconcile_letters(self):
        """A bank line whose communication quotes a payment plan, a letter or invoices pays
        their open invoices, the oldest due first.

        Odoo Community has no reconciliation screen for bank lines: the line's suspense item
        becomes the customer's receivable, then it is reconciled with the invoices. An amount
        above what they owe stays on the customer's account as a credit. A line in another
        currency counts for what the bank booked in the journal's currency.
        """
        candidates = self.filtered(
            lambda st: st.amount > 0 and st.payment_ref and not st.is_reconciled
        )
        found = find_documents(
            self.env, {st: (st.payment_ref, st.partner_id, st.company_id) for st in candidates}
        )
        for st_line, (document, customer) in found.items():
            _liquidity, suspense, other = st_line._seek_for_lines()
            invoices = document if document._name == "account.move" else document.move_ids
            receivable = invoices.line_ids.account_id.filtered(
                lambda account: account.account_type == "asset_receivable"
            )[:1]
            if len(suspense) != 1 or other or not receivable:
                continue
            if not st_line.partner_id:
                st_line.partner_id = customer
            st_line.move_id.with_context(skip_readonly_check=True).write(
                {
                    "line_ids": [
                        Command.update(
                            suspense.id,
                            {"account_id": receivable.id, "partner_id": customer.id},
                        )
                    ]
                }
            )
            reconcile_document(document, suspense)
