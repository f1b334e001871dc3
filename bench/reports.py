"""The managers' reports (issue #17 item 9) on a large data set.

``fill`` adds to a copy of a generated database (30,000 customers / 100,000 invoices): 6
collectors and 8 salespeople (one salesperson per invoice, round robin), ``calls`` calls over
the last 200 days in office hours (outcomes and reasons mixed), a promise to pay on every 10th
invoice (a third of them matched with a payment), a dispute on every 50th, a target per
salesperson and month, and data errors at posting on one invoice in ten. Everything is
inserted in SQL (``INSERT ... SELECT generate_series``), as the ORM would store it.

``measure`` opens each report as the web client does: the graph (one
``formatted_read_group``) and the pivot (its row, column and cross groupings and the total in
one ``formatted_read_grouping_sets``, one SQL query with ``GROUPING SETS``, as Odoo 19's pivot
asks them), each as the first call with empty caches and the median of the next five. Before
1 December 2026 the pivot was measured as four ``formatted_read_group`` calls, which runs a
report's SQL view four times where the web client runs it once.
"""

import statistics
import time
from datetime import timedelta

from odoo import Command, fields
from odoo.tools import SQL

RUNS = 5

OUTCOMES = SQL(
    "(ARRAY['reached','no_answer','no_answer','reached','wrong_number','promise',"
    "'dispute','payment_term','reached','no_answer'])"
)


def fill(env, calls):
    cr = env.cr
    company = env.company
    users = env["res.users"].create(
        [
            {
                "name": f"Bench Collector {i}",
                "login": f"bench_reports_collector_{i}",
                "tz": "Europe/Brussels",
                "group_ids": [Command.link(env.ref("smart_dunning.group_dunning_user").id)],
            }
            for i in range(6)
        ]
        + [
            {"name": f"Bench Salesperson {i}", "login": f"bench_reports_sales_{i}"}
            for i in range(8)
        ]
    )
    collectors, sales = users[:6], users[6:]
    reasons = env["dunning.call.reason"].search([]).ids
    dispute_reasons = env["dunning.dispute.reason"].search([]).ids
    started = time.perf_counter()
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_customer AS
            SELECT row_number() OVER (ORDER BY id) AS n, id
              FROM res_partner
             WHERE id IN (SELECT DISTINCT commercial_partner_id FROM account_move
                           WHERE move_type = 'out_invoice')
            """
        )
    )
    cr.execute("SELECT count(*) FROM bench_customer")
    [[customers]] = cr.fetchall()
    # Salespeople on the invoices, round robin.
    cr.execute(
        SQL(
            """UPDATE account_move SET invoice_user_id = (%s::int[])[1 + id %% 8]
                WHERE move_type = 'out_invoice'""",
            sales.ids,
        )
    )
    # The calls: office hours in Brussels (UTC+1), Monday to Friday mostly.
    cr.execute(
        SQL(
            """
            INSERT INTO dunning_call (partner_id, contact_id, company_id, user_id, date,
                                      outcome, source, direction, duration, reason_id,
                                      first_contact, hour, weekday, contact_rate,
                                      create_uid, create_date, write_uid, write_date)
            SELECT c.id, c.id, %(company)s, (%(collectors)s::int[])[1 + g %% 6], d.moment,
                   o.outcome, CASE WHEN g %% 5 = 0 THEN 'call_centre' ELSE 'collector' END,
                   CASE WHEN g %% 7 = 0 THEN 'incoming' ELSE 'outgoing' END,
                   (g %% 13) + 1,
                   CASE WHEN o.outcome IN ('reached', 'promise', 'payment_term')
                        THEN (%(reasons)s::int[])[1 + g %% %(reason_count)s] END,
                   g <= %(customers)s,
                   extract(hour FROM d.moment + interval '1 hour')::int,
                   ((extract(isodow FROM d.moment + interval '1 hour')::int) - 1)::text,
                   CASE WHEN o.outcome IN ('no_answer', 'wrong_number') THEN 0 ELSE 100 END,
                   1, now(), 1, now()
              FROM generate_series(1, %(calls)s) g
              JOIN bench_customer c ON c.n = 1 + (g * 7919) %% %(customers)s
              CROSS JOIN LATERAL (
                  SELECT date_trunc('day', now()) - ((g %% 200) || ' days')::interval
                         + ((7 + g %% 10) || ' hours')::interval
                         + ((g * 37 %% 60) || ' minutes')::interval AS moment) d
              CROSS JOIN LATERAL (SELECT %(outcomes)s[1 + (g * 31) %% 10] AS outcome) o
            """,
            company=company.id,
            collectors=collectors.ids,
            reasons=reasons,
            reason_count=len(reasons),
            customers=customers,
            calls=calls,
            outcomes=OUTCOMES,
        )
    )
    # A promise on every 10th invoice, due 10 days after it was made.
    cr.execute(
        SQL(
            """
            WITH inv AS (
                SELECT id, commercial_partner_id, company_id, currency_id, amount_total,
                       invoice_date_due + 20 AS confirmed, row_number() OVER (ORDER BY id) AS n
                  FROM account_move WHERE move_type = 'out_invoice' AND state = 'posted'
            ), plans AS (
                INSERT INTO dunning_plan (name, kind, state, partner_id, company_id,
                                          currency_id, user_id, amount_total, amount_start,
                                          date_confirmed, schedule_mode, schedule_interval,
                                          create_uid, create_date, write_uid, write_date)
                SELECT 'BENCH/' || inv.id, 'promise',
                       (ARRAY['active', 'done', 'broken'])[1 + n %% 3],
                       commercial_partner_id, company_id, currency_id,
                       (%(collectors)s::int[])[1 + n %% 6], amount_total, amount_total,
                       confirmed, 'count', 'monthly', 1, now(), 1, now()
                  FROM inv WHERE n %% 10 = 0
                RETURNING id, name, date_confirmed, amount_total
            ), lines AS (
                INSERT INTO dunning_plan_line (plan_id, company_id, sequence, date_due,
                                               amount, amount_paid, state)
                SELECT id, %(company)s, 10, date_confirmed + 10, amount_total, 0, 'open'
                  FROM plans
            )
            INSERT INTO dunning_plan_account_move_rel (plan_id, move_id)
            SELECT id, substr(name, 7)::int FROM plans
            """,
            collectors=collectors.ids,
            company=company.id,
        )
    )
    # A dispute on every 50th invoice.
    cr.execute(
        SQL(
            """
            INSERT INTO dunning_dispute (name, partner_id, company_id, currency_id, reason_id,
                                         user_id, date, date_deadline, amount_disputed, state,
                                         create_uid, create_date, write_uid, write_date)
            SELECT 'BENCH/D/' || id, commercial_partner_id, company_id, currency_id,
                   (%(reasons)s::int[])[1 + id %% %(count)s],
                   (%(collectors)s::int[])[1 + id %% 6], invoice_date_due + 15,
                   invoice_date_due + 45, amount_total,
                   (ARRAY['open', 'mediation', 'resolved'])[1 + id %% 3],
                   1, now(), 1, now()
              FROM account_move
             WHERE move_type = 'out_invoice' AND state = 'posted' AND id %% 50 = 0
            """,
            reasons=dispute_reasons,
            count=len(dispute_reasons),
            collectors=collectors.ids,
        )
    )
    cr.execute(
        SQL(
            """UPDATE account_move SET dunning_posted_data_errors = 'email_missing'
                WHERE move_type = 'out_invoice' AND id %% 10 = 3"""
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO dunning_sales_target (company_id, user_id, month, amount,
                                              create_uid, create_date, write_uid, write_date)
            SELECT %(company)s, u, m::date, 50000, 1, now(), 1, now()
              FROM unnest(%(sales)s::int[]) u,
                   generate_series(date_trunc('month', now()) - interval '11 months',
                                   date_trunc('month', now()), interval '1 month') m
            """,
            company=company.id,
            sales=sales.ids,
        )
    )
    cr.execute("ANALYZE")
    env.invalidate_all()
    counts = {}
    for table in ("dunning_call", "dunning_plan", "dunning_dispute", "account_move"):
        cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))
        counts[table] = cr.fetchone()[0]
    counts["customers"] = customers
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def _views(graph, pivot_rows, pivot_cols, measures):
    """[(view, [groupbys], [aggregates])]: the groupings the graph and the pivot ask for."""
    pivot = [
        [],
        [pivot_rows],
        [pivot_cols],
        [pivot_rows, pivot_cols],
    ]
    return [("graph", [graph], measures)] + [("pivot", groupby, measures) for groupby in pivot]


