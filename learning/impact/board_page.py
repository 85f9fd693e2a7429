"""The board pack's impact page: confidence before and after per recommendation (a bar
chart drawn with the PDF's own shapes, and the figures in a table) and the share who had
used the learning at follow-up. Figures from fewer than MIN_PEOPLE people are left out.
`impact_page(pdf, figures)` takes the board pack's FPDF document (learning/compliance/board_pack/)."""
from __future__ import annotations

from typing import Any

from fpdf.fonts import FontFace

from learning.impact.service import Figures

BLUE, DARK_GREY, BLACK = (29, 112, 184), (80, 90, 95), (11, 12, 12)


def _text(pdf: Any, value: str) -> str:
    return pdf.text_of(value) if hasattr(pdf, "text_of") else value


def _chart(pdf: Any, found: Figures) -> None:
    shown = [r for r in found.recommendations if not r.total.confidence_suppressed]
    if not shown:
        return
    left, width, bar = pdf.l_margin, 120, 3.2
    pdf.set_font(pdf.family, "", 8)
    for rec in shown:
        if pdf.get_y() > pdf.h - 40:
            pdf.add_page()
        pdf.set_x(left)
        pdf.cell(0, 4, _text(pdf, rec.title[:110]), new_x="LMARGIN", new_y="NEXT")
        for value, colour in ((rec.total.before or 0, DARK_GREY), (rec.total.after or 0, BLUE)):
            y = pdf.get_y()
            pdf.set_fill_color(*colour)
            pdf.rect(left, y + 0.4, width * value / 5, bar, style="F")
            pdf.set_xy(left + width * value / 5 + 2, y)
            pdf.cell(12, bar + 0.8, f"{value:.1f}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    pdf.set_font(pdf.family, "", 8)
    for label, colour in (("Before", DARK_GREY), ("After (mean out of 5)", BLUE)):
        pdf.set_fill_color(*colour)
        pdf.rect(left, pdf.get_y() + 1.2, 6, 1.6, style="F")
        pdf.set_x(left + 8)
        pdf.cell(0, 4, label, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def impact_page(pdf: Any, found: Figures) -> None:
    """Add the impact page (or pages) to the board pack."""
    pdf.add_page(orientation="portrait")
    pdf.heading("Learning into practice")
    pdf.para("For each recommendation of the review: people trained, their mean confidence (1 to 5) before and "
             "after the learning, and the share who said at the follow-up that they had used it in their practice. "
             f"Figures from fewer than {found.min_people} people are not shown.", 10)
    _chart(pdf, found)
    hidden = f"fewer than {found.min_people}"
    rows = []
    for rec in found.recommendations:
        c = rec.total
        confidence = (f"{c.before:.1f} to {c.after:.1f} ({c.rated} people)" if not c.confidence_suppressed
                      else hidden if c.rated else "no ratings yet")
        used = f"{c.used_percent}% of {c.answered}" if not c.follow_up_suppressed else hidden if c.answered else "no answers yet"
        rows.append((rec.title, f"{c.trained:,}", confidence, used))
    pdf.set_font(pdf.family, "", 9)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_draw_color(*BLACK)
    pdf.set_line_width(0.2)
    style = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=BLUE)
    with pdf.table(col_widths=(80, 20, 44, 30), width=174, align="LEFT", headings_style=style, line_height=4.5,
                   repeat_headings=1, text_align="LEFT") as table:
        table.row([_text(pdf, h) for h in ("Recommendation", "People trained", "Confidence before to after (everyone who rated)",
                                            "Used at follow-up")])
        for row in rows:
            table.row([_text(pdf, str(v)) for v in row])
    pdf.ln(4)
