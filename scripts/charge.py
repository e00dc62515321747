"""Load test: concurrent logged-in demo users of every role; fail on any server error.

    scripts/charge.sh [--utilisateurs 50] [--duree 120] [--requetes 30000]
    .venv/bin/python scripts/charge.py http://127.0.0.1:PORT [the same options]

scripts/charge.sh boots the production settings under gunicorn on a PostgreSQL database of its
own with the demo data, starts the timer runner beside it, then runs this script against it.

Each virtual user is a demo user (several sessions per user when there are more virtual users
than demo users), logged in through the real login form. The sessions of each demo user
find together the pages of its role as scripts/smoke_crawl.py does (its menus, a few records of
each list, the pages creating a record, the PDF and spreadsheet files they link to, the forms
those pages post); then every session fetches those pages at random, and at each beat of the
clock (every `--battement` seconds) all sessions of the same demo user post the same form of
the same record at the same moment, showing the page first as a user would: saving a
declaration, acknowledging, marking a notification read, deciding... deliberately contended.
The prestataires' sessions also try the records of another prestataire, which must answer 403
or 404.

Counted as errors: any 5xx or network failure; any other answer of 400 or more, but for the
deliberate probes (which must answer 403 or 404: anything else is an error), a page on which
this run acted (a task done closes: 403 or 404 then) and a form's 400 (its refusal shown on
the form, counted apart: contention makes many); a failed login; a bug of this script.
The summary gives the requests, the errors by status and address, p50, p95, p99 and max, and
the counts by role; the exit status is 1 when there is any error.

Bounded: loopback targets only (a test bench, never a server of others), at most
LIMITE_UTILISATEURS virtual users, LIMITE_DUREE seconds and LIMITE_REQUETES requests.
Standard library only (threads; the HTTP of scripts/smoke_crawl.py).
"""

import argparse
import ipaddress
import random
import re
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.smoke_crawl import (  # noqa: E402
    DEMO_PASSWORD,
    LOGIN_PATH,
    Browser,
    Response,
    http_fetch,
    parse,
    read_totp_keys,
    same_origin_path,
    wait_until_up,
)

LIMITE_UTILISATEURS = 50
LIMITE_DUREE = 120
LIMITE_REQUETES = 50_000
ROLES = {
    "admin": "administrateur", "conseiller1": "conseiller", "conseiller2": "conseiller",
    "ts1": "travailleur social", "commission1": "commission", "gestionnaire1": "gestionnaire",
    "finance1": "finance", "alpha1": "prestataire (direction)", "beta1": "prestataire (direction)",
    "gamma1": "prestataire (direction)", "alpha2": "prestataire (chargé)",
}  # fmt: skip
# Another prestataire's records: each must stay out of reach of these users.
SONDES = {"beta1": "alpha1", "gamma1": "alpha1", "alpha2": "beta1"}
FICHIER = re.compile(r"(\.pdf|\.xlsx|\.csv|/pdf/|/xlsx/|/csv/|format=(pdf|xlsx|csv))", re.I)
# Never followed nor posted: they end the session, delete, or belong to the admin's and the
# accounts' pages (passwords), which this load leaves alone.
EXCLUS = re.compile(
    r"(/(logout|delete|cancel|undo|revive|assign|unassign)/|^/admin/|^/accounts/)", re.I
)
FICHE = re.compile(r"/\d+/$")  # a record's own page
CREATION = re.compile(r"/(nouveau|nouvelle)/$")  # a page creating a record


class Arret(Exception):
    """The run's time or request budget is spent: the session stops."""


@dataclass(frozen=True)
class Formulaire:
    """One way to post a form: its address, its fields as the page holds them, and the
    submit button pressed (ActionsMixin pages name the action by their button)."""

    page: str
    action: str
    bouton: tuple[str, str] | None

    def cle(self):
        return (self.page, self.action, self.bouton)


