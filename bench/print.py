"""Printing at scale (issue #13 item 4): a postal run of ``letters`` paper letters sent,
rendered and merged by the background job, batch by batch as the cron does (one commit per
batch), timed end to end; and, for comparison, the rendering of a few letters one wkhtmltopdf
call each, as before.

The report's style sheets come from an Odoo server started on the work copy (``serve``), as
in production, where wkhtmltopdf loads them from ``report.url``."""

import io
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

from odoo.addons.smart_dunning.models import ir_actions_report
from odoo.addons.smart_dunning.models.dunning_run import PRINT_BATCH_SIZE


@contextmanager
def serve(odoo, conf, db, port):
    """Odoo on 127.0.0.1:``port`` for ``db`` only, so that wkhtmltopdf gets the styles."""
    process = subprocess.Popen(
        [
            sys.executable,
            os.path.join(odoo, "odoo-bin"),
            "-c",
            conf,
            "-d",
            db,
            f"--db-filter=^{db}$",
            "--http-interface=127.0.0.1",
            f"--http-port={port}",
            "--max-cron-threads=0",
            "--log-level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _i in range(120):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(30)


def prepare(env, count, on_date):
    """``count`` paper letters to post: every level goes by paper, one run makes them."""
    env["dunning.level"].search([]).write({"channel": "letter", "needs_approval": False})
    run = env["dunning.run"].create({"date": on_date, "company_id": env.company.id})
    run._execute(commit=False)
    letters = env["dunning.letter"].search(
        [("run_id", "=", run.id), ("state", "=", "draft")], order="id"
    )
    # the others are left out of the postal run
    letters[count:].write({"state": "cancel"})
    env.cr.commit()
    return run, letters[:count]


def measure(env, run, letters, baseline):
    result = {
        "letters": len(letters),
        "batch_size": PRINT_BATCH_SIZE,
        "cpus": os.cpu_count(),
        "wkhtmltopdf_patched_qt": ir_actions_report.wkhtmltopdf_patched(),
        "load_average_before": os.getloadavg(),
    }
    collector = env.ref("base.user_admin")
    started = time.monotonic()
    letters.with_user(collector).action_print_postal_run()
    env.cr.commit()
    result["queue_seconds"] = round(time.monotonic() - started, 2)
    started = time.monotonic()
    batches = 0
    # What the cron does, one committed transaction per batch.
    while run._print_batch():
        env.cr.commit()
        batches += 1
    run._print_finish()
    env.cr.commit()
    seconds = time.monotonic() - started
    reader = ir_actions_report.PdfReader(io.BytesIO(run.print_attachment_id.raw))
    result.update(
        {
            "batches": batches,
            "seconds": round(seconds, 1),
            "letters_per_second": round(len(letters) / seconds, 2),
            "sent": env["dunning.letter"].search_count(
                [("id", "in", letters.ids), ("state", "=", "sent")]
            ),
            "pages": len(reader.pages),
            "pdf_mb": round(len(run.print_attachment_id.raw) / 1e6, 1),
            "load_average_after": os.getloadavg(),
        }
    )
    if baseline:
        # As before: one wkhtmltopdf call per letter, one after the other.
        sample = letters[:baseline]
        Report = env["ir.actions.report"].with_context(report_pdf_no_attachment=True)
        started = time.monotonic()
        for letter in sample:
            Report._render_qweb_pdf(letter._report(), letter.ids)
        per_letter = (time.monotonic() - started) / len(sample)
        result["one_call_per_letter"] = {
            "letters": len(sample),
            "seconds_per_letter": round(per_letter, 2),
            "estimated_seconds_for_all": round(per_letter * len(letters), 1),
        }
    return result