REPORTS = [
    (
        "calls by hour and weekday",
        "dunning.call",
        _views("hour", "hour", "weekday", ["__count", "contact_rate:avg"]),
    ),
    (
        "calls by collector and outcome",
        "dunning.call",
        _views("user_id", "user_id", "outcome", ["__count"]),
    ),
    (
        "contact rate per collector and week",
        "dunning.call",
        _views("date:week", "user_id", "date:week", ["contact_rate:avg"]),
    ),
    (
        "promises kept per collector",
        "dunning.promise.report",
        _views(
            "user_id",
            "user_id",
            "status",
            ["promise_count:sum", "kept_rate:avg"],
        ),
    ),
    (
        "reasons for non-payment per month",
        "dunning.reason.report",
        _views("date:month", "reason", "date:month", ["count:sum"]),
    ),
    (
        "invoices posted with data errors per month",
        "dunning.data.error.report",
        _views(
            "date:month",
            "date:month",
            "error_codes",
            ["invoice_count:sum", "error_count:sum", "error_rate:avg"],
        ),
    ),
    (
        "target vs actual",
        "dunning.target.report",
        _views(
            "month:month",
            "user_id",
            "month:month",
            ["amount_target:sum", "amount_actual:sum"],
        ),
    ),
]


def timed(env, call):
    durations = []
    for _i in range(RUNS + 1):
        env.invalidate_all()
        started = time.perf_counter()
        call()
        durations.append(time.perf_counter() - started)
    return {
        "first_s": round(durations[0], 3),
        "median_s": round(statistics.median(durations[1:]), 3),
    }


def measure(env):
    result = {}
    for name, model, views in REPORTS:
        Model = env[model]
        graph = [(groupby, measures) for kind, groupby, measures in views if kind == "graph"]
        result[f"{name}: graph"] = timed(
            env,
            lambda graph=graph, Model=Model: [
                Model.formatted_read_group([], groupby, measures) for groupby, measures in graph
            ],
        )
        pivot = [(groupby, measures) for kind, groupby, measures in views if kind == "pivot"]
        # the web client's pivot: every grouping in one call, with the count it always adds
        result[f"{name}: pivot"] = timed(
            env,
            lambda pivot=pivot, Model=Model: Model.formatted_read_grouping_sets(
                [], [groupby for groupby, _measures in pivot], [*pivot[0][1], "__count"]
            ),
        )
    summary = env["dunning.weekly.summary"]
    today = fields.Date.context_today(summary)
    result["weekly summary values"] = timed(
        env,
        lambda: summary._weekly_summary_values(today - timedelta(days=7), today),
    )
    return result