def saisie(nom: str, genre: str, attrs: dict) -> str:
    """What a user types in an empty field, so that the form's action really runs: a date of
    today (of birth: 01/01/1990), a number at its minimum, a word elsewhere."""
    if genre == "date":
        return date.today().isoformat()
    if genre == "number":
        return attrs.get("min") or "1"
    if genre == "email":
        return "charge@exemple.nc"
    if genre == "tel":
        return "250000"
    if genre not in ("text", "search", "textarea"):
        return ""
    if "naissance" in nom:
        return "01/01/1990"
    if "date" in nom or nom.endswith(("debut", "fin", "echeance", "valide_le")):
        return date.today().strftime("%d/%m/%Y")
    return "Charge"


class _Formulaires(HTMLParser):
    """The POST forms of a page, filled as a user would: the page's values, an empty field
    filled (`saisie`), a list's choice or its first real option."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.formulaires, self._courant, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "").lower() == "post":
                self._courant = {"action": attrs.get("action") or "", "champs": [], "boutons": []}
                self._courant["fichier"] = "multipart" in (attrs.get("enctype") or "")
                self.formulaires.append(self._courant)
            return
        if tag == "option" and self._select is not None:
            valeur = attrs.get("value") or ""
            if valeur and self._select[1] is None:
                self._select[1] = valeur
            if "selected" in attrs:
                self._select[2] = valeur
            return
        form, nom = self._courant, attrs.get("name")
        if form is None or not nom:
            return
        genre = (attrs.get("type") or "text").lower()
        if tag == "button" or (tag == "input" and genre == "submit"):
            form["boutons"].append((nom, attrs.get("value") or ""))
        elif tag == "input" and genre == "file":
            form["fichier"] = True
        elif tag == "input" and (genre not in ("checkbox", "radio") or "checked" in attrs):
            form["champs"].append((nom, attrs.get("value") or saisie(nom, genre, attrs)))
        elif tag == "select":
            self._select = [nom, None, None]  # name, first real option, selected option
        elif tag == "textarea":
            self._textarea = [nom, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._courant = None
        elif tag == "select" and self._select is not None and self._courant is not None:
            nom, premiere, choisie = self._select
            self._courant["champs"].append((nom, choisie if choisie else premiere or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._courant is not None:
            nom, texte = self._textarea
            self._courant["champs"].append((nom, texte or saisie(nom, "textarea", {})))
            self._textarea = None


def formulaires(page: str, html: str, origin: str) -> list[tuple[Formulaire, list]]:
    """Each way to post the page's forms, with the fields to send."""
    parser = _Formulaires()
    parser.feed(html)
    trouves = []
    for form in parser.formulaires:
        action = same_origin_path(page, form["action"] or page, origin)
        if action is None or form["fichier"] or EXCLUS.search(urlsplit(action).path):
            continue
        for bouton in form["boutons"] or [None]:
            trouves.append((Formulaire(page, action, bouton), form["champs"]))
    return trouves


