"""The managers' dashboard: what is late or soon due, with its days of delay and the page to
act on it. A prestataire's direction sees the same board, limited to its own organisation.

Each list is a source: its rows in SQL, most urgent first, and how to show a page of them. The
board shows the first page of each with its real total (a COUNT in SQL); the full list of one
(`liste_complete`) goes page by page. Nothing is computed for rows not shown but what SQL
needs to filter and order them (a parcours' last contact: an indexed subquery per parcours)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from bons_de_commande.enums import EtatAvenant, EtatBonDeCommande
from bons_de_commande.models import Avenant, BonDeCommande
from bons_de_commande.services import DELAI_ACCUSE_RECEPTION
from prestataires.enums import EtatParcours
from prestataires.models import Parcours, RendezVous
from prestataires.suivi import DELAI_ENTREE, SILENCE_CONSEILLER, SILENCE_REFERENT
from remunerations.enums import ETATS_MODIFIABLES
from remunerations.models import EtatRemuneration

from . import bilans
from .models import BilanFinParcours

# A bilan is "soon due" in the fortnight before its due date.
HORIZON_BIENTOT_DU = timedelta(days=15)
# Each list shows the most urgent items; the count says how many there are in all, and its
# full list shows them page by page.
LIGNES_PAR_LISTE = 50


@dataclass
class Alerte:
    libelle: str
    prestataire: str
    echeance: date | None
    jours_de_retard: int
    lien: str
    detail: str = ""


@dataclass
class Liste:
    titre: str
    alertes: list[Alerte]
    total: int
    vide: str
    cle: str = ""
    page: Page | None = field(default=None, repr=False)


@dataclass
class Source:
    """One list of the board: its rows (a queryset, the most urgent first), the alerts of a
    page of them (read in a constant number of queries), and their count."""

    cle: str
    titre: str
    vide: str
    lignes: QuerySet
    alertes: Callable[[list], list[Alerte]]
    compter: Callable[[], int] | None = None

    def total(self) -> int:
        return self.compter() if self.compter else self.lignes.count()

    def premiere_page(self) -> Liste:
        alertes = self.alertes(list(self.lignes[:LIGNES_PAR_LISTE]))
        return Liste(self.titre, alertes, self.total(), self.vide, self.cle)

    def page(self, numero) -> Liste:
        page = _Paginator(self, LIGNES_PAR_LISTE).get_page(numero)
        liste = Liste(self.titre, self.alertes(list(page)), page.paginator.count, self.vide)
        liste.cle, liste.page = self.cle, page
        return liste


class _Paginator(Paginator):
    """Pages of a source's rows, counted as the source counts them."""

    def __init__(self, source: Source, per_page: int):
        super().__init__(source.lignes, per_page)
        self.source = source

    @property
    def count(self) -> int:
        if not hasattr(self, "_total"):
            self._total = self.source.total()
        return self._total


def retard_le(jour: date, echeance: date | None) -> int:
    """Days late on `jour` of what was due on `echeance` (0 when not due yet, or no due date)."""
    return max(0, (jour - echeance).days) if echeance else 0


def _une_par_une(alerte):
    return lambda objets: [alerte(objet) for objet in objets]


def alerte_bilan_en_retard(bilan, jour: date) -> Alerte:
    return Alerte(
        f"Session {bilan.session}",
        bilan.prestataire.code,
        bilan.echeance,
        bilans.jours_de_retard(bilan, jour),
        bilan.get_absolute_url(),
        bilan.get_etat_display(),
    )


def alerte_bilan_bientot_du(bilan, jour: date) -> Alerte:
    return Alerte(
        f"Session {bilan.session}",
        bilan.prestataire.code,
        bilan.echeance,
        0,
        bilan.get_absolute_url(),
        f"dans {(bilan.echeance - jour).days} jour(s)",
    )


def bilans_en_retard(user, jour: date) -> Source:
    queryset = (
        BilanFinParcours.objects.visibles_par(user)
        .en_retard_le(jour)
        .select_related("bon", "prestataire")
        .order_by("echeance", "pk")
    )
    return Source(
        "bilans_en_retard",
        "Bilans de fin de parcours en retard",
        "Aucun bilan en retard.",
        queryset,
        _une_par_une(lambda bilan: alerte_bilan_en_retard(bilan, jour)),
    )


def bilans_bientot_dus(user, jour: date) -> Source:
    queryset = (
        BilanFinParcours.objects.visibles_par(user)
        .filter(transmis_le__isnull=True)
        .filter(echeance__gte=jour, echeance__lte=jour + HORIZON_BIENTOT_DU)
        .select_related("bon", "prestataire")
        .order_by("echeance", "pk")
    )
    return Source(
        "bilans_bientot_dus",
        f"Bilans à transmettre dans les {HORIZON_BIENTOT_DU.days} jours",
        "Aucun bilan attendu dans les prochains jours.",
        queryset,
        _une_par_une(lambda bilan: alerte_bilan_bientot_du(bilan, jour)),
    )


