import re

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import html_sanitize, is_html_empty

from ..lib.actions import form_action

CHANNELS = [
    ("email", "E-mail"),
    ("letter", "Paper letter"),
    ("call", "Phone call"),
    ("judicial", "Judicial hand-over"),
]

# The only placeholders of a level's wording: {{name}}, spaces allowed inside the braces.
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")

WORDING_FIELDS = ("letter_intro", "letter_closing")

STAGES = [
    ("first_reminder", "Friendly reminder"),
    ("second_reminder", "Second reminder"),
    ("formal_notice", "Formal notice"),
    ("judicial", "Judicial hand-over"),
]


class DunningLevel(models.Model):
    _name = "dunning.level"
    _description = "Dunning Level"
    _order = "policy_id, sequence, id"
    _check_company_auto = True

    policy_id = fields.Many2one("dunning.policy", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="policy_id.currency_id")
    sequence = fields.Integer(required=True, default=10)
    name = fields.Char(required=True, translate=True)
    delay_days = fields.Integer(
        string="Days after due date",
        required=True,
        help="The invoice reaches this level this many days after its due date, and never "
        "sooner after the previous letter than the difference between the two levels' days.",
    )
    channel = fields.Selection(CHANNELS, required=True, default="email")
    stage = fields.Selection(
        STAGES,
        required=True,
        default="first_reminder",
        help="Decides the wording of the letter: friendly at the first reminder, firm at the "
        "formal notice, factual at the judicial hand-over.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', 'dunning.letter')]",
    )
    report_id = fields.Many2one(
        "ir.actions.report",
        string="Letter Report",
        domain="[('model', '=', 'dunning.letter')]",
    )
    needs_approval = fields.Boolean(
        help="Letters at this level wait for a collector to approve them before they go out."
    )
    ask_salesperson_new_customer = fields.Boolean(
        string="Ask Salesperson for New Customers",
        help="When the customer's first invoice is recent, the salesperson gets an activity to "
        "find out why the customer pays late, and the letter waits for approval.",
    )
    credit_hold = fields.Boolean(
        help="A customer with an open invoice at this level is on credit hold: new quotations "
        "warn the salesperson and, when the policy says so, cannot be confirmed. Set it on the "
        "formal notice and every level after it.",
    )
    min_amount = fields.Monetary(
        string="Minimum Amount",
        currency_field="currency_id",
        help="No letter at this level for a customer whose overdue total is below this amount.",
    )

    _policy_sequence_uniq = models.Constraint(
        "UNIQUE (policy_id, sequence)",
        "Two levels of one policy cannot have the same sequence.",
    )

    @api.constrains("delay_days", "sequence", "policy_id", "min_amount")
    def _check_delay_order(self):
        for level in self:
            if level.min_amount < 0:
                raise ValidationError(self.env._("The minimum amount cannot be negative."))
            levels = level.policy_id.level_ids.sorted("sequence")
            delays = levels.mapped("delay_days")
            if delays != sorted(delays) or len(set(delays)) != len(delays):
                raise ValidationError(
                    self.env._(
                        "In policy %(policy)s, each level must come more days after the due "
                        "date than the level before it.",
                        policy=level.policy_id.display_name,
                    )
                )

    def _step(self):
        """This level as ``(id, sequence, delay_days)``, or None when empty."""
        return (self.id, self.sequence, self.delay_days) if self else None

    @api.model
    def _search_operand(self, operator, value):
        """What a search on a level field of an invoice or a customer compares with: the
        levels (ids or a subquery) and whether "no level" matches; None for an operator
        those searches do not support."""
        if operator in ("any", "not any"):
            return self.with_context(active_test=False)._search(value).subselect(), False
        if operator in ("in", "not in"):
            return tuple(v for v in value if v), False in value
        return None

    # ------------------------------------------------------------------ wording

    # Whole-value translations, sanitized by create/write and again when the letter is
    # rendered: fields.Html(translate=True, sanitize=True) would translate term by term
    # (html_translate), and a new Dutch text would then replace the French one with Dutch.
    letter_intro = fields.Html(
        string="Letter Introduction",
        translate=True,
        sanitize=False,
        help="The opening paragraphs of the letter and the e-mail, after the salutation, in "
        "each language. Empty in a language: the standard text of the level's stage. The "
        "amounts, the legal mentions and the payment details are always added by the letter "
        "itself. Placeholders: {{customer}}, {{reference}}, {{date}}, {{total}}, {{pay_by}}.",
    )
    letter_closing = fields.Html(
        translate=True,
        sanitize=False,
        help="The closing paragraphs of the letter and the e-mail, after the payment details "
        "and before the greeting, in each language. Empty in a language: the standard text of "
        "the level's stage. Same placeholders as the introduction.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._sanitize_wording(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._sanitize_wording(vals))

    @api.model
    def _sanitize_wording(self, vals):
        """``vals`` with the intro and closing sanitized as any Html field would be."""
        return {
            key: html_sanitize(value) if key in WORDING_FIELDS and value else value
            for key, value in vals.items()
        }

    def _letter_wording(self, lang, placeholders):
        """The intro and closing of this level as written in ``lang`` itself, placeholders
        filled: ``{"intro": Markup or "", "closing": Markup or ""}``.

        No fallback on the English text (Odoo's default for translated fields): a level
        worded in English and Dutch only must give French customers the standard French
        text, not the English one. ``placeholders`` maps the fixed names to plain text,
        escaped here; the HTML itself was sanitized on save and is never evaluated."""
        if not self:
            return {"intro": "", "closing": ""}
        self.ensure_one()
        wording = {}
        for name in WORDING_FIELDS:
            stored = self._fields[name]._get_stored_translations(self) or {}
            # Sanitized again: a translation can also come from a .po file or the
            # translation dialog, which do not go through write().
            html = html_sanitize(stored.get(lang) or "")
            if is_html_empty(html):
                wording[name[7:]] = ""
                continue
            wording[name[7:]] = Markup(
                PLACEHOLDER.sub(
                    lambda match: (
                        escape(placeholders[match[1]]) if match[1] in placeholders else match[0]
                    ),
                    html,
                )
            )
        return wording

    def action_preview_wording(self):
        """The preview dialog: this level's letter on a real letter, in a chosen language."""
        self.ensure_one()
        preview = self.env["dunning.level.preview"].create({"level_id": self.id})
        return form_action(
            "dunning.level.preview",
            preview.id,
            name=self.env._("Preview: %(level)s", level=self.display_name),
            dialog=True,
        )
