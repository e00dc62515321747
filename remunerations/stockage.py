"""The stored stipends: each open état's lines hold the computation of `calcul.releves()` (the
reference) and the état its totals, brought up to date in the caller's transaction whenever
what they depend on changes (remunerations.receivers, and the services of this app).
Reconciled états are never touched: their lines are frozen at acceptance.

Pages, files and the `etats_remuneration` command read the stored lines (`releves_stockes`),
and the lists and the synthesis the stored totals: nothing is recomputed per request.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, IntegerField, Max, Q, Sum
from django.db.models.functions import Coalesce

from prestataires.models import Parcours
from procurement.calendrier import mois_de, mois_entre
from procurement.models import Prestataire

from . import calcul
from .enums import EtatDeclaration, SituationDuMois
from .models import EtatRemuneration, LigneRemuneration, TotalRemuneration

CHAMPS_CALCULES = [
    "jours",
    "jours_du_mois",
    "smg_mensuel",
    "smg_horaire",
    "montant_du",
    "deja_rapproche",
]
LOT = 1000
# Beyond this many lines changed, they are written again rather than updated: Django's
# bulk_update spends some 2 ms of Python per line building its CASE expressions.
LOT_MODIFIE = 200


def _valeurs(ligne: calcul.Ligne) -> dict:
    return {
        "jours": ligne.jours,
        "jours_du_mois": ligne.jours_du_mois,
        "smg_mensuel": ligne.smg_mensuel,
        "smg_horaire": ligne.smg_horaire,
        "montant_du": ligne.montant_du,
        "deja_rapproche": ligne.deja_rapproche,
    }


def actualiser(
    *,
    prestataire_ids: Iterable[int] | None = None,
    parcours_ids: Iterable[int] | None = None,
    a_totaliser: Iterable[int] = (),
) -> int:
    """Recompute the lines of the open états (of these prestataires; all by default) and
    store what changed, in bulk: a line created for each stagiaire newly in a month (or newly
    owed an adjustment), updated where the computation moved, deleted when the prestataire
    never saved it and it is no longer owed. With `parcours_ids`, only these parcours' lines.
    The états' totals are summed again where a line changed, and for `a_totaliser` (états
    whose declared amounts changed). Returns the number of lines written. A constant number
    of queries."""
    etats = EtatRemuneration.objects.exclude(etat=EtatDeclaration.ACCEPTE).select_related(
        "prestataire"
    )
    if prestataire_ids is not None:
        etats = etats.filter(prestataire_id__in=list(prestataire_ids))
    etats = list(etats)
    a_totaliser = set(a_totaliser)
    if parcours_ids is not None:
        parcours_ids = list(parcours_ids)
    if not etats or parcours_ids == []:
        totaliser(a_totaliser)
        return 0
    releves = calcul.releves(
        [(etat.prestataire, etat.mois) for etat in etats], parcours_ids, pour_stocker=True
    )
    stockees = LigneRemuneration.objects.filter(etat__in=etats).only(
        "pk", "etat_id", "parcours_id", "mois", "saisie", *CHAMPS_CALCULES
    )
    if parcours_ids is not None:
        stockees = stockees.filter(parcours_id__in=parcours_ids)
    stockees = {(ligne.etat_id, ligne.parcours_id, ligne.mois): ligne for ligne in stockees}
    a_creer, a_modifier, vues, touches = [], [], set(), set()
    for releve in releves:
        etat = releve.etat
        for ligne in releve.lignes:
            cle = (etat.pk, ligne.parcours.pk, ligne.mois)
            vues.add(cle)
            valeurs = _valeurs(ligne)
            stockee = stockees.get(cle)
            if stockee is None:
                a_creer.append(
                    LigneRemuneration(
                        etat=etat,
                        parcours_id=ligne.parcours.pk,
                        mois=ligne.mois,
                        absences_heures=ligne.absences_heures,
                        saisie=False,
                        **valeurs,
                    )
                )
            elif any(getattr(stockee, champ) != valeur for champ, valeur in valeurs.items()):
                for champ, valeur in valeurs.items():
                    setattr(stockee, champ, valeur)
                a_modifier.append(stockee)
            else:
                continue
            touches.add(etat.pk)
    a_supprimer = [ligne for cle, ligne in stockees.items() if cle not in vues and not ligne.saisie]
    LigneRemuneration.objects.bulk_create(a_creer, batch_size=LOT)
    _modifier(a_modifier)
    if a_supprimer:
        LigneRemuneration.objects.filter(pk__in=[ligne.pk for ligne in a_supprimer]).delete()
        touches.update(ligne.etat_id for ligne in a_supprimer)
    totaliser({etat.pk for etat in etats} if parcours_ids is None else touches | a_totaliser)
    return len(a_creer) + len(a_modifier) + len(a_supprimer)


def _modifier(lignes: list[LigneRemuneration]):
    """Store the new computation of these lines (loaded with their computed fields only). A
    few: one UPDATE per batch. Many: each batch read whole, deleted and inserted again with
    the same keys (nothing points at a line), a few plain statements."""
    if len(lignes) <= LOT_MODIFIE:
        LigneRemuneration.objects.bulk_update(lignes, CHAMPS_CALCULES, batch_size=LOT_MODIFIE)
        return
    valeurs = {ligne.pk: {c: getattr(ligne, c) for c in CHAMPS_CALCULES} for ligne in lignes}
    cles = list(valeurs)
    for debut in range(0, len(cles), LOT):
        lot = cles[debut : debut + LOT]
        completes = list(LigneRemuneration.objects.filter(pk__in=lot))
        for ligne in completes:
            for champ, valeur in valeurs[ligne.pk].items():
                setattr(ligne, champ, valeur)
        LigneRemuneration.objects.filter(pk__in=lot).delete()
        LigneRemuneration.objects.bulk_create(completes)


def _ecart_declare():
    """Declared minus due, over the lines declared (NULL when none is)."""
    return Sum(
        F("montant_declare") - F("montant_du"),
        filter=Q(montant_declare__isnull=False),
        output_field=IntegerField(),
    )


def _ajouter(total, valeur):
    if valeur is None:
        return total
    return (total or 0) + valeur


def totaliser(etat_ids: Iterable[int]):
    """Store each état's totals and its totals per lot, as the SQL sums of its lines. Three
    queries and two bulk writes whatever the number of états."""
    etat_ids = list(etat_ids)
    if not etat_ids:
        return
    par_lot = (
        LigneRemuneration.objects.filter(etat_id__in=etat_ids)
        .values("etat_id", "parcours__lot_id")
        .annotate(
            du=Coalesce(Sum("montant_du"), 0),
            declare=Sum("montant_declare"),
            cafat=Sum("cafat_declaree"),
            ecart=_ecart_declare(),
            nombre=Count("pk"),
            completes=Count(
                "pk",
                filter=Q(montant_declare__isnull=False)
                & (Q(cafat_declaree__isnull=False) | ~Q(mois=F("etat__mois"))),
            ),
        )
        .order_by()
    )
    etats = {etat.pk: etat for etat in EtatRemuneration.objects.filter(pk__in=etat_ids)}
    for etat in etats.values():
        etat.nombre_lignes = etat.lignes_completes = etat.montant_du = 0
        etat.montant_declare = etat.cafat_declaree = etat.ecart = None
    totaux = []
    for groupe in par_lot:
        etat = etats[groupe["etat_id"]]
        etat.nombre_lignes += groupe["nombre"]
        etat.lignes_completes += groupe["completes"]
        etat.montant_du += groupe["du"]
        etat.montant_declare = _ajouter(etat.montant_declare, groupe["declare"])
        etat.cafat_declaree = _ajouter(etat.cafat_declaree, groupe["cafat"])
        etat.ecart = _ajouter(etat.ecart, groupe["ecart"])
        totaux.append(
            TotalRemuneration(
                etat_id=etat.pk,
                lot_id=groupe["parcours__lot_id"],
                montant_du=groupe["du"],
                montant_declare=groupe["declare"],
                ecart=groupe["ecart"],
            )
        )
    EtatRemuneration.objects.bulk_update(
        etats.values(),
        ["nombre_lignes", "lignes_completes", "montant_du", "montant_declare", "cafat_declaree",
         "ecart"],
        batch_size=LOT,
    )  # fmt: skip
    TotalRemuneration.objects.filter(etat_id__in=etat_ids).delete()
    TotalRemuneration.objects.bulk_create(totaux, batch_size=LOT)


def tout_actualiser():
    """Every open état recomputed, every état's totals summed (reconciled ones from their
    frozen lines): after a bulk write that sent no signal, and to fill a new database."""
    actualiser()
    totaliser(
        EtatRemuneration.objects.filter(etat=EtatDeclaration.ACCEPTE).values_list("pk", flat=True)
    )


# --- Reading ------------------------------------------------------------------------------


def lignes_stockees():
    """The stored lines with what a page or a file shows of their stagiaire, in the order of
    `calcul.releves()`: the état's own month first, then adjustments; by reference."""
    return LigneRemuneration.objects.select_related(
        "parcours__demandeur", "parcours__lot", "parcours__ligne__prescription"
    )


