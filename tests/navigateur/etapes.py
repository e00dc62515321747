"""The steps of the browser journeys, in one place so that they follow the pages as they change:
log in through the login page, open a page, follow a link, press a button (and confirm when
the page asks), fill a field by its label, download a file. Every page a step lands on is
checked once per journey (`Releve`): axe-core's critical and serious violations, and the
width of the page on a 390 px screen.

Selectors are what a user reads: roles and accessible names, labels.
"""

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

MOT_DE_PASSE = "demo-parcours-2026"
AXE = (Path(__file__).parent / "axe.min.js").read_text()
LARGEUR_TELEPHONE = 390
ECRAN = {"width": 1366, "height": 900}
# Long enough for a page that lays out a PDF or runs an import on a loaded machine.
ATTENTE_MS = 30_000


def modele_de_page(url: str) -> str:
    """/parcours/12/stages/3/?page=2 -> /parcours/<n>/stages/<n>/: one check per kind of page."""
    chemin = re.sub(r"^https?://[^/]+", "", url).split("?")[0].split("#")[0]
    return re.sub(r"/\d+(?=/|$)", "/<n>", chemin)


@dataclass(frozen=True)
class Constat:
    page: str
    regle: str
    detail: str
    identifiant: str

    def __str__(self):
        return f"{self.page} ({self.identifiant}) [{self.regle}] {self.detail}"


class Releve:
    """What the journey's pages break, gathered so that one failure lists them all."""

    def __init__(self):
        self.constats: list[Constat] = []
        self.pages_vues: set[tuple[str, str]] = set()

    def a_controler(self, url: str, identifiant: str) -> bool:
        """Each kind of page is checked once per journey and user (a home page differs by
        role)."""
        vue = (modele_de_page(url), identifiant)
        if vue in self.pages_vues:
            return False
        self.pages_vues.add(vue)
        return True

    def noter(self, constat: Constat):
        self.constats.append(constat)

    def verifier(self):
        fichier = os.environ.get("NAVIGATEUR_RELEVE")
        if fichier:
            with open(fichier, "a") as sortie:
                for constat in self.constats:
                    sortie.write(json.dumps(constat.__dict__, ensure_ascii=False) + "\n")
        if self.constats:
            pytest.fail(
                f"{len(self.constats)} défaut(s) d'accessibilité ou de largeur sur les pages du "
                "parcours :\n" + "\n".join(f"  {c}" for c in self.constats),
                pytrace=False,
            )


