from odoo import api, fields, models

from odoo.addons.base.models.res_partner import _lang_get


class DunningLevelPreview(models.TransientModel):
    """The level's letter as a customer would read it, before the next run sends it: a real
    letter of the level (else of its policy) worded as the level says, in a chosen language."""

    _name = "dunning.level.preview"
    _description = "Dunning Level Wording Preview"

    level_id = fields.Many2one("dunning.level", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="level_id.company_id")
    lang = fields.Selection(
        _lang_get,
        string="Language",
        required=True,
        default=lambda self: self._default_lang(),
    )
    letter_id = fields.Many2one(
        "dunning.letter",
        compute="_compute_letter_id",
        store=True,
        readonly=False,
        domain="[('company_id', '=', company_id)]",
        help="The letter whose customer, invoices and amounts the preview shows: the latest "
        "of this level, else of its policy, else of the company.",
    )
    preview_html = fields.Html(string="Preview", compute="_compute_preview_html", sanitize=False)

    @api.model
    def _default_lang(self):
        return self.env.lang if self.env.lang in dict(_lang_get(self)) else "en_US"

    @api.depends("level_id")
    def _compute_letter_id(self):
        letters = self.env["dunning.letter"]
        for preview in self:
            level = preview.level_id
            for domain in (
                [("level_id", "=", level.id)],
                [("policy_id", "=", level.policy_id.id)],
                [("company_id", "=", level.company_id.id)],
            ):
                letter = letters.search(domain, order="date desc, id desc", limit=1)
                if letter:
                    break
            preview.letter_id = letter

    @api.depends("level_id", "lang", "letter_id")
    def _compute_preview_html(self):
        for preview in self:
            if not preview.letter_id:
                preview.preview_html = self.env._(
                    "No letter in this company yet: the preview shows a real letter, so run "
                    "the dunning once (the letters stay drafts until they are sent)."
                )
                continue
            # Rendered as the letter is (see dunning.letter._compute_letter_html): as the
            # system, in the chosen language, worded by this level.
            letter = preview.letter_id.sudo().with_context(lang=preview.lang)
            preview.preview_html = letter.env["ir.qweb"]._render(
                "smart_dunning.report_dunning_letter_body",
                {"letter": letter, "dunning_level": preview.level_id.sudo()},
            )
