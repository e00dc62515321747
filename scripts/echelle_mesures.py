"""The scale benchmark's measures (scripts/benchmark_echelle.py): the pages, each as its role,
the PDFs, and the tables that report them."""

import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
sys.path.insert(0, str(RACINE / "scripts"))


from echelle_construction import Construction, parcours_du_mois  # noqa: E402

# --- The pages -------------------------------------------------------------------------------


@dataclass
class Page:
    libelle: str
    role: str  # the username who fetches it
    url: str
    # A file made in the background: the request queues a job (run at once by the test
    # settings' immediate backend) and redirects to the job's page, which is followed.
    travail: bool = False


@dataclass
class Mesure:
    statut: int
    ms: float | None = None
    requetes: int | None = None
    ko: float | None = None
    repetitions: int = 0


@dataclass
class Sujets:
    """The records the detail pages show, chosen once at the small size and kept."""

    etat: int
    direction_de_l_etat: str
    bon: int
    lignes_du_bon: int
    parcours: int
    bon_avec_desistement: int | None = None


def choisir_les_sujets(lignes_du_bon: int = 80) -> Sujets:
    """The biggest open état (the most parcours in its month) with a direction user of its
    prestataire, the bon of the `lignes_du_bon`-person session, and a parcours of ALPHA with
    a suspension (one with a stage otherwise); and the demo's bon with a withdrawn person,
    whose page offers the prestataire's submitted prescriptions as substitutes."""
    from django.db.models import Count

    from accounts.models import User
    from accounts.roles import Role
    from bons_de_commande.enums import EtatLigne
    from bons_de_commande.models import BonDeCommande
    from prestataires.models import Parcours
    from remunerations.enums import EtatDeclaration
    from remunerations.models import EtatRemuneration

    def taille(etat):
        return parcours_du_mois(etat.mois).filter(prestataire_id=etat.prestataire_id).count()

    ouverts = EtatRemuneration.objects.exclude(etat=EtatDeclaration.ACCEPTE)
    ouverts = ouverts.filter(
        prestataire__utilisateurs__groups__name=Role.PRESTATAIRE_DIRECTION.value
    )
    etat = max(ouverts.distinct().order_by("pk"), key=taille)
    direction = (
        User.objects.filter(
            prestataire_id=etat.prestataire_id, groups__name=Role.PRESTATAIRE_DIRECTION.value
        )
        .order_by("username")
        .first()
    )
    bon = (
        BonDeCommande.objects.annotate(n=Count("lignes"))
        .filter(n=lignes_du_bon, numero__startswith="ECH-BC")
        .order_by("pk")
        .first()
    ) or BonDeCommande.objects.annotate(n=Count("lignes")).order_by("-n", "pk").first()
    alpha = Parcours.objects.filter(prestataire__code="ALPHA").order_by("pk")
    parcours = (
        alpha.filter(suspensions__isnull=False).first()
        or alpha.filter(stages__isnull=False).first()
        or alpha.first()
    )
    return Sujets(
        etat=etat.pk,
        direction_de_l_etat=direction.username,
        bon=bon.pk,
        lignes_du_bon=bon.lignes.count(),
        parcours=parcours.pk,
        bon_avec_desistement=BonDeCommande.objects.filter(
            lignes__etat__in=[EtatLigne.DESISTEMENT, EtatLigne.RETIREE]
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first(),
    )


def les_pages(sujets: Sujets, aujourd_hui: date) -> list[Page]:
    from django.urls import reverse

    annee = aujourd_hui.year - 1
    return [
        Page("Tableau de bord (pilotage)", "gestionnaire1", reverse("pilotage:index")),
        Page("Accueil du prestataire (ALPHA)", "alpha1", reverse("accueil:index")),
        Page("Synthèse des rémunérations", "finance1", reverse("remunerations:synthese")),
        Page("Liste des états de rémunération", "finance1", reverse("remunerations:index")),
        Page(
            "Un état de rémunération (le plus grand ouvert)",
            sujets.direction_de_l_etat,
            reverse("remunerations:detail", args=[sujets.etat]),
        ),
        Page("Liste des bons de commande", "gestionnaire1", reverse("commandes:index")),
        Page(
            f"Un bon de commande ({sujets.lignes_du_bon} lignes)",
            "gestionnaire1",
            reverse("commandes:detail", args=[sujets.bon]),
        ),
        *(
            [
                Page(
                    "Un bon de commande avec un désistement (démo : choix du remplaçant)",
                    "gestionnaire1",
                    reverse("commandes:detail", args=[sujets.bon_avec_desistement]),
                )
            ]
            if sujets.bon_avec_desistement
            else []
        ),
        Page("Liste des séances de commission", "gestionnaire1", reverse("seances:index")),
        Page(
            "Indicateurs, toutes les années (écran)",
            "gestionnaire1",
            f"{reverse('indicateurs:index')}?du=2022-01-01&au={aujourd_hui.isoformat()}",
        ),
        Page(
            f"Indicateurs PDF, {annee}",
            "gestionnaire1",
            f"{reverse('indicateurs:export', kwargs={'format_': 'pdf'})}"
            f"?du={annee}-01-01&au={annee}-12-31",
            travail=True,
        ),
        Page("Liste des prescriptions", "conseiller1", reverse("prescriptions:index")),
        Page("Liste des demandeurs", "conseiller1", reverse("demandeurs:index")),
        Page("Liste des parcours (ALPHA)", "alpha1", reverse("parcours:index")),
        Page("Un parcours", "alpha1", reverse("parcours:detail", args=[sujets.parcours])),
        Page("Liste des bilans de fin de parcours", "gestionnaire1", reverse("bilans:index")),
        Page("viewflow : boîte de réception (bilans)", "gestionnaire1", reverse("bilan:inbox")),
        Page("viewflow : file d'attente (bilans)", "gestionnaire1", reverse("bilan:queue")),
        Page("viewflow : processus (bilans)", "gestionnaire1", reverse("bilan:process_list")),
    ]


def _taille(reponse) -> int:
    if reponse.streaming:
        return sum(len(morceau) for morceau in reponse.streaming_content)
    return len(reponse.content)


def mesurer_page(
    client, url: str, repetitions: int, budget: float, *, suivre: bool = False
) -> Mesure:
    """One warm-up, then the median of `repetitions` requests, fewer (one at least) when
    they would pass `budget` seconds; the queries and bytes of the last one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    depart = time.perf_counter()
    reponse = client.get(url, follow=suivre)
    _taille(reponse)
    echauffement = time.perf_counter() - depart
    if reponse.status_code != 200:
        return Mesure(statut=reponse.status_code)
    fois = max(1, min(repetitions, int(budget // max(echauffement, 1e-6))))
    durees = []
    for _ in range(fois):
        with CaptureQueriesContext(connection) as requetes:
            depart = time.perf_counter()
            reponse = client.get(url, follow=suivre)
            taille = _taille(reponse)
            durees.append(time.perf_counter() - depart)
        if reponse.status_code != 200:
            return Mesure(statut=reponse.status_code)
    return Mesure(
        statut=200,
        ms=statistics.median(durees) * 1000,
        requetes=len(requetes),
        ko=taille / 1024,
        repetitions=fois,
    )


def mesurer_les_pages(pages: list[Page], repetitions: int, budget: float) -> list[Mesure]:
    from django.test import Client

    from accounts.models import User

    clients = {}
    mesures = []
    for page in pages:
        if page.role not in clients:
            clients[page.role] = Client(raise_request_exception=False)
            clients[page.role].force_login(User.objects.get(username=page.role))
        mesures.append(
            mesurer_page(clients[page.role], page.url, repetitions, budget, suivre=page.travail)
        )
    return mesures


# --- The PDFs --------------------------------------------------------------------------------

PAGE_VIDE = "<!doctype html><html><body><p>Page vide</p></body></html>"
_PROCESSUS_PDF = """
import sys
from pathlib import Path
from weasyprint import HTML
HTML(string=Path(sys.argv[1]).read_text(encoding="utf-8"), base_url=sys.argv[2]).write_pdf()
"""


def html_du_bon(bon_pk: int) -> str:
    """The HTML the bon de commande's PDF is laid out from, as its issue renders it."""
    from django.template.loader import render_to_string

    from bons_de_commande.models import BonDeCommande
    from bons_de_commande.services import _beneficiaires

    bon = BonDeCommande.objects.get(pk=bon_pk)
    return render_to_string("pdf/bon_de_commande.html", {"bon": bon, "lignes": _beneficiaires(bon)})


def _median(fonction, fois: int) -> float:
    durees = []
    for _ in range(fois):
        depart = time.perf_counter()
        fonction()
        durees.append(time.perf_counter() - depart)
    return statistics.median(durees)


def mesurer_les_pdf(bon_pk: int, repetitions: int, dossier: Path) -> dict:
    """An empty page against the bon's PDF: in this process (template rendered and laid out),
    and as whole processes (Python started, WeasyPrint imported, the HTML laid out)."""
    from django.conf import settings
    from weasyprint import HTML

    from bons_de_commande.models import BonDeCommande
    from bons_de_commande.services import _beneficiaires
    from documents.pdf import rendre_pdf

    base = str(settings.BASE_DIR)
    bon = BonDeCommande.objects.get(pk=bon_pk)
    contexte = {"bon": bon, "lignes": list(_beneficiaires(bon))}
    HTML(string=PAGE_VIDE, base_url=base).write_pdf()  # warm-up: fonts, caches
    rendre_pdf("pdf/bon_de_commande.html", contexte)
    vide = _median(lambda: HTML(string=PAGE_VIDE, base_url=base).write_pdf(), repetitions)
    du_bon = _median(lambda: rendre_pdf("pdf/bon_de_commande.html", contexte), repetitions)

    fichiers = {"vide": dossier / "vide.html", "bon": dossier / "bon.html"}
    fichiers["vide"].write_text(PAGE_VIDE, encoding="utf-8")
    fichiers["bon"].write_text(html_du_bon(bon_pk), encoding="utf-8")

    def processus(chemin):
        subprocess.run([sys.executable, "-c", _PROCESSUS_PDF, str(chemin), base], check=True)

    processus_vide = _median(lambda: processus(fichiers["vide"]), max(1, repetitions // 2))
    processus_bon = _median(lambda: processus(fichiers["bon"]), max(1, repetitions // 2))
    return {
        "lignes_du_bon": len(contexte["lignes"]),
        "page_vide_ms": vide * 1000,
        "bon_ms": du_bon * 1000,
        "rapport_en_processus": du_bon / vide,
        "processus_page_vide_ms": processus_vide * 1000,
        "processus_bon_ms": processus_bon * 1000,
        "rapport_processus": processus_bon / processus_vide,
    }


# --- The report ------------------------------------------------------------------------------


def nombre(valeur: float | int) -> str:
    """French thousands: 100 000."""
    return f"{valeur:,.0f}".replace(",", "\u202f")


def _cellule_ms(mesure: Mesure, repetitions: int) -> str:
    """The median; with how many requests it was taken when the budget cut them short."""
    if mesure.statut != 200:
        return f"**erreur {mesure.statut}**"
    suffixe = f" ({mesure.repetitions}×)" if mesure.repetitions < repetitions else ""
    return f"{nombre(mesure.ms)}{suffixe}"


def tableau_des_pages(
    pages, petites, grandes, parcours_petit, parcours_grand, repetitions: int = 1
) -> str:
    """The Markdown table: page, role, ms at each size, ratio, queries at each size, KB at
    the large size; a page that answered anything but 200 shows its status, a median taken
    over fewer than `repetitions` requests (the budget) says over how many."""
    lignes = [
        f"| page | rôle | ms à {nombre(parcours_petit)} | ms à {nombre(parcours_grand)} | "
        f"ratio | requêtes à {nombre(parcours_petit)} | requêtes à {nombre(parcours_grand)} | "
        f"Ko à {nombre(parcours_grand)} |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for page, petite, grande in zip(pages, petites, grandes, strict=True):
        ok = petite.statut == 200 and grande.statut == 200
        ratio = f"{grande.ms / petite.ms:.1f}×" if ok and petite.ms else "–"
        lignes.append(
            f"| {page.libelle} | {page.role} | {_cellule_ms(petite, repetitions)} | "
            f"{_cellule_ms(grande, repetitions)} | "
            f"{ratio} | {petite.requetes if petite.requetes is not None else '–'} | "
            f"{grande.requetes if grande.requetes is not None else '–'} | "
            f"{nombre(grande.ko) if grande.ko is not None else '–'} |"
        )
    return "\n".join(lignes)


def tableau_des_chiffres(petit: Construction, grand: Construction, pdf: dict | None) -> str:
    lignes = ["| mesure | valeur |", "|---|--:|"]

    def ajouter(libelle, valeur):
        if valeur is not None:
            lignes.append(f"| {libelle} | {valeur} |")

    ajouter(
        f"construction à {nombre(petit.parcours)} parcours ({nombre(petit.lignes_importees)} "
        "lignes importées)",
        f"{petit.secondes:.1f} s",
    )
    ajouter(
        f"croissance à {nombre(grand.parcours)} parcours (+{nombre(grand.lignes_importees)} "
        "lignes importées)",
        f"{grand.secondes:.1f} s",
    )
    if grand.import_secondes is not None:
        debit = grand.import_lignes / grand.import_secondes if grand.import_secondes else 0
        ajouter(
            f"import de {nombre(grand.import_lignes)} lignes",
            f"{grand.import_secondes:.1f} s ({nombre(debit)} lignes/s)",
        )
        part = grand.reimport_secondes / grand.import_secondes if grand.import_secondes else 0
        ajouter(
            f"réimport inchangé des {nombre(grand.import_lignes)} lignes",
            f"{grand.reimport_secondes:.1f} s ({part:.0%} de l'import)",
        )
    if grand.memoire_pic_mo is not None:
        ajouter(
            f"import de {nombre(grand.memoire_lignes)} lignes dans un processus : pic de mémoire",
            f"{nombre(grand.memoire_pic_mo)} Mo (en {grand.memoire_secondes:.0f} s)",
        )
    if pdf:
        ajouter("PDF : page vide WeasyPrint, en processus", f"{pdf['page_vide_ms']:.0f} ms")
        ajouter(
            f"PDF : bon de commande de {pdf['lignes_du_bon']} lignes, en processus",
            f"{pdf['bon_ms']:.0f} ms ({pdf['rapport_en_processus']:.1f}× la page vide)",
        )
        ajouter("PDF : page vide, processus complet", f"{pdf['processus_page_vide_ms']:.0f} ms")
        ajouter(
            f"PDF : bon de commande de {pdf['lignes_du_bon']} lignes, processus complet",
            f"{pdf['processus_bon_ms']:.0f} ms ({pdf['rapport_processus']:.1f}× la page vide)",
        )
    return "\n".join(lignes)


def en_json(pages, petites, grandes, petit, grand, pdf, base: str, duree: float) -> dict:
    return {
        "base": base,
        "duree_totale_s": duree,
        "petit": asdict(petit),
        "grand": asdict(grand),
        "pages": [
            {
                "page": page.libelle,
                "role": page.role,
                "url": page.url,
                "petit": asdict(petite),
                "grand": asdict(grande),
                "ratio": grande.ms / petite.ms
                if petite.statut == grande.statut == 200 and petite.ms
                else None,
            }
            for page, petite, grande in zip(pages, petites, grandes, strict=True)
        ],
        "pdf": pdf,
    }
