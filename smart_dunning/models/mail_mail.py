from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, success_emails, failure_reason=False, failure_type=None
    ):
        if failure_type:
            letter_ids = [
                mail.res_id for mail in self if mail.model == "dunning.letter" and mail.res_id
            ]
            letters = self.env["dunning.letter"].sudo().browse(letter_ids).exists()
            letters._dunning_mail_failed(
                failure_reason
                or dict(self._fields["failure_type"]._description_selection(self.env)).get(
                    failure_type, failure_type
                )
            )
        return super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type
        )
