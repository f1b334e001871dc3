"""Realistic receivables for benchmarks: N customers and M posted customer invoices.

Spread like the cooperative's ledger: half the customers Dutch-speaking, a third French, the
rest Dutch (NL) or English; one in three a consumer; amounts log-normal around €600; invoice
dates over the last ``--days`` days with 30-day terms; about 45% paid (on time or late), 10%
partly paid, the rest open. Everything goes through the ORM in batches, as an importer would.
"""

import logging
import math
import random
import time
from datetime import timedelta

from odoo import Command, fields

_logger = logging.getLogger("bench.generate")

LANGS = [("nl_BE", 0.50), ("fr_BE", 0.33), ("nl_NL", 0.10), ("en_US", 0.07)]
CITIES = {
    "nl_BE": [("Gent", "9000"), ("Antwerpen", "2000"), ("Leuven", "3000"), ("Brugge", "8000")],
    "fr_BE": [("Liège", "4000"), ("Namur", "5000"), ("Bruxelles", "1000"), ("Mons", "7000")],
    "nl_NL": [("Utrecht", "3511 AB"), ("Rotterdam", "3011 AD"), ("Eindhoven", "5611 AB")],
    "en_US": [("London", "EC1A 1BB"), ("Dublin", "D02 X285")],
}
COUNTRY = {"nl_BE": "base.be", "fr_BE": "base.be", "nl_NL": "base.nl", "en_US": "base.uk"}
BATCH = 500


def _pick(rng, weighted):
    x, acc = rng.random(), 0.0
    for value, weight in weighted:
        acc += weight
        if x < acc:
            return value
    return weighted[-1][0]


def make_customers(env, count, rng):
    """Create ``count`` customers in batches and return their ids."""
    for lang, _w in LANGS:
        env["res.lang"]._activate_lang(lang)
    countries = {lang: env.ref(xmlid).id for lang, xmlid in COUNTRY.items()}
    ids = []
    Partner = env["res.partner"].with_context(tracking_disable=True, mail_create_nolog=True)
    for start in range(0, count, BATCH):
        vals = []
        for i in range(start, min(start + BATCH, count)):
            lang = _pick(rng, LANGS)
            city, zip_code = rng.choice(CITIES[lang])
            business = rng.random() < 0.67
            vals.append(
                {
                    "name": f"{'Klant' if lang.startswith('nl') else 'Client'} {i:06d}"
                    + (" BV" if business else ""),
                    "is_company": business,
                    "lang": lang,
                    "city": city,
                    "zip": zip_code,
                    "street": f"Straat {i % 200 + 1}",
                    "country_id": countries[lang],
                    "email": f"customer{i}@example.com",
                    "customer_rank": 1,
                    "payment_days": rng.choice(["25", "end", "10, 25"])
                    if rng.random() < 0.08
                    else False,
                    "dunning_po_required": rng.random() < 0.03,
                }
            )
        ids += Partner.create(vals).ids
        env.cr.commit()
    return ids


def make_invoices(env, partner_ids, count, rng, days):
    """Create and post ``count`` invoices spread over ``days`` days; return their ids."""
    company = env.company
    today = fields.Date.context_today(env["account.move"])
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    account = journal.default_account_id
    Move = env["account.move"].with_context(
        tracking_disable=True, mail_create_nolog=True, mail_notrack=True, skip_invoice_sync=False
    )
    ids = []
    for start in range(0, count, BATCH):
        vals = []
        for _i in range(start, min(start + BATCH, count)):
            invoice_date = today - timedelta(days=rng.randint(0, days))
            amount = round(min(max(rng.lognormvariate(math.log(600), 0.9), 15), 60000), 2)
            vals.append(
                {
                    "move_type": "out_invoice",
                    "partner_id": rng.choice(partner_ids),
                    "journal_id": journal.id,
                    "invoice_date": invoice_date,
                    "invoice_date_due": invoice_date + timedelta(days=30),
                    "invoice_payment_term_id": False,
                    "ref": f"PO{rng.randint(10000, 99999)}" if rng.random() < 0.6 else False,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Prestations",
                                "quantity": 1,
                                "price_unit": amount,
                                "account_id": account.id,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        moves = Move.create(vals)
        moves.action_post()
        ids += moves.ids
        env.cr.commit()
        _logger.info("%s invoices posted", len(ids))
    return ids


def pay_invoices(env, invoice_ids, rng, paid_share=0.45, partial_share=0.10):
    """Pay a share of the invoices in full and another share in part, with bank payments."""
    Move = env["account.move"]
    today = fields.Date.context_today(Move)
    full, partial = [], []
    for invoice_id in invoice_ids:
        x = rng.random()
        if x < paid_share:
            full.append(invoice_id)
        elif x < paid_share + partial_share:
            partial.append(invoice_id)
    journal = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1
    )
    method = journal.inbound_payment_method_line_ids[:1]
    Payment = env["account.payment"].with_context(tracking_disable=True, mail_create_nolog=True)
    for chunk_ids, ratio in [(full, None), (partial, "partial")]:
        for start in range(0, len(chunk_ids), BATCH):
            invoices = Move.browse(chunk_ids[start : start + BATCH])
            vals = []
            for invoice in invoices:
                amount = invoice.amount_residual
                if ratio:
                    amount = round(amount * rng.uniform(0.2, 0.8), 2)
                paid_on = min(
                    invoice.invoice_date_due + timedelta(days=rng.randint(-20, 40)), today
                )
                vals.append(
                    {
                        "payment_type": "inbound",
                        "partner_type": "customer",
                        "partner_id": invoice.commercial_partner_id.id,
                        "amount": amount,
                        "date": max(paid_on, invoice.invoice_date),
                        "journal_id": journal.id,
                        "payment_method_line_id": method.id,
                        "memo": invoice.name,
                    }
                )
            payments = Payment.create(vals)
            payments.action_post()
            for invoice, payment in zip(invoices, payments, strict=True):
                lines = (invoice.line_ids | payment.move_id.line_ids).filtered(
                    lambda line: line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                )
                lines.reconcile()
            env.cr.commit()
    return len(full), len(partial)


def generate(env, customers, invoices, days=150, seed=42):
    rng = random.Random(seed)
    started = time.monotonic()
    partner_ids = make_customers(env, customers, rng)
    t_customers = time.monotonic() - started
    invoice_ids = make_invoices(env, partner_ids, invoices, rng, days)
    t_invoices = time.monotonic() - started - t_customers
    full, partial = pay_invoices(env, invoice_ids, rng)
    total = time.monotonic() - started
    return {
        "customers": len(partner_ids),
        "invoices": len(invoice_ids),
        "paid": full,
        "partly_paid": partial,
        "seconds_customers": round(t_customers, 1),
        "seconds_invoices": round(t_invoices, 1),
        "seconds_payments": round(total - t_customers - t_invoices, 1),
        "seconds_total": round(total, 1),
    }
