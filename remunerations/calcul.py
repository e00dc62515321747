"""What each stagiaire is owed, month by month (docs/domaine.md, "Stipend: 50 % of the SMG").

Nothing here writes: `releves()` is the reference computation, a pure function of the parcours,
suspensions, SMG table and what the prestataires declared. remunerations.stockage stores its
result on the état's lines and keeps it current; pages and files read the stored lines. A
reconciled month is read from the lines frozen at its acceptance; any other month is computed
from the parcours as they are now, with the SMG in force on the month's first day.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from django.db.models import Prefetch, Q

from prestataires.models import Parcours, Suspension
from procurement.calendrier import dernier_jour_du_mois
from procurement.models import Prestataire, TauxSMG, reference_de_prescription

from .enums import EtatDeclaration
from .models import EtatRemuneration, LigneRemuneration, libelle_mois


def remuneration_du_mois(
    *,
    smg_mensuel: int,
    smg_horaire: Decimal,
    jours: int,
    jours_du_mois: int,
    absences_heures: Decimal,
) -> int:
    """due = max(0, round_half_up(0.5 × (SMG_monthly × d ÷ D − SMG_hourly × h))), in exact
    fractions (XPF has no subunit), rounded once, half up, to the franc."""
    montant = (
        Fraction(smg_mensuel) * jours / jours_du_mois
        - Fraction(smg_horaire) * Fraction(absences_heures)
    ) / 2
    if montant <= 0:
        return 0
    return math.floor(montant + Fraction(1, 2))


def fin_couverte(parcours: Parcours) -> date | None:
    """A parcours covers its days from entry to exit, both included; to its planned end while
    it runs (docs/contrats.md §4)."""
    return parcours.date_sortie or parcours.fin_prevue


def jours_remuneres(parcours: Parcours, mois: date) -> int:
    """Days of the month inside the parcours and not suspended. A suspension's unpaid days run
    from its start to the day before the resumption (still running: to the parcours' end)."""
    if parcours.date_entree is None:
        return 0
    debut = max(parcours.date_entree, mois)
    fin = min(fin_couverte(parcours), dernier_jour_du_mois(mois))
    if fin < debut:
        return 0
    jours = (fin - debut).days + 1
    for suspension in parcours.suspensions.all():
        suspendu_jusqu_au = suspension.fin - timedelta(days=1) if suspension.fin else fin
        chevauchement = (min(suspendu_jusqu_au, fin) - max(suspension.debut, debut)).days + 1
        jours -= max(0, chevauchement)
    return jours


@dataclass
class Ligne:
    """One stagiaire in one état: the état's month, or (`deja_rapproche` set) an adjustment
    of an earlier reconciled month, whose `montant_du` is what is still owed (or overpaid)."""

    parcours: Parcours
    mois: date
    jours: int
    jours_du_mois: int
    smg_mensuel: int
    smg_horaire: Decimal
    absences_heures: Decimal
    montant_du: int
    declaree: LigneRemuneration | None = None
    deja_rapproche: int | None = None

    @property
    def ajustement(self) -> bool:
        return self.deja_rapproche is not None

    @property
    def recalcule(self) -> int:
        """For an adjustment: the reconciled month's amount as computed today."""
        return self.montant_du + (self.deja_rapproche or 0)

    @property
    def reference(self) -> str:
        prescription = self.parcours.ligne.prescription
        return prescription.reference or reference_de_prescription(prescription.pk)

    @property
    def nom(self) -> str:
        return self.parcours.demandeur.nom

    @property
    def prenom(self) -> str:
        return self.parcours.demandeur.prenom

    @property
    def lot(self) -> int:
        return self.parcours.lot.numero

    @property
    def libelle_mois(self) -> str:
        return libelle_mois(self.mois)

    @property
    def montant_declare(self) -> int | None:
        return self.declaree.montant_declare if self.declaree else None

    @property
    def cafat_declaree(self) -> int | None:
        return self.declaree.cafat_declaree if self.declaree else None

    @property
    def commentaire_finance(self) -> str:
        return self.declaree.commentaire_finance if self.declaree else ""

    @property
    def ecart(self) -> int | None:
        """Declared minus due: positive when the prestataire paid more than owed."""
        if self.montant_declare is None:
            return None
        return self.montant_declare - self.montant_du

    @property
    def complete(self) -> bool:
        """Declared: the amount paid, and for the month's own line the social cover."""
        return self.montant_declare is not None and (
            self.ajustement or self.cafat_declaree is not None
        )

    def contrat(self) -> dict:
        """The line as docs/contrats.md §4 prints it."""
        heures = self.absences_heures
        return {
            "reference": self.reference,
            "nom": self.nom,
            "prenom": self.prenom,
            "jours": self.jours,
            "jours_du_mois": self.jours_du_mois,
            "smg_mensuel": self.smg_mensuel,
            "absences_heures": int(heures) if heures == heures.to_integral() else float(heures),
            "montant_du": self.montant_du,
            "montant_declare": self.montant_declare,
            "ecart": self.ecart,
        }


def _somme(valeurs) -> int | None:
    valeurs = [valeur for valeur in valeurs if valeur is not None]
    return sum(valeurs) if valeurs else None


@dataclass
class Releve:
    """A prestataire's month: its état (if opened) and its lines, regular ones first."""

    prestataire: Prestataire
    mois: date
    etat: EtatRemuneration | None
    lignes: list[Ligne] = field(default_factory=list)

    @property
    def libelle_mois(self) -> str:
        return libelle_mois(self.mois)

    @property
    def libelle_etat(self) -> str:
        return self.etat.get_etat_display() if self.etat else "Non ouvert"

    @property
    def lignes_du_mois(self) -> list[Ligne]:
        return [ligne for ligne in self.lignes if not ligne.ajustement]

    @property
    def ajustements(self) -> list[Ligne]:
        return [ligne for ligne in self.lignes if ligne.ajustement]

    @property
    def montant_du(self) -> int:
        return sum(ligne.montant_du for ligne in self.lignes)

    @property
    def montant_declare(self) -> int | None:
        return _somme(ligne.montant_declare for ligne in self.lignes)

    @property
    def cafat_declaree(self) -> int | None:
        return _somme(ligne.cafat_declaree for ligne in self.lignes)

    @property
    def ecart(self) -> int | None:
        return _somme(ligne.ecart for ligne in self.lignes)

    @property
    def complet(self) -> bool:
        return all(ligne.complete for ligne in self.lignes)

    def par_lot(self) -> dict[int, dict]:
        """Totals of the month per lot (a prestataire may hold both)."""
        totaux = defaultdict(lambda: {"montant_du": 0, "montant_declare": None, "ecart": None})
        for ligne in self.lignes:
            total = totaux[ligne.lot]
            total["montant_du"] += ligne.montant_du
            for cle in ("montant_declare", "ecart"):
                valeur = getattr(ligne, cle)
                if valeur is not None:
                    total[cle] = (total[cle] or 0) + valeur
        return dict(sorted(totaux.items()))


def _parcours_lies(prefixe=""):
    return [
        f"{prefixe}demandeur",
        f"{prefixe}lot",
        f"{prefixe}ligne__prescription",
    ]


# What the computation reads of a parcours (its state too: django-fsm reads it on load).
CHAMPS_DU_CALCUL = ("id", "prestataire", "lot", "date_entree", "date_sortie", "fin_prevue", "etat")


def _parcours_pour(parcours, leger: bool):
    """Parcours with what pages show of them, or (`leger`) only what the computation reads."""
    if leger:
        return parcours.only(*CHAMPS_DU_CALCUL)
    return parcours.select_related(*_parcours_lies())


def _lignes_pour(lignes, leger: bool):
    """Stored lines with their parcours (as `_parcours_pour`) and its suspensions."""
    if leger:
        champs_ligne = [champ.name for champ in LigneRemuneration._meta.concrete_fields]
        lignes = lignes.select_related("parcours").only(
            *champs_ligne, *(f"parcours__{champ}" for champ in CHAMPS_DU_CALCUL)
        )
    else:
        lignes = lignes.select_related(*_parcours_lies("parcours__"))
    return lignes.prefetch_related(_suspensions("parcours__"))


def _suspensions(prefixe=""):
    return Prefetch(
        f"{prefixe}suspensions", queryset=Suspension.objects.only("parcours", "debut", "fin")
    )


class _Bareme:
    """The SMG table, read once: the rate in force on a month's first day."""

    def __init__(self):
        self.taux = list(TauxSMG.objects.order_by("-date_effet"))

    def au(self, jour: date) -> TauxSMG:
        for taux in self.taux:
            if taux.date_effet <= jour:
                return taux
        raise TauxSMG.DoesNotExist(f"Aucun taux de SMG en vigueur le {jour:%d/%m/%Y}.")


def calculer(parcours: Parcours, mois: date, absences_heures: Decimal, bareme=None) -> Ligne:
    """The stipend of one stagiaire for one month, with the month's own SMG."""
    taux = (bareme or _Bareme()).au(mois)
    jours, jours_du_mois = jours_remuneres(parcours, mois), dernier_jour_du_mois(mois).day
    return Ligne(
        parcours=parcours,
        mois=mois,
        jours=jours,
        jours_du_mois=jours_du_mois,
        smg_mensuel=taux.montant_mensuel,
        smg_horaire=taux.taux_horaire,
        absences_heures=absences_heures,
        montant_du=remuneration_du_mois(
            smg_mensuel=taux.montant_mensuel,
            smg_horaire=taux.taux_horaire,
            jours=jours,
            jours_du_mois=jours_du_mois,
            absences_heures=absences_heures,
        ),
    )


def ligne_enregistree(
    ligne: LigneRemuneration, mois_de_l_etat: date, deja_rapproche: int = 0
) -> Ligne:
    """A line as the database holds it: frozen with a reconciled état, or stored
    (remunerations.stockage). An adjustment carries what its month was reconciled with."""
    return Ligne(
        parcours=ligne.parcours,
        mois=ligne.mois,
        jours=ligne.jours,
        jours_du_mois=ligne.jours_du_mois,
        smg_mensuel=ligne.smg_mensuel,
        smg_horaire=ligne.smg_horaire,
        absences_heures=ligne.absences_heures,
        montant_du=ligne.montant_du,
        declaree=ligne,
        deja_rapproche=None if ligne.mois == mois_de_l_etat else deja_rapproche,
    )


def couvrant_la_periode(premier_mois: date, dernier_mois: date) -> Q:
    """The parcours whose days (entry to exit) meet the months from one to the other."""
    return Q(date_entree__lte=dernier_jour_du_mois(dernier_mois)) & (
        Q(date_sortie__gte=premier_mois) | Q(date_sortie__isnull=True, fin_prevue__gte=premier_mois)
    )


def parcours_couvrant(mois: date) -> Q:
    """The parcours whose days meet the month."""
    return couvrant_la_periode(mois, mois)


def _groupes_rapproches(prestataire_ids, parcours_ids=None, leger=False) -> dict[int, dict]:
    """Per prestataire, per (parcours, reconciled month): the parcours, what was accepted as
    due and the absence hours accepted. A parcours whose entry was recorded after its month
    was reconciled counts there with nothing accepted. A constant number of queries."""
    groupes = defaultdict(dict)

    def groupe(prestataire_id, parcours, mois):
        return groupes[prestataire_id].setdefault(
            (parcours.pk, mois), {"parcours": parcours, "du": 0, "heures": Decimal(0)}
        )

    lignes_rapprochees = LigneRemuneration.objects.filter(
        etat__prestataire_id__in=prestataire_ids, etat__etat=EtatDeclaration.ACCEPTE
    )
    if parcours_ids is not None:
        lignes_rapprochees = lignes_rapprochees.filter(parcours_id__in=parcours_ids)
    for ligne in _lignes_pour(lignes_rapprochees, leger).select_related("etat"):
        rapproche = groupe(ligne.etat.prestataire_id, ligne.parcours, ligne.mois)
        rapproche["du"] += ligne.montant_du
        rapproche["heures"] += ligne.absences_heures
    mois_rapproches = defaultdict(list)
    for prestataire_id, mois in (
        EtatRemuneration.objects.filter(
            prestataire_id__in=prestataire_ids, etat=EtatDeclaration.ACCEPTE
        )
        .order_by("mois")
        .values_list("prestataire_id", "mois")
    ):
        mois_rapproches[prestataire_id].append(mois)
    if mois_rapproches:
        periodes = [
            Q(prestataire_id=prestataire_id) & couvrant_la_periode(mois[0], mois[-1])
            for prestataire_id, mois in mois_rapproches.items()
        ]
        couvrants = Parcours.objects.filter(Q.create(periodes, connector=Q.OR))
        if parcours_ids is not None:
            couvrants = couvrants.filter(pk__in=parcours_ids)
        for parcours in _parcours_pour(couvrants, leger).prefetch_related(_suspensions()):
            for mois in mois_rapproches[parcours.prestataire_id]:
                if couvre(parcours, mois):
                    groupe(parcours.prestataire_id, parcours, mois)
    return groupes


def _ajustements(groupes: dict, declarees: dict, bareme: _Bareme) -> list[Ligne]:
    """Reconciled months are never rewritten: what changed since (a late absence, a corrected
    SMG, moved parcours dates, a late entry) is owed on the prestataire's first état not yet
    reconciled, as the difference between today's computation and what was accepted."""
    lignes = []
    for (parcours_id, mois), groupe in groupes.items():
        declaree = declarees.pop((parcours_id, mois), None)
        heures_tardives = declaree.absences_heures if declaree else Decimal(0)
        ligne = calculer(groupe["parcours"], mois, groupe["heures"] + heures_tardives, bareme)
        if ligne.montant_du == groupe["du"] and declaree is None:
            continue
        ligne.absences_heures = heures_tardives
        ligne.deja_rapproche = groupe["du"]
        ligne.montant_du -= groupe["du"]
        ligne.declaree = declaree
        lignes.append(ligne)
    return lignes


def _rapproche(etat: EtatRemuneration | None) -> bool:
    return etat is not None and etat.etat == EtatDeclaration.ACCEPTE


def etats_des_mois(paires: list[tuple[Prestataire, date]]) -> dict:
    """The états opened for these (prestataire, month) pairs, by (prestataire id, month)."""
    return {
        (etat.prestataire_id, etat.mois): etat
        for etat in EtatRemuneration.objects.filter(
            Q.create([Q(prestataire=p, mois=m) for p, m in paires], connector=Q.OR)
        ).select_related("prestataire")
    }


def releves(
    paires: Iterable[tuple[Prestataire, date]],
    parcours_ids: Iterable[int] | None = None,
    *,
    pour_stocker: bool = False,
) -> list[Releve]:
    """The month of each (prestataire, month), with its lines; months with neither an état
    nor a stagiaire are left out. A constant number of queries whatever the number of months.
    With `parcours_ids`, only these parcours' lines (what a change of one parcours touches).
    Only the lines the prestataire saved count as declared: the others stored are this
    function's own result, kept by remunerations.stockage. `pour_stocker`: the same figures,
    without what only pages show (names, references) nor the lines' order."""
    if parcours_ids is not None:
        parcours_ids = list(parcours_ids)
    paires = list(paires)
    if not paires:
        return []
    etats = etats_des_mois(paires)
    stockees = defaultdict(dict)
    saisies = LigneRemuneration.objects.filter(etat__in=list(etats.values()), saisie=True)
    if parcours_ids is not None:
        saisies = saisies.filter(parcours_id__in=parcours_ids)
    for ligne in _lignes_pour(saisies, pour_stocker):
        stockees[ligne.etat_id][ligne.parcours_id, ligne.mois] = ligne
    ouvertes = [(p, m) for p, m in paires if not _rapproche(etats.get((p.pk, m)))]
    couvrants = defaultdict(list)
    if ouvertes:
        du_mois = Parcours.objects.filter(
            Q.create(
                [Q(prestataire=p) & parcours_couvrant(m) for p, m in ouvertes],
                connector=Q.OR,
            )
        )
        if parcours_ids is not None:
            du_mois = du_mois.filter(pk__in=parcours_ids)
        for parcours in _parcours_pour(du_mois, pour_stocker).prefetch_related(_suspensions()):
            for p, m in ouvertes:
                if p.pk == parcours.prestataire_id and couvre(parcours, m):
                    couvrants[p.pk, m].append(parcours)
    premiers_ouverts = premiers_etats_ouverts({p.pk for p, _ in paires})
    # Adjustments go to each prestataire's first état not reconciled, if it is asked for.
    rapproches = _groupes_rapproches(
        [
            etat.prestataire_id
            for etat in etats.values()
            if premiers_ouverts.get(etat.prestataire_id) == etat.pk
        ],
        parcours_ids,
        pour_stocker,
    )
    bareme = _Bareme()

    resultat = []
    for prestataire, mois in paires:
        etat = etats.get((prestataire.pk, mois))
        declarees = dict(stockees[etat.pk]) if etat else {}
        releve = Releve(prestataire=prestataire, mois=mois, etat=etat)
        if _rapproche(etat):
            releve.lignes = [ligne_enregistree(ligne, mois) for ligne in declarees.values()]
        else:
            if etat is not None and premiers_ouverts.get(prestataire.pk) == etat.pk:
                releve.lignes = _ajustements(rapproches[prestataire.pk], declarees, bareme)
            parcours_du_mois = {p.pk: p for p in couvrants[prestataire.pk, mois]}
            for (parcours_id, mois_paye), declaree in declarees.items():
                if mois_paye == mois:
                    parcours_du_mois.setdefault(parcours_id, declaree.parcours)
            for parcours in parcours_du_mois.values():
                declaree = declarees.get((parcours.pk, mois))
                ligne = calculer(
                    parcours, mois, declaree.absences_heures if declaree else Decimal(0), bareme
                )
                ligne.declaree = declaree
                releve.lignes.append(ligne)
        if releve.lignes or etat is not None:
            if not pour_stocker:
                releve.lignes.sort(key=ordre_des_lignes)
            resultat.append(releve)
    return resultat


def ordre_des_lignes(ligne: Ligne):
    """The état's own month first, then adjustments; by reference, then month paid."""
    return (ligne.ajustement, ligne.reference, ligne.mois)


def couvre(parcours: Parcours, mois: date) -> bool:
    """The parcours' days meet the month."""
    return (
        parcours.date_entree is not None
        and parcours.date_entree <= dernier_jour_du_mois(mois)
        and fin_couverte(parcours) >= mois
    )


def premiers_etats_ouverts(prestataire_ids) -> dict[int, int]:
    """Per prestataire, its earliest état not yet reconciled: the one adjustments go to."""
    premiers = {}
    for prestataire_id, etat_id in (
        EtatRemuneration.objects.filter(prestataire_id__in=prestataire_ids)
        .exclude(etat=EtatDeclaration.ACCEPTE)
        .order_by("prestataire_id", "mois")
        .values_list("prestataire_id", "pk")
    ):
        premiers.setdefault(prestataire_id, etat_id)
    return premiers


def porte_les_regularisations(etat: EtatRemuneration) -> bool:
    """Late absences on reconciled months are declared on this état: its prestataire's
    earliest not reconciled."""
    return premiers_etats_ouverts([etat.prestataire_id]).get(etat.prestataire_id) == etat.pk


def releve(etat: EtatRemuneration) -> Releve:
    return releves([(etat.prestataire, etat.mois)])[0]
