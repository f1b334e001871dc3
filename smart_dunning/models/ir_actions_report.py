import functools
import logging
import subprocess

import lxml.html

from odoo import models

from odoo.addons.base.models.ir_actions_report import _wkhtml

_logger = logging.getLogger(__name__)

LETTER_MODEL = "dunning.letter"
ARTICLES = "//div[contains(concat(' ', normalize-space(@class), ' '), ' article ')]"


@functools.lru_cache(1)
def wkhtmltopdf_patched():
    """Whether the installed wkhtmltopdf is built on its patched Qt: only that build prints
    headers and footers on every page and renders several documents in one call. Debian's
    package is not. Read from ``wkhtmltopdf --version`` as Odoo does, once per process."""
    info = _wkhtml()
    if info.state != "ok":
        return False
    try:
        output = subprocess.run(
            [info.bin, "--version"], capture_output=True, text=True, check=False, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "(with patched qt)" in output


def _has_class(node, name):
    return name in (node.get("class") or "").split()


def inline_letterhead(html):
    """The HTML of a report whose company header and footer stand inside each document, at
    its top and at its end, instead of apart for wkhtmltopdf's ``--header-html`` and
    ``--footer-html``, which a wkhtmltopdf without patched Qt ignores: the letter then still
    carries the logo and the company's address, enterprise number and bank account."""
    root = lxml.html.fromstring(html, parser=lxml.html.HTMLParser(encoding="utf-8"))
    for article in root.xpath(ARTICLES):
        header = article.getprevious()
        if header is not None and _has_class(header, "header"):
            header.set("class", header.get("class").replace("header", "o_dunning_header", 1))
            article.insert(0, header)
        footer = article.getnext()
        if footer is not None and _has_class(footer, "footer"):
            footer.set("class", footer.get("class").replace("footer", "o_dunning_footer", 1))
            article.append(footer)
    return lxml.html.tostring(root, encoding="utf-8", method="html", doctype="<!DOCTYPE html>")


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _prepare_html(self, html, report_model=False):
        if report_model == LETTER_MODEL and not wkhtmltopdf_patched():
            html = inline_letterhead(html)
        return super()._prepare_html(html, report_model=report_model)
