"""Realistic receivables for benchmarks: N customers and M posted customer invoices.

Spread like the cooperative's ledger: half the customers Dutch-speaking, a third French, the
rest Dutch (NL) or English; one in three a consumer; amounts log-normal around €600; invoice
dates over the last ``--days`` days with 30-day terms; about 45% paid (on time or late), 10%
partly paid, the rest open.

Customers go through the ORM. Invoices and payments would take ~40 ms each that way, so the
ORM creates one template invoice and one template bank payment reconciled with it, and the
generator clones them in SQL, a batch at a time, with each clone's own partner, dates, amounts,
names and reconciliation: the rows carry every column exactly as Odoo writes them.
"""

import logging
import math
import random
import time
from collections import defaultdict
from datetime import timedelta

from odoo import Command, fields
from odoo.tools import SQL

_logger = logging.getLogger("bench.generate")

LANGS = [("nl_BE", 0.50), ("fr_BE", 0.33), ("nl_NL", 0.10), ("en_US", 0.07)]
CITIES = {
    "nl_BE": [("Gent", "9000"), ("Antwerpen", "2000"), ("Leuven", "3000"), ("Brugge", "8000")],
    "fr_BE": [("Liège", "4000"), ("Namur", "5000"), ("Bruxelles", "1000"), ("Mons", "7000")],
    "nl_NL": [("Utrecht", "3511 AB"), ("Rotterdam", "3011 AD"), ("Eindhoven", "5611 AB")],
    "en_US": [("London", "EC1A 1BB"), ("Dublin", "D02 X285")],
}
COUNTRY = {"nl_BE": "base.be", "fr_BE": "base.be", "nl_NL": "base.nl", "en_US": "base.uk"}
BATCH = 5000
PG_TYPES = {
    "integer": "int4",
    "character varying": "varchar",
    "date": "date",
    "numeric": "numeric",
    "boolean": "bool",
    "timestamp without time zone": "timestamp",
    "jsonb": "jsonb",
    "text": "text",
    "double precision": "float8",
}


def _pick(rng, weighted):
    x, acc = rng.random(), 0.0
    for value, weight in weighted:
        acc += weight
        if x < acc:
            return value
    return weighted[-1][0]


def make_customers(env, count, rng):
    """Create ``count`` customers through the ORM, in batches; return their ids."""
    for lang, _w in LANGS:
        env["res.lang"]._activate_lang(lang)
    countries = {lang: env.ref(xmlid).id for lang, xmlid in COUNTRY.items()}
    ids = []
    Partner = env["res.partner"].with_context(tracking_disable=True, mail_create_nolog=True)
    for start in range(0, count, 1000):
        vals = []
        for i in range(start, min(start + 1000, count)):
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
    return ids


class Cloner:
    """INSERT copies of a template row, overriding some columns per copy."""

    def __init__(self, cr, table):
        self.cr, self.table = cr, table
        cr.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = %s AND column_name != 'id' ORDER BY ordinal_position",
            [table],
        )
        self.columns = dict(cr.fetchall())

    def clone(self, template_id, overrides):
        """Insert one copy per row of ``overrides`` ({column: [values]}); return the new ids."""
        names = list(overrides)
        count = len(overrides[names[0]])
        select = [
            SQL.identifier("u", c) if c in overrides else SQL.identifier("t", c)
            for c in self.columns
        ]
        arrays = [SQL("%s::%s[]", overrides[c], SQL(PG_TYPES[self.columns[c]])) for c in names]
        self.cr.execute(
            SQL(
                """INSERT INTO %(table)s (%(columns)s)
               SELECT %(select)s FROM %(table)s t,
                      unnest(%(arrays)s) WITH ORDINALITY AS u(%(names)s, ord)
                WHERE t.id = %(template)s
                ORDER BY u.ord
            RETURNING id""",
                table=SQL.identifier(self.table),
                columns=SQL(", ").join(SQL.identifier(c) for c in self.columns),
                select=SQL(", ").join(select),
                arrays=SQL(", ").join(arrays),
                names=SQL(", ").join(SQL.identifier(c) for c in names),
                template=template_id,
            )
        )
        ids = [row[0] for row in self.cr.fetchall()]
        assert len(ids) == count
        return ids


