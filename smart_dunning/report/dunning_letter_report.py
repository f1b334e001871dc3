from datetime import timedelta

from odoo import api, models
from odoo.tools import format_amount, format_date, formatLang

from ..lib.enterprise_number import be_enterprise_number
from ..lib.structured_communication import is_valid_ogm
from ..models.dunning_letter import PAY_WITHIN_DAYS


def _pretty_account(number):
    """An IBAN in groups of four, as banks print it; other numbers as they are."""
    compact = (number or "").replace(" ", "")
    if len(compact) > 4 and compact[:2].isalpha():
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return number or ""


class ReportDunningLetter(models.AbstractModel):
    """The values of the dunning letter, for the PDF report and for the e-mail body that
    shares its QWeb template."""

    _name = "report.smart_dunning.report_dunning_letter"
    _description = "Dunning Letter Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        return {
            "doc_ids": docids,
            "doc_model": "dunning.letter",
            "docs": self.env["dunning.letter"].browse(docids),
            "data": data,
            "letterhead": self._letterhead_values,
        }

    @api.model
    def _letterhead_values(self, letter):
        """The company's identity under each paper letter: name, enterprise number, bank."""
        company = letter.company_id.sudo()
        bank = company.dunning_bank_id or company.partner_id.bank_ids[:1]
        return {
            "name": company.name,
            "enterprise_number": be_enterprise_number(company.company_registry, company.vat)
            or company.company_registry
            or company.vat
            or "",
            "iban": _pretty_account(bank.acc_number),
            "bic": bank.bank_bic or "",
        }

    @api.model
    def _letter_values(self, letter, level=None):
        """What the letter templates show, formatted in the language of ``letter.env``.

        ``level`` words the letter as another level would (the level form's preview); by
        default the letter's own level."""
        env, currency, company = letter.env, letter.currency_id, letter.company_id
        level = level or letter.level_id

        def money(amount):
            return format_amount(env, amount, currency)

        def day(value):
            return format_date(env, value) if value else ""

        letter_date = letter.sent_date or letter.date
        addressee = letter.contact_id or letter.partner_id
        regime = letter.policy_id.legal_regime
        bank = company.dunning_bank_id or company.partner_id.bank_ids[:1]
        handler = (
            letter.policy_id.lawyer_id
            if letter.judicial_route == "lawyer"
            else letter.policy_id.bailiff_id
        )
        if letter.is_first_reminder and letter.costs_from:
            pay_by = letter.costs_from - timedelta(days=1)
        else:
            pay_by = letter_date + timedelta(days=PAY_WITHIN_DAYS)
        country = addressee.country_id or letter.partner_id.country_id
        outside_eu = bool(country) and country not in env.ref("base.europe").country_ids
        basis = dict(letter.fee_line_ids._fields["basis"]._description_selection(env))
        kinds = dict(letter.fee_line_ids._fields["kind"]._description_selection(env))
        values = {
            "stage": level.stage,
            "regime": regime,
            "consumer": regime in ("be_b2c", "nl_b2c"),
            # Formal letters greet without the name in French ("Madame, Monsieur,"), and the
            # name stands in the address block: one salutation for every language.
            "salutation": env._("Dear Sir or Madam,"),
            "date": day(letter_date),
            "pay_by": day(pay_by),
            "rows": [
                {
                    "number": line.move_id.name,
                    "date": day(line.move_id.invoice_date),
                    "due": day(line.date_due),
                    "description": ", ".join(
                        line.move_id.invoice_line_ids.filtered(
                            lambda ml: ml.display_type == "product"
                        ).mapped("name")
                    )[:100],
                    "amount": money(line.amount_total),
                    "paid": money(line.amount_total - line.amount_residual),
                    "residual": money(line.amount_residual),
                    "days": max((letter_date - line.date_due).days, 0) if line.date_due else 0,
                }
                for line in letter.line_ids.sorted(lambda ln: (ln.date_due or letter_date, ln.id))
            ],
            "credits": [
                {
                    "number": move.name,
                    "date": day(move.invoice_date or move.date),
                    "amount": format_amount(env, amount, line_currency),
                }
                for move, amount, line_currency in letter._open_credits()
            ],
            "fees": [
                {
                    "label": kinds.get(fee.kind, ""),
                    "invoice": fee.move_id.name or "",
                    "period": f"{day(fee.date_from)} - {day(fee.date_to)}" if fee.date_from else "",
                    "days": fee.days or "",
                    "rate": f"{formatLang(env, fee.rate)} %" if fee.rate else "",
                    "basis": basis.get(fee.basis, ""),
                    "amount": money(fee.amount),
                }
                for fee in letter.fee_line_ids
            ],
            "overdue": money(letter.amount_overdue),
            "credit": money(-letter.amount_credit) if letter.amount_credit else "",
            "due": money(letter.amount_due),
            "interest": money(letter.amount_interest) if letter.amount_interest else "",
            "fees_total": money(letter.amount_fees) if letter.amount_fees else "",
            "total": money(letter.amount_total),
            "announced": (
                money(letter.amount_fees_announced) if letter.amount_fees_announced else ""
            ),
            "costs_until": day(letter.costs_from - timedelta(days=1)) if letter.costs_from else "",
            "claims_interest": letter.policy_id.claim_interest,
            "iban": _pretty_account(bank.acc_number),
            "bic": bank.bank_bic or "",
            "beneficiary": company.name,
            "structured": is_valid_ogm(letter.payment_reference),
            "reference": letter.payment_reference or letter.name,
            "enterprise_number": be_enterprise_number(company.company_registry, company.vat)
            or company.company_registry
            or company.vat
            or "",
            "handler": handler.name or "",
            "non_eu_text": company.dunning_non_eu_text if outside_eu else "",
            "service_hours": company.dunning_service_hours or "",
            "service_phone": company.dunning_service_phone or company.phone or "",
            "service_email": company.dunning_service_email or company.email or "",
            "signature": letter.user_id.name or company.name,
        }
        # The level's own intro and closing, when written in this language; the legal
        # mentions, amounts and payment details stay in the template, outside them.
        wording = level._letter_wording(
            env.lang or "en_US",
            {
                "customer": letter.partner_id.name or "",
                "reference": letter.name or "",
                "date": values["date"],
                "total": values["total"],
                "pay_by": values["pay_by"],
            },
        )
        values.update(intro=wording["intro"], closing=wording["closing"])
        return values
