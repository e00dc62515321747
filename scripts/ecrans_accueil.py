"""The first screen of each role's home, as the demo shows it, saved under docs/ecrans/.

    make run                      # in another terminal: the demo on 127.0.0.1:8000
    .venv/bin/python scripts/ecrans_accueil.py [--url http://127.0.0.1:8000]

Drives Debian's Chromium (/usr/bin/chromium, or CHROMIUM=...) with Playwright, logs each demo
user in through the login page and keeps what fits on the first screen (1366 × 900, and
390 × 844 for the chargé d'insertion, who works from a phone): what each role sees before
scrolling is what the home promises (README, « Ce que chaque rôle voit d'abord »)."""

import argparse
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

MOT_DE_PASSE = "demo-parcours-2026"
# (user, file, width, height)
ECRANS = [
    ("conseiller1", "accueil-conseiller.png", 1366, 900),
    ("ts1", "accueil-travailleur-social.png", 1366, 900),
    ("commission1", "accueil-commission.png", 1366, 900),
    ("gestionnaire1", "accueil-gestionnaire.png", 1366, 900),
    ("finance1", "accueil-finance.png", 1366, 900),
    ("alpha1", "accueil-prestataire.png", 1366, 900),
    ("beta1", "accueil-prestataire-beta.png", 1366, 900),
    ("alpha2", "accueil-charge-insertion-telephone.png", 390, 844),
    ("admin", "accueil-administrateur.png", 1366, 900),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--dossier", default=Path(__file__).resolve().parent.parent / "docs/ecrans")
    options = parser.parse_args()
    dossier = Path(options.dossier)
    dossier.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        navigateur = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu"],
        )
        for utilisateur, fichier, largeur, hauteur in ECRANS:
            contexte = navigateur.new_context(
                viewport={"width": largeur, "height": hauteur}, locale="fr-FR"
            )
            page = contexte.new_page()
            page.goto(f"{options.url}/accounts/login/")
            page.fill("input[name=username]", utilisateur)
            page.fill("input[name=password]", MOT_DE_PASSE)
            with page.expect_navigation():
                page.locator("input[name=password]").press("Enter")
            page.goto(f"{options.url}/accueil/")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=dossier / fichier)
            print(dossier / fichier)
            contexte.close()
        navigateur.close()


if __name__ == "__main__":
    main()
