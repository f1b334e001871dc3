"""Cost of the data check at posting: post the same batch of customer invoices with the check
off and on (warn), each time from the same drafts (rolled back in between)."""

import random
import time

from odoo import Command, fields


def _drafts(env, count, error_share, rng):
    """``count`` draft invoices for as many customers, ``error_share`` of whom get a malformed
    e-mail address (the generated customers all have a valid one)."""
    env.cr.execute(
        "SELECT id FROM res_partner WHERE customer_rank > 0 AND parent_id IS NULL ORDER BY id"
    )
    ids = rng.sample([row[0] for row in env.cr.fetchall()], count)
    partners = env["res.partner"].browse(ids)
    broken = partners[: int(count * error_share)]
    broken.write({"email": "boekhouding@"})
    today = fields.Date.context_today(partners)
    drafts = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": today,
                "invoice_line_ids": [
                    Command.create({"name": "Prestation", "quantity": 1, "price_unit": 100.0})
                ],
            }
            for partner in partners
        ]
    )
    return drafts, len(broken)


def _post(env, drafts, mode):
    env.company.dunning_data_check = mode
    env.flush_all()
    queries = env.cr.sql_log_count
    started = time.monotonic()
    drafts.action_post()
    env.flush_all()
    seconds = time.monotonic() - started
    result = {
        "check": mode,
        "seconds": round(seconds, 2),
        "queries": env.cr.sql_log_count - queries,
        "with_data_errors": len(drafts.filtered("dunning_data_errors")),
    }
    env.cr.rollback()
    return result


def bench_prevention(env, count, error_share, seed):
    rng = random.Random(seed)
    drafts, broken = _drafts(env, count, error_share, rng)
    env.cr.commit()
    # Twice each, alternating, so that a warm cache favours neither.
    runs = [_post(env, drafts, mode) for mode in ("off", "warn", "off", "warn")]
    best = {mode: min(r["seconds"] for r in runs if r["check"] == mode) for mode in ("off", "warn")}
    return {
        "invoices": count,
        "customers_with_a_bad_email": broken,
        "runs": runs,
        "best_seconds": best,
        "overhead_percent": round(100 * (best["warn"] - best["off"]) / best["off"], 1),
    }