@dataclass
class Plan:
    """What the sessions of one demo user do: the pages and files of their role, the forms
    they post; and the pages still to open to find them, shared by those sessions."""

    par_page: int = 3
    pages: list[str] = field(default_factory=list)
    fichiers: list[str] = field(default_factory=list)
    formulaires: list[Formulaire] = field(default_factory=list)
    a_ouvrir: deque = field(default_factory=deque)  # (path, is a menu page)
    vus: set = field(default_factory=set)
    _verrou: threading.Lock = field(default_factory=threading.Lock)

    def suivante(self) -> tuple[str, bool] | None:
        with self._verrou:
            return self.a_ouvrir.popleft() if self.a_ouvrir else None

    def trouver(self, liens: list[str], menu: bool, fiches: bool = False):
        """Links of a page opened: files kept; the menu pages, or from a list `par_page`
        records and the pages creating one, to open in turn."""
        with self._verrou:
            nouveaux = [lien for lien in dict.fromkeys(liens) if lien not in self.vus]
            self.vus.update(nouveaux)
            self.fichiers += [lien for lien in nouveaux if FICHIER.search(lien)]
            if menu:
                self.a_ouvrir.extend((lien, True) for lien in nouveaux)
            if fiches:
                chemins = [(lien, urlsplit(lien).path) for lien in nouveaux]
                records = [lien for lien, chemin in chemins if FICHE.search(chemin)]
                creations = [lien for lien, chemin in chemins if CREATION.search(chemin)]
                self.a_ouvrir.extend((lien, False) for lien in records[: self.par_page])
                self.a_ouvrir.extend((lien, False) for lien in creations)

    def formulaires_de(self, trouves: list[Formulaire]):
        with self._verrou:
            connus = {f.cle() for f in self.formulaires}
            for formulaire in trouves:
                if formulaire.cle() not in connus:
                    connus.add(formulaire.cle())
                    self.formulaires.append(formulaire)


# What else than 2xx and 3xx each kind of request may answer: a form its refusal, shown on it;
# a page on which this run acted (a task done, a record moved on) that it is no longer open.
TOLERES = {"formulaire": (400,), "page agie": (403, 404)}


@dataclass
class Mesure:
    user: str
    genre: str  # page, page agie, fichier, formulaire, sonde
    methode: str
    chemin: str
    statut: int
    secondes: float
    bouton: str = ""  # the action a form's button names

    @property
    def erreur(self) -> bool:
        if self.genre in ("exception", "connexion"):
            return True
        if self.genre == "sonde":
            return self.statut not in (403, 404)
        if self.statut >= 500:
            return True
        return self.statut >= 400 and self.statut not in TOLERES.get(self.genre, ())


class Budget:
    """The run's bounds shared by every session: a deadline and a number of requests."""

    def __init__(self, secondes: float, requetes: int):
        self.fin = time.monotonic() + secondes
        self.restantes = requetes
        self._verrou = threading.Lock()

    def verifier(self):
        if self.restantes <= 0 or time.monotonic() >= self.fin:
            raise Arret

    def prendre(self):
        with self._verrou:
            self.verifier()
            self.restantes -= 1


class Mesures:
    """Every request measured, and the pages on which a form was accepted."""

    def __init__(self):
        self.liste: list[Mesure] = []
        self.agies: set[str] = set()
        self._verrou = threading.Lock()

    def ajouter(self, mesure: Mesure):
        with self._verrou:
            self.liste.append(mesure)

    def agir(self, page: str):
        with self._verrou:
            self.agies.add(page)


class Session:
    """One virtual user: a demo user's browser whose requests are measured and budgeted."""

    def __init__(self, fetch, origin, user, budget: Budget, mesures: Mesures):
        self.user, self.budget, self.mesures, self.genre = user, budget, mesures, "page"
        self.bouton = ""
        self.browser = Browser(self._mesuree(fetch), origin)
        self.origin = origin

    def _mesuree(self, fetch):
        def mesuree(method, path, headers, body):
            self.budget.prendre()
            debut = time.monotonic()
            reponse = fetch(method, path, headers, body)
            self.mesures.ajouter(
                Mesure(self.user, self.genre, method, path, reponse.status,
                       time.monotonic() - debut, self.bouton if method == "POST" else "")
            )  # fmt: skip
            return reponse

        return mesuree

    def obtenir(self, path, genre="page") -> tuple[str, Response]:
        if genre == "page" and path in self.mesures.agies:
            genre = "page agie"
        self.genre, self.bouton = genre, ""
        return self.browser.get(path)

    def poster(self, formulaire: Formulaire) -> None:
        """Show the form's page, then post that form as the page holds it now (its CSRF token,
        its record's version), pressing its button."""
        final, page = self.obtenir(formulaire.page)
        if page.status != 200 or not page.is_html:
            return
        for trouve, champs in formulaires(final, page.text, self.origin):
            if trouve.cle() == formulaire.cle():
                donnees = champs + ([formulaire.bouton] if formulaire.bouton else [])
                self.genre = "formulaire"
                self.bouton = formulaire.bouton[1] if formulaire.bouton else ""
                https = "https://" + urlsplit(self.origin).netloc
                reponse = self.browser.request(
                    "POST",
                    formulaire.action,
                    urlencode(donnees).encode(),
                    {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Origin": https,
                        "Referer": https + final,
                    },
                )
                if reponse.status < 400:
                    self.mesures.agir(formulaire.page)
                if reponse.status in (301, 302, 303):
                    target = same_origin_path(formulaire.action, reponse.header("Location"),
                                              self.origin)  # fmt: skip
                    if target:
                        self.obtenir(target)
                return