def _date_locale(moment):
    return timezone.localdate(moment) if moment else None


def echeance_de_l_accuse(document) -> date:
    """An issued order or avenant is to be acknowledged within 5 days of its issue."""
    return _date_locale(document.emis_le) + DELAI_ACCUSE_RECEPTION


def alerte_commande(document, prestataire, jour: date) -> Alerte:
    """An order or avenant waiting for acknowledgement (`prestataire`: the order's)."""
    echeance = echeance_de_l_accuse(document)
    return Alerte(
        str(document),
        prestataire.code,
        echeance,
        retard_le(jour, echeance),
        document.get_absolute_url(),
        f"émis le {_date_locale(document.emis_le):%d/%m/%Y}",
    )


def commandes_non_accusees(user, jour: date) -> Source:
    """Orders and avenants issued and not acknowledged: late 5 days after their issue, the
    longest waiting first. Both in one ordered list (a UNION of their keys); a page's orders
    and avenants are then read by key."""
    bons = BonDeCommande.objects.visibles_par(user).filter(etat=EtatBonDeCommande.EMIS)
    avenants = Avenant.objects.filter(etat=EtatAvenant.EMIS)
    if user.prestataire_id:  # avenants have no visibles_par: the order's prestataire decides
        avenants = avenants.filter(bon__prestataire_id=user.prestataire_id)

    def cles(queryset, genre):
        return (
            queryset.order_by()
            .annotate(genre=Value(genre, output_field=CharField()))
            .values_list("genre", "id", "emis_le")
        )

    lignes = cles(bons, "bon").union(cles(avenants, "avenant"), all=True).order_by("emis_le", "id")

    def alertes(cles_de_la_page):
        ids = {"bon": [], "avenant": []}
        for genre, pk, _ in cles_de_la_page:
            ids[genre].append(pk)
        documents = {
            ("bon", bon.pk): (bon, bon.prestataire)
            for bon in BonDeCommande.objects.filter(pk__in=ids["bon"]).select_related("prestataire")
        } | {
            ("avenant", avenant.pk): (avenant, avenant.bon.prestataire)
            for avenant in Avenant.objects.filter(pk__in=ids["avenant"]).select_related(
                "bon__prestataire"
            )
        }
        return [alerte_commande(*documents[genre, pk], jour) for genre, pk, _ in cles_de_la_page]

    return Source(
        "commandes_non_accusees",
        "Bons de commande et avenants non accusés",
        "Toutes les commandes émises sont accusées.",
        lignes,
        alertes,
        compter=lambda: bons.count() + avenants.count(),
    )


def _alerte_du_parcours(parcours, echeance, jour: date, detail: str) -> Alerte:
    """A parcours due on `echeance`: the person, the prestataire, the days late, its page."""
    return Alerte(
        f"{parcours.demandeur.nom} {parcours.demandeur.prenom}",
        parcours.prestataire.code,
        echeance,
        retard_le(jour, echeance),
        parcours.get_absolute_url(),
        detail,
    )


def commande_du_parcours(chemin: str = "") -> Case:
    """LigneCommande.date_de_commande, in SQL, of the parcours at `chemin` (its path from the
    queried model, "" for a parcours): the moment the avenant that added the person was
    acknowledged, the order's otherwise."""
    ligne = f"{chemin}ligne__"
    return Case(
        When(
            **{f"{ligne}avenant_ajout__isnull": False},
            then=F(f"{ligne}avenant_ajout__accuse_le"),
        ),
        default=F(f"{ligne}bon__accuse_le"),
    )


def echeance_de_l_entree(parcours) -> date | None:
    """A parcours is to be entered within 15 days of its order's acknowledgement."""
    commande = parcours.ligne.date_de_commande()
    return commande + DELAI_ENTREE if commande else None


def alerte_entree(parcours, jour: date) -> Alerte:
    return _alerte_du_parcours(
        parcours, echeance_de_l_entree(parcours), jour, f"commande {parcours.ligne.bon}"
    )


def parcours_non_entres(user, jour: date) -> Source:
    """Parcours ordered and acknowledged, not entered: late 15 days after the order's (or
    avenant's) acknowledgement; the longest waiting first, those not yet acknowledged last."""
    queryset = (
        Parcours.objects.visibles_par(user)
        .filter(etat=EtatParcours.ATTENTE_ENTREE)
        .select_related("demandeur", "prestataire", "ligne__bon", "ligne__avenant_ajout")
        .order_by(commande_du_parcours().asc(nulls_last=True), "cree_le", "pk")
    )

    return Source(
        "parcours_non_entres",
        "Parcours non entrés",
        "Aucun parcours en attente d'entrée.",
        queryset,
        _une_par_une(lambda parcours: alerte_entree(parcours, jour)),
    )


