"""The customer's page: reached from a letter's short link (/d/<letter>/<token>) without an
account, or under /my/dunning by a portal user. Everything it reads and writes is limited to
that one customer and company."""

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import format_date

from ..models.dunning_letter_portal import PORTAL_MAX_UPLOAD

ANSWERS = ("dispute", "promise", "plan", "paid")


class DunningPortal(http.Controller):
    # ------------------------------------------------------------------ access

    def _dunning_token_context(self, letter_id, token):
        letter = request.env["dunning.letter"]._portal_letter(letter_id, token)
        if not letter:
            return None
        # the customer's language, when the site offers it
        if letter.report_lang in request.env["res.lang"]._get_frontend():
            request.update_context(lang=letter.report_lang)
            # the letter was read before: its messages (rate limit) in that language too
            letter = letter.with_env(request.env).sudo()
        return {
            "letter": letter,
            "partner": letter.partner_id.commercial_partner_id,
            "company": letter.company_id,
            "base": f"/d/{letter.id}/{token}",
        }

    def _dunning_user_context(self):
        partner, company, letter = request.env["dunning.letter"]._portal_user_scope()
        return {"letter": letter, "partner": partner, "company": company, "base": "/my/dunning"}

    def _dunning_render(self, ctx, **extra):
        Letter = request.env["dunning.letter"]
        values = Letter._portal_values(ctx["partner"], ctx["company"], ctx["letter"])
        form = extra.pop("form", {})
        move_ids = form.get("move_ids") or []
        values.update(
            base=ctx["base"],
            form=form,
            form_move_ids={int(mid) for mid in move_ids if str(mid).isdigit()},
            error=False,
            message=False,
            schedule=False,
        )
        values.update(extra)
        return request.render("smart_dunning.portal_dunning_page", values)

    def _dunning_gone(self):
        return request.render("smart_dunning.portal_dunning_gone", {}, status=404)

    # ------------------------------------------------------------------ pages

    @http.route(
        "/d/<int:letter_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
    )
    def dunning_token_page(self, letter_id, token, **kw):
        ctx = self._dunning_token_context(letter_id, token)
        if not ctx:
            return self._dunning_gone()
        return self._dunning_render(ctx)

    @http.route("/my/dunning", type="http", auth="user", methods=["GET"], website=True)
    def dunning_my_page(self, **kw):
        return self._dunning_render(self._dunning_user_context())

    @http.route(
        [
            "/d/<int:letter_id>/<string:token>/<string:what>/<int:res_id>",
            "/my/dunning/<string:what>/<int:res_id>",
        ],
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
    )
    def dunning_document(self, what, res_id, letter_id=None, token=None, **kw):
        ctx = self._dunning_context(letter_id, token)
        partner, company = ctx["partner"], ctx["company"]
        if what in ("invoice", "pay"):
            moves = request.env["dunning.letter"]._portal_moves(partner, company)
            move = moves.filtered(lambda m: m.id == res_id)
            if not move:
                raise NotFound()
            if what == "pay":
                move._portal_ensure_token()
                return request.redirect(move.get_portal_url(), local=True)
            pdf = (
                request.env["ir.actions.report"]
                .sudo()
                ._render_qweb_pdf("account.account_invoices", move.ids)[0]
            )
            return self._dunning_pdf_response(pdf, move.name)
        if what == "letter":
            letter = (
                request.env["dunning.letter"]
                .sudo()
                .search(
                    [
                        ("id", "=", res_id),
                        ("partner_id", "=", partner.id),
                        ("company_id", "=", company.id),
                        ("state", "=", "sent"),
                    ]
                )
            )
            if not letter:
                raise NotFound()
            return self._dunning_pdf_response(letter._pdf(), letter.name)
        raise NotFound()

    def _dunning_context(self, letter_id, token):
        if letter_id is None:
            if request.env.user._is_public():
                raise NotFound()
            return self._dunning_user_context()
        ctx = self._dunning_token_context(letter_id, token)
        if not ctx:
            raise NotFound()
        return ctx

    def _dunning_pdf_response(self, pdf, name):
        filename = (name or "document").replace("/", "_") + ".pdf"
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", http.content_disposition(filename)),
            ],
        )

    # ------------------------------------------------------------------ answers

    @http.route(
        [
            "/d/<int:letter_id>/<string:token>/<string:answer>",
            "/my/dunning/<string:answer>",
        ],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def dunning_answer(self, answer, letter_id=None, token=None, **post):
        if answer not in ANSWERS:
            raise NotFound()
        ctx = self._dunning_context(letter_id, token)
        post["move_ids"] = request.httprequest.form.getlist("move_ids")
        Letter = request.env["dunning.letter"]
        partner, company, letter = ctx["partner"], ctx["company"], ctx["letter"]
        try:
            if letter:
                # counted even when the answer is refused: a script guessing gets nowhere
                letter._portal_check_rate()
            if answer == "plan" and not post.get("confirm"):
                _moves, schedule, accepted, why = Letter._portal_schedule(partner, company, post)
                currency = _moves[:1].currency_id
                return self._dunning_render(
                    ctx,
                    form=post,
                    schedule=[
                        {
                            "date": self._dunning_format_date(day),
                            "amount": currency.format(amount),
                        }
                        for day, amount in schedule
                    ],
                    schedule_accepted=accepted,
                    schedule_why=why,
                )
            attachment = self._dunning_upload()
            # a refused answer leaves no partial record behind
            with request.env.cr.savepoint():
                if answer == "dispute":
                    Letter._portal_dispute(partner, company, post, attachment, letter)
                    message = request.env._("Thank you: we received your dispute.")
                elif answer == "promise":
                    Letter._portal_promise(partner, company, post)
                    message = request.env._("Thank you: we noted your promise to pay.")
                elif answer == "plan":
                    plan = Letter._portal_plan(partner, company, post)
                    message = (
                        request.env._("Your payment plan is accepted.")
                        if plan.state == "active"
                        else request.env._(
                            "We received your request for a payment plan: a colleague will "
                            "review it."
                        )
                    )
                else:
                    Letter._portal_paid(partner, company, post, attachment)
                    message = request.env._(
                        "Thank you: we will match your payment and send no reminder meanwhile."
                    )
        except UserError as error:
            return self._dunning_render(ctx, form=post, error=error.args[0])
        return self._dunning_render(ctx, message=message)

    def _dunning_format_date(self, day):
        return format_date(request.env, day)

    def _dunning_upload(self):
        upload = request.httprequest.files.get("attachment")
        if not upload or not upload.filename:
            return None
        data = upload.read(PORTAL_MAX_UPLOAD + 1)
        if not data:
            return None
        if len(data) > PORTAL_MAX_UPLOAD:
            raise UserError(request.env._("The attachment is too large (10 MB at most)."))
        return upload.filename, data
