"""Load and fault scenario (issue #11 item 5): the daily cron on the big ledger while 20 users
work over JSON-RPC, on an Odoo started with 4 HTTP workers and 2 cron threads.

1. ``NAME_expected``, a copy of NAME, gets one dunning run for today (in this process): the
   letters it makes are what the cron should make when nobody works.
2. ``NAME_load``, another copy, gets users (collectors, accountants, salespeople owning some
   customers), a mail server on 127.0.0.1 and the bench SMTP sink or fault server, then Odoo is
   started on it (``--workers=4 --max-cron-threads=2``, only on 127.0.0.1).
3. For ``--minutes``, ``--users`` threads act as their role (bounded in time and in requests);
   a few seconds in, the daily dunning cron is triggered and runs in a cron worker.
   With ``--faults``, the SMTP server refuses connections half the time (alternating periods)
   and the cron worker executing the run is killed with SIGKILL once it has committed letters
   (an HTTP worker if no cron worker is found): the master starts a new one, which resumes.
4. After the users stop, the run is given time to finish (bounded), Odoo is stopped, and the
   database is checked: letters made vs expected, duplicates, letters sent to customers who
   paid during the run, bounce flags raised.

Only 127.0.0.1 is ever contacted.
"""

import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime

import requests

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry

ODOO = os.environ["SMART_DUNNING_ODOO"]
CONF = os.environ["SMART_DUNNING_CONF"]
PASSWORD = "bench-load-2026"  # local throw-away users of a bench copy
ROLES = (("collector", 0.3), ("accountant", 0.3), ("salesperson", 0.4))
MAX_REQUESTS_PER_USER = 5000
PARTNER_FIELDS = [
    "dunning_amount_due",
    "dunning_amount_overdue",
    "dunning_amount_unapplied",
    "dunning_days_overdue",
    "dunning_status_level_id",
    "dunning_last_contact",
    "dunning_payment_behaviour",
    "dunning_letter_count",
    "dunning_dispute_count",
    "dunning_plan_name",
]
STATUS_FIELDS = [
    "partner_id",
    "amount_due",
    "amount_overdue",
    "amount_unapplied",
    "days_overdue",
    "level_id",
    "invoice_count",
    "last_contact",
]
WORKLIST_FIELDS = [
    "partner_id",
    "user_id",
    "dunning_level_id",
    "invoice_count",
    "amount_due",
    "date_due",
    "days_overdue",
    "priority",
    "phone",
    "last_call_date",
    "last_call_outcome",
]


def _spec(names, relational=()):
    return {n: ({"fields": {"display_name": {}}} if n in relational else {}) for n in names}


# ----------------------------------------------------------------------------- SMTP