def make_templates(env):
    """One posted invoice of 100 and one bank payment of 100 reconciled with it."""
    company = env.company
    partner = env["res.partner"].create({"name": "Bench template customer"})
    sale = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    bank = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    today = fields.Date.context_today(partner)
    invoice = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "journal_id": sale.id,
            "invoice_date": today,
            "invoice_date_due": today,
            "invoice_payment_term_id": False,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Prestations",
                        "quantity": 1,
                        "price_unit": 100.0,
                        "account_id": sale.default_account_id.id,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
    )
    invoice.action_post()
    receivable = invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")
    payment = env["account.move"].create(
        {
            "move_type": "entry",
            "journal_id": bank.id,
            "date": today,
            "line_ids": [
                Command.create(
                    {
                        "account_id": bank.default_account_id.id,
                        "debit": 100.0,
                        "partner_id": partner.id,
                        "name": "Payment",
                    }
                ),
                Command.create(
                    {
                        "account_id": receivable.account_id.id,
                        "credit": 100.0,
                        "partner_id": partner.id,
                        "name": "Payment",
                    }
                ),
            ],
        }
    )
    payment.action_post()
    pay_receivable = payment.line_ids.filtered(lambda line: line.credit)
    (receivable | pay_receivable).reconcile()
    env.flush_all()
    return invoice, payment


def _next_numbers(cr, journal_id, prefixes):
    cr.execute(
        """SELECT sequence_prefix, max(sequence_number) FROM account_move
            WHERE journal_id = %s AND sequence_prefix = ANY(%s) GROUP BY 1""",
        [journal_id, list(prefixes)],
    )
    return defaultdict(int, cr.fetchall())


def _names(cr, journal, dates, code):
    """Sequential names per year, after the journal's last one, as Odoo numbers them."""
    last = _next_numbers(cr, journal.id, {f"{code}/{d.year}/" for d in dates})
    prefixes, numbers, names = [], [], []
    for day in dates:
        prefix = f"{code}/{day.year}/"
        last[prefix] += 1
        prefixes.append(prefix)
        numbers.append(last[prefix])
        names.append(f"{prefix}{last[prefix]:05d}")
    return prefixes, numbers, names


