"""The managers' dashboard: what is late or soon due, with its days of delay and the page to
act on it. A prestataire's direction sees the same board, limited to its own organisation."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from bons_de_commande.enums import EtatAvenant, EtatBonDeCommande
from bons_de_commande.models import Avenant, BonDeCommande
from bons_de_commande.services import DELAI_ACCUSE_RECEPTION
from prestataires.enums import EtatParcours
from prestataires.models import Parcours
from prestataires.suivi import DELAI_ENTREE, SILENCE_CONSEILLER, SILENCE_REFERENT
from remunerations.enums import ETATS_MODIFIABLES
from remunerations.models import EtatRemuneration

from . import bilans
from .models import BilanFinParcours

# A bilan is "soon due" in the fortnight before its due date.
HORIZON_BIENTOT_DU = timedelta(days=15)
# Each list shows the most urgent items; the count says how many there are in all.
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


def _retard(jour: date, echeance: date | None) -> int:
    return max(0, (jour - echeance).days) if echeance else 0


def _liste(titre, vide, queryset, alerte):
    lignes = list(queryset[:LIGNES_PAR_LISTE])
    total = len(lignes) if len(lignes) < LIGNES_PAR_LISTE else queryset.count()
    return Liste(titre, [alerte(objet) for objet in lignes], total, vide)


def bilans_en_retard(user, jour: date) -> Liste:
    queryset = (
        BilanFinParcours.objects.visibles_par(user)
        .en_retard_le(jour)
        .select_related("bon", "prestataire")
        .order_by("echeance", "pk")
    )
    return _liste(
        "Bilans de fin de parcours en retard",
        "Aucun bilan en retard.",
        queryset,
        lambda bilan: Alerte(
            f"Session {bilan.session}",
            bilan.prestataire.code,
            bilan.echeance,
            bilans.jours_de_retard(bilan, jour),
            bilan.get_absolute_url(),
            bilan.get_etat_display(),
        ),
    )


def bilans_bientot_dus(user, jour: date) -> Liste:
    queryset = (
        BilanFinParcours.objects.visibles_par(user)
        .filter(transmis_le__isnull=True)
        .filter(echeance__gte=jour, echeance__lte=jour + HORIZON_BIENTOT_DU)
        .select_related("bon", "prestataire")
        .order_by("echeance", "pk")
    )
    return _liste(
        f"Bilans à transmettre dans les {HORIZON_BIENTOT_DU.days} jours",
        "Aucun bilan attendu dans les prochains jours.",
        queryset,
        lambda bilan: Alerte(
            f"Session {bilan.session}",
            bilan.prestataire.code,
            bilan.echeance,
            0,
            bilan.get_absolute_url(),
            f"dans {(bilan.echeance - jour).days} jour(s)",
        ),
    )


def _date_locale(moment):
    return timezone.localdate(moment) if moment else None


def commandes_non_accusees(user, jour: date) -> Liste:
    """Orders and avenants issued and not acknowledged: late 5 days after their issue."""
    bons = list(
        BonDeCommande.objects.visibles_par(user)
        .filter(etat=EtatBonDeCommande.EMIS)
        .select_related("prestataire")
        .order_by("emis_le", "pk")[:LIGNES_PAR_LISTE]
    )
    avenants = Avenant.objects.filter(etat=EtatAvenant.EMIS)
    if user.prestataire_id:  # avenants have no visibles_par: the order's prestataire decides
        avenants = avenants.filter(bon__prestataire_id=user.prestataire_id)
    avenants = list(
        avenants.select_related("bon__prestataire").order_by("emis_le", "pk")[:LIGNES_PAR_LISTE]
    )
    alertes = []
    for document, prestataire in [(b, b.prestataire) for b in bons] + [
        (a, a.bon.prestataire) for a in avenants
    ]:
        echeance = _date_locale(document.emis_le) + DELAI_ACCUSE_RECEPTION
        alertes.append(
            Alerte(
                str(document),
                prestataire.code,
                echeance,
                _retard(jour, echeance),
                document.get_absolute_url(),
                f"émis le {_date_locale(document.emis_le):%d/%m/%Y}",
            )
        )
    alertes.sort(key=lambda alerte: (-alerte.jours_de_retard, alerte.libelle))
    return Liste(
        "Bons de commande et avenants non accusés",
        alertes[:LIGNES_PAR_LISTE],
        len(alertes),
        "Toutes les commandes émises sont accusées.",
    )


def _alerte_du_parcours(parcours, echeance, jour: date, detail: str) -> Alerte:
    """A parcours due on `echeance`: the person, the prestataire, the days late, its page."""
    return Alerte(
        f"{parcours.demandeur.nom} {parcours.demandeur.prenom}",
        parcours.prestataire.code,
        echeance,
        _retard(jour, echeance),
        parcours.get_absolute_url(),
        detail,
    )


def parcours_non_entres(user, jour: date) -> Liste:
    """Parcours ordered and acknowledged, not entered: late 15 days after the order's (or
    avenant's) acknowledgement."""
    queryset = (
        Parcours.objects.visibles_par(user)
        .filter(etat=EtatParcours.ATTENTE_ENTREE)
        .select_related("demandeur", "prestataire", "ligne__bon", "ligne__avenant_ajout")
        .order_by("cree_le", "pk")
    )

    def alerte(parcours):
        commande = parcours.ligne.date_de_commande()
        echeance = commande + DELAI_ENTREE if commande else None
        return _alerte_du_parcours(parcours, echeance, jour, f"commande {parcours.ligne.bon}")

    liste = _liste("Parcours non entrés", "Aucun parcours en attente d'entrée.", queryset, alerte)
    liste.alertes.sort(key=lambda a: -a.jours_de_retard)
    return liste


def parcours_silencieux(user, jour: date) -> Liste:
    """Running parcours whose last rendez-vous (or entry) is more than 15 days old."""
    queryset = (
        Parcours.objects.visibles_par(user)
        .silencieux(jour, SILENCE_REFERENT)
        .select_related("demandeur", "prestataire", "charge")
        .order_by("dernier_contact", "pk")
    )

    def alerte(parcours):
        echeance = parcours.dernier_contact + SILENCE_REFERENT
        silence = jour - parcours.dernier_contact
        a_qui = "au conseiller référent" if silence > SILENCE_CONSEILLER else "au référent"
        return _alerte_du_parcours(
            parcours,
            echeance,
            jour,
            f"dernier contact le {parcours.dernier_contact:%d/%m/%Y} : à signaler {a_qui}",
        )

    return _liste(
        f"Parcours sans contact depuis plus de {SILENCE_REFERENT.days} jours",
        "Chaque parcours en cours a eu un contact récent.",
        queryset,
        alerte,
    )


def etats_non_soumis(user, jour: date) -> Liste:
    """États de rémunération not submitted (or sent back): late after the 10th of the next
    month."""
    queryset = (
        EtatRemuneration.objects.visibles_par(user)
        .filter(Q(etat__in=ETATS_MODIFIABLES))
        .select_related("prestataire")
        .order_by("mois", "prestataire__code")
    )
    return _liste(
        "États de rémunération non soumis",
        "Tous les états de rémunération ouverts sont soumis.",
        queryset,
        lambda etat: Alerte(
            f"{etat.libelle_mois.capitalize()}",
            etat.prestataire.code,
            etat.date_limite,
            _retard(jour, etat.date_limite),
            etat.get_absolute_url(),
            etat.get_etat_display(),
        ),
    )


def tableau_de_bord(user, jour: date) -> list[Liste]:
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