class Connexions:
    """The logins of the run. A user's sessions share one login, as the tabs of one browser
    do: production asks for a second factor, and a TOTP code is accepted once (a second
    session typing it within the same 30 s would be refused). The first session of a user logs
    in through the real forms; the others, waiting for it, take its cookies."""

    def __init__(self, cles_totp: dict[str, str]):
        self.cles_totp, self.cookies = cles_totp, {}
        self.verrous = defaultdict(threading.Lock)

    def se_connecter(self, session: "Session", user: str, password: str) -> bool:
        with self.verrous[user]:
            if user not in self.cookies:
                session.genre = "page"
                reponse = session.browser.log_in(user, password, self.cles_totp.get(user))
                landing = same_origin_path(LOGIN_PATH, reponse.header("Location"), session.origin)
                if reponse.status != 302 or landing is None or landing.startswith(LOGIN_PATH):
                    return False
                self.cookies[user] = dict(session.browser.cookies)
            session.browser.cookies = dict(self.cookies[user])
            return True


def commencer(session: Session, plan: Plan) -> None:
    """The user's first session opens the home page: its menus are the pages to open first."""
    debut, accueil = session.obtenir("/")
    menus = [_lien(session, debut, href) for href in parse(accueil.text).menu_links]
    plan.trouver([debut, *[m for m in menus if m]], menu=True)


def ouvrir(session: Session, plan: Plan, chemin: str, menu: bool) -> None:
    """Open a page still to open: keep it and its forms; what it links to (`Plan.trouver`)."""
    final, reponse = session.obtenir(chemin)
    if reponse.status != 200 or not reponse.is_html:
        return
    plan.pages.append(final)
    plan.formulaires_de([f for f, _ in formulaires(final, reponse.text, session.origin)])
    liens = (_lien(session, final, href) for href in parse(reponse.text).links)
    plan.trouver([lien for lien in liens if lien], menu=False, fiches=menu)


def _lien(session, page, href):
    lien = same_origin_path(page, href, session.origin)
    if lien is None or lien.startswith("/static/") or EXCLUS.search(urlsplit(lien).path):
        return None
    return lien


