"""Shared base for the smart_dunning test suite.

The tests live outside ``odoo.addons``, so Odoo does not tag them: the base class sets
``test_tags`` and ``test_module`` itself, and every test class inherits it.
"""

from contextlib import contextmanager
from datetime import date, timedelta

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class DunningCase(AccountTestInvoicingCommon):
    test_tags = {"standard", "post_install", "smart_dunning"}
    test_module = "smart_dunning"

    @classmethod
    def get_default_groups(cls):
        # The tests act as a credit manager unless they switch to another user.
        return super().get_default_groups() | cls.env.ref("smart_dunning.group_dunning_manager")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.dunning_payment_day_window = 3
        cls.policy_b2b = cls.company.dunning_policy_b2b_id
        cls.policy_b2c = cls.company.dunning_policy_b2c_id
        cls.b2b_levels = cls.policy_b2b.level_ids.sorted("sequence")
        cls.b2c_levels = cls.policy_b2c.level_ids.sorted("sequence")
        cls.customer = cls.make_partner("Brouwerij De Kroon", is_company=True, lang="nl_BE")

    # ------------------------------------------------------------------ builders

    @classmethod
    def make_partner(cls, name, *, lang="en_US", is_company=True, **vals):
        cls.env["res.lang"]._activate_lang(lang)
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": is_company,
                "lang": lang,
                "email": f"{name.lower().replace(' ', '.')}@example.com",
                "property_account_receivable_id": cls.company_data["default_account_receivable"].id,
                **vals,
            }
        )

    @classmethod
    def make_invoice(
        cls,
        partner,
        amount,
        due,
        *,
        invoice_date=None,
        post=True,
        move_type="out_invoice",
        currency=None,
        **vals,
    ):
        """A customer invoice of ``amount`` (no tax) due on ``due``."""
        invoice = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "invoice_date": invoice_date or due - timedelta(days=30),
                "invoice_payment_term_id": False,
                "invoice_date_due": due,
                "currency_id": (currency or cls.company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Prestation",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
                **vals,
            }
        )
        if post:
            invoice.action_post()
        return invoice

    @classmethod
    def pay(cls, invoice, amount, on_date):
        """Register a customer payment of ``amount`` on the invoice."""
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "payment_date": on_date})
        )
        wizard._create_payments()
        return invoice

    def run_dunning(self, on_date, company=None):
        run = self.env["dunning.run"].create(
            {
                "date": on_date,
                "company_id": (company or self.company).id,
            }
        )
        run.action_run()
        return run

    @classmethod
    def make_fee_product_and_account(cls):
        """The product and income account a policy invoices its fees with."""
        cls.fee_product = cls.env["product.product"].create(
            {"name": "Invorderingskosten", "type": "service"}
        )
        cls.fee_account = cls.company_data["default_account_revenue"].copy(
            {"code": "746000", "name": "Recovered collection costs"}
        )

    @classmethod
    def make_user(cls, login, groups, **vals):
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
            **vals,
        )

    @contextmanager
    def assertRefused(self, exception, pattern):
        """Like assertRaisesRegex, but in a savepoint: what the refused call did is undone, so
        that the test can check that nothing changed."""
        with self.assertRaises(exception) as context:
            yield context
        self.assertRegex(str(context.exception), pattern)


class BelgianDunningCase(DunningCase):
    """A Belgian company in euro, as the cooperative. The test database has no Belgian
    localisation, so it keeps the generic chart of accounts."""

    chart_template = "generic_coa"

    @classmethod
    def setup_independent_company(cls, **kwargs):
        euro = cls.env.ref("base.EUR")
        euro.active = True
        return super().setup_independent_company(
            currency_id=euro.id,
            country_id=cls.env.ref("base.be").id,
            # a first reminder to a consumer may not leave without it (art. XIX.2 CEL)
            company_registry="0403.170.701",
            **kwargs,
        )


def d(text):
    """date('2026-03-01') shorthand for readable test dates."""
    return date.fromisoformat(text)


def english_phrases(env, letter):
    """The labels and sentences of a letter as an English reader gets them (at least two
    words, none of the letter's data): what a translated letter must not contain."""
    import re

    from lxml import html as lxml_html

    english = letter.sudo().with_context(lang="en_US")
    body = env["ir.qweb"]._render("smart_dunning.report_dunning_letter_body", {"letter": english})
    values = english._dunning_letter_values()
    data = [v for v in values.values() if isinstance(v, str) and len(v) > 2]
    data += [r["description"] for r in values["rows"] if r["description"]]
    phrases = set()
    for text in lxml_html.fromstring(str(body)).itertext():
        text = " ".join(text.split())
        if "://" in text:  # a link (the customer's page) is data, not wording
            continue
        if len(re.findall(r"[A-Za-z]{2,}", text)) >= 2 and not any(v in text for v in data):
            phrases.add(text)
    return phrases


def english_left(env, letter, text):
    """The English phrases of the letter found in ``text`` (HTML or PDF text)."""
    from lxml import html as lxml_html

    if text.lstrip().startswith("<"):
        text = " ".join(lxml_html.fromstring(str(text)).itertext())
    text = " ".join(text.split())
    return sorted(p for p in english_phrases(env, letter) if p in text)
