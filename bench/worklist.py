"""Time the call worklist as a collector sees it, and the call-centre export.

Everything runs in one transaction that is rolled back: the collector user and the share of
customers given to them exist only for the measure, the benchmark database stays as generated.
"""

import time

from odoo import fields
from odoo.fields import Command

# What the list view asks for (views/dunning_worklist_views.xml), the way the web client does.
LIST_SPEC = {
    name: {}
    for name in (
        "company_id",
        "currency_id",
        "phone_wrong",
        "contact_id",
        "phone",
        "invoice_count",
        "amount_due",
        "days_overdue",
        "date_due",
        "dunning_level_id",
        "call_requested",
        "priority",
        "last_call_date",
        "last_call_outcome",
        "user_id",
        "salesperson_id",
    )
} | {"partner_id": {"fields": {"display_name": {}}}}
PAGE = 80  # the list view's default page size
COLLECTOR_SHARE = 3  # one customer in three is the measured collector's


def _collector(env):
    company = env.company
    user = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": "Bench Collector",
                "login": "bench_worklist_collector",
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "group_ids": [
                    Command.link(env.ref("base.group_user").id),
                    Command.link(env.ref("smart_dunning.group_dunning_user").id),
                ],
            }
        )
    )
    env.cr.execute(
        "UPDATE res_partner SET dunning_user_id = %s WHERE customer_rank > 0 AND id %% %s = 0",
        [user.id, COLLECTOR_SHARE],
    )
    env.invalidate_all()
    return user


def _timed(env, func):
    """Seconds and SQL queries of ``func()`` on a cold cache, and its result."""
    env.invalidate_all()
    queries = env.cr.sql_log_count
    started = time.monotonic()
    result = func()
    return round(time.monotonic() - started, 3), env.cr.sql_log_count - queries, result


def _first_page(env, domain):
    seconds, queries, result = _timed(
        env,
        lambda: env["dunning.worklist"].web_search_read(
            domain, LIST_SPEC, limit=PAGE, count_limit=10001
        ),
    )
    return {
        "seconds": seconds,
        "queries": queries,
        "customers_on_list": result["length"],
        "rows_read": len(result["records"]),
    }


def _export_partners(env, rows):
    """The most urgent worklist customers whose invoices add up to ``rows`` export rows."""
    partners, total = [], 0
    for line in env["dunning.worklist"].search_fetch([], ["invoice_count"]):
        if total >= rows:
            break
        partners.append(line.id)
        total += line.invoice_count
    return partners


def _export(env, partner_ids, file_format):
    wizard = env["dunning.callcentre.export"].create(
        {"file_format": file_format, "partner_ids": [Command.set(partner_ids)]}
    )
    seconds, queries, _action = _timed(env, wizard.action_export)
    return {"seconds": seconds, "queries": queries, "rows": wizard.row_count}


def run(env, rows=1000):
    try:
        user = _collector(env)
        collector_env = env(user=user, context={"lang": "nl_BE", "tz": "Europe/Brussels"})
        if not env["res.lang"]._lang_get("nl_BE"):
            collector_env = collector_env(context={"lang": "en_US", "tz": "Europe/Brussels"})
        today = fields.Date.context_today(collector_env.user)
        result = {
            "date": today.isoformat(),
            "open_overdue_invoices": _open_overdue(env, today),
            # the menu opens on the collector's own customers
            "first_page_my_customers": _first_page(collector_env, [("user_id", "=", user.id)]),
            "first_page_all_customers": _first_page(collector_env, []),
        }
        partner_ids = _export_partners(collector_env, rows)
        result["export_csv"] = _export(collector_env, partner_ids, "csv")
        result["export_xlsx"] = _export(collector_env, partner_ids, "xlsx")
        return result
    finally:
        env.cr.rollback()


def _open_overdue(env, today):
    env.cr.execute(
        """SELECT count(*) FROM account_move WHERE move_type = 'out_invoice' AND state = 'posted'
           AND payment_state IN ('not_paid', 'partial') AND invoice_date_due < %s""",
        [today],
    )
    return env.cr.fetchone()[0]
