"""The hand-worked cohort of the CCTP indicators (docs/contrats.md §3): a small cohort whose
every value is worked out by hand below (every class of exit, early exits, refusals, an
adjournment, a person still running, a binôme, both lots, the period's boundaries), its rows
written as lines of the import file (docs/contrats.md §2), and how they are written to the
database as the application would have recorded them. The `referentiel` and `cohorte` fixtures
of this folder's conftest load it."""

from datetime import date, datetime, time

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from bons_de_commande.enums import EtatBonDeCommande, EtatLigne
from bons_de_commande.models import BonDeCommande, LigneCommande
from prestataires.enums import EtatParcours, MomentEvaluation, TypeFin
from prestataires.models import Evaluation, Parcours
from procurement.calendrier import ajouter_mois
from procurement.enums import Decision, EtatPrescription, EtatSession
from procurement.models import (
    AttributionLot,
    Commune,
    Demandeur,
    Frein,
    Lot,
    NiveauFormation,
    PassageCommission,
    Prescription,
    Prestataire,
    SessionCommission,
    TypeSortie,
)
from tests.factories import PrestataireFactory, UserFactory

DU, AU = date(2025, 1, 1), date(2025, 6, 30)


def personne(reference, nom, genre, naissance, niveau, commune, lot, prestataire, conseiller,
             prescrite, **suite) -> dict:  # fmt: skip
    """One row of the import file: who, prescribed when by whom, then what followed."""
    evaluations = {}
    for moment in ("entree", "sortie"):
        for axe, note in zip(
            ("projet", "freins", "engagement", "savoir_etre"), suite.pop(moment, ""), strict=False
        ):
            evaluations[f"eval_{moment}_{axe}"] = note
    return {
        "reference": reference,
        "nom": nom,
        "prenom": "Camille",
        "date_naissance": naissance,
        "genre": genre,
        "niveau_formation": niveau,
        "commune": commune,
        "lot": str(lot),
        "prestataire": prestataire,
        "conseiller": conseiller,
        "date_prescription": prescrite,
        "motif_prescription": "Accompagnement vers l'emploi",
        **evaluations,
        **suite,
    }


def valide(commission, session, entree, duree="", **suite) -> dict:
    """Validated in commission on `commission`, ordered in `session`, entered on `entree`."""
    return {"date_commission": commission, "decision": "validee", "duree_mois": duree,
            "session": session, "date_entree": entree, **suite}  # fmt: skip


def stage(debut, fin) -> dict:
    """A parcours led to its term holds a stage (docs/domaine.md); the indicators do not read it."""
    return {"stage_entreprise": "Boulangerie du Port", "stage_debut": debut, "stage_fin": fin}


def refuse(commission, motif) -> dict:
    return {"date_commission": commission, "decision": "refusee", "motif_refus": motif}


