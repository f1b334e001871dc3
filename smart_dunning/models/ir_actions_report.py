import functools
import io
import logging
import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor

import lxml.html

from odoo import models, modules, tools
from odoo.exceptions import UserError
from odoo.tools.pdf import PdfReader, PdfWriter

from odoo.addons.base.models import ir_actions_report as base_report
from odoo.addons.base.models.ir_actions_report import _wkhtml

_logger = logging.getLogger(__name__)

LETTER_MODEL = "dunning.letter"
# Letters per wkhtmltopdf call with a patched Qt (Odoo splits the PDF on its outlines).
PATCHED_CHUNK = 25
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


def join_documents(bodies):
    """One HTML document of several report bodies (each a whole page of Odoo's minimal
    layout), each starting on a new page."""
    first = lxml.html.fromstring(bodies[0])
    body = first.find("body")
    for other in bodies[1:]:
        page_break = lxml.html.Element("div", style="page-break-before: always;")
        body.append(page_break)
        for child in lxml.html.fromstring(other).find("body"):
            body.append(child)
    return lxml.html.tostring(first, encoding="unicode", doctype="<!DOCTYPE html>")


def split_on_names(pdf, names):
    """``[pdf of each document]`` of a PDF of several documents, each of which names its
    reference on its first page (letters are in the order of their ids, so an earlier
    letter never names a later one); None when a reference is not found."""
    reader = PdfReader(io.BytesIO(pdf))
    count = len(reader.pages)
    texts = ["".join(page.extract_text().split()) for page in reader.pages]
    starts, page = [], 0
    for name in names:
        key = "".join(name.split())
        found = next((i for i in range(page, count) if key in texts[i]), None)
        if found is None or (not starts and found != 0):
            return None
        starts.append(found)
        page = found + 1
    documents = []
    for start, end in zip(starts, [*starts[1:], count], strict=True):
        writer = PdfWriter()
        for i in range(start, end):
            writer.add_page(reader.pages[i])
        stream = io.BytesIO()
        writer.write(stream)
        documents.append(stream.getvalue())
    return documents


def run_wkhtmltopdf(command, html):
    """PDF of one HTML document: one wkhtmltopdf process, nothing read from the database,
    so that several may run side by side in threads."""
    with tempfile.TemporaryDirectory(prefix="dunning_print.") as folder:
        source, target = os.path.join(folder, "letters.html"), os.path.join(folder, "out.pdf")
        with open(source, "w", encoding="utf-8") as file:
            file.write(html)
        process = base_report._run_wkhtmltopdf([*command, source, target])
        # 1 = warnings, e.g. a style sheet that could not load: the PDF is there (as Odoo)
        if process.returncode not in (0, 1):
            raise UserError(
                f"wkhtmltopdf failed (error code {process.returncode}): {process.stderr[-1000:]}"
            )
        with open(target, "rb") as file:
            return file.read()


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _prepare_html(self, html, report_model=False):
        if report_model == LETTER_MODEL and not wkhtmltopdf_patched():
            html = inline_letterhead(html)
        return super()._prepare_html(html, report_model=report_model)

    def _dunning_html_fallback(self):
        """Odoo's reports give HTML instead of PDF in tests that do not force the rendering."""
        return bool(
            (modules.module.current_test or tools.config["test_enable"])
            and not self.env.context.get("force_report_rendering")
        )

    def _dunning_render_patched(self, report, letters):
        """``{letter id: (pdf, "pdf")}`` with one wkhtmltopdf call per chunk of letters;
        letters Odoo could not split apart are left out (rendered alone by the caller)."""
        Report = self.with_context(report_pdf_no_attachment=True, webp_as_jpg=True)
        documents = {}
        for chunk in tools.split_every(PATCHED_CHUNK, letters.ids):
            streams = Report._render_qweb_pdf_prepare_streams(report, {}, res_ids=list(chunk))
            for res_id in chunk:
                stream = streams.get(res_id, {}).get("stream")
                if stream:
                    documents[res_id] = (stream.getvalue(), "pdf")
            for value in streams.values():
                if value.get("stream"):
                    value["stream"].close()
        return documents

    def _dunning_render_unpatched(self, report, letters, names):
        """``{letter id: (pdf, "pdf")}`` for a wkhtmltopdf that renders one document per
        call: the letters are rendered in one QWeb pass, put into one document per CPU, and
        those documents printed side by side (threads only wait for their process), then
        split on the letters' references. A document that cannot be split is left out."""
        report_sudo = self._get_report(report)
        html = self.with_context(debug=False)._render_qweb_html(
            report, letters.ids, data={"report_type": "pdf", "debug": False}
        )[0]
        bodies, res_ids, _header, _footer, paper_args = report_sudo.with_context(
            debug=False
        )._prepare_html(html, report_model=LETTER_MODEL)
        if res_ids != letters.ids:
            return {}
        command = self._build_wkhtmltopdf_args(
            report_sudo.get_paperformat(),
            self.env.context.get("landscape"),
            specific_paperformat_args=paper_args,
        )
        workers = max(1, min(os.cpu_count() or 1, len(bodies)))
        size = -(-len(bodies) // workers)
        groups = [
            range(start, min(start + size, len(bodies))) for start in range(0, len(bodies), size)
        ]
        with ThreadPoolExecutor(max_workers=len(groups)) as pool:
            pdfs = list(
                pool.map(
                    lambda group: run_wkhtmltopdf(
                        command, join_documents([bodies[i] for i in group])
                    ),
                    groups,
                )
            )
        documents = {}
        for group, pdf in zip(groups, pdfs, strict=True):
            parts = split_on_names(pdf, [names[i] for i in group])
            if parts is None:
                continue
            for i, part in zip(group, parts, strict=True):
                documents[res_ids[i]] = (part, "pdf")
        return documents