def en_ligne(stockee: LigneRemuneration, mois_de_l_etat: date) -> calcul.Ligne:
    """A stored line as the computation's Ligne (what templates and files read). An
    adjustment frozen before its reconciled amount was stored counts it 0."""
    return calcul.ligne_enregistree(stockee, mois_de_l_etat, stockee.deja_rapproche or 0)


def releves_stockes(etats: Iterable[EtatRemuneration]) -> list[calcul.Releve]:
    """The états with all their stored lines (for files): two queries."""
    etats = list(etats)
    lignes = defaultdict(list)
    for stockee in lignes_stockees().filter(etat__in=etats):
        lignes[stockee.etat_id].append(stockee)
    resultat = []
    for etat in etats:
        releve = calcul.Releve(prestataire=etat.prestataire, mois=etat.mois, etat=etat)
        releve.lignes = sorted(
            (en_ligne(s, etat.mois) for s in lignes[etat.pk]), key=calcul.ordre_des_lignes
        )
        resultat.append(releve)
    return resultat


def releves_des_mois(paires: Iterable[tuple[Prestataire, date]]) -> list[calcul.Releve]:
    """Like `calcul.releves()`, in the same order: an opened month read from its stored lines,
    a month not opened yet computed (it has nothing stored)."""
    paires = list(paires)
    if not paires:
        return []
    etats = calcul.etats_des_mois(paires)
    stockes = {
        (releve.etat.prestataire_id, releve.mois): releve
        for releve in releves_stockes(etats.values())
    }
    calcules = {
        (releve.prestataire.pk, releve.mois): releve
        for releve in calcul.releves([(p, m) for p, m in paires if (p.pk, m) not in etats])
    }
    resultat = []
    for prestataire, mois in paires:
        releve = stockes.get((prestataire.pk, mois)) or calcules.get((prestataire.pk, mois))
        if releve is not None:
            resultat.append(releve)
    return resultat


