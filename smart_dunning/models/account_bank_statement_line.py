from datetime import timedelta

from odoo import api, models
from odoo.fields import Command, Domain

from odoo.addons.base.models.res_bank import sanitize_account_number

from ..lib.open_invoice import open_invoice_domain
from ..lib.payment_matching import find_documents, reconcile_document
from ..lib.structured_communication import find_ogms


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

    @api.model
    def _dunning_unmatched_payers(self, company, on_date):
        """Customers who paid into the bank and whose payment nobody has matched yet.

        An incoming bank line of ``company`` not reconciled yet, dated in the company's hold
        days up to ``on_date``, holds its customer's letters and calls: found by the line's
        partner, else by its bank account number, else by the reference of an open invoice or
        of a letter in its communication. A fixed number of queries, whatever the number of
        lines.

        :return: ``{commercial partner id: statement line}`` (the latest line of each)
        """
        days = company.dunning_bank_hold_days
        if days <= 0:
            return {}
        # Collectors may not read the bank journal: they only learn that a payment waits.
        lines = (
            self.sudo()
            .with_context(active_test=False)
            .search_fetch(
                Domain("company_id", "=", company.id)
                & Domain("amount", ">", 0)
                & Domain("is_reconciled", "=", False)
                & Domain("state", "=", "posted")
                & Domain("date", ">", on_date - timedelta(days=days))
                & Domain("date", "<=", on_date),
                ["partner_id", "account_number", "payment_ref", "date", "amount"],
                order="date, id",
            )
        )
        if not lines:
            return {}
        by_account = {}
        unknown = lines.filtered(lambda st: not st.partner_id)
        numbers = {sanitize_account_number(st.account_number) for st in unknown} - {False}
        if numbers:
            for bank in (
                self.env["res.partner.bank"]
                .sudo()
                .search_fetch([("sanitized_acc_number", "in", list(numbers))], ["partner_id"])
            ):
                by_account[bank.sanitized_acc_number] = bank.partner_id.commercial_partner_id.id
        references = {}
        for st in unknown:
            text = st.payment_ref or ""
            references[st] = [*find_ogms(text), text.strip()]
        wanted = list({ref for refs in references.values() for ref in refs if ref})
        by_reference = {}
        if wanted:
            for move in (
                self.env["account.move"]
                .sudo()
                .search_fetch(
                    Domain("company_id", "=", company.id)
                    & open_invoice_domain()
                    & (Domain("payment_reference", "in", wanted) | Domain("name", "in", wanted)),
                    ["payment_reference", "name", "commercial_partner_id"],
                )
            ):
                for ref in (move.payment_reference, move.name):
                    by_reference[ref] = move.commercial_partner_id.id
            for letter in (
                self.env["dunning.letter"]
                .sudo()
                .search_fetch(
                    [("company_id", "=", company.id), ("payment_reference", "in", wanted)],
                    ["payment_reference", "partner_id"],
                )
            ):
                by_reference[letter.payment_reference] = letter.partner_id.id
        found = {}
        for st in lines:
            partner_id = st.partner_id.commercial_partner_id.id or by_account.get(
                sanitize_account_number(st.account_number)
            )
            for ref in references.get(st, ()):
                partner_id = partner_id or by_reference.get(ref)
            if partner_id:
                found[partner_id] = st
        return found
