"""The layering holds (README, "Architecture"), read on the source: every import statement of
every module, at its top or inside a function.

Given the apps in their order, from upstream to downstream, when a module imports another,
then an app imports only the apps upstream of it and the small `workflows` core, which itself
imports no app; no business app imports the flows or their task views. The home page and the
demo data (`accueil`, `demo`) sit above every app; `config` assembles them all.
"""

import ast
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent

# Upstream first: an app may import the apps before it, never one after it. Apps on the same
# line import neither the other.
ORDRE = (
    ("accounts", "documents"),
    ("procurement", "travaux"),
    ("bons_de_commande",),
    ("prestataires",),
    ("remunerations",),
    ("reporting",),
    ("accueil", "demo"),
)
NIVEAU = {app: niveau for niveau, apps in enumerate(ORDRE) for app in apps}
METIER = [app for apps in ORDRE[:-1] for app in apps]

# What may import the business apps inside `workflows`: the flows, whom their tasks call
# (appels), their task views and their pages. The rest of `workflows` is its core.
WORKFLOWS_HORS_COEUR = (
    "workflows.flows",
    "workflows.appels",
    "workflows.views",
    "workflows.viewsets",
)
# The core's AppConfig imports the flows so that they register (workflows/apps.py).
CABLAGE = "workflows.apps"


def modules(app):
    for chemin in sorted((RACINE / app).rglob("*.py")):
        relatif = chemin.relative_to(RACINE).with_suffix("")
        if "migrations" not in relatif.parts:
            parties = relatif.parts[:-1] if relatif.name == "__init__" else relatif.parts
            yield ".".join(parties), chemin


def importes(nom, chemin):
    """Each import statement anywhere in module `nom`, as its line and the modules it may name:
    `from a import b` names a and a.b (b may be a module); relative imports are resolved."""
    paquet = nom if chemin.name == "__init__.py" else nom.rpartition(".")[0]
    for noeud in ast.walk(ast.parse(chemin.read_text(), str(chemin))):
        if isinstance(noeud, ast.Import):
            for alias in noeud.names:
                yield noeud.lineno, [alias.name]
        elif isinstance(noeud, ast.ImportFrom):
            base = noeud.module or ""
            if noeud.level:
                parent = paquet.split(".")[: len(paquet.split(".")) - noeud.level + 1]
                base = ".".join([*parent, base] if base else parent)
            yield noeud.lineno, [base, *(f"{base}.{alias.name}" for alias in noeud.names)]


def est(module, *prefixes):
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def violations(apps, regle):
    """`path:line imports module` for each import statement that breaks the rule."""
    trouvees = []
    for app in apps:
        for nom, chemin in modules(app):
            for ligne, noms in importes(nom, chemin):
                interdits = [importe for importe in noms if regle(nom, importe)]
                if interdits:
                    relatif = chemin.relative_to(RACINE)
                    trouvees.append(f"{relatif}:{ligne} imports {interdits[0]}")
    return trouvees


def test_no_business_app_imports_the_flows_or_the_task_views():
    trouvees = violations(METIER, lambda nom, importe: est(importe, *WORKFLOWS_HORS_COEUR))
    assert not trouvees, "\n".join(trouvees)


def test_the_workflows_core_imports_no_app():
    def interdit(nom, importe):
        if est(nom, *WORKFLOWS_HORS_COEUR):
            return False
        return est(importe, *NIVEAU) or (nom != CABLAGE and est(importe, *WORKFLOWS_HORS_COEUR))

    trouvees = violations(["workflows"], interdit)
    assert not trouvees, "\n".join(trouvees)


def test_no_app_imports_an_app_downstream_of_it():
    def en_aval(nom, importe):
        app, cible = nom.partition(".")[0], importe.partition(".")[0]
        return cible in NIVEAU and cible != app and NIVEAU[cible] >= NIVEAU[app]

    trouvees = violations(NIVEAU, en_aval)
    assert not trouvees, "\n".join(trouvees)


# A module a reader takes in whole: past this size it does several jobs, to split along its
# seams (issue 15). config/urls.py only assembles the apps' pages (README, "Architecture").
LIGNES_PAR_MODULE = 600
LIGNES_DE_CONFIG_URLS = 80


def modules_du_projet():
    """Every Python file of the project outside the migrations: at its root and in its folders
    (not the hidden ones, such as a virtualenv, nor the installed package's metadata)."""
    yield from sorted(RACINE.glob("*.py"))
    for dossier in sorted(RACINE.iterdir()):
        if dossier.is_dir() and not dossier.name.startswith(".") and dossier.suffix != ".egg-info":
            for chemin in sorted(dossier.rglob("*.py")):
                if "migrations" not in chemin.relative_to(RACINE).parts:
                    yield chemin


def test_no_module_outside_the_migrations_runs_past_600_lines():
    trop_longs = [
        f"{chemin.relative_to(RACINE)}: {lignes} lines"
        for chemin in modules_du_projet()
        if (lignes := len(chemin.read_text().splitlines())) > LIGNES_PAR_MODULE
    ]
    assert not trop_longs, "\n".join(trop_longs)


def test_config_urls_only_assembles_the_apps_pages():
    lignes = len((RACINE / "config" / "urls.py").read_text().splitlines())
    assert lignes <= LIGNES_DE_CONFIG_URLS, f"config/urls.py: {lignes} lines"
