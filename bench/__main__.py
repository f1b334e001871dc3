"""Benchmarks for smart_dunning; run through `make bench ARGS="..."` (see bench/README.md).

generate --db NAME --customers N --invoices M   database with smart_dunning and data
engine   --db NAME [--date YYYY-MM-DD] [--extend-rates]
                                                time one dunning run on a copy
oca      --db NAME [--date YYYY-MM-DD]          time OCA credit control on a copy
compare  --db NAME [--date YYYY-MM-DD]          both, and the ratio
worklist --db NAME [--rows N]                   call worklist first page, call-centre export
prevention --db NAME [--invoices N]             post N invoices with the data check off and on
panel    --db NAME                              partner list badge, status lists, aging
                                                report and panel query count, on a copy
unapplied --db NAME [--target NAME_pay] [--share 0.1]
                                                copy NAME and give a share of its customers
                                                an unmatched (unapplied) posted payment
print    --db NAME [--letters 500] [--baseline 10]
                                                postal run of N paper letters on a copy:
                                                sent, rendered and merged in batches
portal   --db NAME [--invoices 200]              the customer's page behind a reminder's link,
                                                for 1 and N open invoices, over HTTP
reports  --db NAME [--target NAME_reports] [--calls 200000] [--no-fill]
                                                copy NAME, add calls, promises, disputes and
                                                targets, time each management report
load     --db NAME [--minutes 5] [--faults]     Odoo with 4 workers on a copy: 20 users over
                                                JSON-RPC while the daily cron runs
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import timedelta

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tools import config

ODOO = os.environ["SMART_DUNNING_ODOO"]
CONF = os.environ["SMART_DUNNING_CONF"]
TEMPLATE = os.environ.get("SMART_DUNNING_TEMPLATE", "")


def odoo_bin(*args):
    cmd = [
        sys.executable,
        os.path.join(ODOO, "odoo-bin"),
        "-c",
        CONF,
        "--log-level=warn",
        "--stop-after-init",
        *args,
    ]
    subprocess.run(cmd, check=True)


def admin_query(sql):
    with odoo.sql_db.db_connect("postgres").cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(sql)


def copy_db(source, target):
    admin_query(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    admin_query(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def env_for(db):
    registry = Registry(db)
    cr = registry.cursor()
    return api.Environment(cr, SUPERUSER_ID, {})


def cmd_generate(args):
    from .generate import generate

    if not TEMPLATE:
        sys.exit("SMART_DUNNING_TEMPLATE is not set: run through `make bench`")
    copy_db(TEMPLATE, args.db)
    odoo_bin("-d", args.db, "-i", "smart_dunning")
    env = env_for(args.db)
    try:
        result = generate(
            env,
            args.customers,
            args.invoices,
            days=args.days,
            seed=args.seed,
            paid_share=args.paid,
            partial_share=args.partial,
            min_age=args.min_age,
        )
        env.cr.commit()
    finally:
        env.cr.close()
    # Statistics and visibility map now, not whenever autovacuum comes by: the same run on a
    # database just generated took 11.1-11.7 s, and 8.7-9.1 s after VACUUM ANALYZE.
    with odoo.sql_db.db_connect(args.db).cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute("VACUUM ANALYZE")
    print(json.dumps({"generate": result}, indent=2))


def _run_date(env, args):
    return (
        fields.Date.to_date(args.date)
        if args.date
        else fields.Date.context_today(env["dunning.run"])
    )


def _overdue_count(env, on_date):
    env.cr.execute(
        """SELECT count(*) FROM account_move WHERE move_type = 'out_invoice' AND state = 'posted'
           AND payment_state IN ('not_paid', 'partial') AND invoice_date_due < %s""",
        [on_date],
    )
    return env.cr.fetchone()[0]


def cmd_engine(args):
    work = f"{args.db}_engine"
    copy_db(args.db, work)
    env = env_for(work)
    try:
        on_date = _run_date(env, args)
        if args.extend_rates:
            _extend_rates(env, on_date)
        run = env["dunning.run"].create({"date": on_date, "company_id": env.company.id})
        env.cr.commit()
        queries = env.cr.sql_log_count
        started = time.monotonic()
        run._execute(commit=False)
        env.cr.commit()
        seconds = time.monotonic() - started
        result = {
            "overdue_invoices": _overdue_count(env, on_date),
            "letters": run.letter_count,
            "invoices_dunned": run.invoice_count,
            "letters_held_missing_rate": env["dunning.letter"].search_count(
                [("run_id", "=", run.id), ("approval_reason", "=", "missing_rate")]
            ),
            "fee_lines": env["dunning.letter.fee"].search_count(
                [("letter_id.run_id", "=", run.id)]
            ),
            "seconds": round(seconds, 2),
            "queries": env.cr.sql_log_count - queries,
        }
    finally:
        env.cr.close()
    print(json.dumps({"engine": result}, indent=2))
    return result


def _extend_rates(env, on_date):
    """On the bench copy only: the latest rate of each kind also covers the run date, so that
    every letter computes and stores its claim instead of waiting for a rate. The product
    never does this: it holds the letter until an admin adds the published rate."""
    Rate = env["dunning.legal.rate"]
    for kind in set(Rate.search([]).mapped("kind")):
        last = Rate.search([("kind", "=", kind)], order="date_from desc", limit=1)
        if last.date_to and last.date_to < on_date:
            Rate.create(
                {
                    "kind": kind,
                    "date_from": last.date_to + timedelta(days=1),
                    "rate": last.rate,
                    "note": "bench placeholder",
                }
            )
    env.cr.commit()


def cmd_oca(args):
    work = f"{args.db}_oca"
    copy_db(args.db, work)
    odoo_bin("-d", work, "-i", "account_credit_control")
    env = env_for(work)
    try:
        on_date = _run_date(env, args)
        policy = _oca_policy(env)
        partners = env["res.partner"].search([("customer_rank", ">", 0)])
        partners.write({"credit_policy_id": policy.id})
        env.cr.commit()
        run = env["credit.control.run"].create(
            {"date": on_date, "policy_ids": [(6, 0, policy.ids)]}
        )
        env.cr.commit()
        queries = env.cr.sql_log_count
        started = time.monotonic()
        run.generate_credit_lines()
        env.cr.commit()
        seconds = time.monotonic() - started
        result = {
            "overdue_invoices": _overdue_count(env, on_date),
            "credit_lines": env["credit.control.line"].search_count([("run_id", "=", run.id)]),
            "seconds": round(seconds, 2),
            "queries": env.cr.sql_log_count - queries,
        }
    finally:
        env.cr.close()
    print(json.dumps({"oca": result}, indent=2))
    return result


def _oca_policy(env):
    """OCA's shipped "3 time policy", on the company's receivable account."""
    policy = env.ref("account_credit_control.credit_control_3_time", raise_if_not_found=False)
    if not policy:
        policy = env["credit.control.policy"].search([], limit=1)
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", env.company.ids)]
    )
    policy.write({"account_ids": [(6, 0, receivable.ids)], "company_id": env.company.id})
    return policy


def cmd_compare(args):
    ours = cmd_engine(args)
    theirs = cmd_oca(args)
    ratio = theirs["seconds"] / ours["seconds"] if ours["seconds"] else None
    print(json.dumps({"ratio_oca_over_ours": round(ratio, 1) if ratio else None}, indent=2))


def cmd_worklist(args):
    from .worklist import run

    env = env_for(args.db)
    try:
        result = run(env, rows=args.rows)
    finally:
        env.cr.close()
    print(json.dumps({"worklist": result}, indent=2))


def cmd_prevention(args):
    from .prevention import bench_prevention

    work = f"{args.db}_prevention"
    copy_db(args.db, work)
    env = env_for(work)
    try:
        result = bench_prevention(env, args.invoices, args.error_share, args.seed)
    finally:
        env.cr.close()
    print(json.dumps({"prevention": result}, indent=2))


def cmd_panel(args):
    from .panel import measure, prepare

    work = f"{args.db}_panel"
    copy_db(args.db, work)
    env = env_for(work)
    try:
        result = measure(env, prepare(env))
    finally:
        env.cr.close()
    print(json.dumps({"panel": result}, indent=2))
    return result


def cmd_unapplied(args):
    from .unapplied import add_unapplied

    target = args.target or f"{args.db}_pay"
    copy_db(args.db, target)
    env = env_for(target)
    try:
        result = add_unapplied(env, args.share, seed=args.seed)
    finally:
        env.cr.close()
    print(json.dumps({"unapplied": {"db": target, **result}}, indent=2))


def cmd_print(args):
    from .print import measure, prepare, serve

    work = f"{args.db}_print"
    copy_db(args.db, work)
    # the copy gets this checkout's smart_dunning (fields of the background job)
    odoo_bin("-d", work, "-u", "smart_dunning")
    port = int(os.environ.get("SMART_DUNNING_HTTP_PORT", 8181))
    env = env_for(work)
    try:
        with serve(ODOO, CONF, work, port) as url:
            env["ir.config_parameter"].set_param("report.url", url)
            env.cr.commit()
            on_date = _run_date(env, args)
            # every letter can claim and leave (see `engine --extend-rates`)
            _extend_rates(env, on_date)
            run, letters = prepare(env, args.letters, on_date)
            result = measure(env, run, letters, args.baseline)
    finally:
        env.cr.close()
    print(json.dumps({"print": result}, indent=2))


def cmd_portal(args):
    from .portal import measure, prepare
    from .print import serve

    work = f"{args.db}_portal"
    copy_db(args.db, work)
    odoo_bin("-d", work, "-u", "smart_dunning")
    port = int(os.environ.get("SMART_DUNNING_HTTP_PORT", 8181))
    env = env_for(work)
    try:
        # every letter can claim and leave (see `engine --extend-rates`)
        _extend_rates(env, fields.Date.context_today(env.user))
        links = prepare(env, args.invoices)
        with serve(ODOO, CONF, work, port) as url:
            result = measure(url, links)
    finally:
        env.cr.close()
    print(json.dumps({"portal": result}, indent=2))


def cmd_load(args):
    from .load import run

    print(json.dumps({"load": run(args, copy_db)}, indent=2))


def cmd_reports(args):
    from .reports import fill, measure

    target = args.target or f"{args.db}_reports"
    if target != args.db:
        copy_db(args.db, target)
    if not args.no_fill:
        # the copy gets this checkout's smart_dunning (the reports' tables and columns)
        odoo_bin("-d", target, "-u", "smart_dunning")
    env = env_for(target)
    try:
        counts = {} if args.no_fill else fill(env, args.calls)
        env.cr.commit()
        result = {"data": counts, "reports": measure(env)}
    finally:
        env.cr.close()
    print(json.dumps({"reports": result}, indent=2))
    if args.drop:
        admin_query(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    return result


def main():
    parser = argparse.ArgumentParser(
        prog="make bench ARGS=",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--db", default="smart_dunning_bench")
    gen.add_argument("--customers", type=int, default=3000)
    gen.add_argument("--invoices", type=int, default=10000)
    gen.add_argument("--days", type=int, default=150)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--paid", type=float, default=0.45, help="share paid in full")
    gen.add_argument("--partial", type=float, default=0.10, help="share paid in part")
    gen.add_argument("--min-age", type=int, default=0, help="youngest invoice, in days")
    for name in ("engine", "oca", "compare"):
        cmd = sub.add_parser(name)
        cmd.add_argument("--db", default="smart_dunning_bench")
        cmd.add_argument("--date", help="run date (default: today)")
        cmd.add_argument(
            "--extend-rates",
            action="store_true",
            help="on the copy, let the latest legal rates cover the run date, so that every "
            "letter claims (OCA claims nothing either way)",
        )
    wl = sub.add_parser("worklist")
    wl.add_argument("--db", default="smart_dunning_bench")
    wl.add_argument("--rows", type=int, default=1000, help="invoices to export")
    prev = sub.add_parser("prevention")
    prev.add_argument("--db", default="smart_dunning_bench")
    prev.add_argument("--invoices", type=int, default=1000)
    prev.add_argument("--error-share", type=float, default=0.1, help="customers with a bad e-mail")
    prev.add_argument("--seed", type=int, default=42)
    panel = sub.add_parser("panel")
    panel.add_argument("--db", default="smart_dunning_bench")
    unap = sub.add_parser("unapplied")
    unap.add_argument("--db", default="smart_dunning_bench")
    unap.add_argument("--target", help="database to build (default: NAME_pay)")
    unap.add_argument("--share", type=float, default=0.1, help="share of customers")
    unap.add_argument("--seed", type=int, default=7)
    prt = sub.add_parser("print")
    prt.add_argument("--db", default="smart_dunning_bench")
    prt.add_argument("--date", help="run date (default: today)")
    prt.add_argument("--letters", type=int, default=500)
    prt.add_argument("--baseline", type=int, default=10, help="letters rendered one by one")
    portal = sub.add_parser("portal")
    portal.add_argument("--db", default="smart_dunning_bench")
    portal.add_argument("--invoices", type=int, default=200)
    rep = sub.add_parser("reports")
    rep.add_argument("--db", default="smart_dunning_bench")
    rep.add_argument("--target", help="database to build (default: NAME_reports)")
    rep.add_argument("--calls", type=int, default=200000)
    rep.add_argument("--drop", action="store_true", help="drop the copy when done")
    rep.add_argument("--no-fill", action="store_true", help="measure again, add nothing")
    load = sub.add_parser("load")
    load.add_argument("--db", default="smart_dunning_bench")
    load.add_argument("--minutes", type=float, default=5.0)
    load.add_argument("--users", type=int, default=20)
    load.add_argument(
        "--port", type=int, default=int(os.environ.get("SMART_DUNNING_HTTP_PORT", 8181))
    )
    load.add_argument("--smtp-port", type=int, default=8125, help="bench SMTP on 127.0.0.1")
    load.add_argument(
        "--faults", action="store_true", help="mail down half the time, kill a worker"
    )
    load.add_argument(
        "--extend-rates", action="store_true", help="every letter claims (and is sent)"
    )
    load.add_argument("--skip-expected", action="store_true", help="reuse NAME_expected")
    load.add_argument(
        "--no-jit", action="store_true", help="PGOPTIONS='-c jit=off' for the Odoo processes"
    )
    load.add_argument("--drain", type=int, default=60, help="seconds of sending after the run")
    load.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    config.parse_config(["-c", CONF, "--log-level=warn"], setup_logging=True)
    commands = {
        "generate": cmd_generate,
        "engine": cmd_engine,
        "oca": cmd_oca,
        "compare": cmd_compare,
        "worklist": cmd_worklist,
        "prevention": cmd_prevention,
        "panel": cmd_panel,
        "unapplied": cmd_unapplied,
        "load": cmd_load,
        "print": cmd_print,
        "portal": cmd_portal,
        "reports": cmd_reports,
    }
    commands[args.command](args)


if __name__ == "__main__":
    main()
