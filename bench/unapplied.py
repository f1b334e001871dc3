"""Unapplied payments: posted customer payments that are matched to no invoice.

Issue #12: every open credit on a customer's receivable lowers what the customer owes. This
gives a share of the customers with an open invoice one such payment, through the ORM (as a
user registering a payment without choosing an invoice), so that the run's cost with credits
can be measured against the same ledger without them.
"""

import random
import time

from odoo.tools import SQL

BATCH = 500


def add_unapplied(env, share, seed=7, low=50.0, high=900.0):
    """Post one unmatched inbound payment for ``share`` of the customers with an open invoice;
    each batch is committed. Returns counts and seconds."""
    company = env.company
    rows = env.execute_query(
        SQL(
            """SELECT DISTINCT commercial_partner_id FROM account_move
                WHERE move_type = 'out_invoice' AND state = 'posted'
                  AND payment_state IN ('not_paid', 'partial') AND company_id = %s""",
            company.id,
        )
    )
    partners = sorted(row[0] for row in rows)
    rng = random.Random(seed)
    chosen = sorted(rng.sample(partners, round(len(partners) * share)))
    journal = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    # No memo, and the reference matching skipped: the payment must stay unapplied.
    Payment = env["account.payment"].with_context(
        tracking_disable=True, mail_create_nolog=True, dunning_skip_reference_match=True
    )
    started = time.monotonic()
    total = 0.0
    for start in range(0, len(chosen), BATCH):
        vals = []
        for pid in chosen[start : start + BATCH]:
            amount = round(rng.uniform(low, high), 2)
            total += amount
            vals.append(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": pid,
                    "amount": amount,
                    "journal_id": journal.id,
                }
            )
        payments = Payment.create(vals)
        payments.action_post()
        env.cr.commit()
        env.invalidate_all()
    # What the engine will see: credits still open on the receivable.
    open_credits = env.execute_query(
        SQL(
            """SELECT count(*), count(DISTINCT l.partner_id), COALESCE(-sum(l.amount_residual), 0)
                 FROM account_move_line l
                 JOIN account_account a ON a.id = l.account_id
                WHERE l.company_id = %s AND a.account_type = 'asset_receivable'
                  AND l.parent_state = 'posted' AND l.reconciled IS NOT TRUE
                  AND l.amount_residual < 0""",
            company.id,
        )
    )[0]
    return {
        "customers_with_open_invoices": len(partners),
        "payments": len(chosen),
        "amount": round(total, 2),
        "open_credit_lines": open_credits[0],
        "customers_with_open_credit": open_credits[1],
        "open_credit_amount": float(open_credits[2]),
        "seconds": round(time.monotonic() - started, 1),
    }