# The cohort. Period: 01/01/2025 to 30/06/2025. ALPHA and BETA hold lot 1, GAMMA lot 2.
# Evaluations read projet, freins, engagement, savoir-être (1 to 4).
COHORTE = [
    # Prescribed the day before the period: not one of its prescriptions; entered on its first
    # day: in the cohort. Early exit on 15/03 (73 days of 6 months), no positive exit.
    # Evaluations 12 -> 11: no progression.
    personne("IND-00", "INDICZERO", "M", "1970-01-01", "cap_bep", "thio", 1, "ALPHA",
             "conseiller2", "2024-12-31", freins="mobilite", entree="3333", sortie="2333",
             **valide("2024-12-31", "ALPHA-2025-01", "2025-01-01", "6", date_sortie="2025-03-15",
                      type_sortie="abandon", sortie_anticipee="oui",
                      motif_sortie_anticipee="Déménagement dans le Nord")),
    # Prescribed on the period's first day, in binôme with ts1 (the conseiller is counted);
    # aged 34. CDI (ED) at the planned end: 180 days of 6 months. Satisfaction 5.
    # Evaluations 8 -> 12: progression.
    personne("IND-01", "INDICUN", "F", "1990-04-12", "bac", "noumea", 1, "ALPHA", "conseiller1",
             "2025-01-01", travailleur_social="ts1", freins="mobilite|logement", entree="2222",
             sortie="3333",
             **valide("2025-01-10", "ALPHA-2025-01", "2025-02-03", "6", date_sortie="2025-08-02",
                      type_sortie="cdi", sortie_anticipee="non", satisfaction="5",
                      **stage("2025-05-05", "2025-05-30"))),
    # Prescribed on the period's last day, aged 25 years and 364 days (26 on 01/07/1999 + 26);
    # entered the day after the period: not in the cohort, and its session has no entry.
    personne("IND-02", "INDICDEUX", "M", "1999-07-01", "cap_bep", "dumbea", 1, "ALPHA",
             "conseiller2", "2025-06-30", freins="numerique",
             **valide("2025-06-30", "ALPHA-2025-03", "2025-07-01", "7")),
    # Aged 39. CDD of 6 months or less (SD) at the planned end: 244 days of 8 months.
    # Satisfaction 4. Evaluations 4 -> 4: no progression.
    personne("IND-03", "INDICTROIS", "M", "1985-09-03", "sans_diplome", "paita", 1, "ALPHA",
             "conseiller1", "2025-02-10", freins="numerique", entree="1111", sortie="1111",
             **valide("2025-02-20", "ALPHA-2025-02", "2025-03-03", "8", date_sortie="2025-11-02",
                      type_sortie="cdd", satisfaction="4", **stage("2025-06-02", "2025-06-27"))),
    # Aged 24. Early exit into a pre-qualifying training (SP): 44 days of 6 months.
    # Satisfaction 2. No evaluation.
    personne("IND-04", "INDICQUATRE", "F", "2001-02-28", "bac", "mont_dore", 1, "BETA",
             "conseiller2", "2025-03-05", freins="mobilite|garde_enfants",
             **valide("2025-03-20", "BETA-2025-01", "2025-04-01", "6", date_sortie="2025-05-15",
                      type_sortie="formation_pre_qualifiante", sortie_anticipee="oui",
                      motif_sortie_anticipee="Entrée en formation", satisfaction="2")),
    # Aged 49. Entered on the period's last day, still running; an entry evaluation only.
    personne("IND-05", "INDICCINQ", "X", "1975-05-02", "sans_diplome", "noumea", 1, "BETA",
             "conseiller1", "2025-03-05", entree="2211",
             **valide("2025-03-20", "BETA-2025-01", "2025-06-30", "6")),
    # Born 29/02/1980: 45 on the prescription's day. Refused for mobility.
    personne("IND-06", "INDICSIX", "M", "1980-02-29", "cap_bep", "bourail", 1, "BETA",
             "conseiller2", "2025-04-10", freins="mobilite", **refuse("2025-04-17", "mobilite")),
    # Aged 29. Refused for mobility.
    personne("IND-07", "INDICSEPT", "F", "1995-07-14", "bac_2", "noumea", 1, "ALPHA",
             "conseiller1", "2025-04-11", **refuse("2025-04-17", "mobilite")),
    # Aged 21. Refused for health.
    personne("IND-08", "INDICHUIT", "M", "2003-06-05", "sans_diplome", "la_foa", 1, "ALPHA",
             "conseiller1", "2025-05-02", **refuse("2025-05-15", "sante")),
    # Aged 37. Adjourned: neither an entry nor a non-entrée.
    personne("IND-09", "INDICNEUF", "F", "1988-03-22", "bac_3_plus", "noumea", 1, "ALPHA",
             "conseiller2", "2025-05-20", date_commission="2025-06-05", decision="ajournee"),
    # Lot 2 (8 months), aged 46. No positive exit at the planned end: 241 days of 8 months.
    # No satisfaction given. Evaluations 6 -> 8: progression.
    personne("IND-10", "INDICDIX", "F", "1978-11-30", "bac_2", "mont_dore", 2, "GAMMA",
             "conseiller1", "2025-01-15", freins="handicap", entree="1212", sortie="2222",
             **valide("2025-01-30", "GAMMA-2025-01", "2025-02-17", date_sortie="2025-10-16",
                      type_sortie="sans_solution", **stage("2025-07-07", "2025-07-25"))),
    # 26 on the very day of the prescription. Not examined yet.
    personne("IND-11", "INDICONZE", "M", "1999-06-01", "bac", "dumbea", 1, "ALPHA",
             "conseiller1", "2025-06-01"),
    # Prescribed the day before the period, refused in it: not a non-entrée of the period.
    personne("IND-12", "INDICDOUZE", "F", "1992-01-31", "bac", "noumea", 1, "ALPHA",
             "conseiller1", "2024-12-31", **refuse("2025-01-10", "justice")),
    # Prescribed the day after the period.
    personne("IND-13", "INDICTREIZE", "M", "1990-10-10", "bac", "yate", 1, "BETA",
             "conseiller2", "2025-07-01"),
]  # fmt: skip


