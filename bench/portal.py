"""The customer's page (issue #15): how long the page behind a reminder's link takes for a
customer with 1 and with ``invoices`` open invoices, over HTTP as the customer gets it (no
login, the letter's token), with the SQL queries Odoo logs for the request."""

import statistics
import time
from datetime import timedelta

import requests

from odoo import fields


def prepare(env, invoices):
    """Two customers, one with 1 and one with ``invoices`` overdue invoices, each with a sent
    reminder: ``{invoice count: link path}``."""
    today = fields.Date.context_today(env.user)
    links, partners = {}, {}
    for count in (1, invoices):
        partner = env["res.partner"].create(
            {
                "name": f"Portal bench {count} NV",
                "is_company": True,
                "lang": "nl_BE",
                "email": f"portal-bench-{count}@example.com",
            }
        )
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": today - timedelta(days=60 + i % 30),
                    "invoice_date_due": today - timedelta(days=30 + i % 30),
                    "invoice_line_ids": [
                        fields.Command.create({"name": "Service", "quantity": 1, "price_unit": 100})
                    ],
                }
                for i in range(count)
            ]
        )
        moves.action_post()
        partners[count] = partner
    # the letters as the daily run makes them (levels, lines, claims), then sent; by paper,
    # which needs no mail server
    env["dunning.level"].search([]).write({"channel": "letter", "needs_approval": False})
    run = env["dunning.run"].create({"date": today, "company_id": env.company.id})
    run._execute(commit=False)
    for partner in partners.values():
        letter = env["dunning.letter"].search(
            [("run_id", "=", run.id), ("partner_id", "=", partner.id)], limit=1
        )
        if letter.state == "to_approve":
            letter.action_approve()
        letter.action_send()
    # paper letters leave with the postal run, which the background job prints
    env["dunning.run"]._cron_print()
    for count, partner in partners.items():
        letter = env["dunning.letter"].search(
            [("run_id", "=", run.id), ("partner_id", "=", partner.id)], limit=1
        )
        assert letter.state == "sent", (count, letter.state)
        path = letter._dunning_portal_link().split("/d/", 1)[1]
        links[count] = {"path": f"/d/{path}", "letter_invoices": len(letter.line_ids)}
    env.cr.commit()
    return links


def measure(url, links, repeat=5):
    """First (cold) and median of ``repeat`` more requests of each page, in seconds."""
    result = {}
    for count, link in links.items():
        path = link["path"]
        times = []
        for _i in range(repeat + 1):
            start = time.perf_counter()
            response = requests.get(url + path, timeout=60)
            times.append(time.perf_counter() - start)
            response.raise_for_status()
        result[f"{count}_invoices"] = {
            "invoices_in_letter": link["letter_invoices"],
            "status": response.status_code,
            "bytes": len(response.content),
            "first_s": round(times[0], 3),
            "median_s": round(statistics.median(times[1:]), 3),
        }
    return result
