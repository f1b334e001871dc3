from odoo import api, models
from odoo.tools import format_amount, format_date, format_datetime, formatLang

from ..lib.enterprise_number import be_enterprise_number


class ReportDunningJudicialFile(models.AbstractModel):
    """The dossier a bailiff or a lawyer receives with a judicial file."""

    _name = "report.smart_dunning.report_dunning_judicial_file"
    _description = "Judicial File Dossier"

    @api.model
    def _get_report_values(self, docids, data=None):
        return {
            "doc_ids": docids,
            "doc_model": "dunning.judicial.file",
            "docs": self.env["dunning.judicial.file"].browse(docids),
            "data": data,
        }

    @api.model
    def _party(self, partner):
        """Identification and contact data of a company or a customer."""
        partner = partner.sudo()
        return {
            "name": partner.name or "",
            "address": ", ".join(
                filter(
                    None,
                    [
                        partner.street,
                        partner.street2,
                        " ".join(filter(None, [partner.zip, partner.city])),
                        partner.country_id.name,
                    ],
                )
            ),
            "vat": partner.vat or "",
            "enterprise_number": be_enterprise_number(partner.company_registry, partner.vat)
            or partner.company_registry
            or "",
            "email": partner.email or "",
            "phone": partner.phone or "",
        }

    @api.model
    def _file_values(self, file):
        """What the dossier shows, formatted in the language of ``file.env``."""
        env, currency = file.env, file.currency_id

        def money(amount, money_currency=currency):
            return format_amount(env, amount, money_currency)

        def day(value):
            return format_date(env, value) if value else ""

        moves = file.move_ids.sorted(lambda m: (m.invoice_date_due or m.date, m.id))
        letter_lines = env["dunning.letter.line"].search(
            [("move_id", "in", moves.ids), ("state", "=", "sent")]
        )
        letters = letter_lines.letter_id.sorted(lambda ltr: (ltr.sent_date or ltr.date, ltr.id))
        channels = dict(env["dunning.letter"]._fields["channel"]._description_selection(env))
        fee_model = env["dunning.letter.fee"]
        kinds = dict(fee_model._fields["kind"]._description_selection(env))
        basis = dict(fee_model._fields["basis"]._description_selection(env))
        disputes = env["dunning.dispute"].search([("move_ids", "in", moves.ids)], order="date, id")
        dispute_states = dict(env["dunning.dispute"]._fields["state"]._description_selection(env))
        calls = env["dunning.call"].search(
            [("partner_id", "=", file.partner_id.id), ("company_id", "=", file.company_id.id)],
            order="date, id",
        )
        outcomes = dict(env["dunning.call"]._fields["outcome"]._description_selection(env))
        routes = dict(file._fields["route"]._description_selection(env))
        move_names = {move.id: move.name for move in moves}
        return {
            "route": routes.get(file.route, ""),
            "date": day(file.sent_on or file.date),
            "creditor": self._party(file.company_id.partner_id),
            "debtor": self._party(file.partner_id),
            "recipient": self._party(file.recipient_id) if file.recipient_id else False,
            "invoices": [
                {
                    "number": move.name,
                    "date": day(move.invoice_date),
                    "due": day(move.invoice_date_due),
                    "amount": money(move.amount_total, move.currency_id),
                    "residual": money(move.amount_residual, move.currency_id),
                }
                for move in moves
            ],
            "letters": [
                {
                    "number": letter.name,
                    "date": day(letter.sent_date or letter.date),
                    "level": letter.level_id.name or "",
                    "channel": channels.get(letter.channel, ""),
                    "amount": money(letter.amount_total, letter.currency_id),
                }
                for letter in letters
            ],
            "claims": [
                {
                    "label": kinds.get(row["kind"], ""),
                    "invoice": move_names.get(row["move_id"], ""),
                    "period": f"{day(row['date_from'])} - {day(row['date_to'])}"
                    if row["date_from"]
                    else "",
                    "days": row["days"] or "",
                    "rate": f"{formatLang(env, row['rate'])} %" if row["rate"] else "",
                    "basis": basis.get(row["basis"], ""),
                    "amount": money(row["amount"]),
                }
                for row in file._claim_rows()
            ],
            "principal": money(file.amount_principal),
            "interest": money(file.amount_interest),
            "fees": money(file.amount_fees),
            "total": money(file.amount_total),
            "disputes": [
                {
                    "number": dispute.name,
                    "date": day(dispute.date),
                    "state": dispute_states.get(dispute.state, ""),
                    "reason": dispute.reason_id.name or "",
                    "description": dispute.description or "",
                    "invoices": ", ".join(dispute.move_ids.mapped("name")),
                }
                for dispute in disputes
            ],
            "calls": [
                {
                    "date": format_datetime(env, call.date, dt_format="short"),
                    "outcome": outcomes.get(call.outcome, ""),
                    "reason": call.reason_id.name or "",
                    "note": call.note or "",
                    "user": call.user_id.name or "",
                }
                for call in calls
            ],
        }
