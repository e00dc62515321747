"""Checking one row: the rules of docs/contrats.md §2 beyond the type of each cell (dates in order,
blocks complete, one value per person and per session, what a re-import cannot restate), which
refuse it; and what the application's screens would refuse for another reason (an exit before
the planned end that is not early, an exit at term without a stage, a date in the future, a
person under the minimum age, one person given two genders, levels or communes), which history
records as the file states it, with a warning."""

from dataclasses import dataclass
from datetime import date

from procurement.enums import Decision
from procurement.models import AGE_MINIMUM, age_le

from ..enums import EtatBilan
from .colonnes import EVAL_ENTREE, EVAL_SORTIE, OBLIGATOIRES, STAGE
from .contexte import EnBase
from .ligne import LigneImport


@dataclass(slots=True)
class Vue:
    """What later rows compare with an earlier row (a person's, a session's first row): a few
    values, not the row, so that a file's rows are not all kept."""

    ligne: int
    genre: object = None
    niveau_formation: object = None
    commune: object = None
    lot: object = None
    prestataire: object = None
    bilan_transmis: object = None


def _lisible(valeur) -> str:
    if isinstance(valeur, date):
        return f"{valeur:%d/%m/%Y}"
    return getattr(valeur, "code", None) or str(valeur)


class Verification:
    """The rules of docs/contrats.md §2 on one row (completed from the database for a reference
    already imported), with the rows read before it (same reference, person, session): errors
    (`erreurs`), which refuse the file, and warnings (`avertissements`), which do not."""

    def __init__(
        self, ligne: LigneImport, base: EnBase | None, controle, erreurs: dict, avertissements
    ):
        self.ligne, self.base, self.resource, self.erreurs = ligne, base, controle, erreurs
        self.avertissements = avertissements
        self.contexte = controle.contexte
        self.invalides = set(erreurs)
        self.jours_suspendus = base.jours_suspendus if base else 0

    def erreur(self, colonne, message):
        self.erreurs.setdefault(colonne, []).append(message)

    def avertissement(self, colonne, message):
        """What the screens refuse and history records as written (docs/contrats.md §2)."""
        self.avertissements.setdefault(colonne, []).append(message)

    def rempli(self, colonne) -> bool:
        return getattr(self.ligne, colonne) not in (None, "", ())

    def vide(self, colonne) -> bool:
        """Empty, and not because its value could not be read (that error is enough)."""
        return not self.rempli(colonne) and colonne not in self.invalides

    def pas_dans_le_futur(self, colonne, libelle):
        jour = getattr(self.ligne, colonne)
        if jour and jour > self.resource.aujourd_hui:
            self.avertissement(colonne, f"{libelle} ({jour:%d/%m/%Y}) est dans le futur")

    def verifier(self):
        for regle in (
            self.obligatoires,
            self.reference,
            self.personne,
            self.prescription,
            self.decision,
            self.session,
            self.entree_et_sortie,
            self.stage,
            self.evaluations,
            self.bilan,
            self.historique,
        ):
            regle()

    def verifier_inchangee(self):
        """A row that restates what the database holds (every block equal): only the rules
        across rows (a reference, a person, a session, a bilan named twice); the others would
        judge the database, not the file. It writes nothing: no warning."""
        for regle in (self.reference, self.personne, self.session, self.bilan):
            regle()
        self.avertissements.clear()

    def obligatoires(self):
        for colonne in OBLIGATOIRES:
            if self.vide(colonne):
                self.erreur(colonne, "obligatoire")

    def reference(self):
        reference = self.ligne.reference
        if not reference:
            return
        if reference in self.contexte.references_saisies:
            self.erreur(
                "reference",
                f"« {reference} » est la référence d'une prescription saisie dans l'application : "
                "seules les prescriptions importées se réimportent",
            )
        premiere = self.resource.vues_references.setdefault(reference, self.ligne.ligne)
        if premiere != self.ligne.ligne:
            self.erreur("reference", f"référence déjà utilisée ligne {premiere}")

    def personne(self):
        ligne = self.ligne
        if ligne.date_naissance and ligne.date_prescription:
            age = age_le(ligne.date_naissance, ligne.date_prescription)
            if age < AGE_MINIMUM:
                self.avertissement(
                    "date_naissance",
                    f"la personne a {max(age, 0)} ans à la date de prescription : "
                    f"{AGE_MINIMUM} ans au moins",
                )
        if not (ligne.nom and ligne.prenom and ligne.date_naissance):
            return
        autre = self.resource.vues_personnes.get(ligne.identite)
        if autre is None:
            self.resource.vues_personnes[ligne.identite] = Vue(
                ligne.ligne,
                genre=ligne.genre,
                niveau_formation=ligne.niveau_formation,
                commune=ligne.commune,
            )
            return
        for colonne in ("genre", "niveau_formation", "commune"):
            avant, ici = getattr(autre, colonne), getattr(ligne, colonne)
            if avant and ici and avant != ici:
                self.avertissement(
                    colonne,
                    f"la même personne a « {_lisible(avant)} » ligne {autre.ligne} : "
                    "la dernière ligne l'emporte",
                )

    def prescription(self):
        ligne = self.ligne
        self.pas_dans_le_futur("date_prescription", "la date de prescription")
        if (
            ligne.prestataire
            and ligne.lot
            and not self.contexte.attribution(ligne.prestataire, ligne.lot, None)
        ):
            self.erreur(
                "prestataire",
                f"{ligne.prestataire.code} ne détient pas le lot {ligne.lot.numero}",
            )

    def decision(self):
        ligne, decision = self.ligne, self.ligne.decision
        decision_lisible = "decision" not in self.invalides
        if decision and self.vide("date_commission"):
            self.erreur("date_commission", "obligatoire avec une décision")
        if ligne.date_commission and self.vide("decision"):
            self.erreur(
                "decision", "obligatoire avec une date de commission (validee, refusee, ajournee)"
            )
        if (
            ligne.date_commission
            and ligne.date_prescription
            and ligne.date_commission < ligne.date_prescription
        ):
            self.erreur("date_commission", "la date de commission précède la date de prescription")
        self.pas_dans_le_futur("date_commission", "la date de commission")
        if decision == Decision.REFUSEE and self.vide("motif_refus"):
            self.erreur("motif_refus", "obligatoire pour une décision refusée (un code de frein)")
        if ligne.motif_refus and decision != Decision.REFUSEE and decision_lisible:
            self.erreur("motif_refus", "seulement pour une décision refusée")
        lot = ligne.lot
        if lot is None:
            return
        if ligne.duree_fixe:
            if ligne.duree_mois is not None:
                self.erreur(
                    "duree_mois",
                    f"à laisser vide au lot {lot.numero} : la durée y est toujours de "
                    f"{ligne.duree_fixe} mois",
                )
        elif ligne.duree_mois is not None and decision != Decision.VALIDEE:
            if decision_lisible:
                self.erreur("duree_mois", "seulement pour une décision validée")
        elif decision == Decision.VALIDEE:
            bornes = f"{lot.duree_min_mois} à {lot.duree_max_mois} mois"
            if self.vide("duree_mois"):
                self.erreur(
                    "duree_mois", f"obligatoire pour une décision validée au lot {lot.numero} "
                    f"({bornes})"
                )  # fmt: skip
            elif ligne.duree_mois is not None and not (
                lot.duree_min_mois <= ligne.duree_mois <= lot.duree_max_mois
            ):
                self.erreur(
                    "duree_mois", f"{ligne.duree_mois} mois : de {bornes} au lot {lot.numero}"
                )

    def session(self):
        ligne, session = self.ligne, self.ligne.session
        if ligne.date_entree and self.vide("session"):
            self.erreur("session", "obligatoire avec une date d'entrée")
        if not session or "session" not in ligne.enonces:
            return
        if ligne.decision != Decision.VALIDEE and "decision" not in self.invalides:
            self.erreur(
                "session",
                "seulement pour une prescription validée : la session est le bon de commande "
                "qui a lancé les parcours",
            )
        bon = self.contexte.bons.get(session)
        if bon and not bon.importe:
            self.erreur(
                "session",
                f"« {session} » est le numéro d'un bon de commande émis dans l'application",
            )
        elif bon:
            if ligne.lot and ligne.lot.pk != bon.lot_id:
                lot = self.contexte.lots_par_pk[bon.lot_id]
                self.erreur("lot", f"la session {session} est au lot {lot.numero}")
            if ligne.prestataire and ligne.prestataire.pk != bon.prestataire_id:
                self.erreur(
                    "prestataire",
                    f"la session {session} est celle de "
                    f"{self.contexte.prestataires_par_pk[bon.prestataire_id].code}",
                )
        premiere = self.resource.vues_sessions.get(session)
        if premiere is None:
            self.resource.vues_sessions[session] = Vue(
                ligne.ligne, lot=ligne.lot, prestataire=ligne.prestataire
            )
            return
        if ligne.lot and premiere.lot and ligne.lot != premiere.lot:
            self.erreur(
                "lot", f"la session {session} est au lot {premiere.lot.numero} "
                f"(ligne {premiere.ligne}) : une session a un seul lot"
            )  # fmt: skip
        if ligne.prestataire and premiere.prestataire and ligne.prestataire != premiere.prestataire:
            self.erreur(
                "prestataire",
                f"la session {session} est celle de {premiere.prestataire.code} "
                f"(ligne {premiere.ligne}) : une session a un seul prestataire",
            )

    def entree_et_sortie(self):
        """prescription ≤ commission ≤ entrée ≤ sortie; an exit is typed; an early exit has
        its reason; an exit at term comes at the planned end, after a stage (docs/domaine.md)."""
        ligne = self.ligne
        if ligne.date_entree:
            if ligne.decision != Decision.VALIDEE and "decision" not in self.invalides:
                self.erreur("date_entree", "seulement pour une décision validée")
            if ligne.date_commission and ligne.date_entree < ligne.date_commission:
                self.erreur("date_entree", "la date d'entrée précède la date de commission")
            self.pas_dans_le_futur("date_entree", "la date d'entrée")
        if ligne.date_sortie:
            if self.vide("date_entree"):
                self.erreur("date_sortie", "une sortie suppose une date d'entrée")
            elif ligne.date_entree and ligne.date_sortie < ligne.date_entree:
                self.erreur("date_sortie", "la date de sortie précède la date d'entrée")
            self.pas_dans_le_futur("date_sortie", "la date de sortie")
            if self.vide("type_sortie"):
                self.erreur("type_sortie", "obligatoire avec une date de sortie")
        elif ligne.type_sortie and "date_sortie" not in self.invalides:
            self.erreur("type_sortie", "seulement avec une date de sortie")
        if ligne.sortie_anticipee:
            if self.vide("date_sortie"):
                self.erreur("sortie_anticipee", "une sortie anticipée suppose une date de sortie")
            if self.vide("motif_sortie_anticipee"):
                self.erreur("motif_sortie_anticipee", "obligatoire pour une sortie anticipée")
        elif ligne.motif_sortie_anticipee and "sortie_anticipee" not in self.invalides:
            self.erreur(
                "motif_sortie_anticipee",
                "seulement pour une sortie anticipée (sortie_anticipee = oui)",
            )
        au_terme = (
            ligne.date_sortie
            and ligne.date_entree
            and ligne.date_entree <= ligne.date_sortie
            and not ligne.sortie_anticipee
            and "sortie_anticipee" not in self.invalides
        )
        if au_terme:
            fin = ligne.fin_prevue(self.jours_suspendus)
            if fin and ligne.date_sortie < fin:
                self.avertissement(
                    "date_sortie",
                    f"le terme du parcours est le {fin:%d/%m/%Y} : une sortie avant est une "
                    "sortie anticipée (sortie_anticipee = oui)",
                )
            if self.vide("stage_entreprise") and not (self.base and self.base.a_un_stage):
                self.avertissement(
                    "stage_entreprise",
                    "un parcours mené à son terme comprend un stage en entreprise",
                )
        if ligne.satisfaction is not None:
            if not 1 <= ligne.satisfaction <= 5:
                self.erreur("satisfaction", f"{ligne.satisfaction} : entre 1 et 5")
            if self.vide("date_entree"):
                self.erreur("satisfaction", "seulement pour une personne entrée en parcours")

    def stage(self):
        ligne = self.ligne
        remplies = [c for c in STAGE if self.rempli(c) or c in self.invalides]
        if not remplies:
            return
        for colonne in STAGE:
            if self.vide(colonne):
                self.erreur(
                    colonne,
                    "à remplir : un stage a son entreprise, son premier et son dernier jour",
                )
        if self.vide("date_entree"):
            self.erreur(remplies[0], "un stage suppose une entrée en parcours (date_entree)")
        debut, fin = ligne.stage_debut, ligne.stage_fin
        if debut and fin and fin < debut:
            self.erreur("stage_fin", "le dernier jour du stage précède le premier")
        if debut and ligne.date_entree and debut < ligne.date_entree:
            self.erreur(
                "stage_debut",
                f"le stage commence avant l'entrée en parcours ({ligne.date_entree:%d/%m/%Y})",
            )
        self.pas_dans_le_futur("stage_debut", "le premier jour du stage")
        limite = ligne.date_sortie or ligne.fin_prevue(self.jours_suspendus)
        if fin and limite and fin > limite:
            quoi = "la sortie" if ligne.date_sortie else "la fin prévue"
            self.erreur("stage_fin", f"le stage finit après {quoi} du parcours ({limite:%d/%m/%Y})")

    def evaluations(self):
        for colonnes in (EVAL_ENTREE, EVAL_SORTIE):
            remplies = [c for c in colonnes if self.rempli(c)]
            if not remplies and not self.invalides.intersection(colonnes):
                continue
            for colonne in colonnes:
                if self.vide(colonne):
                    self.erreur(
                        colonne, "à remplir : les quatre axes d'une évaluation vont ensemble"
                    )
            for colonne in remplies:
                valeur = getattr(self.ligne, colonne)
                if not 1 <= valeur <= 4:
                    self.erreur(colonne, f"{valeur} : entre 1 et 4")
            if self.vide("date_entree"):
                self.erreur(
                    colonnes[0], "une évaluation suppose une entrée en parcours (date_entree)"
                )

    def bilan(self):
        ligne, jour = self.ligne, self.ligne.bilan_transmis
        if not jour or "bilan_transmis" not in ligne.enonces:
            return
        self.pas_dans_le_futur("bilan_transmis", "la date de transmission du bilan")
        if self.vide("session"):
            self.erreur("bilan_transmis", "seulement sur une ligne qui a une session")
            return
        premiere = self.resource.vues_bilans.setdefault(
            ligne.session, Vue(ligne.ligne, bilan_transmis=jour)
        )
        if premiere.ligne != ligne.ligne and premiere.bilan_transmis != jour:
            self.erreur(
                "bilan_transmis",
                f"la session {ligne.session} a un autre bilan_transmis ligne {premiere.ligne} "
                f"({premiere.bilan_transmis:%d/%m/%Y})",
            )
        bilan = self.contexte.bilan_de(ligne, self.base)
        if (
            bilan
            and bilan.process_id
            and bilan.etat != EtatBilan.A_REDIGER
            and bilan.transmis_le != jour
        ):
            self.erreur(
                "bilan_transmis",
                f"le bilan de la session {ligne.session} est suivi dans l'application "
                f"(état « {bilan.get_etat_display()} ») : il se transmet depuis sa page",
            )

    def historique(self):
        """What an import cannot restate about a reference already imported."""
        if self.base is None:
            return
        ligne, avant = self.ligne, self.base.comme_ligne
        reference = ligne.reference
        if ligne.lot and ligne.lot != avant.lot:
            self.erreur(
                "lot", f"la référence {reference} a été importée au lot {avant.lot.numero} : "
                "le lot d'une prescription importée ne change pas"
            )  # fmt: skip
        if ligne.prestataire and ligne.prestataire != avant.prestataire:
            self.erreur(
                "prestataire",
                f"la référence {reference} a été importée chez {avant.prestataire.code} : "
                "le prestataire d'une prescription importée ne change pas",
            )
        if "decision" in ligne.enonces and avant.decision and ligne.decision:
            decision = (ligne.decision, ligne.date_commission, ligne.motif_refus)
            if decision + (ligne.duree_effective,) == (
                avant.decision, avant.date_commission, avant.motif_refus, avant.duree_effective
            ):  # fmt: skip
                pass
            elif avant.decision == Decision.AJOURNEE:
                if ligne.date_commission and ligne.date_commission <= avant.date_commission:
                    self.erreur(
                        "date_commission",
                        f"la référence {reference} a été ajournée le "
                        f"{avant.date_commission:%d/%m/%Y} : la décision suivante est "
                        "postérieure",
                    )
            else:
                self.erreur(
                    "decision",
                    f"la référence {reference} a été importée avec la décision "
                    f"« {Decision(avant.decision).label.lower()} » du "
                    f"{avant.date_commission:%d/%m/%Y} (durée, motif compris) : une décision "
                    "enregistrée ne change pas par un nouvel import",
                )
        if "session" in ligne.enonces and avant.session and ligne.session != avant.session:
            self.erreur(
                "session",
                f"la référence {reference} est dans la session {avant.session} : la session "
                "d'une personne commandée ne change pas",
            )