def faire_vivre(session: Session, plan: Plan, cible: Plan | None, budget: Budget, options):
    """Until the budget is spent: the next page still to open of the user's role while there
    is one, else a random page or file of the role, a probe of the records of `cible` (another
    prestataire) now and then; and at each beat
    the beat's form, posted by every session of the user at once."""
    hasard = random.Random(id(session))
    dernier_battement = int(time.time() // options.battement)
    while True:
        budget.verifier()
        sondes = [page for page in cible.pages if FICHE.search(page)] if cible else []
        battement = int(time.time() // options.battement)
        if battement != dernier_battement and plan.formulaires:
            dernier_battement = battement
            session.poster(plan.formulaires[battement % len(plan.formulaires)])
        elif suivante := plan.suivante():
            ouvrir(session, plan, *suivante)
        elif sondes and hasard.random() < 0.05:
            session.obtenir(hasard.choice(sondes), "sonde")
        elif plan.fichiers and hasard.random() < 0.15:
            session.obtenir(hasard.choice(plan.fichiers), "fichier")
        elif plan.pages:
            session.obtenir(hasard.choice(plan.pages))
        else:
            time.sleep(0.2)  # the user's first session has not found a page yet
            continue
        time.sleep(hasard.uniform(0, 2 * options.pause))


@dataclass
class Options:
    origin: str
    utilisateurs: int = 50
    duree: float = LIMITE_DUREE
    requetes: int = 30_000
    par_page: int = 3
    battement: float = 5
    pause: float = 0.5
    verifier: bool = False
    cles_totp: str | None = None


def origine_locale(origin: str) -> str | None:
    """Why `origin` is refused (in French), or None: only http on the loopback."""
    url = urlsplit(origin)
    hote = url.hostname or ""
    if url.scheme != "http" or url.path not in ("", "/") or url.query:
        return f"Refusé : « {origin} » n'est pas une adresse http://127.0.0.1:PORT."
    if hote != "localhost":
        try:
            locale = ipaddress.ip_address(hote).is_loopback
        except ValueError:
            locale = False
        if not locale:
            return f"Refusé : « {hote} » n'est pas cette machine ; la charge ne vise que 127.0.0.1."
    return None


def refus(options: Options) -> list[str]:
    """The French reasons the options are refused: not loopback, or out of bounds."""
    raisons = [r for r in [origine_locale(options.origin)] if r]
    if not 1 <= options.utilisateurs <= LIMITE_UTILISATEURS:
        raisons.append(f"Refusé : de 1 à {LIMITE_UTILISATEURS} utilisateurs.")
    if not 1 <= options.duree <= LIMITE_DUREE:
        raisons.append(f"Refusé : une durée de 1 à {LIMITE_DUREE} secondes.")
    if not 1 <= options.requetes <= LIMITE_REQUETES:
        raisons.append(f"Refusé : de 1 à {LIMITE_REQUETES} requêtes.")
    if not 1 <= options.battement <= 60 or not 0 <= options.pause <= 10:
        raisons.append("Refusé : un battement de 1 à 60 s, une pause de 0 à 10 s.")
    return raisons


def charger(options: Options, fetch=None) -> list[Mesure]:
    """Run the load; the measures of every request."""
    http_timeout = 60
    fetch = fetch or http_fetch(options.origin, timeout=http_timeout)
    demo = list(ROLES)
    users = [demo[i % len(demo)] for i in range(options.utilisateurs)]
    budget, mesures = Budget(options.duree, options.requetes), Mesures()
    plans = {user: Plan(options.par_page) for user in demo}
    connexions = Connexions(read_totp_keys(options.cles_totp))

    def vivre(rang, user):
        session = Session(fetch, options.origin, user, budget, mesures)
        try:
            if not connexions.se_connecter(session, user, DEMO_PASSWORD):
                mesures.ajouter(Mesure(user, "connexion", "POST", LOGIN_PATH, 401, 0))
                return
            plan = plans[user]
            if users.index(user) == rang:
                commencer(session, plan)
            cible = plans.get(SONDES.get(user, ""))
            faire_vivre(session, plan, cible, budget, options)
        except Arret:
            pass
        except Exception as erreur:  # a bug of this script is an error too, never a hang
            mesures.ajouter(Mesure(user, "exception", "-", repr(erreur), 0, 0))

    fils = [threading.Thread(target=vivre, args=(i, u), daemon=True) for i, u in enumerate(users)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(max(0, budget.fin + http_timeout - time.monotonic()))
    return mesures.liste


def resume(mesures: list[Mesure], secondes: float) -> tuple[str, int]:
    """The summary printed, and the number of errors."""
    lignes = []
    erreurs = [m for m in mesures if m.erreur]
    mesures = [m for m in mesures if m.genre not in ("connexion", "exception")]  # requests only
    durees = sorted(m.secondes for m in mesures)
    if len(durees) >= 2:
        centiles = statistics.quantiles(durees, n=100, method="inclusive")
        p50, p95, p99 = centiles[49], centiles[94], centiles[98]
    else:
        p50 = p95 = p99 = durees[0] if durees else 0
    lignes.append(
        f"{len(mesures)} requêtes en {secondes:.0f} s ({len(mesures) / max(secondes, 1):.1f}/s) ;"
        f" p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms,"
        f" max {(durees[-1] if durees else 0) * 1000:.0f} ms"
    )
    par_genre = Counter(m.genre for m in mesures)
    lignes.append("  " + ", ".join(f"{genre} {n}" for genre, n in sorted(par_genre.items())))
    refus_400 = sum(1 for m in mesures if m.genre == "formulaire" and m.statut == 400)
    lignes.append(f"  formulaires refusés sur place (400, message sur le formulaire) : {refus_400}")
    par_role = defaultdict(Counter)
    for m in mesures:
        par_role[ROLES.get(m.user, m.user)][m.user] += 1
    envois = Counter((m.chemin, m.bouton, m.statut) for m in mesures if m.genre == "formulaire")
    for (chemin, bouton, statut), n in sorted(envois.items()):
        lignes.append(f"    {statut}  POST {chemin} {bouton}".rstrip() + f" × {n}")
    for role, users in sorted(par_role.items()):
        detail = ", ".join(f"{u} {n}" for u, n in sorted(users.items()))
        lignes.append(f"  {role:<25} {sum(users.values()):>6}  ({detail})")
    if erreurs:
        lignes.append(f"ÉCHEC : {len(erreurs)} erreur(s) :")
        groupes = Counter((m.statut, m.methode, m.chemin, m.genre) for m in erreurs)
        for (statut, methode, chemin, genre), n in groupes.most_common(40):
            lignes.append(f"  {statut}  {methode} {chemin}  ({genre}) × {n}")
    else:
        lignes.append("Aucune erreur.")
    return "\n".join(lignes), len(erreurs)


def lire_options(argv) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("origin", help="http://127.0.0.1:PORT (gunicorn)")
    parser.add_argument("--utilisateurs", type=int, default=50, help="sessions simultanées")
    parser.add_argument("--duree", type=float, default=LIMITE_DUREE, help="secondes")
    parser.add_argument("--requetes", type=int, default=30_000, help="au plus, en tout")
    parser.add_argument("--par-page", type=int, default=3, help="fiches suivies par liste")
    parser.add_argument("--battement", type=float, default=5, help="secondes entre deux envois")
    parser.add_argument("--pause", type=float, default=0.5, help="pause moyenne, secondes")
    parser.add_argument("--verifier", action="store_true", help="vérifier les options, sans charge")
    parser.add_argument(
        "--cles-totp", help="fichier de lignes « identifiant clé » (manage.py enroler_totp)"
    )
    return Options(**vars(parser.parse_args(argv)))


def main(argv=None) -> int:
    options = lire_options(argv)
    raisons = refus(options)
    if raisons:
        print("\n".join(raisons), file=sys.stderr)
        return 2
    if options.verifier:
        return 0
    if not wait_until_up(http_fetch(options.origin), 60):
        print(f"Le serveur ne répond pas sur {options.origin}{LOGIN_PATH}.", file=sys.stderr)
        return 1
    print(
        f"Charge : {options.utilisateurs} utilisateurs, {options.duree:.0f} s au plus,"
        f" {options.requetes} requêtes au plus, sur {options.origin}"
    )
    debut = time.monotonic()
    mesures = charger(options)
    texte, erreurs = resume(mesures, time.monotonic() - debut)
    print(texte, file=sys.stderr if erreurs else sys.stdout)
    return 1 if erreurs else 0


if __name__ == "__main__":
    sys.exit(main())