# --- What the stored totals say ----------------------------------------------------------------


@dataclass
class Ecarts:
    """An état's lines declared with a gap between what was paid and what is due: how many,
    and the francs paid over and under the due (both counted positive: a net total of zero
    may hide two gaps)."""

    lignes: int
    en_trop: int
    en_moins: int

    def __bool__(self):
        return self.lignes > 0

    @property
    def net(self) -> int:
        return self.en_trop - self.en_moins


def ecarts(etat: EtatRemuneration) -> Ecarts:
    """The état's stored lines paid more or less than due: one query."""
    ecart = F("montant_declare") - F("montant_du")
    sommes = (
        LigneRemuneration.objects.filter(etat=etat, montant_declare__isnull=False)
        .exclude(montant_declare=F("montant_du"))
        .aggregate(
            lignes=Count("pk"),
            en_trop=Coalesce(
                Sum(ecart, filter=Q(montant_declare__gt=F("montant_du"))), 0,
                output_field=IntegerField(),
            ),
            en_moins=Coalesce(
                Sum(-ecart, filter=Q(montant_declare__lt=F("montant_du"))), 0,
                output_field=IntegerField(),
            ),
        )
    )  # fmt: skip
    return Ecarts(**sommes)


@dataclass
class Avancement:
    """États summed (a stage of their life, or all): what is due, what the prestataire
    declared paid, the gap on the lines declared (paid − due), and the due of the lines not
    declared yet; so that due = declared − gap + not declared, always."""

    libelle: str
    etats: int = 0
    montant_du: int = 0
    montant_declare: int = 0
    ecart: int = 0
    etat: str = ""

    @property
    def reste_a_declarer(self) -> int:
        return self.montant_du - self.montant_declare + self.ecart


