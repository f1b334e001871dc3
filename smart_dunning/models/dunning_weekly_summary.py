from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.fields import Command, Domain
from odoo.tools import SQL, format_amount, format_date, formatLang

from ..lib.open_invoice import open_invoice_domain
from .dunning_call import UNREACHED

# Not reached: nobody answered, or the number was wrong (as the calls' contact rate).
NOT_REACHED = (*UNREACHED, "wrong_number")


class DunningWeeklySummary(models.AbstractModel):
    """The collections managers' Monday e-mail: the figures of the past week of their
    company, in each manager's language."""

    _name = "dunning.weekly.summary"
    _description = "Collections Weekly Summary"

    @api.model
    def _weekly_summary_values(self, date_from, date_to):
        """The figures of the current company from ``date_from`` to ``date_to`` (both
        included), read with the current user's rights and language:

        ``letters`` (``[(level name, count)]``, letters sent), ``calls``, ``calls_reached``,
        ``contact_rate`` (percent, None without calls), ``promises_made`` (confirmed in the
        week), ``promises_kept`` (paid in full in the week, in time), ``promises_broken``
        (their deadline passed in the week without payment in full), ``disputes_opened``,
        ``disputes_closed``, ``disputes_overdue`` (open or in mediation, deadline before
        ``date_to``), ``amount_collected`` (company currency), ``top_overdue``
        (``[(customer, amount overdue on date_to)]``, the five largest), ``targets``
        (``[(salesperson, target, actual)]``, the salespeople with a target in
        ``date_to``'s month, paid revenue month to date),
        ``currency``, ``company``, ``date_from``, ``date_to``.
        """
        company = self.env.company
        in_company = Domain("company_id", "=", company.id)

        def in_week(field="date"):
            return Domain(field, ">=", date_from) & Domain(field, "<=", date_to)

        start = datetime.combine(date_from, time.min)
        end = datetime.combine(date_to + timedelta(days=1), time.min)

        Letter = self.env["dunning.letter"]
        letters = Letter._read_group(
            in_company & in_week("sent_date"),
            ["level_id"],
            ["__count"],
        )
        letters = sorted(letters, key=lambda row: (row[0].sequence, row[0].id))

        calls = dict(
            self.env["dunning.call"]._read_group(
                in_company & Domain("date", ">=", start) & Domain("date", "<", end),
                ["outcome"],
                ["__count"],
            )
        )
        call_count = sum(calls.values())
        reached = sum(count for outcome, count in calls.items() if outcome not in NOT_REACHED)

        Promise = self.env["dunning.promise.report"]
        promises_made = Promise.search_count(in_company & in_week())
        promises_kept = Promise.search_count(
            in_company & Domain("status", "=", "kept") & in_week("date_paid")
        )
        promises_broken = Promise.search_count(
            in_company & Domain("status", "in", ("broken", "late")) & in_week("date_deadline")
        )

        Dispute = self.env["dunning.dispute"]
        disputes_opened = Dispute.search_count(in_company & in_week())
        disputes_closed = Dispute.search_count(
            in_company & Domain("state", "=", "resolved") & in_week("date_resolved")
        )
        disputes_overdue = Dispute.search_count(
            in_company
            & Domain("state", "in", ("open", "mediation"))
            & Domain("date_deadline", "<", date_to)
        )

        [[collected]] = self.env["dunning.collection.report"]._read_group(
            in_company & in_week(), [], ["amount:sum"]
        )

        top_overdue = self.env["account.move"]._read_group(
            in_company & open_invoice_domain() & Domain("invoice_date_due", "<", date_to),
            ["commercial_partner_id"],
            ["amount_residual_signed:sum"],
            order="amount_residual_signed:sum desc, commercial_partner_id",
            limit=5,
        )

        # month to date: payments after date_to do not count yet
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """SELECT t.user_id, t.amount_target, t.amount_actual
                     FROM (%s) t
                    WHERE t.company_id = %s AND t.month = %s AND t.target_id IS NOT NULL
                    ORDER BY t.amount_target DESC, t.amount_actual DESC, t.user_id""",
                self.env["dunning.target.report"]._target_sql(date_to=date_to),
                company.id,
                date_to.replace(day=1),
            )
        )
        users = self.env["res.users"].browse([row[0] for row in rows])
        targets = [
            (user, target, actual) for user, (_id, target, actual) in zip(users, rows, strict=True)
        ]

        return {
            "company": company,
            "currency": company.currency_id,
            "date_from": date_from,
            "date_to": date_to,
            "letters": [(level.name, count) for level, count in letters],
            "calls": call_count,
            "calls_reached": reached,
            "contact_rate": round(100.0 * reached / call_count, 1) if call_count else None,
            "promises_made": promises_made,
            "promises_kept": promises_kept,
            "promises_broken": promises_broken,
            "disputes_opened": disputes_opened,
            "disputes_closed": disputes_closed,
            "disputes_overdue": disputes_overdue,
            "amount_collected": company.currency_id.round(collected or 0.0),
            "top_overdue": [(partner, amount) for partner, amount in top_overdue],
            "targets": targets,
        }

    # ------------------------------------------------------------------ the e-mail

    @api.model
    def _cron_send_weekly_summary(self):
        """Monday: each collections manager gets the figures of last week (Monday to
        Sunday) of each of their companies, one e-mail per manager and company."""
        today = fields.Date.context_today(self)
        date_to = today - timedelta(days=today.weekday() + 1)
        self._send_weekly_summary(date_to - timedelta(days=6), date_to)

    @api.model
    def _send_weekly_summary(self, date_from, date_to):
        group = self.env.ref("smart_dunning.group_dunning_manager")
        managers = (
            self.env["res.users"]
            .sudo()
            .search(
                [("share", "=", False), ("all_group_ids", "in", group.ids)],
                order="id",
            )
        )
        mails = self.env["mail.mail"]
        for company in managers.company_ids.sorted("id"):
            values_by_lang = {}
            for manager in managers.filtered(lambda user, c=company: c in user.company_ids):
                if not manager.email:
                    continue
                lang = manager.lang or "en_US"
                if lang not in values_by_lang:
                    values_by_lang[lang] = (
                        self.sudo()
                        .with_company(company)
                        .with_context(lang=lang)
                        ._weekly_summary_values(date_from, date_to)
                    )
                mails |= self._weekly_summary_mail(manager, values_by_lang[lang])
        return mails

    @api.model
    def _weekly_summary_mail(self, manager, values):
        """The e-mail of ``values`` to ``manager``, in the manager's language."""
        summary = self.sudo().with_company(values["company"]).with_context(lang=manager.lang)
        env = summary.env
        currency = values["currency"]
        body = env["ir.qweb"]._render(
            "smart_dunning.dunning_weekly_summary_mail",
            dict(
                values,
                manager=manager,
                amount=lambda value: format_amount(env, value, currency),
                day=lambda value: format_date(env, value),
                # 33,3 in Dutch and French, as the amounts and dates around it
                percent=lambda value: formatLang(env, value, digits=1),
            ),
        )
        subject = env._(
            "Collections %(company)s: the week of %(date_from)s to %(date_to)s",
            company=values["company"].name,
            date_from=format_date(env, values["date_from"]),
            date_to=format_date(env, values["date_to"]),
        )
        return env["mail.mail"].create(
            {
                "subject": subject,
                "body_html": body,
                "email_from": values["company"].email_formatted
                or env.ref("base.partner_root").email_formatted,
                "recipient_ids": [Command.link(manager.partner_id.id)],
                "auto_delete": True,
            }
        )
