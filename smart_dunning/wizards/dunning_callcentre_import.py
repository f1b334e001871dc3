import base64
from collections import defaultdict
from datetime import date, datetime, time

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain
from odoo.tools import format_date

from ..models.dunning_dispute import PAUSING_STATES
from .callcentre_file import COLUMNS, REQUIRED_COLUMNS, cell_text, read_table

# Errors listed in full before the rest is summed up.
MAX_ERRORS = 50
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
TIME_FORMATS = ("", " %H:%M", " %H:%M:%S")


class DunningCallcentreImport(models.TransientModel):
    """Read back the call centre's outcome file: all rows or none."""

    _name = "dunning.callcentre.import"
    _description = "Import Call Centre Outcomes"

    file_data = fields.Binary(string="File", required=True, attachment=False)
    file_name = fields.Char()
    state = fields.Selection([("upload", "Upload"), ("done", "Done")], default="upload")
    call_ids = fields.Many2many("dunning.call", string="Calls Imported", readonly=True)
    call_count = fields.Integer(string="Calls", readonly=True)
    row_count = fields.Integer(string="Rows Imported", readonly=True)
    paid_count = fields.Integer(string="Skipped: Paid", readonly=True)
    paid_names = fields.Text(string="Paid Since the Export", readonly=True)
    not_called_count = fields.Integer(string="Not Called", readonly=True)
    summary = fields.Html(readonly=True, sanitize=True)

    def action_import(self):
        self.ensure_one()
        rows = self._read_rows()
        parsed, paid, not_called, errors = self._check_rows(rows)
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
        calls = self.env["dunning.call"]._dunning_log_calls(self._entries(parsed))
        self.write(
            {
                "state": "done",
                "call_ids": [Command.set(calls.ids)],
                "call_count": len(calls),
                "row_count": len(parsed),
                "paid_count": len(paid),
                "paid_names": ", ".join(paid),
                "not_called_count": not_called,
                "summary": self._summary(calls),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_open_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("smart_dunning.dunning_call_action")
        action["domain"] = [("id", "in", self.call_ids.ids)]
        return action

    # ------------------------------------------------------------------ reading

    def _read_rows(self):
        """The data rows as ``(row number, {column key: cell})``, after checking the header."""
        try:
            table = read_table(base64.b64decode(self.file_data or b""))
        except ValueError as error:
            if error.args and error.args[0] == "xls":
                raise UserError(
                    self.env._("This is an old Excel file (.xls): save it as .xlsx or .csv.")
                ) from None
            raise UserError(
                self.env._("This file cannot be read: import an .xlsx or a .csv file.")
            ) from None
        except Exception:
            raise UserError(
                self.env._("This file cannot be read: import an .xlsx or a .csv file.")
            ) from None
        while table and not any(cell_text(cell) for cell in table[0]):
            table.pop(0)
        if not table:
            raise UserError(self.env._("The file is empty."))
        names = self._header_names()
        columns = {}
        for index, cell in enumerate(table[0]):
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
        for number, cells in enumerate(table[1:], start=2):
            values = {
                key: cells[index] if index < len(cells) else None for key, index in columns.items()
            }
            if any(cell_text(value) for value in values.values()):
                rows.append((number, values))
        return rows

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
        lookups = {
            "reasons": self._translated_names(reasons),
            "reason_list": ", ".join(reasons.mapped("name")),
            "terms": self._translated_names(
                self.env["account.payment.term"].search(
                    Domain("company_id", "in", [False, company.id])
                )
            ),
            # the call centre need not know our reasons: "Other" when they give none
            "other": self.env.ref(
                "smart_dunning.dunning_dispute_reason_other", raise_if_not_found=False
            ),
        }
        parsed, paid, errors, seen = [], [], [], {}
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
            except ValueError:
                error(
                    self.env._(
                        'the call date "%(date)s" is not a date (use 2026-03-31 or 31/03/2026).',
                        date=cell_text(values.get("call_date")),
                    )
                )
                continue
            if entry["date"] and entry["date"] > fields.Datetime.now():
                error(self.env._("the call date is in the future."))
                continue
            message = self._check_outcome(entry, values, today, lookups)
            if message:
                error(message)
                continue
            parsed.append(entry)
        return parsed, paid, not_called, errors

    def _check_outcome(self, entry, values, today, lookups):
        """Read the cells the outcome needs into ``entry``; return the error, if any."""
        move = entry["move"]
        if entry["outcome"] == "promise":
            text = cell_text(values.get("promise_date"))
            if not text:
                return self.env._("a promise to pay needs the promised payment date.")
            try:
                entry["promise_date"] = self._parse_date(values.get("promise_date"))
            except ValueError:
                return self.env._(
                    'the promised date "%(date)s" is not a date (use 2026-03-31 or 31/03/2026).',
                    date=text,
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
        return self._parse_datetime_text(cell_text(value), with_time=False).date()

    def _parse_call_date(self, value):
        """The call's moment in UTC: a date alone means noon that day in the user's zone."""
        if value is None or not cell_text(value):
            return None
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, date):
            moment = datetime.combine(value, time(12))
        else:
            text = cell_text(value)
            moment = self._parse_datetime_text(text, with_time=True)
            if len(text) <= 10:
                moment = moment.replace(hour=12)
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        return tz.localize(moment).astimezone(pytz.utc).replace(tzinfo=None)

    def _parse_datetime_text(self, text, with_time):
        lang = self.env["res.lang"]._lang_get(self.env.lang or "en_US")
        formats = (DATE_FORMATS[0], lang.date_format or "%m/%d/%Y", *DATE_FORMATS[1:])
        for date_format in formats:
            for time_format in TIME_FORMATS if with_time else ("",):
                try:
                    return datetime.strptime(text.replace("T", " "), date_format + time_format)
                except ValueError:
                    continue
        raise ValueError(text)

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
            )
            groups[key].append(move)
        entries = []
        for (partner, outcome, when, promise_date, reason, term, note), moves in groups.items():
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