# Worked out by hand from the rows above.
ATTENDU = {
    # IND-01 to IND-11: IND-00 and IND-12 the day before, IND-13 the day after.
    "prescriptions": 11,
    # IND-00 (01/01), -01, -03, -04, -05 (30/06), -10; IND-02 entered on 01/07.
    "entrees": 6,
    "taux_entree": 0.5455,  # 6 / 11 = 0.54545…
    "non_entrees": {"mobilite": 2, "sante": 1},  # IND-06, -07; IND-08 (IND-12: out of period)
    "typologie": {
        "genre": {"F": 5, "M": 5, "X": 1},  # F: 01 04 07 09 10; M: 02 03 06 08 11; X: 05
        # < 26: 02 (25 y 364 d), 04, 08; 26-44: 01, 03, 07, 09, 11 (26 that day);
        # 45+: 05, 06 (29 February), 10
        "tranche_age": {"moins_26": 3, "26_44": 5, "45_plus": 3},
        "niveau_formation": {
            "bac": 3,
            "bac_2": 2,
            "bac_3_plus": 1,
            "cap_bep": 2,
            "sans_diplome": 3,
        },  # fmt: skip
        "commune": {
            "bourail": 1,
            "dumbea": 2,
            "la_foa": 1,
            "mont_dore": 2,
            "noumea": 4,
            "paita": 1,
        },  # fmt: skip
        "conseiller": {"conseiller1": 7, "conseiller2": 4},  # never ts1, IND-01's binôme
    },
    "en_cours": 1,  # IND-05
    "sorties": 5,
    "sorties_anticipees": 2,  # IND-00, IND-04
    "taux_sortie_anticipee": 0.3333,  # 2 / 6
    "emploi_durable": 1,  # IND-01 (CDI)
    "taux_emploi_durable": 0.1667,  # 1 / 6 = 0.16666…
    "sorties_dynamiques": 2,  # + IND-03 (CDD)
    "taux_sortie_dynamique": 0.3333,
    "sorties_positives": 3,  # + IND-04 (formation pré-qualifiante)
    "taux_sortie_positive": 0.5,
    "placements": 2,
    # Σ days ÷ validated months = (73 + 180 + 44) / 6 + (244 + 241) / 8 = 881/8; in months of
    # 365.25/12 days, over 5 ended parcours: 881/8 × 48/1461 / 5 = 5286/7305 = 0.72361…
    "taux_duree": 0.7236,
    "taux_progression": 0.5,  # both evaluations: IND-00, -01, -03, -10; up: -01, -10
    "satisfaction_moyenne": 3.67,  # (5 + 4 + 2) / 3 = 3.666…
    # IND-00 mobilité; -01 mobilité, logement; -03 numérique; -04 mobilité, garde d'enfants;
    # -10 handicap (IND-02's numérique: not entered in the period)
    "freins": {"garde_enfants": 1, "handicap": 1, "logement": 1, "mobilite": 3, "numerique": 1},
    "sessions": [
        # IND-00 left early, IND-01 stayed to the end
        {"session": "ALPHA-2025-01", "entres": 2, "presents_fin": 1, "taux_integration": 0.5},
        {"session": "ALPHA-2025-02", "entres": 1, "presents_fin": 1, "taux_integration": 1.0},
        # IND-04 left early; IND-05 still running counts as present
        {"session": "BETA-2025-01", "entres": 2, "presents_fin": 1, "taux_integration": 0.5},
        {"session": "GAMMA-2025-01", "entres": 1, "presents_fin": 1, "taux_integration": 1.0},
    ],
}


