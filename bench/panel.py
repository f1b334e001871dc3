"""What a user waits for on the payment status and the reports, on a generated data set.

On a copy of the database: one dunning run (so that invoices have letters and levels), a
salesperson for every 20th customer, then, as a credit manager (admin) and as a salesperson:

- the partner list's first page (80 rows) with the payment badge, as the web client asks it
  (``web_search_read`` with the list view's fields);
- "My customers' payment status" and the credit manager's full status list (80 rows, largest
  overdue first);
- the aging report's first load: its graph (one ``formatted_read_group`` by bucket) and its
  pivot as the view defines it (the four groupings the pivot asks for), the same pivot with
  every customer expanded, and the monthly figures;
- the SQL queries of the partner form's payment panel, for a customer with 1 invoice and one
  with 200, all of them in a letter of the run (so both panels show a level).

Each figure is the first call (cold caches) and the median of the next five.
"""

import statistics
import time

from lxml import etree

from odoo import Command, fields

ADMIN = 2
RUNS = 5
PANEL = [
    "dunning_payment_behaviour",
    "dunning_behaviour_reason",
    "dunning_amount_due",
    "dunning_amount_overdue",
    "dunning_days_overdue",
    "dunning_status_level_id",
    "dunning_status_dispute_count",
    "dunning_plan_name",
    "dunning_next_instalment_date",
    "dunning_next_instalment_amount",
    "dunning_last_contact",
    "dunning_avg_days_to_pay",
    "dunning_paid_count",
]


def timed(env, call):
    """(first, median of the next runs) in milliseconds, caches emptied before each call."""
    durations = []
    for _i in range(RUNS + 1):
        env.invalidate_all()
        started = time.perf_counter()
        call()
        durations.append((time.perf_counter() - started) * 1000)
    return {"first_ms": round(durations[0]), "median_ms": round(statistics.median(durations[1:]))}


def list_specification(env, model):
    """The fields the web client reads for the default list view of ``model``."""
    Model = env[model]
    arch = Model.get_views([(False, "list")])["views"]["list"]["arch"]
    spec = {}
    for node in etree.fromstring(arch).iter("field"):
        name = node.get("name")
        field = Model._fields[name]
        spec[name] = (
            {"fields": {"display_name": {}}}
            if field.type in ("many2one", "many2many", "one2many")
            else {}
        )
    return spec


def prepare(env):
    """A dunning run, salespeople, and two customers with 1 and 200 invoices."""
    today = fields.Date.context_today(env["dunning.run"])
    run = env["dunning.run"].create({"date": today, "company_id": env.company.id})
    run._execute(commit=False)
    salesperson = env["res.users"].create(
        {
            "name": "Bench Salesperson",
            "login": "bench_sales",
            "group_ids": [Command.set([env.ref("base.group_user").id])],
        }
    )
    env.cr.execute(
        """UPDATE res_partner SET user_id = %s
            WHERE customer_rank > 0 AND id %% 20 = 0""",
        [salesperson.id],
    )
    Partner = env["res.partner"]
    one, many = Partner.create([{"name": "Bench 1 invoice"}, {"name": "Bench 200 invoices"}])
    env.cr.execute(
        """SELECT DISTINCT move_id FROM dunning_letter_line WHERE state != 'cancel'
            ORDER BY move_id LIMIT 201"""
    )
    ids = [row[0] for row in env.cr.fetchall()]
    for partner, moves in ((one, ids[:1]), (many, ids[1:])):
        env.cr.execute(
            """UPDATE account_move SET partner_id = %s, commercial_partner_id = %s
                WHERE id = ANY(%s)""",
            [partner.id, partner.id, moves],
        )
        env.cr.execute(
            "UPDATE account_move_line SET partner_id = %s WHERE move_id = ANY(%s)",
            [partner.id, moves],
        )
    env.cr.commit()
    # Fresh statistics, as autovacuum would have them after a day's work: right after the
    # run's bulk inserts the planner still believes the letter tables are empty.
    env.cr.execute("ANALYZE")
    env.invalidate_all()
    return {
        "letters": run.letter_count,
        "salesperson": salesperson.id,
        "one": one.id,
        "many": many.id,
    }