def avancement(etats) -> tuple[list[Avancement], Avancement]:
    """The états of the queryset summed per stage (in the order of their life: in
    preparation, sent back, submitted, reconciled), and all of them: one query, the SQL sums
    of their stored totals."""
    sommes = {
        groupe["etat"]: groupe
        for groupe in etats.order_by()
        .values("etat")
        .annotate(
            nombre=Count("pk"),
            du=Coalesce(Sum("montant_du"), 0),
            declare=Coalesce(Sum("montant_declare"), 0),
            ecart=Coalesce(Sum("ecart"), 0),
        )
    }
    etapes, total = [], Avancement(libelle="Total des mois ouverts")
    for etape in (
        EtatDeclaration.BROUILLON,
        EtatDeclaration.RENVOYE,
        EtatDeclaration.SOUMIS,
        EtatDeclaration.ACCEPTE,
    ):
        groupe = sommes.get(etape, {})
        ligne = Avancement(
            libelle=etape.label,
            etat=etape.value,
            etats=groupe.get("nombre", 0),
            montant_du=groupe.get("du", 0),
            montant_declare=groupe.get("declare", 0),
            ecart=groupe.get("ecart", 0),
        )
        etapes.append(ligne)
        for champ in ("etats", "montant_du", "montant_declare", "ecart"):
            setattr(total, champ, getattr(total, champ) + getattr(ligne, champ))
    return etapes, total


@dataclass
class MoisSansEtat:
    """A month in which a prestataire had stagiaires and has no état yet."""

    prestataire: str
    mois: date
    stagiaires: int
    situation: SituationDuMois


def mois_sans_etat(prestataire_ids: list[int] | None, annee: int, jour: date):
    """The months of the year, up to `jour`'s, in which a prestataire (of `prestataire_ids`;
    all with None) had stagiaires but opened no état: nothing is stored for them, their due is
    computed when the état opens. A month ended is to open (the timer opens it on the 1st,
    the direction may do it first); the current month opens once it ends; a month before the
    prestataire's last reconciled one never opens (services.ouvrir_etat refuses it). By
    prestataire then month; three queries whatever the number of prestataires and months."""
    mois = mois_entre(date(annee, 1, 1), min(date(annee, 12, 1), mois_de(jour)))
    if not mois:
        return []
    parcours = Parcours.objects.filter(calcul.couvrant_la_periode(mois[0], mois[-1]))
    etats = EtatRemuneration.objects.all()
    if prestataire_ids is not None:
        parcours = parcours.filter(prestataire_id__in=prestataire_ids)
        etats = etats.filter(prestataire_id__in=prestataire_ids)
    comptes = (
        parcours.values("prestataire_id", "prestataire__code")
        .annotate(
            **{
                f"m{rang}": Count("pk", filter=calcul.parcours_couvrant(m))
                for rang, m in enumerate(mois)
            }
        )
        .order_by("prestataire__code")
    )
    ouverts = set(etats.filter(mois__in=mois).values_list("prestataire_id", "mois"))
    derniers_rapproches = dict(
        etats.filter(etat=EtatDeclaration.ACCEPTE)
        .values("prestataire_id")
        .annotate(dernier=Max("mois"))
        .values_list("prestataire_id", "dernier")
    )
    resultat = []
    for compte in comptes:
        prestataire_id = compte["prestataire_id"]
        dernier = derniers_rapproches.get(prestataire_id)
        for rang, m in enumerate(mois):
            if not compte[f"m{rang}"] or (prestataire_id, m) in ouverts:
                continue
            if dernier is not None and m < dernier:
                situation = SituationDuMois.CLOS
            elif m == mois_de(jour):
                situation = SituationDuMois.EN_COURS
            else:
                situation = SituationDuMois.A_OUVRIR
            resultat.append(
                MoisSansEtat(compte["prestataire__code"], m, compte[f"m{rang}"], situation)
            )
    return resultat
