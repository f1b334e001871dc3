from odoo import api, fields, models

from .dunning_fee_scale import SCALE_KINDS
from .dunning_legal_rate import RATE_KINDS

FEE_KINDS = [
    ("interest", "Interest"),
    ("recovery", "Fixed recovery compensation"),
    ("lump_sum", "Lump-sum damages"),
    ("reminder", "Reminder fee"),
    ("collection", "Collection costs"),
    ("invoiced", "Already invoiced"),
]


class DunningLetterFee(models.Model):
    """A fee or an interest period a letter claims, with its legal basis.

    The lines are the letter's claim to date: they are computed again whenever the letter
    is about to go out, and frozen once it is sent.
    """

    _name = "dunning.letter.fee"
    _description = "Fee or Interest Claimed in a Letter"
    _order = "letter_id, sequence, id"
    # A run inserts a hundred thousand of these: the letter has the log, the company and the
    # currency, each of which would be one more foreign key checked per row.
    _log_access = False

    letter_id = fields.Many2one("dunning.letter", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="letter_id.company_id")
    currency_id = fields.Many2one(related="letter_id.currency_id")
    sequence = fields.Integer(default=10)
    kind = fields.Selection(FEE_KINDS, required=True)
    basis = fields.Selection(
        RATE_KINDS + SCALE_KINDS, string="Legal Basis", help="The rate or scale applied."
    )
    # Deleting an invoice must not rewrite what a sent letter claimed on it.
    move_id = fields.Many2one(
        "account.move", string="Invoice", ondelete="restrict", help="Empty for a letter-wide fee."
    )
    date_from = fields.Date()
    date_to = fields.Date()
    days = fields.Integer()
    rate = fields.Float(string="Rate (%)", digits=(16, 2))
    base_amount = fields.Monetary(string="On Amount")
    amount = fields.Monetary()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent_letter(self):
        # Fee lines of letters still to send are computed again; those sent are frozen.
        self.letter_id._check_not_evidence(
            lambda letter: self.env._(
                "Letter %(letter)s went out to the customer: the fees and interest it "
                "claimed are kept as evidence and cannot be deleted.",
                letter=letter.name,
            )
        )
