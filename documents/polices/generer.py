"""Build the PDF fonts of templates/pdf/base.html ("DEL Sans"): DejaVu Sans and DejaVu Sans Bold
cut down to the Latin scripts and the punctuation our documents use, without their layout
tables (GSUB, GPOS, GDEF: kerning, ligatures, mark positioning).

Why: WeasyPrint subsets every font it embeds, again for each PDF. Without the HarfBuzz-Subset
library (libharfbuzz-subset0) it does so with fontTools, which first reads the whole layout
tables of the font: for the full DejaVu Sans (760 KB, thousands of glyphs, large GSUB/GPOS),
with its bold and the DejaVu Serif of the footer, about 0.22 s of CPU per PDF, most of what an
80-line bon de commande cost above an empty page. From these cut-down files (90 KB, no layout
tables) the same subsets take a few milliseconds, with or without HarfBuzz-Subset (install it
all the same: WeasyPrint will drop fontTools). A character outside these ranges is still
printed: the stylesheet falls back to the system's DejaVu Sans for it. Without the layout tables
there is no kerning: a difference the eye barely sees in our forms and tables; accented letters
are precomposed.

    .venv/bin/python documents/polices/generer.py [/usr/share/fonts/truetype/dejavu]

DejaVu's licence (Bitstream Vera, DejaVu changes in the public domain) allows modified copies
under a name without "Bitstream" or "Vera"; it travels with them in LICENCE-DejaVu.txt.
"""

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ICI = Path(__file__).resolve().parent
# Basic Latin, Latin-1, Latin Extended-A and -B, spacing modifiers (ʻokina) and combining
# diacritics, Latin Extended Additional (ẽ, Vietnamese), general punctuation, currencies
# (€, ₣), letterlike symbols (№, ™), arrows, the minus sign.
PLAGES = (
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x02B0, 0x036F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x215F),
    (0x2190, 0x21FF),
    (0x2212, 0x2212),
)
POLICES = {"DejaVuSans.ttf": "DELSans.ttf", "DejaVuSans-Bold.ttf": "DELSans-Bold.ttf"}


def generer(dossier_source: Path) -> None:
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF"]
    options.hinting = False  # WeasyPrint drops the hinting anyway
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.notdef_outline = True
    options.drop_tables += ["FFTM", "MATH"]
    for source, cible in POLICES.items():
        police = TTFont(dossier_source / source)
        decoupe = subset.Subsetter(options)
        decoupe.populate(unicodes=[u for debut, fin in PLAGES for u in range(debut, fin + 1)])
        decoupe.subset(police)
        police.save(ICI / cible)


if __name__ == "__main__":
    generer(Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/dejavu"))