# Lot 2 holds GAMMA's IND-10 alone: 241 days of 8 months = 241 × 6 / 1461 = 0.98973…; no
# satisfaction given.
ATTENDU_LOT_2 = {
    "prescriptions": 1, "entrees": 1, "taux_entree": 1.0, "non_entrees": {},
    "typologie": {"genre": {"F": 1}, "tranche_age": {"45_plus": 1},
                  "niveau_formation": {"bac_2": 1}, "commune": {"mont_dore": 1},
                  "conseiller": {"conseiller1": 1}},
    "en_cours": 0, "sorties": 1, "sorties_anticipees": 0, "taux_sortie_anticipee": 0.0,
    "emploi_durable": 0, "taux_emploi_durable": 0.0, "sorties_dynamiques": 0,
    "taux_sortie_dynamique": 0.0, "sorties_positives": 0, "taux_sortie_positive": 0.0,
    "placements": 0, "taux_duree": 0.9897, "taux_progression": 1.0,
    "satisfaction_moyenne": None, "freins": {"handicap": 1},
    "sessions": [{"session": "GAMMA-2025-01", "entres": 1, "presents_fin": 1,
                  "taux_integration": 1.0}],
}  # fmt: skip
# BETA: IND-04, -05, -06 prescribed, IND-04 and -05 entered. No BETA person has both
# evaluations: the progression rate has no denominator and is null. IND-04: 44 days of 6
# months = 44 × 8 / 1461 = 0.24093…
ATTENDU_BETA = {
    "prescriptions": 3, "entrees": 2, "taux_entree": 0.6667, "non_entrees": {"mobilite": 1},
    "typologie": {"genre": {"F": 1, "M": 1, "X": 1},
                  "tranche_age": {"moins_26": 1, "45_plus": 2},
                  "niveau_formation": {"bac": 1, "cap_bep": 1, "sans_diplome": 1},
                  "commune": {"bourail": 1, "mont_dore": 1, "noumea": 1},
                  "conseiller": {"conseiller1": 1, "conseiller2": 2}},
    "en_cours": 1, "sorties": 1, "sorties_anticipees": 1, "taux_sortie_anticipee": 0.5,
    "emploi_durable": 0, "taux_emploi_durable": 0.0, "sorties_dynamiques": 0,
    "taux_sortie_dynamique": 0.0, "sorties_positives": 1, "taux_sortie_positive": 0.5,
    "placements": 0, "taux_duree": 0.2409, "taux_progression": None,
    "satisfaction_moyenne": 2.0, "freins": {"garde_enfants": 1, "mobilite": 1},
    "sessions": [{"session": "BETA-2025-01", "entres": 2, "presents_fin": 1,
                  "taux_integration": 0.5}],
}  # fmt: skip


# --- Loading the cohort as the application would have written it -------------------------


def creer_referentiel() -> None:
    """The people and organisations the rows name: conseiller1 and conseiller2, ts1, ALPHA
    and BETA on lot 1, GAMMA on lot 2 (each from 2020), and a gestionnaire."""
    UserFactory(username="conseiller1", role=Role.CONSEILLER)
    UserFactory(username="conseiller2", role=Role.CONSEILLER)
    UserFactory(username="ts1", role=Role.TRAVAILLEUR_SOCIAL)
    UserFactory(username="gestionnaire1", role=Role.GESTIONNAIRE)
    for code, lot in (("ALPHA", 1), ("BETA", 1), ("GAMMA", 2)):
        PrestataireFactory(code=code, lot=lot)


def _jour(texte: str) -> date | None:
    return date.fromisoformat(texte) if texte else None


def a_midi(jour: date) -> datetime:
    return timezone.make_aware(datetime.combine(jour, time(12)))


def _etat_prescription(ligne: dict) -> str:
    if ligne.get("session"):
        return EtatPrescription.COMMANDEE
    return ligne.get("decision") or EtatPrescription.SOUMISE


def _seance(ligne: dict, prescription, auteur) -> SessionCommission:
    return SessionCommission.objects.create(
        date_seance=_jour(ligne["date_commission"]),
        lot=prescription.lot,
        prestataire=prescription.prestataire,
        etat=EtatSession.CLOTUREE,
        cree_par=auteur,
    )


