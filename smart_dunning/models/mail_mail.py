import re

from odoo import models
from odoo.tools import email_normalize, email_normalize_all

# Failure types of mail.mail that are about the address itself: the next attempt would fail
# the same way. Every other failure (server unreachable, timeout, authentication, sender
# refused, spam filter, "unknown") says nothing about the customer's address.
ADDRESS_FAILURE_TYPES = ("mail_email_invalid", "mail_email_missing")

# Odoo hands an SMTP refusal on as text only: ir.mail_server wraps smtplib's
# SMTPRecipientsRefused, "{'a@b.be': (550, b'5.1.1 User unknown')}", in a MailDeliveryException.
_REFUSED = re.compile(r"SMTPRecipientsRefused\s*:\s*(\{.*\})", re.DOTALL)
_REFUSED_ENTRY = re.compile(r"""['"]([^'"]+)['"]\s*:\s*\(\s*(\d{3})\s*,""")


def permanently_refused(failure_reason):
    """The addresses an SMTP server refused for good (5xx) in this failure report; a 4xx
    answer (mailbox busy, greylisting) is temporary and refuses nobody."""
    match = _REFUSED.search(failure_reason or "")
    if not match:
        return set()
    return {
        email_normalize(address)
        for address, code in _REFUSED_ENTRY.findall(match.group(1))
        if code.startswith("5")
    }


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, success_emails, failure_reason=False, failure_type=None
    ):
        # Read before super(), which deletes some failed mails.
        failures = self._dunning_letter_failures(
            success_pids, success_emails, failure_reason, failure_type
        )
        result = super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type
        )
        Letter = self.env["dunning.letter"].sudo()
        for (permanent, reason), items in failures.items():
            letters = Letter.browse({letter_id for letter_id, _mail in items})
            letters._mail_failed(reason, permanent=permanent)
            if not permanent:
                # The letter itself is sent again by the next send: this copy must never go
                # out as well (e.g. from the "resend" of the failed-mail list).
                mails = self.sudo().browse({mail.id for _letter_id, mail in items}).exists()
                mails.write({"state": "cancel"})
                self.env["mail.notification"].sudo().search(
                    [
                        ("mail_mail_id", "in", mails.ids),
                        ("notification_status", "=", "exception"),
                    ]
                ).write({"notification_status": "canceled"})
        return result

    def _dunning_letter_failures(self, success_pids, success_emails, failure_reason, failure_type):
        """Failed mails of dunning letters that were meant for the letter's addressee, by
        (permanent, reason): permanent when the address itself is wrong (invalid, missing,
        or refused by the server with a 5xx answer)."""
        failures = {}
        if not failure_type:
            return failures
        mails = self.filtered(lambda mail: mail.model == "dunning.letter" and mail.res_id)
        if not mails:
            return failures
        letters = self.env["dunning.letter"].sudo().browse(mails.mapped("res_id")).exists()
        labels = dict(self._fields["failure_type"]._description_selection(self.env))
        success_emails = {email_normalize(email) for email in success_emails or ()}
        for mail in mails:
            letter = letters.browse(mail.res_id) & letters
            if not letter:
                continue
            addressee = letter.contact_id or letter.partner_id
            email = email_normalize(addressee.email or "")
            meant_for = addressee in mail.recipient_ids or (
                email and email in email_normalize_all(mail.email_to or "")
            )
            # A mail to the collector that failed, or one the addressee did get, says
            # nothing about the customer's letter.
            reached = addressee.id in (success_pids or ()) or (email and email in success_emails)
            if not meant_for or reached:
                continue
            details = failure_reason or mail.failure_reason or ""
            permanent = failure_type in ADDRESS_FAILURE_TYPES or (
                bool(email) and email in permanently_refused(details)
            )
            label = labels.get(failure_type, failure_type)
            details = " ".join(details.split())
            reason = f"{label}: {details}" if details else label
            failures.setdefault((permanent, reason), []).append((letter.id, mail))
        return failures
