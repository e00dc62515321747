"""What the Content-Security-Policy lets through of viewflow's own templates.

Our templates have no inline script, no <style> and no style= attribute (tests/test_csp.py):
their styles are in static/. viewflow's templates, installed with the package, carry fixed
style= attributes (`style="width:100%"`) and two fixed onclick handlers (`history.back`). Rather
than copying a dozen of its templates to edit them, the policy allows those exact texts by their
SHA-256 ('unsafe-hashes': the attribute whose text hashes to one of these, nothing else; no
'unsafe-inline'). They are read from the installed package when the settings load, so a viewflow
upgrade brings its own. Texts built from template variables are not allowed (none is used).
"""

import base64
import hashlib
import html
import re
from importlib.util import find_spec
from pathlib import Path

# Found without importing viewflow: its import reads the settings, which are loading (a
# production setting's refusal would then be swallowed by a half-loaded settings object).
VIEWFLOW = Path(find_spec("viewflow").origin).parent
TEMPLATES_DE_VIEWFLOW = VIEWFLOW / "templates"
ATTRIBUT_STYLE = re.compile(r'\sstyle="([^"]*)"')
GESTIONNAIRE_D_EVENEMENT = re.compile(r'\son[a-z]+="([^"]*)"')
ELEMENT_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL)


def _empreinte(texte: str) -> str:
    condensat = hashlib.sha256(html.unescape(texte).encode()).digest()
    return f"'sha256-{base64.b64encode(condensat).decode()}'"


def empreintes(motif: re.Pattern, dossier: Path = TEMPLATES_DE_VIEWFLOW) -> list[str]:
    """The hashes of the fixed texts `motif` finds in the templates under `dossier`."""
    textes = {
        texte
        for fichier in dossier.rglob("*.html")
        for texte in motif.findall(fichier.read_text(encoding="utf-8"))
        if "{{" not in texte and "{%" not in texte
    }
    return sorted(_empreinte(texte) for texte in textes)


TURBO = VIEWFLOW / "static" / "viewflow" / "js" / "turbo.es2017-umd.js"
CSS_DE_LA_BARRE_TURBO = re.compile(r"static get defaultCSS\(\) \{\s*return unindent `(.*?)`;", re.S)


def empreinte_barre_de_progression_turbo(fichier: Path = TURBO) -> list[str]:
    """Turbo (viewflow's page loader) inserts a <style> for its progress bar, the text of
    `ProgressBar.defaultCSS`: its hash, computed as Turbo builds it (`unindent`, durations
    of 300 ms). Empty if a Turbo upgrade changes that code (tests/test_csp.py then fails)."""
    trouve = CSS_DE_LA_BARRE_TURBO.search(fichier.read_text(encoding="utf-8"))
    duree = re.search(r"ProgressBar\.animationDuration = (\d+);", trouve.string if trouve else "")
    if not trouve or not duree:
        return []
    texte = trouve.group(1)
    texte = texte.replace("${ProgressBar.animationDuration}", duree.group(1))
    texte = texte.replace("${ProgressBar.animationDuration / 2}", str(int(duree.group(1)) // 2))
    lignes = texte.removeprefix("\n").split("\n")
    retrait = len(lignes[0]) - len(lignes[0].lstrip())
    return [_empreinte("\n".join(ligne[retrait:] for ligne in lignes))]