def charger(lignes: list[dict]) -> None:
    """Write the rows as the application records them: demandeur, prescription, its passage in
    commission, the order of its session, its line and parcours, its evaluations."""
    auteur = User.objects.get(username="gestionnaire1")
    bons: dict[str, BonDeCommande] = {}
    for ligne in lignes:
        lot = Lot.objects.get(numero=int(ligne["lot"]))
        prestataire = Prestataire.objects.get(code=ligne["prestataire"])
        conseiller = User.objects.get(username=ligne["conseiller"])
        demandeur = Demandeur.objects.create(
            nom=ligne["nom"],
            prenom=ligne["prenom"],
            date_naissance=_jour(ligne["date_naissance"]),
            genre=ligne["genre"],
            niveau_formation=NiveauFormation.objects.get(code=ligne["niveau_formation"]),
            commune=Commune.objects.get(code=ligne["commune"]),
            situation_logement="autonome",
            reconnaissance_crhd=lot.numero == 2,
            cree_par=conseiller,
        )
        binome = ligne.get("travailleur_social")
        prescription = Prescription.objects.create(
            reference=ligne["reference"],
            demandeur=demandeur,
            lot=lot,
            prestataire=prestataire,
            conseiller=conseiller,
            travailleur_social=User.objects.get(username=binome) if binome else None,
            difficultes_logement=bool(binome),
            date_prescription=_jour(ligne["date_prescription"]),
            motif=ligne["motif_prescription"],
            resultat_attendu="Un emploi durable",
            etat=_etat_prescription(ligne),
        )
        if ligne.get("freins"):
            prescription.freins.set(Frein.objects.filter(code__in=ligne["freins"].split("|")))
        if not ligne.get("decision"):
            continue
        duree = int(ligne.get("duree_mois") or 8)
        session = ligne.get("session")
        if session and session in bons:
            seance = bons[session].session
        else:
            seance = _seance(ligne, prescription, auteur)
        PassageCommission.objects.create(
            session=seance,
            prescription=prescription,
            decision=ligne["decision"],
            duree_mois=duree if ligne["decision"] == Decision.VALIDEE else None,
            motif_refus=Frein.objects.filter(code=ligne.get("motif_refus")).first(),
            decide_par=auteur,
            decide_le=a_midi(seance.date_seance),
        )
        if session:
            if session not in bons:
                bons[session] = BonDeCommande.objects.create(
                    session=seance,
                    prestataire=prestataire,
                    lot=lot,
                    attribution=AttributionLot.objects.get(prestataire=prestataire, lot=lot),
                    numero=session,
                    etat=EtatBonDeCommande.ACCUSE,
                    emis_par=auteur,
                    accuse_par=auteur,
                )
            _parcours(ligne, bons[session], prescription, duree, auteur)


def _parcours(ligne: dict, bon, prescription, duree: int, auteur) -> Parcours:
    entree, sortie = _jour(ligne.get("date_entree", "")), _jour(ligne.get("date_sortie", ""))
    type_sortie = ligne.get("type_sortie")
    etat = EtatParcours.ATTENTE_ENTREE
    if entree:
        etat = EtatParcours.TERMINE if sortie else EtatParcours.EN_COURS
    type_fin = ""
    if sortie:
        type_fin = TypeFin.ANTICIPEE if ligne.get("sortie_anticipee") == "oui" else TypeFin.TERME
    parcours = Parcours.objects.create(
        ligne=LigneCommande.objects.create(
            bon=bon, prescription=prescription, duree_mois=duree, etat=EtatLigne.COMMANDEE
        ),
        prestataire=bon.prestataire,
        demandeur=prescription.demandeur,
        lot=bon.lot,
        duree_mois=duree,
        etat=etat,
        date_entree=entree,
        fin_prevue=ajouter_mois(entree, duree) if entree else None,
        date_sortie=sortie,
        type_fin=type_fin,
        type_sortie=TypeSortie.objects.get(code=type_sortie) if type_sortie else None,
        motif_sortie=ligne.get("motif_sortie_anticipee", ""),
        satisfaction=int(ligne["satisfaction"]) if ligne.get("satisfaction") else None,
    )
    for moment, jour in ((MomentEvaluation.ENTREE, entree), (MomentEvaluation.SORTIE, sortie)):
        notes = [ligne.get(f"eval_{moment}_{axe}") for axe in Evaluation.AXES]
        if all(notes):
            Evaluation.objects.create(
                parcours=parcours,
                moment=moment,
                date=jour or entree,
                par=auteur,
                **{axe: int(note) for axe, note in zip(Evaluation.AXES, notes, strict=True)},
            )
    return parcours
