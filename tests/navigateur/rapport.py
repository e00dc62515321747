"""The end of the run's report (a hook of tests/conftest.py, which xdist's controller loads,
unlike tests/navigateur/conftest.py): when the browser journeys were skipped for want of
Chromium, one line says how many."""

RAISON = "navigateur absent"


def pytest_terminal_summary(terminalreporter):
    sautes = [
        rapport
        for rapport in terminalreporter.stats.get("skipped", [])
        if RAISON in str(rapport.longrepr)
    ]
    if sautes:
        terminalreporter.write_line(
            f"Parcours dans le navigateur : {len(sautes)} sauté(s), Chromium absent "
            "(apt-get install chromium, ou CHROMIUM=chemin du navigateur).",
            yellow=True,
            bold=True,
        )
