from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.open_invoice import open_invoice_sql
from .dunning_dispute import PAUSING_STATES


class DunningCollectorWorkload(models.Model):
    """Each collector's load in the current company, read from the live data: one query,
    with each figure aggregated once per collector (no query per row)."""

    _name = "dunning.collector.workload"
    _description = "Collector Workload"
    _auto = False
    _order = "amount_due desc, id"
    _rec_name = "user_id"

    user_id = fields.Many2one("res.users", string="Collector", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    customer_count = fields.Integer(string="Customers", readonly=True, aggregator="sum")
    amount_due = fields.Monetary(
        string="Open Amount",
        readonly=True,
        help="What their customers owe the company on posted invoices.",
    )
    call_count = fields.Integer(
        string="Calls Due Today",
        readonly=True,
        aggregator="sum",
        help="Their customers on today's call worklist (new customers, whom the salesperson "
        "calls first, are not counted).",
    )
    promise_count = fields.Integer(
        string="Promises Due",
        readonly=True,
        aggregator="sum",
        help="Promises to pay of their customers due today or earlier and not paid yet.",
    )
    dispute_count = fields.Integer(
        string="Disputes Open", readonly=True, aggregator="sum", help="Open or in mediation."
    )

    @property
    def _table_query(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        self.env["dunning.worklist"]._dunning_no_jit()
        self.env["dunning.plan"].flush_model(["partner_id", "company_id", "kind", "state"])
        self.env["dunning.plan.line"].flush_model(["plan_id", "state", "date_due"])
        self.env["dunning.dispute"].flush_model(["partner_id", "company_id", "state"])
        return SQL(
            """
            SELECT c.uid AS id, c.uid AS user_id, %(company)s AS company_id,
                   %(currency)s AS currency_id, c.n AS customer_count,
                   COALESCE(a.amount, 0) AS amount_due, COALESCE(w.n, 0) AS call_count,
                   COALESCE(pr.n, 0) AS promise_count, COALESCE(d.n, 0) AS dispute_count
              FROM (SELECT dunning_user_id AS uid, count(*) AS n FROM res_partner
                     WHERE dunning_user_id IS NOT NULL AND active GROUP BY 1) c
              LEFT JOIN (
                    SELECT p.dunning_user_id AS uid, sum(m.amount_residual_signed) AS amount
                      FROM account_move m JOIN res_partner p ON p.id = m.commercial_partner_id
                     WHERE m.company_id = %(company)s AND %(open)s
                       AND p.dunning_user_id IS NOT NULL
                     GROUP BY 1) a ON a.uid = c.uid
              LEFT JOIN (
                    SELECT p.dunning_user_id AS uid, count(*) AS n
                      FROM (SELECT cand.partner_id FROM (%(candidates)s) cand
                             GROUP BY cand.partner_id
                            HAVING NOT bool_and(cand.new_customer)) wl
                      JOIN res_partner p ON p.id = wl.partner_id
                     GROUP BY 1) w ON w.uid = c.uid
              LEFT JOIN (
                    SELECT p.dunning_user_id AS uid, count(DISTINCT pl.id) AS n
                      FROM dunning_plan pl
                      JOIN dunning_plan_line l ON l.plan_id = pl.id
                      JOIN res_partner p ON p.id = pl.partner_id
                     WHERE pl.company_id = %(company)s AND pl.kind = 'promise'
                       AND pl.state = 'active' AND l.state != 'paid' AND l.date_due <= %(today)s
                     GROUP BY 1) pr ON pr.uid = c.uid
              LEFT JOIN (
                    SELECT p.dunning_user_id AS uid, count(*) AS n
                      FROM dunning_dispute dd JOIN res_partner p ON p.id = dd.partner_id
                     WHERE dd.company_id = %(company)s AND dd.state IN %(disputed)s
                     GROUP BY 1) d ON d.uid = c.uid
            """,
            company=company.id,
            currency=company.currency_id.id,
            open=open_invoice_sql("m"),
            candidates=self.env["dunning.worklist"]._candidate_sql(),
            today=today,
            disputed=PAUSING_STATES,
        )

    @api.model
    def _open_worklist(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "smart_dunning.dunning_worklist_action"
        )

    def action_open_worklist(self):
        """Today's worklist of this collector."""
        self.ensure_one()
        action = self._open_worklist()
        action["context"] = {"search_default_user_id": self.user_id.id}
        return action
