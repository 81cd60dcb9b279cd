"""Jinja rendering of plain-data contexts to HTML, and HTML to PDF with WeasyPrint.

Autoescape is on and undefined names are errors, so a unit's text can never
become markup and a missing field never renders as an empty string.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from . import fmt


def environment(templates_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(fmt.jinja_filters())
    return env


def render_html(templates_dir: Path, template: str, context: dict[str, Any]) -> str:
    return environment(templates_dir).get_template(template).render(**context)


def font_face_css(fonts_dir: Path) -> str:
    """@font-face rules pointing at the shipped Liberation Serif files (for WeasyPrint)."""
    faces = [("Regular", "normal", "normal"), ("Bold", "bold", "normal"), ("Italic", "normal", "italic"), ("BoldItalic", "bold", "italic")]
    rules = []
    for name, weight, style in faces:
        url = (fonts_dir / f"LiberationSerif-{name}.ttf").resolve().as_uri()
        rules.append(
            f'@font-face {{ font-family: "Report Serif"; src: url("{url}"); font-weight: {weight}; font-style: {style}; }}'
        )
    return "\n".join(rules)


def write_pdf(html: str, path: Path, fonts_dir: Path, base_url: Path, title: str) -> None:
    """Render ``html`` to ``path`` with the shipped fonts embedded."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    css = CSS(string=font_face_css(fonts_dir), font_config=font_config)
    document = HTML(string=html, base_url=str(base_url)).render(stylesheets=[css], font_config=font_config)
    document.metadata.title = title
    document.metadata.authors = ["dxreport"]
    document.metadata.lang = "vi"
    document.write_pdf(str(path))