class SmtpServer:
    """A tiny SMTP sink on 127.0.0.1. With ``flap`` seconds, it alternates: listening and
    accepting every message for ``flap`` seconds, then closed (connection refused) as long."""

    def __init__(self, port, flap=0):
        self.port, self.flap = port, flap
        self.accepted = self.refused_periods = 0
        self.up_seconds = self.down_seconds = 0.0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self._stop.set()
        self.thread.join(10)

    def _serve(self):
        while not self._stop.is_set():
            started = time.monotonic()
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", self.port))
            sock.listen(50)
            sock.settimeout(0.5)
            while not self._stop.is_set() and (
                not self.flap or time.monotonic() - started < self.flap
            ):
                try:
                    conn, _addr = sock.accept()
                except TimeoutError:
                    continue
                threading.Thread(target=self._session, args=(conn,), daemon=True).start()
            sock.close()
            self.up_seconds += time.monotonic() - started
            if self.flap and not self._stop.is_set():
                self.refused_periods += 1
                down = time.monotonic()
                self._stop.wait(self.flap)
                self.down_seconds += time.monotonic() - down

    def _session(self, conn):
        conn.settimeout(30)
        reader = conn.makefile("rb")
        try:
            conn.sendall(b"220 bench ESMTP\r\n")
            while True:
                line = reader.readline()
                if not line:
                    return
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250-bench\r\n250 8BITMIME\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 go on\r\n")
                    while reader.readline() not in (b".\r\n", b".\n", b""):
                        pass
                    with self._lock:
                        self.accepted += 1
                    conn.sendall(b"250 accepted\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:  # MAIL, RCPT, RSET, NOOP
                    conn.sendall(b"250 ok\r\n")
        except OSError:
            return
        finally:
            conn.close()


# ----------------------------------------------------------------------------- database


def _env(db):
    registry = Registry(db)
    return api.Environment(registry.cursor(), SUPERUSER_ID, {"tracking_disable": True})


def _today_run_letters(env, today):
    env.cr.execute(
        """SELECT count(l.id), count(DISTINCT l.partner_id),
                  count(l.id) FILTER (WHERE l.approval_reason = 'missing_rate')
             FROM dunning_letter l JOIN dunning_run r ON r.id = l.run_id
            WHERE r.date = %s""",
        [today],
    )
    return env.cr.fetchone()


def expected_letters(db, extend_rates):
    """One run for today on an untouched copy, in this process."""
    from .__main__ import _extend_rates

    env = _env(db)
    try:
        today = fields.Date.context_today(env["dunning.run"])
        if extend_rates:
            _extend_rates(env, today)
        run = env["dunning.run"].create({"date": today, "company_id": env.company.id})
        env.cr.commit()
        started = time.monotonic()
        run._execute(commit=False)
        env.cr.commit()
        letters, partners, held = _today_run_letters(env, today)
        return {
            "date": str(today),
            "letters": letters,
            "customers": partners,
            "held_missing_rate": held,
            "invoices_dunned": run.invoice_count,
            "seconds": round(time.monotonic() - started, 1),
        }
    finally:
        env.cr.close()


def prepare(db, users, smtp_port, extend_rates, seed):
    """Users for the roles, salespeople on customers, the local mail server; returns logins."""
    from .__main__ import _extend_rates

    rng = random.Random(seed)
    env = _env(db)
    try:
        today = fields.Date.context_today(env["dunning.run"])
        if extend_rates:
            _extend_rates(env, today)
        counts = {role: max(1, round(users * share)) for role, share in ROLES}
        counts["salesperson"] = users - counts["collector"] - counts["accountant"]
        groups = {
            "collector": env.ref("smart_dunning.group_dunning_user"),
            "accountant": env.ref("account.group_account_invoice"),
            "salesperson": env.ref("base.group_user"),
        }
        Users = env["res.users"].with_context(no_reset_password=True)
        logins, created = [], Users
        for role, count in counts.items():
            for i in range(count):
                login = f"bench_{role}_{i}"
                created |= Users.create(
                    {
                        "name": f"Bench {role} {i}",
                        "login": login,
                        "email": f"{login}@example.com",
                        "group_ids": [fields.Command.set(groups[role].ids)],
                        "company_ids": [fields.Command.set(env.company.ids)],
                        "company_id": env.company.id,
                    }
                )
                logins.append((role, login))
        # One password hash for all (hashing 20 times would take as long as the setup).
        created[:1].password = PASSWORD
        env.flush_all()
        env.cr.execute(
            "UPDATE res_users SET password = (SELECT password FROM res_users WHERE id = %s) "
            "WHERE id = ANY(%s)",
            [created[0].id, created.ids],
        )
        # Salespeople own one customer in 20, collectors one in three.
        env.cr.execute(
            "SELECT id FROM res_partner WHERE customer_rank > 0 AND is_company IS NOT NULL "
            "AND id = commercial_partner_id ORDER BY id"
        )
        partner_ids = [row[0] for row in env.cr.fetchall()]
        sales = created.filtered(lambda u: u.login.startswith("bench_salesperson"))
        collectors = created.filtered(lambda u: u.login.startswith("bench_collector"))
        for index, partner_id in enumerate(partner_ids):
            if index % 20 == 0:
                env.cr.execute(
                    "UPDATE res_partner SET user_id = %s WHERE id = %s",
                    [sales[(index // 20) % len(sales)].id, partner_id],
                )
        env.cr.execute(
            "UPDATE res_partner SET dunning_user_id = (%s::int[])[1 + id %% %s] "
            "WHERE id = ANY(%s) AND id %% 3 = 0",
            [collectors.ids, len(collectors), partner_ids],
        )
        # Every e-mail to 127.0.0.1: one mail server, nothing else.
        env["ir.mail_server"].search([]).write({"active": False})
        env["ir.mail_server"].create(
            {
                "name": "bench local SMTP",
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_port,
                "smtp_encryption": "none",
                "sequence": 1,
            }
        )
        # The daily run waits for the trigger; the mail queue stays on its own schedule.
        env.ref("smart_dunning.ir_cron_dunning_run").nextcall = "2099-01-01 05:00:00"
        env.cr.execute("SELECT count(*) FROM res_partner WHERE dunning_email_suspect")
        suspects = env.cr.fetchone()[0]
        env.cr.commit()
        return logins, suspects, str(today), rng.random()
    finally:
        env.cr.close()


def trigger_cron(db):
    env = _env(db)
    try:
        env.ref("smart_dunning.ir_cron_dunning_run")._trigger()
        env.cr.commit()
    finally:
        env.cr.close()


def _query(db, sql, params=()):
    env = _env(db)
    try:
        env.cr.execute(sql, params)
        return env.cr.fetchall()
    finally:
        env.cr.rollback()
        env.cr.close()


def check(db, today, suspects_before, paid_at):
    """What the run and the users left in the database."""
    env = _env(db)
    cr = env.cr
    try:
        letters, customers, held = _today_run_letters(env, today)
        cr.execute("SELECT state, count(*) FROM dunning_letter GROUP BY state")
        states = dict(cr.fetchall())
        cr.execute(
            "SELECT state, count(*) FROM dunning_run WHERE date = %s GROUP BY state", [today]
        )
        runs = dict(cr.fetchall())
        cr.execute(
            """SELECT count(*) FROM (
                 SELECT move_id, level_id FROM dunning_letter_line WHERE state != 'cancel'
                  GROUP BY move_id, level_id HAVING count(*) > 1) d"""
        )
        duplicates = cr.fetchone()[0]
        # Letters sent (not cancelled) that list an invoice paid in full before their sending:
        # the sending is the tracking of the state to "Sent".
        cr.execute(
            """SELECT m.res_id, min(m.create_date)
                 FROM mail_message m
                 JOIN mail_tracking_value v ON v.mail_message_id = m.id
                 JOIN ir_model_fields f ON f.id = v.field_id
                WHERE m.model = 'dunning.letter' AND f.model = 'dunning.letter'
                  AND f.name = 'state' AND v.new_value_char = 'Sent'
                GROUP BY m.res_id"""
        )
        sent_at = dict(cr.fetchall())
        paid_ids = list(paid_at)
        cr.execute(
            """SELECT l.id, l.state, ll.move_id, am.payment_state
                 FROM dunning_letter_line ll
                 JOIN dunning_letter l ON l.id = ll.letter_id
                 JOIN account_move am ON am.id = ll.move_id
                WHERE ll.move_id = ANY(%s) AND l.state != 'cancel'""",
            [paid_ids],
        )
        to_paid, draft_with_paid = [], 0
        for letter_id, state, move_id, payment_state in cr.fetchall():
            if payment_state not in ("paid", "in_payment"):
                continue  # paid in part, or the payment failed
            if state == "sent" and letter_id in sent_at:
                if sent_at[letter_id] > paid_at[move_id]:
                    to_paid.append((letter_id, move_id))
            elif state != "sent":
                draft_with_paid += 1
        cr.execute("SELECT count(*) FROM res_partner WHERE dunning_email_suspect")
        suspects = cr.fetchone()[0]
        cr.execute("SELECT state, count(*) FROM mail_mail GROUP BY state")
        mails = dict(cr.fetchall())
        cr.execute(
            "SELECT count(*) FROM dunning_letter WHERE mail_failure_reason IS NOT NULL "
            "AND state = 'draft'"
        )
        failed_letters = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM dunning_call WHERE create_date::date = %s", [today])
        calls = cr.fetchone()[0]
        return {
            "runs_today": runs,
            "letters_made": letters,
            "letters_customers": customers,
            "letters_held_missing_rate": held,
            "letters_by_state": states,
            "duplicates": duplicates,
            "sent_letters_listing_invoice_paid_before": len(to_paid),
            "sent_letters_listing_invoice_paid_before_examples": to_paid[:5],
            "draft_letters_listing_invoice_paid_during_run": draft_with_paid,
            "bounce_flags_raised": suspects - suspects_before,
            "mail_mail_by_state": mails,
            "letters_waiting_after_mail_failure": failed_letters,
            "calls_logged_today": calls,
        }
    finally:
        cr.rollback()
        cr.close()


# ----------------------------------------------------------------------------- users


class Client:
    def __init__(self, base, db, login, stats, deadline):
        self.base, self.db, self.login = base, db, login
        self.stats, self.deadline = stats, deadline
        self.session = requests.Session()
        self.count = 0
        self.uid = None

    def _post(self, kind, path, params):
        started = time.monotonic()
        error = None
        result = None
        try:
            response = self.session.post(
                self.base + path,
                json={"jsonrpc": "2.0", "method": "call", "id": self.count, "params": params},
                timeout=300,
            )
            if response.status_code != 200:
                error = f"HTTP {response.status_code}"
            else:
                body = response.json()
                if "error" in body:
                    data = body["error"].get("data") or {}
                    error = data.get("name") or body["error"].get("message")
                    error = f"{error}: {(data.get('message') or '')[:120]}"
                else:
                    result = body["result"]
        except (requests.RequestException, ValueError) as exc:
            error = type(exc).__name__
        self.count += 1
        self.stats.record(kind, time.monotonic() - started, error)
        return result, error

    def authenticate(self):
        result, error = self._post(
            "authenticate",
            "/web/session/authenticate",
            {"db": self.db, "login": self.login, "password": PASSWORD},
        )
        self.uid = result and result.get("uid")
        return not error and self.uid

    def call(self, kind, model, method, args, kwargs=None, context=None):
        kwargs = dict(kwargs or {})
        kwargs["context"] = {"lang": "en_US", "tz": "Europe/Brussels", **(context or {})}
        return self._post(
            kind,
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )

    def alive(self):
        return time.monotonic() < self.deadline and self.count < MAX_REQUESTS_PER_USER


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(lambda: defaultdict(int))
        self.paid_at = {}

    def record(self, kind, seconds, error):
        with self.lock:
            self.times[kind].append(seconds)
            if error:
                self.errors[kind][error] += 1

    def summary(self):
        out, total, failed = {}, 0, 0
        for kind, times in sorted(self.times.items()):
            errors = sum(self.errors[kind].values())
            total += len(times)
            failed += errors
            ordered = sorted(times)
            out[kind] = {
                "requests": len(times),
                "errors": errors,
                "p50_ms": round(statistics.median(ordered) * 1000),
                "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000),
                "max_ms": round(ordered[-1] * 1000),
                "error_kinds": dict(self.errors[kind]),
            }
        return {
            "requests": total,
            "errors": failed,
            "error_rate_pct": round(100 * failed / total, 2) if total else None,
            "by_type": out,
        }


def collector(client, rng):
    while client.alive():
        rows, error = client.call(
            "worklist_read",
            "dunning.worklist",
            "web_search_read",
            [],
            {
                "domain": [],
                "specification": _spec(
                    WORKLIST_FIELDS, ("partner_id", "user_id", "dunning_level_id")
                ),
                "limit": 80,
                "offset": rng.choice([0, 0, 0, 80, 160]),
            },
        )
        records = (rows or {}).get("records") or []
        if not records:
            time.sleep(1)
            continue
        partner = rng.choice(records)["partner_id"]
        if not partner or not client.alive():
            continue
        context = {"active_model": "res.partner", "active_id": partner["id"]}
        wizard, error = client.call(
            "call_log_create",
            "dunning.call.log",
            "create",
            [
                {
                    "partner_id": partner["id"],
                    "outcome": rng.choice(["reached", "no_answer", "no_answer"]),
                    "note": "bench call",
                }
            ],
            context=context,
        )
        if not error and wizard:
            wizard_id = wizard[0] if isinstance(wizard, list) else wizard
            client.call(
                "call_log_confirm",
                "dunning.call.log",
                "action_confirm",
                [[wizard_id]],
                context=context,
            )
        time.sleep(rng.uniform(0.5, 2))


def accountant(client, rng, stats):
    domain = [
        ("move_type", "=", "out_invoice"),
        ("state", "=", "posted"),
        ("payment_state", "in", ["not_paid", "partial"]),
    ]
    while client.alive():
        result, error = client.call(
            "invoice_search",
            "account.move",
            "web_search_read",
            [],
            {
                "domain": domain,
                "specification": {"name": {}, "amount_residual": {}, "partner_id": {}},
                "limit": 20,
                "offset": rng.randrange(0, 60000),
                "order": "id",
            },
        )
        records = (result or {}).get("records") or []
        if not records or not client.alive():
            time.sleep(1)
            continue
        invoice = rng.choice(records)
        context = {"active_model": "account.move", "active_ids": [invoice["id"]]}
        wizard, error = client.call(
            "payment_register_create",
            "account.payment.register",
            "create",
            [{}],
            context=context,
        )
        if error or not wizard:
            continue
        wizard_id = wizard[0] if isinstance(wizard, list) else wizard
        _result, error = client.call(
            "payment_register_confirm",
            "account.payment.register",
            "action_create_payments",
            [[wizard_id]],
            context=context,
        )
        if not error:
            with stats.lock:
                stats.paid_at[invoice["id"]] = datetime.now(UTC).replace(tzinfo=None)
        time.sleep(rng.uniform(0.5, 2))


def salesperson(client, rng):
    mine = []
    while client.alive():
        result, _error = client.call(
            "status_list",
            "dunning.partner.status",
            "web_search_read",
            [],
            {
                "domain": [],
                "specification": _spec(STATUS_FIELDS, ("partner_id", "level_id")),
                "limit": 80,
            },
        )
        records = (result or {}).get("records") or []
        mine = [r["partner_id"]["id"] for r in records if r.get("partner_id")] or mine
        if not mine or not client.alive():
            time.sleep(1)
            continue
        client.call(
            "partner_read",
            "res.partner",
            "web_read",
            [[rng.choice(mine)]],
            {"specification": _spec(["name", *PARTNER_FIELDS], ("dunning_status_level_id",))},
        )
        time.sleep(rng.uniform(0.5, 2))


def user_thread(role, client, rng, stats):
    if not client.authenticate():
        return
    if role == "collector":
        collector(client, rng)
    elif role == "accountant":
        accountant(client, rng, stats)
    else:
        salesperson(client, rng)


# ----------------------------------------------------------------------------- odoo


def start_odoo(db, port, logfile, no_jit=False):
    cmd = [
        sys.executable,
        os.path.join(ODOO, "odoo-bin"),
        "-c",
        CONF,
        "-d",
        db,
        f"--db-filter=^{db}$",
        "--workers=4",
        "--max-cron-threads=2",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        "--limit-time-real=3600",
        "--limit-time-cpu=3600",
        "--limit-time-real-cron=3600",
        "--limit-memory-soft=2147483648",
        "--limit-memory-hard=2684354560",
        "--log-level=info",
        f"--logfile={logfile}",
        "--no-database-list",
    ]
    # Its own process group: stopped as a whole at the end, and only it.
    env = dict(os.environ)
    if no_jit:
        # For these Odoo processes only (libpq reads PGOPTIONS): the worklist's plan costs
        # more than jit_above_cost, and compiling it takes longer than running it.
        env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " -c jit=off").strip()
    proc = subprocess.Popen(cmd, start_new_session=True, env=env)
    base = f"http://127.0.0.1:{port}"
    for _i in range(120):
        try:
            if requests.get(base + "/web/health", timeout=2).status_code == 200:
                return proc, base
        except requests.RequestException:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"Odoo exited with {proc.returncode}, see {logfile}")
        time.sleep(1)
    raise RuntimeError(f"Odoo did not answer in 120 s, see {logfile}")


def stop_odoo(proc):
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def workers(proc):
    """Pids of the master's children (HTTP and cron workers)."""
    with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as handle:
        return [int(pid) for pid in handle.read().split()]


def http_workers(proc, logfile):
    """Live HTTP workers, as the master's log names them."""
    with open(logfile) as handle:
        named = {
            int(line.split("Worker WorkerHTTP (")[1].split(")")[0])
            for line in handle
            if "Worker WorkerHTTP (" in line
        }
    return [pid for pid in workers(proc) if pid in named]


def run_state(db, today):
    rows = _query(
        db,
        """SELECT r.state, (SELECT count(*) FROM dunning_letter l WHERE l.run_id = r.id)
             FROM dunning_run r WHERE r.date = %s ORDER BY r.id LIMIT 1""",
        [today],
    )
    return rows[0] if rows else (None, 0)


def run_job_pid(logfile):
    """The cron worker that started the daily dunning job last, as its log line names it."""
    pid = None
    with open(logfile) as handle:
        for line in handle:
            if "Job 'Dunning: daily run'" in line and "starting" in line:
                pid = int(line.split()[2])
    return pid


def killer(proc, db, today, deadline, events, logfile):
    """SIGKILL the cron worker executing the run, 10 s into the job (the run may outlast the
    users: ``deadline`` is the end of the wait for the run)."""
    while time.monotonic() < deadline:
        pid = run_job_pid(logfile)
        if pid:
            time.sleep(10)
            state, letters = run_state(db, today)
            if state != "done" and pid in workers(proc):
                os.kill(pid, signal.SIGKILL)
                events.append(
                    {
                        "killed": "cron worker running the dunning job",
                        "pid": pid,
                        "run_state_then": state,
                        "letters_committed_then": letters,
                        "at": round(time.monotonic() - events[0]["t0"], 1),
                    }
                )
                return
            break
        time.sleep(0.5)
    # The run was too quick to catch: kill an HTTP worker instead, mid-load.
    candidates = http_workers(proc, logfile)
    if candidates:
        pid = candidates[0]
        os.kill(pid, signal.SIGKILL)
        events.append(
            {
                "killed": "HTTP worker (run not caught)",
                "pid": pid,
                "at": round(time.monotonic() - events[0]["t0"], 1),
            }
        )


def scenario(args, db, faults, logins, today, suspects):
    smtp = SmtpServer(args.smtp_port, flap=20 if faults else 0)
    smtp.start()
    suffix = ("faults" if faults else "calm") + ("_nojit" if args.no_jit else "")
    logfile = f"/tmp/bench_load_{db}_{suffix}.log"
    open(logfile, "w").close()  # one log per scenario: the job's pid is read from it
    proc, base = start_odoo(db, args.port, logfile, args.no_jit)
    stats = Stats()
    events = [{"t0": time.monotonic()}]
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = events[0]["t0"]
    deadline = t0 + args.minutes * 60
    rng = random.Random(args.seed)
    threads = []
    try:
        for index, (role, login) in enumerate(logins):
            client = Client(base, db, login, stats, deadline)
            thread = threading.Thread(
                target=user_thread,
                args=(role, client, random.Random(rng.random() + index), stats),
                daemon=True,
            )
            thread.start()
            threads.append(thread)
        time.sleep(min(15, args.minutes * 60 / 10))
        trigger_cron(db)
        events.append({"cron_triggered": round(time.monotonic() - t0, 1)})
        if faults:
            kill = threading.Thread(
                target=killer, args=(proc, db, today, deadline + 600, events, logfile), daemon=True
            )
            kill.start()
        for thread in threads:
            thread.join(max(1, deadline - time.monotonic() + 320))
        events.append({"users_stopped": round(time.monotonic() - t0, 1)})
        # The run (resumed after a kill) finishes: bounded wait.
        wait_until = time.monotonic() + 600
        state = None
        while time.monotonic() < wait_until:
            state, _letters = run_state(db, today)
            if state == "done":
                break
            time.sleep(5)
        events.append({"run_state": state, "run_done_at": round(time.monotonic() - t0, 1)})
        # The sending goes on in batches: give it ``--drain`` seconds more, then stop.
        time.sleep(args.drain)
    finally:
        stop_odoo(proc)
        smtp.stop()
    events[0] = {"started": started_at}
    return {
        "log": logfile,
        "events": events,
        "smtp": {
            "accepted": smtp.accepted,
            "down_periods": smtp.refused_periods,
            "up_s": round(smtp.up_seconds),
            "down_s": round(smtp.down_seconds),
        },
        "http": stats.summary(),
        "invoices_paid_by_users": len(stats.paid_at),
        "db": check(db, today, suspects, stats.paid_at),
    }


def run(args, copy_db):
    result = {
        "minutes": args.minutes,
        "users": args.users,
        "faults": args.faults,
        "jit": not args.no_jit,
    }
    expected_db = f"{args.db}_expected"
    if not args.skip_expected:
        copy_db(args.db, expected_db)
        result["expected"] = expected_letters(expected_db, args.extend_rates)
    db = f"{args.db}_load{'_faults' if args.faults else ''}"
    copy_db(args.db, db)
    logins, suspects, today, _r = prepare(
        db, args.users, args.smtp_port, args.extend_rates, args.seed
    )
    result["roles"] = {role: sum(1 for r, _l in logins if r == role) for role, _s in ROLES}
    result["scenario"] = scenario(args, db, args.faults, logins, today, suspects)
    return json.loads(json.dumps(result, default=str))
