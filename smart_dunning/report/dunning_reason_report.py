from odoo import api, fields, models
from odoo.tools import SQL


class DunningReasonReport(models.Model):
    """Why customers do not pay: the reasons for non-payment of the calls and the reasons of
    the disputes, in one list.

    A call that opened a dispute counts once, as that dispute (with its own reason); cancelled
    disputes are left out. ``reason`` is the reason's name in the user's language, so that a
    call reason and a dispute reason of the same name group together.
    """

    _name = "dunning.reason.report"
    _description = "Reasons for Non-payment"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "reason"
    _depends = {
        "dunning.call": ["date", "reason_id", "dispute_id", "user_id", "partner_id", "company_id"],
        "dunning.call.reason": ["name"],
        "dunning.dispute": ["date", "reason_id", "state", "user_id", "partner_id", "company_id"],
        "dunning.dispute.reason": ["name"],
    }

    source = fields.Selection([("call", "Call"), ("dispute", "Dispute")], readonly=True)
    date = fields.Date(readonly=True)
    reason = fields.Char(readonly=True)
    call_reason_id = fields.Many2one(
        "dunning.call.reason", string="Reason for Non-payment", readonly=True
    )
    dispute_reason_id = fields.Many2one("dunning.dispute.reason", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        readonly=True,
        help="Who made the call, or who owns the dispute.",
    )
    count = fields.Integer(string="Times Given", readonly=True)

    @property
    def _table_query(self):
        return self._reason_sql(self.env.lang or "en_US")

    @api.model
    def _reason_sql(self, lang):
        # Calls and disputes share no id: calls get the even ones, disputes the odd ones.
        return SQL(
            """
            SELECT c.id * 2 AS id, 'call' AS source,
                   (c.date AT TIME ZONE 'UTC')::date AS date,
                   COALESCE(r.name->>%(lang)s, r.name->>'en_US') AS reason,
                   c.reason_id AS call_reason_id, NULL::integer AS dispute_reason_id,
                   c.company_id, c.partner_id, c.user_id, 1 AS count
              FROM dunning_call c
              JOIN dunning_call_reason r ON r.id = c.reason_id
             WHERE c.dispute_id IS NULL
            UNION ALL
            SELECT d.id * 2 + 1, 'dispute', d.date,
                   COALESCE(r.name->>%(lang)s, r.name->>'en_US'),
                   NULL, d.reason_id, d.company_id, d.partner_id, d.user_id, 1
              FROM dunning_dispute d
              JOIN dunning_dispute_reason r ON r.id = d.reason_id
             WHERE d.state != 'cancelled'
            """,
            lang=lang,
        )
