"""Where a command's file goes: to --sortie when given, else to standard output (text as text,
XLSX and PDF as bytes)."""

import sys


def ecrire(commande, contenu: str | bytes, sortie: str | None):
    if sortie:
        mode = "w" if isinstance(contenu, str) else "wb"
        with open(sortie, mode, encoding="utf-8" if mode == "w" else None) as fichier:
            fichier.write(contenu)
    elif isinstance(contenu, str):
        commande.stdout.write(contenu, ending="" if contenu.endswith("\n") else "\n")
    else:
        sys.stdout.buffer.write(contenu)