def make_invoices(
    env, partner_ids, count, rng, days, templates, paid_share, partial_share, min_age
):
    """Clone ``count`` posted invoices, and pay some of them; return counts."""
    cr = env.cr
    invoice_t, payment_t = templates
    moves, lines = Cloner(cr, "account_move"), Cloner(cr, "account_move_line")
    inv_product = invoice_t.line_ids.filtered(lambda line: line.display_type == "product")
    inv_receivable = invoice_t.line_ids.filtered(lambda line: line.display_type == "payment_term")
    pay_bank = payment_t.line_ids.filtered(lambda line: line.debit)
    pay_receivable = payment_t.line_ids.filtered(lambda line: line.credit)
    today = fields.Date.context_today(invoice_t)
    partners = env["res.partner"].browse(partner_ids)
    display = dict(zip(partners.ids, partners.mapped("name"), strict=True))
    now = fields.Datetime.now()
    stats = {"invoices": 0, "paid": 0, "partly_paid": 0}
    for start in range(0, count, BATCH):
        n = min(BATCH, count - start)
        inv_dates = sorted(today - timedelta(days=rng.randint(min_age, days)) for _i in range(n))
        dues = [d + timedelta(days=30) for d in inv_dates]
        amounts = [
            round(min(max(rng.lognormvariate(math.log(600), 0.9), 15), 60000), 2) for _i in range(n)
        ]
        customers = [rng.choice(partner_ids) for _i in range(n)]
        prefixes, numbers, names = _names(cr, invoice_t.journal_id, inv_dates, "INV")
        # Who pays what, when: some in full, some in part, the rest not yet.
        paid = []
        for i in range(n):
            x = rng.random()
            if x < paid_share + partial_share:
                share = 1.0 if x < paid_share else round(rng.uniform(0.2, 0.8), 2)
                on = min(dues[i] + timedelta(days=rng.randint(-20, 40)), today)
                paid.append((i, round(amounts[i] * share, 2), max(on, inv_dates[i])))
        residual = list(amounts)
        for i, amount, _on in paid:
            residual[i] = round(amounts[i] - amount, 2)
        states = [
            "paid" if r == 0 else "partial" if r < a else "not_paid"
            for r, a in zip(residual, amounts, strict=True)
        ]
        # The day an invoice was paid in full, as Odoo stores it (else the template's).
        paid_dates = [None] * n
        for i, _amount, on in paid:
            if residual[i] == 0:
                paid_dates[i] = on
        move_ids = moves.clone(
            invoice_t.id,
            {
                "name": names,
                "sequence_prefix": prefixes,
                "sequence_number": numbers,
                "payment_reference": names,
                "date": inv_dates,
                "invoice_date": inv_dates,
                "invoice_date_due": dues,
                "partner_id": customers,
                "commercial_partner_id": customers,
                "invoice_partner_display_name": [display[c] for c in customers],
                "ref": [
                    f"PO{rng.randint(10000, 99999)}" if rng.random() < 0.6 else None
                    for _i in range(n)
                ],
                "amount_untaxed": amounts,
                "amount_total": amounts,
                "amount_residual": residual,
                "amount_untaxed_signed": amounts,
                "amount_total_signed": amounts,
                "amount_untaxed_in_currency_signed": amounts,
                "amount_total_in_currency_signed": amounts,
                "amount_residual_signed": residual,
                "payment_state": states,
                "dunning_paid_date": paid_dates,
                "access_token": [None] * n,
                "create_date": [now] * n,
                "write_date": [now] * n,
            },
        )
        negated = [-a for a in amounts]
        common = {
            "move_id": move_ids,
            "move_name": names,
            "date": inv_dates,
            "invoice_date": inv_dates,
            "partner_id": customers,
            "create_date": [now] * n,
            "write_date": [now] * n,
        }
        lines.clone(
            inv_product.id,
            common
            | {
                "price_unit": amounts,
                "price_subtotal": amounts,
                "price_total": amounts,
                "balance": negated,
                "credit": amounts,
                "amount_currency": negated,
            },
        )
        receivable_ids = lines.clone(
            inv_receivable.id,
            common
            | {
                "balance": amounts,
                "debit": amounts,
                "amount_currency": amounts,
                "amount_residual": residual,
                "amount_residual_currency": residual,
                "reconciled": [r == 0 for r in residual],
                "date_maturity": dues,
                "name": names,
                "matching_number": [None] * n,
                "full_reconcile_id": [None] * n,
            },
        )
        if paid:
            _pay(
                env,
                moves,
                lines,
                paid,
                move_ids,
                receivable_ids,
                customers,
                names,
                payment_t,
                pay_bank,
                pay_receivable,
                now,
            )
        stats["invoices"] += n
        stats["paid"] += sum(1 for s in states if s == "paid")
        stats["partly_paid"] += sum(1 for s in states if s == "partial")
        env.cr.commit()
        _logger.info("%s invoices", stats["invoices"])
    return stats


