import functools
import io
import logging
import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor

import lxml.html
from markupsafe import Markup

from odoo import models, modules, tools
from odoo.tools.pdf import ArrayObject, NameObject, PdfReader, PdfWriter

from odoo.addons.base.models import ir_actions_report as base_report
from odoo.addons.base.models.ir_actions_report import _wkhtml

_logger = logging.getLogger(__name__)

LETTER_MODEL = "dunning.letter"
# Links that mark where each letter starts in a PDF of several (never left in a letter).
MARKER_PREFIX = "http://smart-dunning.invalid/document/"
MARKER_STYLE = "display: block; width: 1px; height: 1px; overflow: hidden; color: transparent;"
# A wkhtmltopdf without patched Qt draws the report's web fonts as outlines: a letter then
# takes four times as long, weighs a hundred times more (1 MB a page) and has no text to
# search or copy. Its letters use the installed fonts instead.
SYSTEM_FONTS = (
    "<style>.o_body_pdf *:not(.fa) { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, "
    "sans-serif !important; }</style>"
)
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


def marker_url(res_id):
    return f"{MARKER_PREFIX}{res_id}"


def join_documents(bodies, res_ids):
    """One HTML document of several report bodies (each a whole page of Odoo's minimal
    layout), each starting on a new page with an invisible link that names its record: the
    link annotation tells where each document starts in the PDF, whether or not its text can
    be read back (wkhtmltopdf draws web fonts as outlines)."""
    first = lxml.html.fromstring(bodies[0])
    body = first.find("body")
    for child in list(body):
        body.remove(child)
    for index, (other, res_id) in enumerate(zip(bodies, res_ids, strict=True)):
        if index:
            body.append(lxml.html.Element("div", style="page-break-before: always;"))
        marker = lxml.html.Element("a", href=marker_url(res_id), style=MARKER_STYLE)
        marker.text = "."
        body.append(marker)
        for child in lxml.html.fromstring(other).find("body"):
            body.append(child)
    return lxml.html.tostring(first, encoding="unicode", doctype="<!DOCTYPE html>")


def split_on_markers(pdf, res_ids):
    """``[pdf of each record]`` of a PDF made from :func:`join_documents`, without the
    marker links; None when the markers do not give each record its pages, in order."""
    reader = PdfReader(io.BytesIO(pdf))
    starts = {}
    for number, page in enumerate(reader.pages):
        annotations = page.get("/Annots")
        if annotations is None:
            continue
        kept = ArrayObject()
        for annotation in annotations.get_object():
            uri = str(annotation.get_object().get("/A", {}).get("/URI", ""))
            if uri.startswith(MARKER_PREFIX) and uri[len(MARKER_PREFIX) :].isdigit():
                starts.setdefault(int(uri[len(MARKER_PREFIX) :]), number)
            else:
                kept.append(annotation)
        page[NameObject("/Annots")] = kept
    pages = [starts.get(res_id) for res_id in res_ids]
    if None in pages or pages[0] != 0 or pages != sorted(set(pages)):
        return None
    documents = []
    for start, end in zip(pages, [*pages[1:], len(reader.pages)], strict=True):
        writer = PdfWriter()
        for number in range(start, end):
            writer.add_page(reader.pages[number])
        stream = io.BytesIO()
        writer.write(stream)
        documents.append(stream.getvalue())
    return documents


def run_wkhtmltopdf(command, html):
    """PDF of one HTML document (None when wkhtmltopdf fails): one wkhtmltopdf process,
    nothing read from the database, so that several may run side by side in threads."""
    with tempfile.TemporaryDirectory(prefix="dunning_print.") as folder:
        source, target = os.path.join(folder, "letters.html"), os.path.join(folder, "out.pdf")
        with open(source, "w", encoding="utf-8") as file:
            file.write(html)
        process = base_report._run_wkhtmltopdf([*command, source, target])
        # 1 = warnings, e.g. a style sheet that could not load: the PDF is there (as Odoo).
        # Otherwise its letters are rendered one by one, where Odoo reports the error.
        if process.returncode not in (0, 1):
            _logger.warning(
                "wkhtmltopdf failed (error code %s): %s",
                process.returncode,
                process.stderr[-1000:],
            )
            return None
        with open(target, "rb") as file:
            return file.read()


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _prepare_html(self, html, report_model=False):
        if report_model != LETTER_MODEL or wkhtmltopdf_patched():
            return super()._prepare_html(html, report_model=report_model)
        bodies, *rest = super()._prepare_html(inline_letterhead(html), report_model=report_model)
        fonts = SYSTEM_FONTS + "</head>"
        return [Markup(str(body).replace("</head>", fonts, 1)) for body in bodies], *rest

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

    def _dunning_render_unpatched(self, report, letters):
        """``{letter id: (pdf, "pdf")}`` for a wkhtmltopdf that renders one document per
        call: the letters are rendered in one QWeb pass, put into one document per CPU, and
        those documents printed side by side (threads only wait for their process), then
        split on the marker links. A document that cannot be split is left out."""
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
                        command,
                        join_documents([bodies[i] for i in group], [res_ids[i] for i in group]),
                    ),
                    groups,
                )
            )
        documents = {}
        for group, pdf in zip(groups, pdfs, strict=True):
            parts = pdf and split_on_markers(pdf, [res_ids[i] for i in group])
            if not parts:
                continue
            for i, part in zip(group, parts, strict=True):
                documents[res_ids[i]] = (part, "pdf")
        return documents
