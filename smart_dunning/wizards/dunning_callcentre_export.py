import base64

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from .callcentre_file import COLUMNS, OUTCOME_COLUMNS, write_csv, write_xlsx


class DunningCallcentreExport(models.TransientModel):
    """The worklist as a file for an external call centre, in the collector's language."""

    _name = "dunning.callcentre.export"
    _description = "Export the Call Worklist for a Call Centre"

    file_format = fields.Selection(
        [("xlsx", "Excel (.xlsx)"), ("csv", "CSV (.csv)")], required=True, default="xlsx"
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        help="The worklist customers to export; leave empty for the whole worklist.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        domain="[('share', '=', False)]",
        help="Only this collector's customers; leave empty for every collector's.",
    )
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)
    row_count = fields.Integer(string="Rows Exported", readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "dunning.worklist" and context.get("active_ids"):
            # a worklist row's id is its customer's id
            values["partner_ids"] = [fields.Command.set(context["active_ids"])]
        return values

    def action_export(self):
        self.ensure_one()
        headers, rows = self._export_table()
        if not rows:
            raise UserError(self.env._("Nobody to call: the worklist is empty for this choice."))
        today = fields.Date.context_today(self)
        if self.file_format == "csv":
            content = write_csv(headers, rows, self._lang().decimal_point or ".")
        else:
            outcomes = self.env["dunning.call"]._fields["outcome"]._description_selection(self.env)
            content = write_xlsx(
                headers,
                rows,
                [label for _key, label in outcomes],
                self.env._("Calls"),
                self.env._("Outcomes"),
                "yyyy-mm-dd",
                self.env["dunning.call.reason"].search([("active", "=", True)]).mapped("name"),
            )
        self.write(
            {
                "file_data": base64.b64encode(content),
                "file_name": self.env._(
                    "calls-%(date)s.%(ext)s", date=today.isoformat(), ext=self.file_format
                ),
                "row_count": len(rows),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/?model={self._name}&id={self.id}&field=file_data"
            "&filename_field=file_name&download=true",
            "target": "download",
        }

    def _lang(self):
        return self.env["res.lang"]._lang_get(self.env.lang or "en_US")

    def _export_table(self):
        """Headers in the user's language, then one row per invoice to call about."""
        headers = [self.env._(label) for label, _kind in COLUMNS.values()]
        # new customers are their salesperson's to call first, not the call centre's
        domain = Domain("new_customer", "=", False)
        if self.partner_ids:
            domain &= Domain("id", "in", self.partner_ids.ids)
        if self.user_id:
            domain &= Domain("user_id", "=", self.user_id.id)
        Worklist = self.env["dunning.worklist"]
        lines = Worklist.search(domain)
        moves_by_partner = Worklist._candidate_moves(lines.partner_id)
        moves = self.env["account.move"].concat(*moves_by_partner.values())
        moves.fetch(
            [
                "dunning_level_id",
                "dunning_date",
                "name",
                "partner_id",
                "invoice_date_due",
                "amount_residual",
                "currency_id",
                "payment_reference",
            ]
        )
        (lines.partner_id | moves.partner_id).fetch(["name", "phone", "email", "lang"])
        wrong = self.env["dunning.call"]._wrong_numbers(
            (lines.partner_id | moves.partner_id).mapped("phone")
        )
        last_calls = self._last_calls(lines.partner_id)
        outcomes = dict(
            self.env["dunning.call"]._fields["outcome"]._description_selection(self.env)
        )
        yes, no = self.env._("Yes"), self.env._("No")
        languages = dict(self.env["res.lang"].get_installed())
        today = fields.Date.context_today(self)
        empty = [""] * len(OUTCOME_COLUMNS)
        rows = []
        for line in lines:
            partner = line.partner_id
            last_call = last_calls.get(partner.id)
            for move in moves_by_partner[partner.id]:
                contact = move.partner_id
                phone = contact.phone or partner.phone
                rows.append(
                    [
                        move.name,
                        partner.name,
                        contact.name if contact != partner else "",
                        # a number known to be wrong would only waste the call centre's time
                        "" if phone in wrong else phone or "",
                        contact.email or partner.email or "",
                        languages.get(contact.lang or partner.lang, ""),
                        move.invoice_date_due,
                        move.amount_residual,
                        move.currency_id.name,
                        (today - move.invoice_date_due).days,
                        move.payment_reference or move.name,
                        line.user_id.name or "",
                        no if last_call else yes,
                        move.dunning_level_id.name or "",
                        move.dunning_date,
                        last_call and last_call["date"],
                        last_call and outcomes[last_call["outcome"]] or "",
                        last_call and last_call["reason"] or "",
                        *empty,
                    ]
                )
        return headers, rows

    def _last_calls(self, partners):
        """{customer id: its last call's date (user's day), outcome and reason}, in one query."""
        if not partners:
            return {}
        Call = self.env["dunning.call"]
        Call.flush_model(["partner_id", "company_id", "date", "outcome", "reason_id"])
        rows = self.env.execute_query(
            SQL(
                """SELECT DISTINCT ON (partner_id) partner_id, date, outcome, reason_id
                     FROM dunning_call
                    WHERE partner_id IN %s AND company_id = %s
                    ORDER BY partner_id, date DESC, id DESC""",
                tuple(partners.ids),
                self.env.company.id,
            )
        )
        reasons = self.env["dunning.call.reason"].with_context(active_test=False)
        reasons = {
            reason.id: reason.name for reason in reasons.browse({row[3] for row in rows if row[3]})
        }
        return {
            partner_id: {
                "date": fields.Datetime.context_timestamp(self, date).date(),
                "outcome": outcome,
                "reason": reasons.get(reason_id, ""),
            }
            for partner_id, date, outcome, reason_id in rows
        }
