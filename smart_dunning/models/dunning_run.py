import logging
import random
import time
from collections import defaultdict
from contextlib import closing
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.sql_db import db_connect
from odoo.tools import SQL, format_date
from odoo.tools.pdf import merge_pdf

from ..lib.assignee import assignee_env
from ..lib.dunning_schedule import in_payment_window, next_step, parse_payment_days
from ..lib.open_credit import flush_credits, invoice_net_sql, open_credit_moves
from ..lib.open_invoice import dunnable_invoice_sql
from .dunning_letter import LetterDraft

_logger = logging.getLogger(__name__)

# Letters created per transaction when the cron commits its progress.
BATCH_SIZE = 1000
# Letters sent and printed per transaction by the background job.
PRINT_BATCH_SIZE = 50
# Tries of one batch (or one letter) that deadlocks or clashes with another run.
BATCH_TRIES = 3
# Errors that say "another transaction was in the way", not "this data is wrong".
CONCURRENCY_ERRORS = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure)


class DunningRun(models.Model):
    _name = "dunning.run"
    _description = "Dunning Run"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        index=True,
        help="The run sends what is due on this date.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("done", "Done")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    letter_ids = fields.One2many("dunning.letter", "run_id", string="Letters", readonly=True)
    letter_count = fields.Integer(readonly=True)
    invoice_count = fields.Integer(string="Invoices Dunned", readonly=True)
    paused_count = fields.Integer(string="Skipped: Paused", readonly=True)
    payment_window_count = fields.Integer(string="Skipped: Payment Day Near", readonly=True)
    min_amount_count = fields.Integer(string="Skipped: Below Minimum", readonly=True)
    new_customer_count = fields.Integer(string="Salesperson Asked", readonly=True)
    bank_hold_count = fields.Integer(
        string="Skipped: Payment Received, Not Yet Matched",
        readonly=True,
        help="Invoices of customers with an incoming bank line nobody has matched yet: they "
        "wait the company's hold days, then the next run dunns what the payment left open.",
    )
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 1))

    @api.depends("date", "company_id")
    def _compute_name(self):
        # A stored key for searching and sorting; people read the display name, in their
        # own language.
        for run in self:
            run.name = run.date.isoformat() if run.date else False

    @api.depends("date")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for run in self:
            run.display_name = (
                self.env._("Run of %(date)s", date=format_date(self.env, run.date))
                if run.date
                else ""
            )

    @api.constrains("date")
    def _check_date(self):
        for run in self:
            # A run sends what is due on its date: dated ahead, it would dun too early.
            if run.date > fields.Date.context_today(run):
                raise ValidationError(
                    self.env._(
                        "A dunning run cannot be dated after today (%(date)s).",
                        date=run.date,
                    )
                )

    # ------------------------------------------------------------------ actions

    def action_run(self):
        if not self.env.user.has_group("smart_dunning.group_dunning_user"):
            raise UserError(self.env._("Only collections users may start a dunning run."))
        for run in self:
            if run.state == "done":
                raise UserError(self.env._("%(run)s is already done.", run=run.display_name))
            # A run left running (its worker died) is finished from where it stopped.
            if not run.with_company(run.company_id)._execute(commit=False):
                raise UserError(
                    self.env._(
                        "%(run)s is being executed right now, by the daily job or another "
                        "user. Try again when it is done.",
                        run=run.display_name,
                    )
                )
        return True

    def action_open_letters(self):
        self.ensure_one()
        return self.env["dunning.letter"]._action_list([("run_id", "=", self.id)])

    @api.model
    def _cron_run(self):
        """Daily: one run per company for today, then send what needs no approval."""
        today = fields.Date.context_today(self)
        # Commit batch by batch only inside a real cron job (not when called from code).
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        # Runs of earlier days that a dead worker left running are finished first, on their
        # own date: the unique index on letter lines makes executing them again safe.
        for run in self.search([("state", "=", "running"), ("date", "<", today)], order="date, id"):
            run._execute_from_cron(in_cron)
        for company in self.env["res.company"].search([]):  # pylint: disable=no-search-all
            run = self.search(
                [("company_id", "=", company.id), ("date", "=", today)], limit=1
            ) or company._dunning_job_env(self).create({"company_id": company.id, "date": today})
            if run.state != "done":
                run._execute_from_cron(in_cron)
        self.env["dunning.letter"]._cron_send()

    def _execute_from_cron(self, commit):
        """Execute the run; with ``commit``, a run stopped by other transactions (after
        :data:`BATCH_TRIES` tries of one batch) stays running for the next cron, and the
        other companies' runs go on."""
        try:
            done = self.company_id._dunning_job_env(self)._execute(commit=commit)
        except CONCURRENCY_ERRORS as error:
            if not commit:
                raise
            self.env.cr.rollback()
            _logger.warning(
                "dunning run %s stopped by concurrent transactions (%s); the next cron resumes it",
                self.id,
                error.pgcode,
            )
            return
        if not done:
            _logger.info("dunning run %s is executed by another transaction: skipped", self.id)

    # ------------------------------------------------------------------ engine

    def _execute(self, commit):
        """Create the letters due on the run's date. With ``commit``, each batch is its own
        transaction, so a large run survives a worker restart and never holds locks for
        minutes.

        A run left ``running`` (its worker died) is executed again from the start: invoices
        that got their letter the first time are no longer due, and the counts are read
        from the run's letters. Returns False, having done nothing, when another
        transaction is executing this run right now."""
        self.ensure_one()
        if not self._lock_for_execution():
            return False
        self.invalidate_recordset(["state", "duration"])
        if self.state == "done":  # finished by another transaction meanwhile
            return True
        started = time.monotonic()
        self.state = "running"
        due, stats = self._collect_due()
        groups = self._group_due(due, stats)
        self._mark_new_customers(groups)
        self._dunning_assign_collectors(groups)
        # Letters go in in the same order in every run (customer, level, currency): two runs
        # at once then wait for each other instead of deadlocking on the same invoices.
        keys = sorted(groups)
        Cron = self.env["ir.cron"]
        if commit:
            Cron._commit_progress(remaining=len(keys))
        # the batches read the rate tables and word each missing rate once
        tables = self.env["dunning.claim"]._tables()
        for start in range(0, len(keys), BATCH_SIZE):
            # After a commit the run is free: a user may have taken it over to finish it.
            if commit and not self._lock_for_execution():
                return False
            batch = {key: groups[key] for key in keys[start : start + BATCH_SIZE]}
            self._create_letters(batch, tables, commit=commit)
            if commit:
                Cron._commit_progress(len(batch))
        if commit and not self._lock_for_execution():
            return False
        # Counted from the letters, so that a resumed run also counts what its first
        # execution made.
        counts = {
            reason: (count, invoices or 0)
            for reason, count, invoices in self.env["dunning.letter"]._read_group(
                [("run_id", "=", self.id)],
                ["approval_reason"],
                ["__count", "invoice_count:sum"],
            )
        }
        letter_count = sum(count for count, _invoices in counts.values())
        self.write(
            {
                "state": "done",
                "letter_count": letter_count,
                "invoice_count": sum(invoices for _count, invoices in counts.values()),
                "paused_count": stats["paused"],
                "payment_window_count": stats["window"],
                "min_amount_count": stats["min_amount"],
                "new_customer_count": counts.get("new_customer", (0, 0))[0],
                "bank_hold_count": stats["bank_hold"],
                "duration": self.duration + time.monotonic() - started,
            }
        )
        _logger.info("dunning run %s: %s letters in %.1f s", self.name, letter_count, self.duration)
        return True

    def _lock_for_execution(self):
        """Lock the run for this transaction, so that one transaction at a time executes it
        (the cron, a user, another worker). False when another one holds it, or changed it
        since this transaction's snapshot."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM dunning_run WHERE id = %s FOR NO KEY UPDATE NOWAIT",
                        self.id,
                    )
                )
        except (pg_errors.LockNotAvailable, pg_errors.SerializationFailure):
            return False
        return True

    def _collect_due(self):
        """Open invoices of the company that reach their next level on the run date.

        One query fetches the open overdue invoices with what the schedule needs; the date
        rules themselves are :func:`next_step`, shared with the invoice's "next reminder".
        """
        Move = self.env["account.move"]
        Move.flush_model()
        self.env["dunning.letter.line"].flush_model(["move_id", "level_id", "state"])
        self.env["dunning.letter"].flush_model(["sent_date"])
        self.env["res.partner"].flush_model(["dunning_excluded", "payment_days"])
        flush_credits(self.env)
        # The planner prices the per-invoice subqueries far above their real cost (index
        # lookups), and PostgreSQL's JIT then spends a second compiling a query that runs in
        # half a second: no JIT for this one statement.
        self.env.cr.execute("SET LOCAL jit = off")
        rows = self.env.execute_query_dict(
            SQL(
                """
            SELECT m.id, m.partner_id AS contact_id, m.commercial_partner_id AS partner_id,
                   m.currency_id, m.invoice_date_due AS due, %(level)s AS dunning_level_id,
                   %(sent)s AS dunning_date, m.dunning_anchor_date, m.amount_total,
                   m.amount_residual, m.amount_residual_signed, p.payment_days,
                   -- what the claim engine reads of the invoice (ClaimLine)
                   m.invoice_date, m.dunning_fee_letter_id IS NOT NULL AS fee_invoice,
                   %(policy)s AS policy_id, COALESCE(n.credit, 0) AS credit,
                   COALESCE(n.net_signed, m.amount_residual_signed) AS net_signed
              FROM account_move m
              JOIN res_partner p ON p.id = m.commercial_partner_id
              JOIN res_company c ON c.id = m.company_id
              -- what the customer's open credits leave of the invoice (oldest first)
              LEFT JOIN (%(net)s) n ON n.id = m.id
             WHERE m.company_id = %(company)s
               AND %(dunnable)s
               -- an invoice waits while its last letter is not sent (approval, postal run)
               AND NOT EXISTS (
                   SELECT 1 FROM dunning_letter_line ll
                    WHERE ll.move_id = m.id AND ll.state IN ('draft', 'to_approve'))
             -- a letter lists its invoices, and claims on them, in the same order whatever
             -- plan PostgreSQL picks
             ORDER BY m.id
            """,
                level=Move._dunning_level_sql(SQL("m.id")),
                sent=Move._dunning_sent_date_sql(SQL("m.id")),
                policy=self.env["res.partner"]._dunning_policy_expr(SQL("p"), SQL("c")),
                net=invoice_net_sql(self.company_id),
                company=self.company_id.id,
                dunnable=dunnable_invoice_sql(self.date),
            )
        )
        self.env.cr.execute("SET LOCAL jit TO DEFAULT")
        policies = self.env["dunning.policy"].search_fetch(
            [("company_id", "=", self.company_id.id), ("active", "=", True)],
            ["grace_days", "legal_regime"],
        )
        steps = {policy.id: policy._level_steps() for policy in policies}
        grace = {policy.id: policy.grace_days for policy in policies}
        # Art. 6:96 lid 7 BW: a Dutch consumer's claims overdue when the fourteen-day letter
        # leaves go in that letter (docs/LEGAL.md §7).
        together = {policy.id for policy in policies if policy.legal_regime == "nl_b2c"}
        current = {
            level.id: level._step()
            for level in self.env["dunning.level"]
            .with_context(active_test=False)
            .search_fetch(
                [
                    (
                        "id",
                        "in",
                        list({r["dunning_level_id"] for r in rows if r["dunning_level_id"]}),
                    )
                ],
                ["sequence", "delay_days"],
            )
        }
        due = []
        for row in rows:
            if row["policy_id"] not in steps:
                continue
            level_id, when = next_step(
                steps[row["policy_id"]],
                current.get(row["dunning_level_id"]),
                row["due"],
                row["dunning_anchor_date"],
                row["dunning_date"],
                grace[row["policy_id"]],
            )
            if level_id and when <= self.date:
                row["level_id"] = level_id
                due.append(row)
            elif level_id and row["policy_id"] in together and not row["dunning_level_id"]:
                # overdue, never reminded, not due for its first letter yet: it joins the
                # fourteen-day letter of its customer, if one leaves today (_group_due)
                row["level_id"] = level_id
                row["joins"] = True
                due.append(row)
        stats = defaultdict(int)
        paused = set(Move.browse([r["id"] for r in due])._dunning_is_paused(self.date).ids)
        # invoices that only join a letter are not counted as skipped
        stats["paused"] = sum(1 for r in due if r["id"] in paused and not r.get("joins"))
        due = [r for r in due if r["id"] not in paused]
        held = self.env["account.bank.statement.line"]._dunning_unmatched_payers(
            self.company_id, self.date
        )
        stats["bank_hold"] = sum(1 for r in due if r["partner_id"] in held and not r.get("joins"))
        due = [r for r in due if r["partner_id"] not in held]
        window = self.company_id.dunning_payment_day_window
        kept = []
        for row in due:
            if row["payment_days"] and in_payment_window(
                parse_payment_days(row["payment_days"]), self.date, window
            ):
                stats["window"] += 0 if row.get("joins") else 1
            else:
                kept.append(row)
        return kept, stats

    def _group_due(self, due, stats):
        """One letter per customer, level and currency, if the level's minimum is reached by
        what the invoices still owe once the customer's open credits are deducted.

        Invoices that only join (``joins``: a Dutch consumer's claims overdue but not yet due
        for their first letter) go in the first letter of their customer and currency that
        leaves today, and make none of their own."""
        groups = defaultdict(list)
        for row in due:
            if not row.get("joins"):
                groups[(row["partner_id"], row["level_id"], row["currency_id"])].append(row)
        for row in due:
            key = (row["partner_id"], row["level_id"], row["currency_id"])
            if row.get("joins") and key in groups:
                groups[key].append(row)
        levels = self.env["dunning.level"].browse({key[1] for key in groups})
        minimum = {level.id: level.min_amount for level in levels}
        for key in list(groups):
            rows = groups[key]
            if minimum[key[1]] and sum(r["net_signed"] for r in rows) < minimum[key[1]]:
                stats["min_amount"] += sum(1 for r in rows if not r.get("joins"))
                del groups[key]
        return groups

    def _mark_new_customers(self, groups):
        """Flag the groups of new customers at levels that ask the salesperson first."""
        asking = (
            self.env["dunning.level"]
            .browse({key[1] for key in groups})
            .filtered("ask_salesperson_new_customer")
        )
        partner_ids = {key[0] for key in groups if key[1] in asking.ids}
        if not partner_ids:
            return 0
        first_invoice = dict(
            self.env["account.move"]._read_group(
                [
                    ("commercial_partner_id", "in", list(partner_ids)),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("company_id", "=", self.company_id.id),
                ],
                ["commercial_partner_id"],
                ["invoice_date:min"],
            )
        )
        since = self.date - timedelta(days=self.company_id.dunning_new_customer_days)
        count = 0
        partners = self.env["res.partner"].browse(partner_ids)
        partners.fetch(["user_id"])
        for key, rows in groups.items():
            partner = partners.browse(key[0])
            first = first_invoice.get(partner)
            if key[1] in asking.ids and partner.user_id and first and first > since:
                rows[0]["new_customer"] = True
                count += 1
        return count

    def _create_letters(self, groups, tables=None, commit=False):
        """Create the letters of one batch of ``groups`` and return them: every letter that
        can be made, none twice.

        A clash on the unique index of letter lines means that another run, maybe in another
        worker, gave some of these invoices their level meanwhile: they are read again and
        left out, and the batch is tried again, then letter by letter. A deadlock or a
        serialization failure tries the batch again, at most :data:`BATCH_TRIES` times.
        With ``commit`` (the batch is its own transaction), a try starts on a fresh
        transaction; without, a serialization failure goes up to the caller, whose request
        Odoo retries as a whole."""
        letters, asking, clashing = self._insert_retrying(groups, tables, commit, tries=2)
        for key, rows in clashing.items():
            letter, ask, still = self._insert_retrying(
                {key: rows}, tables, commit, tries=BATCH_TRIES
            )
            letters |= letter
            asking |= ask
            if still:
                _logger.warning(
                    "dunning run %s: letter to partner %s at level %s still clashes after %s "
                    "tries; the next run makes it",
                    self.id,
                    key[0],
                    key[1],
                    BATCH_TRIES,
                )
        self._ask_salespeople(asking)
        return letters

    def _insert_retrying(self, groups, tables, commit, tries):
        """Insert the letters of ``groups``, trying again on a clash (without the invoices
        taken meanwhile) or a deadlock. Returns the letters made, those that ask the
        salesperson, and the groups not made after ``tries`` clashes (read again)."""
        Letter = self.env["dunning.letter"]
        clashes = 0
        for attempt in range(1, BATCH_TRIES + 1):
            if attempt > 1:
                groups = self._without_taken(groups)
            if not groups:
                return Letter, Letter, {}
            try:
                return (*self._insert_letters(groups, tables), {})
            except pg_errors.UniqueViolation:
                clashes += 1
            except CONCURRENCY_ERRORS as error:
                # In one long transaction the snapshot stays as old as the transaction: a
                # serialization failure would come back at every try.
                serialization = isinstance(error, pg_errors.SerializationFailure)
                if attempt == BATCH_TRIES or (serialization and not commit):
                    raise
                _logger.info(
                    "dunning run %s: batch of %s letters tried again after %s",
                    self.id,
                    len(groups),
                    error.pgcode,
                )
                # let the other transaction go on first
                time.sleep(random.uniform(0.05, 0.25) * attempt)
            if commit:
                # Only this batch is lost; the next try sees what the others committed.
                self.env.cr.rollback()
            if clashes == tries:
                break
        return Letter, Letter, self._without_taken(groups)

    def _without_taken(self, groups):
        """``groups`` without the invoices that got a letter at that level meanwhile.

        Read in this transaction and in a new one: this one's snapshot may be older than
        the other run's commit, which the unique index sees. A group left below its
        level's minimum is dropped, as at collection."""
        pairs = [(row["id"], key[1]) for key, rows in groups.items() for row in rows]
        query = SQL(
            """
            SELECT l.move_id, l.level_id
              FROM dunning_letter_line l
              JOIN unnest(%s::int[], %s::int[]) AS g(move_id, level_id)
                   USING (move_id, level_id)
             WHERE l.state != 'cancel'
            """,
            [pair[0] for pair in pairs],
            [pair[1] for pair in pairs],
        )
        self.env["dunning.letter.line"].flush_model(["move_id", "level_id", "state"])
        taken = set(self.env.execute_query(query))
        with closing(db_connect(self.env.cr.dbname).cursor()) as fresh:
            fresh.execute(query)
            taken.update(fresh.fetchall())
        levels = self.env["dunning.level"].browse({key[1] for key in groups})
        kept = {}
        for key, rows in groups.items():
            left = [row for row in rows if (row["id"], key[1]) not in taken]
            minimum = levels.browse(key[1]).min_amount
            if not left or (
                minimum and sum(row["amount_residual_signed"] for row in left) < minimum
            ):
                continue
            # the group's flag travels with its first row
            left[0]["new_customer"] = rows[0].get("new_customer", False)
            kept[key] = left
        if taken:
            _logger.info(
                "dunning run %s: %s invoices got their level from another run meanwhile",
                self.id,
                len(taken),
            )
        return kept

    def _insert_letters(self, groups, tables):
        """Have the letters of ``groups`` made, all or none. Returns the letters and those
        that ask the salesperson first."""
        levels = self.env["dunning.level"].browse({key[1] for key in groups})
        levels.fetch(["sequence", "channel", "needs_approval", "policy_id"])
        partners = self.env["res.partner"].browse(
            {key[0] for key in groups} | {r["contact_id"] for rows in groups.values() for r in rows}
        )
        partners.fetch(
            [
                "lang",
                "dunning_user_id",
                "user_id",
                # what the claim engine reads of the customer (ClaimPartner)
                "dunning_long_term_agreed",
                "dunning_regular_supply",
            ]
        )
        addressees = self._letter_addressees(groups)
        # Each invoice arrives with what the customer's open credits deduct from it; a letter
        # with a deduction lists the entries that carry them.
        credit_moves = open_credit_moves(
            self.env,
            self.company_id,
            {key[0] for key, rows in groups.items() if any(r["credit"] for r in rows)},
        )
        currencies = self.env["res.currency"].browse({key[2] for key in groups})
        drafts = []
        for (partner_id, level_id, currency_id), rows in groups.items():
            drafts.append(
                LetterDraft(
                    partner=partners.browse(partner_id),
                    contact=addressees[partner_id, level_id, currency_id],
                    level=levels.browse(level_id),
                    currency=currencies.browse(currency_id),
                    invoices=rows,
                    new_customer=bool(rows[0].get("new_customer")),
                    credit_move_ids=credit_moves.get(partner_id, []),
                )
            )
        return self.env["dunning.letter"]._create_for_run(self, drafts, tables)

    def _ask_salespeople(self, letters):
        todo = self.env.ref("mail.mail_activity_data_todo")
        for letter in letters:
            salesperson = letter.partner_id.user_id
            env = assignee_env(self.env, salesperson)
            letter.activity_schedule(
                activity_type_id=todo.id,
                user_id=salesperson.id,
                summary=env._("New customer pays late: please find out why"),
                note=env._(
                    "%(customer)s is a new customer and has invoices overdue. Please contact them "
                    "before the first reminder goes out; the letter waits for a collector's "
                    "approval.",
                    customer=letter.partner_id.name,
                ),
            )

    def _letter_addressees(self, groups):
        """Who each letter goes to: the invoices' contact when they all have the same one,
        else the customer (its invoice address, if it has one), never one contact about
        another contact's invoices."""
        Partner = self.env["res.partner"]
        contacts = {key: {r["contact_id"] for r in rows} for key, rows in groups.items()}
        mixed = {key[0] for key, ids in contacts.items() if len(ids) > 1}
        invoice_address = {}
        if mixed:
            # Like address_get(["invoice"]), for all these customers in one query.
            for address in Partner.search_fetch(
                [("parent_id", "in", list(mixed)), ("type", "=", "invoice")],
                ["parent_id", "lang"],
                order="id",
            ):
                invoice_address.setdefault(address.parent_id.id, address)
        return {
            key: Partner.browse(next(iter(ids)))
            if len(ids) == 1
            else invoice_address.get(key[0]) or Partner.browse(key[0])
            for key, ids in contacts.items()
        }

    # ------------------------------------------------------------------ background printing

    print_state = fields.Selection(
        string="Background Job",
        selection=[
            ("queued", "Queued"),
            ("printing", "Printing"),
            ("done", "Ready"),
        ],
        readonly=True,
        copy=False,
        help="Letters sent or printed in the background from this run: the postal run and the "
        "sending of several letters at once.",
    )
    print_total = fields.Integer(string="Letters to Process", readonly=True, copy=False)
    print_done = fields.Integer(string="Letters Processed", readonly=True, copy=False)
    print_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Postal Run PDF",
        readonly=True,
        copy=False,
        help="The paper letters of the last background job, in one PDF for the post.",
    )
    print_user_id = fields.Many2one(
        "res.users",
        string="Requested By",
        readonly=True,
        copy=False,
        help="Who gets the notification when the letters are ready.",
    )

    def action_download_print(self):
        self.ensure_one()
        if not self.print_attachment_id:
            raise UserError(self.env._("This run has no postal run PDF yet."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.print_attachment_id.id}?download=true",
            "target": "download",
        }

    def _queue_letters(self, letters):
        """Give ``letters`` to this run's background job (sent, then printed when on paper)
        and wake the job up. A job that is over starts again with these letters only."""
        self.ensure_one()
        Letter = self.env["dunning.letter"]
        if self.print_state in ("queued", "printing"):
            total = self.print_total + len(letters)
        else:
            # the letters of the finished job leave it; its PDF stays in the chatter
            Letter.search([("print_run_id", "=", self.id)]).write({"print_run_id": False})
            total = len(letters)
            self.print_done = 0
            self.print_attachment_id = False
        letters.write({"print_run_id": self.id, "print_pending": True})
        self.write({"print_state": "queued", "print_total": total, "print_user_id": self.env.uid})
        self.env.ref("smart_dunning.ir_cron_dunning_print")._trigger()

    @api.model
    def _cron_print(self, batch_size=PRINT_BATCH_SIZE):
        """Send and print the letters queued on runs, ``batch_size`` letters per transaction.

        A worker that dies loses at most the batch it was on: the letters of the committed
        batches are no longer pending, and the next call goes on with the others, then puts
        the paper letters in one PDF."""
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        Cron = self.env["ir.cron"]
        runs = self.search([("print_state", "in", ("queued", "printing"))], order="id")
        if in_cron:
            Cron._commit_progress(
                remaining=self.env["dunning.letter"].search_count(
                    [("print_run_id", "in", runs.ids), ("print_pending", "=", True)]
                )
            )
        for run in runs:
            run = run.company_id._dunning_job_env(run)
            while run._print_batch(batch_size):
                if in_cron and not Cron._commit_progress(batch_size):
                    # Out of time: the cron comes back at once for the letters left.
                    return
            run._print_finish()
            if in_cron:
                Cron._commit_progress()

    def _print_batch(self, batch_size=PRINT_BATCH_SIZE):
        """Send and print the next ``batch_size`` letters of the job; False when none is left."""
        self.ensure_one()
        Letter = self.env["dunning.letter"]
        domain = [("print_run_id", "=", self.id), ("print_pending", "=", True)]
        letters = Letter.search(domain, order="id", limit=batch_size)
        if not letters:
            return False
        self.print_state = "printing"
        user = self.print_user_id or self.env.user
        # Sent as the collector who asked, so that the chatter names them.
        as_user = letters.with_user(user).with_company(self.company_id)
        as_user.filtered(lambda ltr: ltr.state == "draft")._send_batch()
        letters.filtered(lambda ltr: ltr.channel == "letter" and ltr.state == "sent")._ensure_pdfs()
        letters.write({"print_pending": False})
        self.print_done = self.print_total - Letter.search_count(domain)
        return True

    def _print_finish(self):
        """One PDF of the job's paper letters for the post, and a message to who asked."""
        self.ensure_one()
        letters = self.env["dunning.letter"].search(
            [("print_run_id", "=", self.id), ("print_pending", "=", False)], order="id"
        )
        papers = letters.filtered(lambda ltr: ltr.channel == "letter" and ltr.state == "sent")
        not_sent = letters.filtered(lambda ltr: ltr.state != "sent")
        attachment = self.env["ir.attachment"]
        pdfs = papers._ensure_pdfs() if papers else {}
        # (tests that do not force the rendering store HTML: nothing to merge)
        contents = [
            pdfs[letter.id].raw
            for letter in papers
            if pdfs[letter.id].mimetype == "application/pdf"
        ]
        if contents:
            attachment = attachment.create(
                {
                    "name": self.env._(
                        "Postal run of %(date)s (%(count)s letters).pdf",
                        date=format_date(self.env, fields.Date.context_today(self)),
                        count=len(papers),
                    ),
                    "raw": merge_pdf(contents),
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        self.write(
            {
                "print_state": "done",
                "print_done": self.print_total,
                "print_attachment_id": attachment.id,
            }
        )
        body = self.env._(
            "%(sent)s letters sent, %(printed)s of them on paper (attached for the post).",
            sent=len(letters) - len(not_sent),
            printed=len(papers),
        )
        if not_sent:
            body += " " + self.env._(
                "Not sent, see each letter: %(letters)s.",
                letters=", ".join(not_sent.mapped("name")),
            )
        self.message_post(
            body=body,
            attachment_ids=attachment.ids,
            partner_ids=self.print_user_id.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
        )

    def _dunning_assign_collectors(self, groups):
        """Customers who reach a level without a collector get one from the company's
        assignment rules (else the least busy collector), before their letters are made, so
        that the letters carry it."""
        amounts = defaultdict(float)
        for (partner_id, _level_id, _currency_id), rows in groups.items():
            amounts[partner_id] += sum(row["net_signed"] for row in rows)
        if not amounts:
            return {}
        Partner = self.env["res.partner"]
        return self.env["dunning.assignment.rule"]._assign(
            self.company_id, {Partner.browse(pid): amount for pid, amount in amounts.items()}
        )