class Navigateur:
    """One user at a time in a fresh browser context (its own cookies) on the live server."""

    def __init__(self, adresse: str, nouveau_contexte, releve: Releve, horloge):
        self.adresse = adresse
        self.horloge = horloge
        self.nouveau_contexte = nouveau_contexte
        self.releve = releve
        self.page = None
        self.identifiant = None

    # Sessions and pages

    def connecter(self, identifiant: str):
        self.identifiant = identifiant
        contexte = self.nouveau_contexte(viewport=ECRAN)
        contexte.set_default_timeout(ATTENTE_MS)
        self.page = contexte.new_page()
        self.page.goto(self.adresse + "/accounts/login/")
        self.controler()
        self.page.get_by_label("Nom d’utilisateur").fill(identifiant)
        self.page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
        self.page.get_by_role("button", name="Se connecter").click()
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)
        self._attendre_turbo()
        self.controler()
        return self.page

    def aller(self, adresse: str):
        """Opens a page by its path, or by an address read earlier in the journey."""
        self.page.goto(adresse if adresse.startswith("http") else self.adresse + adresse)
        self.controler()

    def lien(self, nom, *, dans=None):
        """Follows the link named `nom` (text or pattern), in `dans` (a locator) if given."""
        cible = (dans or self.page).get_by_role("link", name=nom, exact=isinstance(nom, str))
        self._naviguer(lambda: cible.first.click())

    def bouton(self, nom, *, dans=None):
        """Presses the button `nom`; if the page then asks for a confirmation, confirms."""
        cible = (dans or self.page).get_by_role("button", name=nom, exact=isinstance(nom, str))
        self._naviguer(lambda: self._deplie(cible.first).click())
        # The panel of an irreversible step (includes/confirmation.html): its button says
        # what it confirms ("Émettre le bon", "Accepter l'état", ...).
        confirmer = self.page.get_by_role("alertdialog").get_by_role("button")
        if confirmer.count():
            self._naviguer(lambda: confirmer.first.click())

    def valider_en_seance(self, personne: str, duree_mois: int) -> str:
        """From the session's page, as its gestionnaire: `personne` on the agenda, the session
        opened; then the commission validates her for `duree_mois` and closes the session. Returns
        the session's address."""
        self.cocher(f"Inscrire {personne}")
        self.bouton("Inscrire à l'ordre du jour")
        self.bouton("Arrêter l'ordre du jour et ouvrir la séance")
        seance = self.page.url
        self.connecter("commission1")
        self.aller(seance)
        self.opter("Validée")
        self.remplir("Durée (mois)", str(duree_mois))
        self.bouton("Enregistrer la décision")
        self.bouton("Clôturer la séance et émettre le procès-verbal")
        return seance

    # Fields are found by the start of their label (Django adds " :" after it).

    def champ(self, libelle, *, dans=None):
        if isinstance(libelle, str):
            libelle = re.compile(r"^\s*" + re.escape(libelle) + r"\s*:?\*?\s*$")
        return self._deplie((dans or self.page).get_by_label(libelle).first)

    def _deplie(self, element):
        """A form folded in a <details> is opened as a user would, by its summary."""
        element.wait_for(state="attached")
        element.evaluate(
            """e => { const d = e.closest('details');
                      if (d && !d.open) { d.querySelector(':scope > summary').click(); } }"""
        )
        return element

    def remplir(self, libelle, valeur, *, dans=None):
        self.champ(libelle, dans=dans).fill(str(valeur))

    def choisir(self, libelle, option, *, dans=None):
        self.champ(libelle, dans=dans).select_option(label=option)

    def opter(self, option, *, dans=None):
        """Chooses the radio button named `option` (a choice shown whole, like a decision)."""
        radio = (dans or self.page).get_by_role("radio", name=option, exact=True)
        self._deplie(radio.first).check()

    def cocher(self, libelle, *, dans=None):
        self.champ(libelle, dans=dans).check()

    def deposer(self, libelle, fichier: Path, *, dans=None):
        self.champ(libelle, dans=dans).set_input_files(fichier)

    def telecharger(self, nom, *, role="link", dans=None) -> tuple[str, bytes]:
        """Clicks `nom` and returns the file the browser received: its name and its bytes."""
        cible = (dans or self.page).get_by_role(role, name=nom, exact=isinstance(nom, str))
        with self.page.expect_download(timeout=ATTENTE_MS) as attente:
            cible.first.click()
        fichier = attente.value
        return fichier.suggested_filename, Path(fichier.path()).read_bytes()

    def texte(self) -> str:
        return self.page.locator("body").inner_text()

    def _naviguer(self, action):
        """Runs `action` and waits for the page it leads to: a full load, or Turbo's rendering
        (which replaces the body; a form refused re-renders it too). Turbo may first show its
        cached copy of the page (a preview) and marks the document busy until the real one is
        rendered."""
        self.page.evaluate("document.body.dataset.etapePrecedente = '1'")
        action()
        self.page.locator("body[data-etape-precedente]").wait_for(state="detached")
        self._attendre_turbo()
        self.controler()

    def _attendre_turbo(self):
        self.page.locator("html:not([aria-busy]):not([data-turbo-preview])").wait_for()
        self.page.wait_for_load_state()

    # The checks of every page

    def controler(self):
        if not self.releve.a_controler(self.page.url, self.identifiant):
            return
        page = modele_de_page(self.page.url)
        # Evaluated by the browser's debugger, as the page's CSP forbids eval() to the page.
        if not self.page.evaluate("!!window.axe"):
            self.page.evaluate(AXE)
        for violation in self.page.evaluate(
            """async () => {
                // A message sliding in is read once it has arrived, not half transparent.
                await Promise.race([
                    Promise.all(document.getAnimations().map(a => a.finished.catch(() => {}))),
                    new Promise(fini => setTimeout(fini, 2000)),
                ]);
                const resultats = await window.axe.run(document, {resultTypes: ['violations']});
                return resultats.violations
                    .filter(v => v.impact === 'critical' || v.impact === 'serious')
                    .map(v => ({id: v.id, impact: v.impact, aide: v.help,
                                cibles: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
            }"""
        ):
            cibles = ", ".join(violation["cibles"])
            detail = f"{violation['impact']} : {violation['aide']} ({cibles})"
            self.releve.noter(Constat(page, f"axe:{violation['id']}", detail, self.identifiant))
        self.page.set_viewport_size({"width": LARGEUR_TELEPHONE, "height": 844})
        # Measured once the page's own resize handlers (the menu's drawer) have run.
        largeur = self.page.evaluate(
            """async () => {
                await new Promise(fini => requestAnimationFrame(() => requestAnimationFrame(fini)));
                await new Promise(fini => setTimeout(fini, 100));
                return document.documentElement.scrollWidth;
            }"""
        )
        self.page.set_viewport_size(ECRAN)
        if largeur > LARGEUR_TELEPHONE:
            self.releve.noter(
                Constat(
                    page,
                    "largeur",
                    f"{largeur} px de large sur un écran de 390 px",
                    self.identifiant,
                )
            )
