"""Build each addon's README.rst and static/description/index.html from its readme/ fragments,
as OCA addons do (whool puts README.rst in the wheel's description).

Usage: python tools/gen_addon_readme.py [--check] smart_dunning smart_dunning_sale
"""

import ast
import sys
from pathlib import Path

from docutils.core import publish_string

SECTIONS = [
    ("DESCRIPTION", None),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("CONTRIBUTORS", "Contributors"),
]


def title(text, char):
    return f"{text}\n{char * len(text)}\n"


def readme_rst(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    parts = [
        ".. This file is generated from readme/ by tools/gen_addon_readme.py: edit those.\n",
        title(manifest["name"], "="),
        f"*{manifest['summary']}*\n",
        f"Version {manifest['version']}, licence {manifest['license']}, "
        f"status {manifest.get('development_status', 'Alpha')}.\n",
    ]
    for fragment, heading in SECTIONS:
        path = addon / "readme" / f"{fragment}.rst"
        if not path.exists():
            continue
        if heading:
            parts.append(title(heading, "-"))
        parts.append(path.read_text().strip() + "\n")
    return "\n".join(parts)


def index_html(rst):
    # README.rst sits in the addon's root, index.html beside the screenshots
    rst = rst.replace(".. image:: static/description/", ".. image:: ")
    return publish_string(
        rst,
        writer_name="html",
        settings_overrides={"output_encoding": "unicode", "embed_stylesheet": True},
    )


def main(argv):
    check = "--check" in argv
    stale = []
    for name in (a for a in argv if not a.startswith("--")):
        addon = Path(name)
        rst = readme_rst(addon)
        outputs = {
            addon / "README.rst": rst,
            addon / "static" / "description" / "index.html": index_html(rst),
        }
        for path, text in outputs.items():
            if path.exists() and path.read_text() == text:
                continue
            if check:
                stale.append(str(path))
            else:
                path.write_text(text)
    if stale:
        sys.exit("out of date, run tools/gen_addon_readme.py: " + ", ".join(stale))


if __name__ == "__main__":
    main(sys.argv[1:])
