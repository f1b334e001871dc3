from odoo import models
from odoo.fields import Command, Domain
from odoo.tools import float_compare


def _flatten(plan):
    for item in plan:
        if isinstance(item, models.BaseModel):
            yield item
        else:
            yield from _flatten(item)


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _reconcile_plan(self, reconciliation_plan):
        # Every reconciliation (payment wizard, outstanding credits, bank lines, references)
        # goes through here: the one place to see a payment leave a few cents open.
        result = super()._reconcile_plan(reconciliation_plan)
        if not self.env.context.get("dunning_no_writeoff"):
            self.browse().union(*_flatten(reconciliation_plan))._dunning_write_off_shortfalls()
        return result

    def _dunning_write_off_shortfalls(self):
        """Close the customer invoices that a payment, used up in this reconciliation, left
        with a rest within the company's tolerance (bank charges, exchange rates): a small
        entry books the rest on the company's write-off account and is reconciled with them.

        Both limits must hold: the amount in the company currency and the percentage of the
        invoice total. Without a write-off account nothing is written off.
        """
        lines = self.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
            and line.parent_state == "posted"
            and line.company_id.dunning_writeoff_account_id
        )
        payments = lines.filtered(
            lambda line: line.balance < 0
            and line.reconciled
            and (line.move_id.origin_payment_id or line.move_id.statement_line_id)
        )
        if not payments:
            return
        invoices = lines.move_id.filtered(
            lambda move: move.move_type == "out_invoice" and move.payment_state == "partial"
        )
        shortfalls = []
        for invoice in invoices:
            company = invoice.company_id
            open_lines = invoice.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
                and not line.reconciled
            )
            rest = sum(open_lines.mapped("amount_residual"))
            limit = min(
                company.dunning_writeoff_amount,
                abs(invoice.amount_total_signed) * company.dunning_writeoff_percent / 100.0,
            )
            currency = company.currency_id
            if (
                currency.compare_amounts(rest, 0.0) > 0
                and float_compare(rest, limit, precision_digits=currency.decimal_places) <= 0
            ):
                shortfalls.append((invoice, open_lines))
        if shortfalls:
            date = max(payments.mapped("date"))
            self._dunning_write_off(shortfalls, date)

    def _dunning_write_off(self, shortfalls, date):
        """One posted entry per invoice, reconciled with its open receivable lines."""
        journals = {}
        vals_list = []
        for invoice, open_lines in shortfalls:
            company = invoice.company_id
            if company not in journals:
                journals[company] = self.env["account.journal"].search(
                    Domain(self.env["account.journal"]._check_company_domain(company))
                    & Domain("type", "=", "general"),
                    limit=1,
                )
            label = self.env._("Shortfall on %(invoice)s written off", invoice=invoice.name)
            line_vals = []
            for line in open_lines:
                common = {
                    "partner_id": invoice.commercial_partner_id.id,
                    "currency_id": line.currency_id.id,
                    "name": label,
                }
                line_vals += [
                    Command.create(
                        {
                            **common,
                            "account_id": line.account_id.id,
                            "amount_currency": -line.amount_residual_currency,
                            "balance": -line.amount_residual,
                        }
                    ),
                    Command.create(
                        {
                            **common,
                            "account_id": company.dunning_writeoff_account_id.id,
                            "amount_currency": line.amount_residual_currency,
                            "balance": line.amount_residual,
                        }
                    ),
                ]
            vals_list.append(
                {
                    "move_type": "entry",
                    "journal_id": journals[company].id,
                    "company_id": company.id,
                    "date": max(date, invoice.date),
                    "ref": label,
                    "line_ids": line_vals,
                }
            )
        if not all(vals["journal_id"] for vals in vals_list):
            return
        moves = self.env["account.move"].create(vals_list)
        moves.action_post()
        plan = [
            open_lines
            | move.line_ids.filtered(lambda aml, acc=open_lines.account_id: aml.account_id in acc)
            for move, (_invoice, open_lines) in zip(moves, shortfalls, strict=True)
        ]
        self.with_context(dunning_no_writeoff=True)._reconcile_plan(plan)
        for move, (invoice, _lines) in zip(moves, shortfalls, strict=True):
            invoice.message_post(
                body=self.env._(
                    "%(amount)s left open by the payment (bank charges or exchange rate) is "
                    "within the company's tolerance: written off by %(entry)s.",
                    amount=invoice.company_currency_id.format(
                        sum(move.line_ids.filtered("debit").mapped("debit"))
                    ),
                    entry=move.name,
                )
            )