def _pay(
    env,
    moves,
    lines,
    paid,
    move_ids,
    receivable_ids,
    customers,
    names,
    payment_t,
    pay_bank,
    pay_receivable,
    now,
):
    """Bank payments reconciled with the invoices, fully or in part."""
    cr = env.cr
    m = len(paid)
    dates = [on for _i, _a, on in paid]
    amounts = [a for _i, a, _on in paid]
    who = [customers[i] for i, _a, _on in paid]
    prefixes, numbers, pay_names = _names(cr, payment_t.journal_id, dates, "BNK1")
    pay_move_ids = moves.clone(
        payment_t.id,
        {
            "name": pay_names,
            "sequence_prefix": prefixes,
            "sequence_number": numbers,
            "date": dates,
            "partner_id": who,
            "commercial_partner_id": who,
            "ref": [names[i] for i, _a, _on in paid],
            "amount_total": amounts,
            "amount_total_signed": amounts,
            "amount_total_in_currency_signed": amounts,
            "create_date": [now] * m,
            "write_date": [now] * m,
        },
    )
    common = {
        "move_id": pay_move_ids,
        "move_name": pay_names,
        "date": dates,
        "partner_id": who,
        "create_date": [now] * m,
        "write_date": [now] * m,
    }
    lines.clone(
        pay_bank.id,
        common
        | {
            "balance": amounts,
            "debit": amounts,
            "amount_currency": amounts,
            "amount_residual": [0.0] * m,
            "amount_residual_currency": [0.0] * m,
        },
    )
    negated = [-a for a in amounts]
    pay_line_ids = lines.clone(
        pay_receivable.id,
        common
        | {
            "balance": negated,
            "credit": amounts,
            "amount_currency": negated,
            "amount_residual": [0.0] * m,
            "amount_residual_currency": [0.0] * m,
            "reconciled": [True] * m,
            "matching_number": [None] * m,
            "full_reconcile_id": [None] * m,
        },
    )
    company = env.company
    currency = company.currency_id.id
    inv_line_ids = [receivable_ids[i] for i, _a, _on in paid]
    cr.execute(
        SQL(
            """INSERT INTO account_partial_reconcile
               (debit_move_id, credit_move_id, amount, debit_amount_currency,
                credit_amount_currency, debit_currency_id, credit_currency_id, company_id,
                max_date, create_uid, create_date, write_uid, write_date)
           SELECT d, c, a, a, a, %(cur)s, %(cur)s, %(company)s, dt, 1, %(now)s, 1, %(now)s
             FROM unnest(%(d)s::int[], %(c)s::int[], %(a)s::numeric[], %(dt)s::date[])
                  WITH ORDINALITY AS u(d, c, a, dt, ord)
            ORDER BY ord
        RETURNING id""",
            cur=currency,
            company=company.id,
            now=now,
            d=inv_line_ids,
            c=pay_line_ids,
            a=amounts,
            dt=dates,
        )
    )
    partial_ids = [row[0] for row in cr.fetchall()]
    # Fully paid invoices get a full reconcile; partly paid ones a 'P' matching number.
    cr.execute(
        "SELECT id FROM account_move_line WHERE id = ANY(%s) AND amount_residual = 0",
        [inv_line_ids],
    )
    full_lines = {row[0] for row in cr.fetchall()}
    full_pairs = [
        (inv, pay) for inv, pay in zip(inv_line_ids, pay_line_ids, strict=True) if inv in full_lines
    ]
    if full_pairs:
        cr.execute(
            SQL(
                """INSERT INTO account_full_reconcile
                          (create_uid, create_date, write_uid, write_date)
                   SELECT 1, %(now)s, 1, %(now)s FROM generate_series(1, %(n)s) RETURNING id""",
                now=now,
                n=len(full_pairs),
            )
        )
        full_ids = [row[0] for row in cr.fetchall()]
        by_line = {}
        for (inv, pay), full in zip(full_pairs, full_ids, strict=True):
            by_line[inv] = by_line[pay] = full
        cr.execute(
            SQL(
                """UPDATE account_move_line l
                  SET full_reconcile_id = u.f, matching_number = u.f::text
                 FROM unnest(%s::int[], %s::int[]) AS u(l, f) WHERE l.id = u.l""",
                list(by_line),
                list(by_line.values()),
            )
        )
        cr.execute(
            SQL(
                """UPDATE account_partial_reconcile p SET full_reconcile_id = l.full_reconcile_id
                 FROM account_move_line l WHERE p.id = ANY(%s) AND l.id = p.debit_move_id""",
                partial_ids,
            )
        )
    partial_pairs = [
        (inv, pay, pid)
        for inv, pay, pid in zip(inv_line_ids, pay_line_ids, partial_ids, strict=True)
        if inv not in full_lines
    ]
    if partial_pairs:
        ids = [x for inv, pay, _p in partial_pairs for x in (inv, pay)]
        numbers = [f"P{p}" for _inv, _pay, p in partial_pairs for _x in (0, 1)]
        cr.execute(
            SQL(
                """UPDATE account_move_line l SET matching_number = u.n
                 FROM unnest(%s::int[], %s::varchar[]) AS u(l, n) WHERE l.id = u.l""",
                ids,
                numbers,
            )
        )


def generate(
    env, customers, invoices, days=150, seed=42, paid_share=0.45, partial_share=0.10, min_age=0
):
    rng = random.Random(seed)
    started = time.monotonic()
    partner_ids = make_customers(env, customers, rng)
    env.cr.commit()
    t_customers = time.monotonic() - started
    templates = make_templates(env)
    stats = make_invoices(
        env, partner_ids, invoices, rng, days, templates, paid_share, partial_share, min_age
    )
    env.invalidate_all()
    total = time.monotonic() - started
    return {
        "customers": len(partner_ids),
        **stats,
        "seconds_customers": round(t_customers, 1),
        "seconds_invoices_and_payments": round(total - t_customers, 1),
        "seconds_total": round(total, 1),
    }