def pivot_groupbys(env, model):
    """The groupings the web client's pivot asks for on its first load: none, rows,
    columns, rows x columns (first row and column field of the view)."""
    arch = env[model].get_views([(False, "pivot")])["views"]["pivot"]["arch"]
    nodes = etree.fromstring(arch).iter("field")
    by_type = {}
    for node in nodes:
        by_type.setdefault(node.get("type"), node.get("name"))
    row, col = by_type["row"], by_type["col"]
    return [], [row], [col], [row, col]


def panel_queries(env, partner_id):
    partner = env["res.partner"].browse(partner_id)
    env.invalidate_all()
    env.user.tz  # noqa: B018 - every request reads its user first
    before = env.cr.sql_log_count
    started = time.perf_counter()
    values = partner.read(PANEL)[0]
    return {
        "queries": env.cr.sql_log_count - before,
        "ms": round((time.perf_counter() - started) * 1000),
        "behaviour": values["dunning_payment_behaviour"],
        "overdue": values["dunning_amount_overdue"],
    }


def measure(env, prepared):
    admin = env(user=ADMIN)
    sales = env(user=prepared["salesperson"])
    result = {"letters_in_run": prepared["letters"]}

    for who, user_env in (("credit_manager", admin), ("salesperson", sales)):
        spec = list_specification(user_env, "res.partner")
        Partner = user_env["res.partner"]
        result[f"partner_list_80_{who}"] = timed(
            user_env, lambda P=Partner, s=spec: P.web_search_read([], s, limit=80)
        )
    assert "dunning_payment_behaviour" in list_specification(admin, "res.partner")

    status_spec = list_specification(admin, "dunning.partner.status")
    result["my_customers_status_80_salesperson"] = timed(
        sales,
        lambda: sales["dunning.partner.status"].web_search_read(
            [("user_id", "=", prepared["salesperson"])], status_spec, limit=80
        ),
    )
    result["all_customers_status_80_credit_manager"] = timed(
        admin,
        lambda: admin["dunning.partner.status"].web_search_read([], status_spec, limit=80),
    )

    Aging = admin["dunning.aging.report"]
    result["aging_graph_by_bucket"] = timed(
        admin, lambda: Aging.formatted_read_group([], ["bucket"], ["amount_residual:sum"])
    )
    groupbys = pivot_groupbys(admin, "dunning.aging.report")
    result["aging_pivot_rows"] = groupbys[1][0]
    result["aging_pivot"] = timed(
        admin,
        lambda: [
            Aging.formatted_read_group([], groupby, ["amount_residual:sum"]) for groupby in groupbys
        ],
    )
    result["aging_pivot_every_customer_expanded"] = timed(
        admin,
        lambda: [
            Aging.formatted_read_group([], groupby, ["amount_residual:sum"])
            for groupby in ([], ["partner_id"], ["bucket"], ["partner_id", "bucket"])
        ],
    )
    result["aging_by_salesperson_and_collector"] = timed(
        admin,
        lambda: [
            Aging.formatted_read_group([], [groupby, "bucket"], ["amount_residual:sum"])
            for groupby in ("user_id", "collector_id")
        ],
    )
    Month = admin["dunning.month.report"]
    result["monthly_figures_graph"] = timed(
        admin, lambda: Month.formatted_read_group([], ["month:month"], ["dso:avg"])
    )
    buckets = Aging.formatted_read_group([], ["bucket"], ["amount_residual:sum", "__count"])
    result["aging_totals"] = {
        row["bucket"]: {"invoices": row["__count"], "amount": round(row["amount_residual:sum"])}
        for row in buckets
    }
    result["panel_queries_1_invoice"] = panel_queries(admin, prepared["one"])
    result["panel_queries_200_invoices"] = panel_queries(admin, prepared["many"])
    return result