def silencieux(parcours: QuerySet, jour: date, delai: timedelta) -> QuerySet:
    """Parcours.objects.silencieux (the same rows: running, last contact, a rendez-vous or the
    entry, older than `delai` on `jour`), without grouping every running parcours' rendez-vous:
    the filter is a NOT EXISTS on the index of a parcours' rendez-vous by date, and the last
    contact (to order and show them) a subquery on that index."""
    seuil = jour - delai
    rendez_vous = RendezVous.objects.filter(parcours=OuterRef("pk"))
    dernier = rendez_vous.order_by("-date").values("date")[:1]
    return (
        parcours.filter(etat=EtatParcours.EN_COURS)
        .filter(~Exists(rendez_vous.filter(date__gte=seuil)))
        .filter(Q(Exists(rendez_vous)) | Q(date_entree__lt=seuil))
        .annotate(
            dernier_contact=Coalesce(Subquery(dernier, output_field=DateField()), "date_entree")
        )
    )


def alerte_silence(parcours, dernier_contact: date, jour: date) -> Alerte:
    """A running parcours last contacted on `dernier_contact`: a contact was due 15 days
    later."""
    silence = jour - dernier_contact
    a_qui = "au conseiller référent" if silence > SILENCE_CONSEILLER else "au référent"
    return _alerte_du_parcours(
        parcours,
        dernier_contact + SILENCE_REFERENT,
        jour,
        f"dernier contact le {dernier_contact:%d/%m/%Y} : à signaler {a_qui}",
    )


def parcours_silencieux(user, jour: date) -> Source:
    """Running parcours whose last rendez-vous (or entry) is more than 15 days old, the
    longest silent first. The rows are ordered on their keys alone (the order needs every
    silent parcours' last contact); the page's parcours are then read with their person."""
    lignes = (
        silencieux(Parcours.objects.visibles_par(user), jour, SILENCE_REFERENT)
        .order_by("dernier_contact", "pk")
        .values_list("pk", "dernier_contact")
    )

    def alertes(cles_de_la_page):
        parcours = Parcours.objects.select_related("demandeur", "prestataire").in_bulk(
            [pk for pk, _ in cles_de_la_page]
        )
        return [
            alerte_silence(parcours[pk], dernier_contact, jour)
            for pk, dernier_contact in cles_de_la_page
        ]

    return Source(
        "parcours_silencieux",
        f"Parcours sans contact depuis plus de {SILENCE_REFERENT.days} jours",
        "Chaque parcours en cours a eu un contact récent.",
        lignes,
        alertes,
    )


def alerte_etat(etat, jour: date) -> Alerte:
    return Alerte(
        f"{etat.libelle_mois.capitalize()}",
        etat.prestataire.code,
        etat.date_limite,
        retard_le(jour, etat.date_limite),
        etat.get_absolute_url(),
        etat.get_etat_display(),
    )


def etats_non_soumis(user, jour: date) -> Source:
    """États de rémunération not submitted (or sent back): late after the 10th of the next
    month."""
    queryset = (
        EtatRemuneration.objects.visibles_par(user)
        .filter(Q(etat__in=ETATS_MODIFIABLES))
        .select_related("prestataire")
        .order_by("mois", "prestataire__code")
    )
    return Source(
        "etats_non_soumis",
        "États de rémunération non soumis",
        "Tous les états de rémunération ouverts sont soumis.",
        queryset,
        _une_par_une(lambda etat: alerte_etat(etat, jour)),
    )


def sources(user, jour: date) -> list[Source]:
    listes = [
        bilans_en_retard(user, jour),
        bilans_bientot_dus(user, jour),
        commandes_non_accusees(user, jour),
        parcours_non_entres(user, jour),
        parcours_silencieux(user, jour),
    ]
    if user.has_perm("remunerations.view_etatremuneration"):
        listes.append(etats_non_soumis(user, jour))
    return listes


def tableau_de_bord(user, jour: date) -> list[Liste]:
    """The first page of each list, with its total."""
    return [source.premiere_page() for source in sources(user, jour)]


def liste_complete(user, jour: date, cle: str, numero_page) -> Liste | None:
    """The page `numero_page` of the list `cle` (None: no such list for this user)."""
    for source in sources(user, jour):
        if source.cle == cle:
            return source.page(numero_page)
    return None
