"""The board pack's page: A4 with the partnership and the protective marking in the header,
the date produced, the marking and "Page X of Y" in the footer; headings, paragraphs,
tables and a line chart drawn with fpdf2 (a kept library that needs nothing outside Python)."""
from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from learning.compliance.trend import Trend, month_label

FONTS = Path("/usr/share/fonts/truetype/dejavu")
BLUE, GREY, BLACK = (29, 112, 184), (177, 180, 182), (11, 12, 12)
# Line colours a reader can tell apart (GOV.UK's palette), in module order.
SHADES = [BLUE, (212, 53, 28), (0, 112, 60), (244, 119, 56), (76, 44, 146), (11, 12, 12), (213, 56, 128),
          (80, 90, 95), (133, 153, 75), (143, 35, 179)]


class Pack(FPDF):
    def __init__(self, partnership: str, marking: str, produced: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.partnership, self.marking, self.produced = partnership, marking, produced
        self.set_margins(18, 20, 18)
        self.set_auto_page_break(True, margin=20)
        if (FONTS / "DejaVuSans.ttf").exists():
            self.add_font("Body", "", str(FONTS / "DejaVuSans.ttf"))
            self.add_font("Body", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
            self.family = "Body"
        else:  # the core font holds Latin-1 only
            self.family = "Helvetica"
        self.alias_nb_pages()

    def text_of(self, value: str) -> str:
        if self.family == "Helvetica":
            return value.encode("latin-1", "replace").decode("latin-1")
        return value

    def header(self):
        self.set_y(9)
        self.set_font(self.family, "", 9)
        self.set_text_color(*BLACK)
        self.cell(0, 5, self.text_of(self.partnership), align="L")
        self.set_x(self.l_margin)
        self.set_font(self.family, "B", 9)
        self.cell(0, 5, self.text_of(self.marking), align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*GREY)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.set_y(self.t_margin)

    def footer(self):
        self.set_y(-14)
        self.set_font(self.family, "", 9)
        self.cell(0, 5, f"Produced {self.produced}", align="L")
        self.set_x(self.l_margin)
        self.set_font(self.family, "B", 9)
        self.cell(0, 5, self.text_of(self.marking), align="C")
        self.set_x(self.l_margin)
        self.set_font(self.family, "", 9)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    def heading(self, text: str, size: int = 16):
        self.set_font(self.family, "B", size)
        self.multi_cell(0, size * 0.5, self.text_of(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def para(self, text: str, size: int = 11):
        self.set_font(self.family, "", size)
        self.multi_cell(0, size * 0.5, self.text_of(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def grid(self, headings: list[str], rows: list[tuple], widths: tuple, size: int = 10,
             align: str | None = None) -> None:
        """A table with blue headings repeated on every page it runs onto. `align`: one letter
        per column (L or R) where numbers should line up on the right."""
        self.set_font(self.family, "", size)
        # Plain cells, whatever the chart before the table left set.
        self.set_fill_color(255, 255, 255)
        self.set_draw_color(*BLACK)
        self.set_line_width(0.2)
        heading_style = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=BLUE)
        aligns = tuple(align) if align else "LEFT"
        with self.table(col_widths=widths, width=sum(widths), align="LEFT", headings_style=heading_style,
                           line_height=size * 0.5, padding=(0.8, 1.2), repeat_headings=1, text_align=aligns) as table:
            table.row([self.text_of(h) for h in headings])
            for row in rows:
                table.row([self.text_of(str(value)) for value in row])
        self.ln(4)


def chart(pdf: Pack, trend: Trend) -> None:
    """Lines of every module on one 0-100% chart, drawn with the PDF's own lines, with a key."""
    left, top, width, height = pdf.l_margin + 12, pdf.get_y() + 2, 150, 70
    bottom = top + height
    step = width / max(len(trend.months) - 1, 1)
    pdf.set_font(pdf.family, "", 9)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*GREY)
    for level in (0, 25, 50, 75, 100):
        y = bottom - height * level / 100
        pdf.line(left, y, left + width, y)
        pdf.set_xy(left - 13, y - 2)
        pdf.cell(11, 4, f"{level}%", align="R")
    for index in (0, len(trend.months) - 1):
        pdf.set_xy(left + index * step - (0 if index == 0 else 20), bottom + 1)
        pdf.cell(20, 4, month_label(trend.months[index]), align="L" if index == 0 else "R")
    pdf.set_line_width(0.6)
    for number, line in enumerate(trend.lines):
        shade = SHADES[number % len(SHADES)]
        pdf.set_draw_color(*shade)
        pdf.set_fill_color(*shade)
        points = [(left + i * step, bottom - height * p / 100) for i, p in enumerate(line.percents) if p is not None]
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            pdf.line(x1, y1, x2, y2)
        if len(points) == 1:  # one month alone still shows
            pdf.rect(points[0][0] - 0.8, points[0][1] - 0.8, 1.6, 1.6, style="F")
    pdf.set_y(bottom + 8)
    pdf.set_font(pdf.family, "", 8)
    for number, line in enumerate(trend.lines):  # the key
        pdf.set_fill_color(*SHADES[number % len(SHADES)])
        pdf.rect(pdf.l_margin, pdf.get_y() + 1.2, 6, 1.6, style="F")
        pdf.set_x(pdf.l_margin + 8)
        last = line.known[-1] if line.known else None
        label = f"{line.title} ({last}% in {month_label(trend.months[-1])})" if line.percents[-1] is not None else line.title
        pdf.cell(0, 4, pdf.text_of(label), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
