import base64
import re
from collections import defaultdict
from datetime import date, datetime, time

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain
from odoo.tools import format_date

from ..lib.actions import form_action, list_action
from ..models.dunning_dispute import PAUSING_STATES
from .callcentre_file import (
    COLUMNS,
    MAX_UNPACK_RATIO,
    REQUIRED_COLUMNS,
    TableError,
    cell_text,
    read_table,
)

# Errors listed in full before the rest is summed up.
MAX_ERRORS = 50
MEGABYTE = 1024 * 1024
# Dates written as text: year first (ISO) is always understood; day and month otherwise in the
# order declared on the wizard, never guessed from the user's language.
_TIME = r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
YEAR_LAST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})" + _TIME)
DATE_EXAMPLES = {"dmy": "31/03/2026", "mdy": "03/31/2026"}


class AmbiguousDate(ValueError):
    """A date whose year is written with two digits."""


class DunningCallcentreImport(models.TransientModel):
    """Read back the call centre's outcome file: all rows or none."""

    _name = "dunning.callcentre.import"
    _description = "Import Call Centre Outcomes"

    file_data = fields.Binary(string="File", required=True, attachment=False)
    file_name = fields.Char()
    date_format = fields.Selection(
        [("dmy", "DD/MM/YYYY"), ("mdy", "MM/DD/YYYY")],
        string="Dates Written As",
        required=True,
        default="dmy",
        help="How the call centre writes dates that are text in the file (05/03/2026 is 5 March "
        "as DD/MM/YYYY, 3 May as MM/DD/YYYY). Dates written year first (2026-03-05) and real "
        "Excel dates are always understood.",
    )
    state = fields.Selection([("upload", "Upload"), ("done", "Done")], default="upload")
    call_ids = fields.Many2many("dunning.call", string="Calls Imported", readonly=True)
    call_count = fields.Integer(string="Calls", readonly=True)
    row_count = fields.Integer(string="Rows Imported", readonly=True)
    paid_count = fields.Integer(string="Skipped: Paid", readonly=True)
    paid_names = fields.Text(string="Paid Since the Export", readonly=True)
    not_called_count = fields.Integer(string="Not Called", readonly=True)
    duplicate_count = fields.Integer(string="Skipped: Already Imported", readonly=True)
    duplicate_names = fields.Text(string="Calls Already Imported", readonly=True)
    summary = fields.Html(readonly=True, sanitize=True)

    def action_import(self):
        self.ensure_one()
        rows = self._read_rows()
        parsed, paid, duplicates, not_called, errors = self._check_rows(rows)
        if errors:
            shown = errors[:MAX_ERRORS]
            if len(errors) > MAX_ERRORS:
                shown.append(
                    self.env._("... and %(count)s more errors.", count=len(errors) - MAX_ERRORS)
                )
            raise UserError(
                self.env._(
                    "Nothing was imported: correct these rows and import the file again."
                    "\n%(errors)s",
                    errors="\n".join(shown),
                )
            )
        calls = self.env["dunning.call"]
        if parsed:
            calls = calls._dunning_log_calls(self._entries(parsed))
            calls._ask_to_move_due_dates()
        self.write(
            {
                "state": "done",
                "call_ids": [Command.set(calls.ids)],
                "call_count": len(calls),
                "row_count": len(parsed),
                "paid_count": len(paid),
                "paid_names": ", ".join(paid),
                "not_called_count": not_called,
                "duplicate_count": len(duplicates),
                "duplicate_names": ", ".join(duplicates),
                "summary": self._summary(calls),
            }
        )
        return form_action(self._name, self.id, dialog=True)

    def action_open_calls(self):
        self.ensure_one()
        return list_action(
            self.env, "smart_dunning.dunning_call_action", [("id", "in", self.call_ids.ids)]
        )

    # ------------------------------------------------------------------ reading

    def _read_rows(self):
        """The data rows as ``(row number, {column key: cell})``, after checking the header."""
        company = self.env.company
        size_limit = company.dunning_import_max_mb * MEGABYTE
        data = self.file_data or b""
        # base64 takes 4 characters for 3 bytes: refuse a huge file before decoding it
        if len(data) * 3 // 4 > size_limit + 2:
            raise UserError(self._too_large_message(len(data) * 3 // 4))
        content = base64.b64decode(data)
        if len(content) > size_limit:
            raise UserError(self._too_large_message(len(content)))
        try:
            table = read_table(
                content, company.dunning_import_max_rows, size_limit * MAX_UNPACK_RATIO
            )
        except TableError as error:
            raise UserError(self._table_error_message(error)) from None
        except Exception:
            raise UserError(
                self.env._("This file cannot be read: import an .xlsx or a .csv file.")
            ) from None
        if not table:
            raise UserError(self.env._("The file is empty."))
        (_number, header), data_rows = table[0], table[1:]
        names = self._header_names()
        columns = {}
        for index, cell in enumerate(header):
            key = names.get(cell_text(cell).casefold())
            if key and key not in columns:
                columns[key] = index
        missing = [key for key in REQUIRED_COLUMNS if key not in columns]
        if missing:
            raise UserError(
                self.env._(
                    "Nothing was imported: the file has no column %(columns)s. The first row "
                    "must hold the column names of the exported file.",
                    columns=", ".join(f'"{self.env._(COLUMNS[key][0])}"' for key in missing),
                )
            )
        rows = []
        for number, cells in data_rows:
            values = {
                key: cells[index] if index < len(cells) else None for key, index in columns.items()
            }
            if any(cell_text(value) for value in values.values()):
                rows.append((number, values))
        return rows

    def _too_large_message(self, size):
        return self.env._(
            "This file is %(size)s MB; files over %(limit)s MB are not imported (Collections "
            "settings). Split it into smaller files.",
            size=f"{size / MEGABYTE:.1f}",
            limit=self.env.company.dunning_import_max_mb,
        )

    def _table_error_message(self, error):
        if error.code == "xls":
            return self.env._("This is an old Excel file (.xls): save it as .xlsx or .csv.")
        if error.code == "encoding":
            return self.env._(
                "This file is not a text file in an encoding we can read, nor an Excel "
                'workbook: save it from Excel as .xlsx or as "CSV UTF-8".'
            )
        if error.code == "rows":
            return self.env._(
                "This file has more than %(limit)s rows; larger files are not imported "
                "(Collections settings). Split it into smaller files.",
                limit=error.params["limit"],
            )
        if error.code == "cells":
            return self.env._(
                "A row of this file has more than %(limit)s cells: keep only the columns of the "
                "exported file.",
                limit=error.params["limit"],
            )
        if error.code == "unpacked":
            return self.env._(
                "This workbook unpacks to more than %(limit)s MB, far more than its rows need: "
                "open it in Excel and save it again as .xlsx, or save it as .csv.",
                limit=error.params["limit"] // MEGABYTE,
            )
        return self.env._("This file cannot be read: import an .xlsx or a .csv file.")

    @api.model
    def _header_names(self):
        """Column names accepted: the technical key, and the header in every active language
        (the file may come back from a colleague who reads another language)."""
        names = {}
        for key, (label, _kind) in COLUMNS.items():
            names[key] = key
            for lang in self._languages():
                names[label._translate(lang).casefold()] = key
        return names

    @api.model
    def _languages(self):
        """English (the source, even when not installed) and the installed languages."""
        return ["en_US"] + [
            code for code, _name in self.env["res.lang"].get_installed() if code != "en_US"
        ]

    @api.model
    def _translated_names(self, records, field_name="name"):
        """{name in any active language, casefolded: record} for a few records."""
        names = {}
        for code in self._languages():
            for record in records.with_context(lang=code):
                names.setdefault(record[field_name].casefold(), record.with_env(self.env))
        return names

    def _outcome_names(self):
        names = {}
        Call = self.env["dunning.call"]
        for code in self._languages():
            for key, label in (
                Call.with_context(lang=code)
                ._fields["outcome"]
                ._description_selection(Call.with_context(lang=code).env)
            ):
                names[label.casefold()] = key
                names[key] = key
        return names

    # ------------------------------------------------------------------ checking

    def _check_rows(self, rows):
        """Check every row, collect every error: the file goes in whole or not at all."""
        company = self.env.company
        today = fields.Date.context_today(self)
        invoice_names = {cell_text(values.get("invoice")) for _n, values in rows}
        moves = {
            move.name: move
            for move in self.env["account.move"].search(
                Domain("name", "in", [name for name in invoice_names if name])
                & Domain("move_type", "=", "out_invoice")
                & Domain("state", "=", "posted")
                & Domain("company_id", "=", company.id)
            )
        }
        outcomes = self._outcome_names()
        outcome_labels = ", ".join(
            label
            for _key, label in self.env["dunning.call"]
            ._fields["outcome"]
            ._description_selection(self.env)
        )
        reasons = self.env["dunning.dispute.reason"].search([("active", "=", True)])
        call_reasons = self.env["dunning.call.reason"].search([("active", "=", True)])
        lookups = {
            "reasons": self._translated_names(reasons),
            "reason_list": ", ".join(reasons.mapped("name")),
            "terms": self._translated_names(
                self.env["account.payment.term"].search(
                    Domain("company_id", "in", [False, company.id])
                )
            ),
            "call_reasons": self._translated_names(call_reasons),
            "call_reason_list": ", ".join(call_reasons.mapped("name")),
            # the call centre need not know our reasons: "Other" when they give none
            "other": self.env.ref(
                "smart_dunning.dunning_dispute_reason_other", raise_if_not_found=False
            ),
        }
        logged_moments, logged_days = self._logged_calls(moves.values())
        example = DATE_EXAMPLES[self.date_format or "dmy"]
        parsed, paid, duplicates, errors, seen = [], [], [], [], {}
        not_called = 0
        for number, values in rows:
            name = cell_text(values.get("invoice"))
            outcome_text = cell_text(values.get("outcome"))

            def error(message, number=number, name=name):
                errors.append(
                    self.env._(
                        "Row %(row)s (%(invoice)s): %(error)s",
                        row=number,
                        invoice=name or "-",
                        error=message,
                    )
                )

            if not outcome_text:
                not_called += 1
                continue
            if not name:
                error(self.env._("the invoice number is missing."))
                continue
            move = moves.get(name)
            if not move:
                error(self.env._("no posted customer invoice has this number."))
                continue
            if name in seen:
                error(
                    self.env._(
                        "the invoice is already on row %(row)s; keep one row per invoice.",
                        row=seen[name],
                    )
                )
                continue
            seen[name] = number
            if not move._dunning_is_open_invoice():
                paid.append(name)
                continue
            entry = {"number": number, "move": move, "note": cell_text(values.get("note"))}
            outcome = outcomes.get(outcome_text.casefold())
            if not outcome:
                error(
                    self.env._(
                        'unknown outcome "%(outcome)s"; use one of: %(outcomes)s.',
                        outcome=outcome_text,
                        outcomes=outcome_labels,
                    )
                )
                continue
            entry["outcome"] = outcome
            try:
                entry["date"] = self._parse_call_date(values.get("call_date"))
            except AmbiguousDate:
                error(self._ambiguous_date_message("call_date", values, example))
                continue
            except ValueError:
                error(
                    self.env._(
                        'the call date "%(date)s" is not a date (use 2026-03-31 or %(example)s).',
                        date=cell_text(values.get("call_date")),
                        example=example,
                    )
                )
                continue
            if entry["date"] and entry["date"] > fields.Datetime.now():
                error(self.env._("the call date is in the future."))
                continue
            # the same file imported again: this call is already logged
            if (
                (move.id, outcome, entry["date"]) in logged_moments
                if entry["date"]
                else (move.id, outcome, today) in logged_days
            ):
                duplicates.append(name)
                continue
            message = self._check_outcome(entry, values, today, lookups, example)
            if message:
                error(message)
                continue
            parsed.append(entry)
        return parsed, paid, duplicates, not_called, errors

    def _logged_calls(self, moves):
        """What the call centre already reported about these invoices: the sets of ``(invoice
        id, outcome, call moment)`` and of ``(invoice id, outcome, day of the call)``. A row
        without a call date is a call of the day it is imported: it matches a call of that day."""
        moments, days = set(), set()
        move_ids = [move.id for move in moves]
        if not move_ids:
            return moments, days
        # as superuser: a call another collector imported counts too (read-only, this company)
        calls = (
            self.env["dunning.call"]
            .sudo()
            .search_fetch(
                Domain("source", "=", "call_centre")
                & Domain("company_id", "=", self.env.company.id)
                & Domain("move_ids", "in", move_ids),
                ["date", "outcome", "move_ids"],
            )
        )
        tz = self._tz()
        for call in calls:
            day = pytz.utc.localize(call.date).astimezone(tz).date()
            for move_id in call.move_ids.ids:
                moments.add((move_id, call.outcome, call.date))
                days.add((move_id, call.outcome, day))
        return moments, days

    def _ambiguous_date_message(self, key, values, example):
        return self.env._(
            'the date "%(date)s" in the column "%(column)s" is ambiguous: write the year in '
            "four digits (%(example)s).",
            date=cell_text(values.get(key)),
            column=self.env._(COLUMNS[key][0]),
            example=example,
        )

    def _check_outcome(self, entry, values, today, lookups, example):
        """Read the cells the outcome needs into ``entry``; return the error, if any."""
        move = entry["move"]
        text = cell_text(values.get("reason"))
        if text:
            entry["call_reason"] = lookups["call_reasons"].get(text.casefold())
            if not entry["call_reason"]:
                return self.env._(
                    'unknown reason for non-payment "%(reason)s"; use one of: %(reasons)s.',
                    reason=text,
                    reasons=lookups["call_reason_list"],
                )
        if entry["outcome"] == "promise":
            text = cell_text(values.get("promise_date"))
            if not text:
                return self.env._("a promise to pay needs the promised payment date.")
            try:
                entry["promise_date"] = self._parse_date(values.get("promise_date"))
            except AmbiguousDate:
                return self._ambiguous_date_message("promise_date", values, example)
            except ValueError:
                return self.env._(
                    'the promised date "%(date)s" is not a date (use 2026-03-31 or %(example)s).',
                    date=text,
                    example=example,
                )
            if entry["promise_date"] < today:
                return self.env._(
                    "the promised date %(date)s is in the past.",
                    date=format_date(self.env, entry["promise_date"]),
                )
            if move.dunning_plan_id:
                return self.env._(
                    "the invoice is already in the payment plan %(plan)s.",
                    plan=move.dunning_plan_id.name,
                )
        if entry["outcome"] in ("promise", "dispute"):
            disputes = move.dunning_dispute_ids.filtered(lambda d: d.state in PAUSING_STATES)
            if disputes:
                return self.env._(
                    "the invoice is already in the dispute %(dispute)s.",
                    dispute=disputes[0].name,
                )
        if entry["outcome"] == "dispute":
            text = cell_text(values.get("dispute_reason"))
            entry["reason"] = lookups["reasons"].get(text.casefold()) if text else lookups["other"]
            if not entry["reason"]:
                return self.env._(
                    'unknown dispute reason "%(reason)s"; use one of: %(reasons)s.',
                    reason=text,
                    reasons=lookups["reason_list"],
                )
        if entry["outcome"] == "payment_term":
            text = cell_text(values.get("payment_term"))
            entry["payment_term"] = lookups["terms"].get(text.casefold()) if text else None
            if not entry["payment_term"]:
                return self.env._(
                    'the payment term "%(term)s" is unknown: write the name of an existing '
                    "payment term.",
                    term=text,
                )
        return None

    def _parse_date(self, value):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        return self._parse_datetime_text(cell_text(value))[0].date()

    def _parse_call_date(self, value):
        """The call's moment in UTC: a date alone means noon that day in the user's zone."""
        if value is None or not cell_text(value):
            return None
        if isinstance(value, datetime):
            # an Excel date without a time is a datetime at midnight
            moment = value if value.time() != time(0) else datetime.combine(value, time(12))
        elif isinstance(value, date):
            moment = datetime.combine(value, time(12))
        else:
            moment, has_time = self._parse_datetime_text(cell_text(value))
            if not has_time:
                moment = moment.replace(hour=12)
        moment = moment.replace(microsecond=0, tzinfo=None)
        return self._tz().localize(moment).astimezone(pytz.utc).replace(tzinfo=None)

    def _tz(self):
        return pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")

    def _parse_datetime_text(self, text):
        """``(datetime, whether a time was written)`` from a date written year first, or day
        and month in the order of the wizard's date format. Raise AmbiguousDate for a
        two-digit year, ValueError for anything else that is not a real date."""
        match = YEAR_FIRST.fullmatch(text)
        if match:
            year, month, day = match.group(1, 2, 3)
        else:
            match = YEAR_LAST.fullmatch(text)
            if not match:
                raise ValueError(text)
            left, right, year = match.group(1, 2, 3)
            day, month = (right, left) if self.date_format == "mdy" else (left, right)
        hour, minute, second = (int(part or 0) for part in match.group(4, 5, 6))
        if len(year) != 4:
            raise AmbiguousDate(text)
        # datetime() raises ValueError for 31/02 or 25:00
        moment = datetime(int(year), int(month), int(day), hour, minute, second)
        return moment, match.group(4) is not None

    # ------------------------------------------------------------------ importing

    def _entries(self, parsed):
        """One call per customer and outcome: the rows of one conversation go together."""
        groups = defaultdict(list)
        for entry in parsed:
            move = entry["move"]
            key = (
                move.commercial_partner_id,
                entry["outcome"],
                entry["date"],
                entry.get("promise_date"),
                entry.get("reason"),
                entry.get("payment_term"),
                entry["note"],
                entry.get("call_reason"),
            )
            groups[key].append(move)
        entries = []
        for key, moves in groups.items():
            partner, outcome, when, promise_date, reason, term, note, call_reason = key
            moves = self.env["account.move"].concat(*moves)
            contact = moves[0].partner_id
            entries.append(
                {
                    "partner": partner,
                    "contact": contact,
                    "moves": moves,
                    "outcome": outcome,
                    "date": when,
                    "note": note,
                    "source": "call_centre",
                    "phone": contact.phone or partner.phone,
                    "promise_date": promise_date,
                    "reason": reason,
                    "payment_term": term,
                    "call_reason": call_reason,
                }
            )
        return entries

    def _summary(self, calls):
        outcomes = dict(
            self.env["dunning.call"]._fields["outcome"]._description_selection(self.env)
        )
        counts = defaultdict(int)
        for call in calls:
            counts[call.outcome] += 1
        items = Markup("").join(
            Markup("<li>%s: %s</li>") % (outcomes[key], counts[key])
            for key in outcomes
            if counts[key]
        )
        return Markup("<ul>%s</ul>") % items
