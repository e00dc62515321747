"""Exports for the DEL's own analyses: demandeurs, prescriptions, parcours and sorties as CSV
or XLSX files, limited to what the user may see, each one written in the journal of
nominative downloads (JournalExport).

Columns carry the names of docs/contrats.md §2 where the same data exists, and the codes of §0
(communes, niveaux de formation, freins, sorties), so that the DEL's tools read an export as
they read an import file.

Decisions:
- CSV is UTF-8 with a BOM, separated by `;`: French Excel opens it as is (without the BOM it
  reads Windows-1252, with `,` it puts a whole row in one cell), and the import of CONTRACTS
  §2 accepts both. Dates are written YYYY-MM-DD. XLSX cells are typed (dates are dates,
  numbers numbers). Both are written by documents/tableur.py, which neutralises formulas.
- Least knowledge: a prestataire user's file leaves out the rubriques of
  documents/moindre_connaissance.py (the one rule for every document they download): the
  columns named after them, and the freins flagged sensitive. The DEL's staff export
  everything.
- A prestataire user exports the demandeurs and prescriptions of its parcours only (and a
  chargé d'insertion, if granted the permission, those of the parcours assigned to them:
  `Parcours.objects.visibles_par` is the one rule).
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date

import django_filters
from django import forms
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from import_export import fields, widgets

from documents import tableur
from documents.moindre_connaissance import Feuille, cache_au_prestataire, pour_prestataire
from prestataires.enums import EtatParcours
from prestataires.models import Parcours
from prestataires.services import TYPES_FIN_ANTICIPEE
from procurement.enums import EtatPrescription
from procurement.forms import DateInput
from procurement.models import (
    Demandeur,
    Frein,
    Lot,
    PassageCommission,
    Prescription,
    Prestataire,
    today,
)

from .enums import ObjetExport

CSV, XLSX = "csv", "xlsx"
FORMATS = [(XLSX, "Tableur (XLSX)"), (CSV, "CSV (UTF-8, séparateur « ; »)")]
SEPARATEUR_CSV = ";"


# --- What each user may export ------------------------------------------------------------


def parcours_visibles(user) -> QuerySet:
    return Parcours.objects.visibles_par(user)


def prescriptions_visibles(user) -> QuerySet:
    """The DEL's staff: every prescription; a prestataire's users: those of their parcours."""
    if pour_prestataire(user):
        return Prescription.objects.filter(
            pk__in=parcours_visibles(user).values("ligne__prescription_id")
        )
    if user.has_perm("procurement.view_prescription"):
        return Prescription.objects.all()
    return Prescription.objects.none()


def demandeurs_visibles(user) -> QuerySet:
    """The DEL's staff: every demandeur; a prestataire's users: the people of their parcours."""
    if pour_prestataire(user):
        return Demandeur.objects.filter(pk__in=parcours_visibles(user).values("demandeur_id"))
    if user.has_perm("procurement.view_demandeur"):
        return Demandeur.objects.all()
    return Demandeur.objects.none()


# --- Columns ------------------------------------------------------------------------------


def _texte(attribut=None):
    return fields.Field(attribute=attribut, widget=widgets.CharWidget())


def _nombre(attribut=None):
    return fields.Field(attribute=attribut, widget=widgets.IntegerWidget())


def _date(attribut=None):
    return fields.Field(attribute=attribut, widget=widgets.DateWidget(format="%Y-%m-%d"))


def _oui_non(valeur: bool) -> str:
    return "oui" if valeur else "non"


class ExportResource(Feuille):
    """A sheet of one export (least knowledge: see documents/moindre_connaissance.py)."""

    def export_field(self, field, instance, **kwargs):
        """A computed column (`dehydrate_<colonne>`) goes through its column's widget like a
        stored one: dates as YYYY-MM-DD in CSV, native cells in XLSX."""
        calcul = getattr(self, field.get_dehydrate_method(self.get_field_name(field)), None)
        if calcul is None:
            return field.export(instance, **kwargs)
        return field.widget.render(calcul(instance), **kwargs)


class DemandeurResource(ExportResource):
    nom = _texte("nom")
    prenom = _texte("prenom")
    date_naissance = _date("date_naissance")
    genre = _texte("genre")
    niveau_formation = _texte("niveau_formation__code")
    commune = _texte("commune__code")
    telephone = _texte("telephone")
    email = _texte("email")
    adresse = _texte("adresse")
    situation_logement = _texte("situation_logement")
    reconnaissance_crhd = _texte()
    enregistre_le = _date()
    references = _texte()

    def dehydrate_reconnaissance_crhd(self, demandeur):
        return _oui_non(demandeur.reconnaissance_crhd)

    def dehydrate_enregistre_le(self, demandeur):
        return timezone.localdate(demandeur.cree_le)

    def dehydrate_references(self, demandeur):
        """The references of the person's prescriptions the user may see, separated by |."""
        return "|".join(p.reference for p in demandeur.prescriptions_exportees if p.reference)


class PrescriptionResource(ExportResource):
    reference = _texte("reference")
    nom = _texte("demandeur__nom")
    prenom = _texte("demandeur__prenom")
    date_naissance = _date("demandeur__date_naissance")
    genre = _texte("demandeur__genre")
    niveau_formation = _texte("demandeur__niveau_formation__code")
    commune = _texte("demandeur__commune__code")
    lot = _nombre("lot__numero")
    prestataire = _texte("prestataire__code")
    conseiller = _texte("conseiller__username")
    travailleur_social = _texte("travailleur_social__username")
    date_prescription = _date("date_prescription")
    motif_prescription = _texte("motif")
    freins = _texte()
    etat = _texte("etat")
    date_commission = _date()
    decision = _texte()
    motif_refus = _texte()
    duree_mois = _nombre()

    @staticmethod
    def derniere_decision(prescription) -> PassageCommission | None:
        """The latest decision of the commission on it (an adjourned prescription comes back
        to a later session)."""
        return prescription.decisions[-1] if prescription.decisions else None

    def dehydrate_freins(self, prescription):
        return "|".join(frein.code for frein in prescription.freins_exportes)

    def dehydrate_date_commission(self, prescription):
        """The day of the commission's session that took the decision."""
        decision = self.derniere_decision(prescription)
        return decision.session.date_seance if decision else None

    def dehydrate_decision(self, prescription):
        decision = self.derniere_decision(prescription)
        return decision.decision if decision else ""

    def dehydrate_motif_refus(self, prescription):
        motif = getattr(self.derniere_decision(prescription), "motif_refus", None)
        return motif.code if motif else ""

    def dehydrate_duree_mois(self, prescription):
        """As in CONTRACTS §2: the months validated on lot 1; empty on lot 2 (always 8)."""
        decision = self.derniere_decision(prescription)
        if decision is None or prescription.lot.numero != 1:
            return None
        return decision.duree_mois


class PersonneEnParcoursResource(ExportResource):
    """The first columns of the parcours and sorties sheets: who, in which session, where."""

    reference = _texte("ligne__prescription__reference")
    nom = _texte("demandeur__nom")
    prenom = _texte("demandeur__prenom")
    session = _texte("ligne__bon__numero")
    prestataire = _texte("prestataire__code")
    lot = _nombre("lot__numero")


class ParcoursResource(PersonneEnParcoursResource):
    date_premier_contact = _date("date_premier_contact")
    date_entree = _date("date_entree")
    fin_prevue = _date("fin_prevue")
    date_sortie = _date("date_sortie")
    etat = _texte("etat")
    duree_mois = _nombre("duree_mois")
    charge = _texte("charge__username")


class SortieResource(PersonneEnParcoursResource):
    date_entree = _date("date_entree")
    date_sortie = _date("date_sortie")
    type_fin = _texte("type_fin")
    sortie_anticipee = _texte()
    type_sortie = _texte("type_sortie__code")
    classe_sortie = _texte("classe_sortie")
    motif_sortie_anticipee = _texte("motif_sortie")

    def dehydrate_sortie_anticipee(self, parcours):
        return _oui_non(parcours.type_fin in TYPES_FIN_ANTICIPEE)


# --- The four exports -----------------------------------------------------------------------


class Export(ABC):
    """One export: the rows the user may see, ready to be read in a constant number of
    queries, its columns, and the fields its filters read (the period is on its main date)."""

    objet: str
    resource: type[ExportResource]
    champ_date: str
    etats: type | None = None

    @property
    def libelle(self) -> str:
        return ObjetExport(self.objet).label

    @abstractmethod
    def lignes(self, user) -> QuerySet:
        """The rows `user` may see, with what their columns read."""

    def filtrer(self, lignes: QuerySet, filtre: str, valeur, user) -> QuerySet:
        critere = {
            "du": f"{self.champ_date}__gte",
            "au": f"{self.champ_date}__lte",
            "lot": "lot",
            "prestataire": "prestataire",
            "etat": "etat",
        }[filtre]
        return lignes.filter(**{critere: valeur})

    def colonnes(self, user) -> list[str]:
        return self.resource(pour_prestataire=pour_prestataire(user)).get_export_headers()


class ExportDemandeurs(Export):
    objet = ObjetExport.DEMANDEURS
    resource = DemandeurResource
    champ_date = "cree_le__date"  # the day of registration, in Nouméa

    def lignes(self, user):
        return (
            demandeurs_visibles(user)
            .select_related("niveau_formation", "commune")
            .prefetch_related(
                Prefetch(
                    "prescriptions",
                    queryset=prescriptions_visibles(user).order_by("reference", "pk"),
                    to_attr="prescriptions_exportees",
                )
            )
            .order_by("nom", "prenom", "date_naissance", "pk")
        )

    def filtrer(self, lignes, filtre, valeur, user):
        """A demandeur is on a lot or with a prestataire through a prescription the user may
        see."""
        if filtre in ("lot", "prestataire"):
            prescriptions = prescriptions_visibles(user).filter(**{filtre: valeur})
            return lignes.filter(pk__in=prescriptions.values("demandeur_id"))
        return super().filtrer(lignes, filtre, valeur, user)


class ExportPrescriptions(Export):
    objet = ObjetExport.PRESCRIPTIONS
    resource = PrescriptionResource
    champ_date = "date_prescription"
    etats = EtatPrescription

    def lignes(self, user):
        freins = Frein.objects.all()
        if cache_au_prestataire(user, "freins_sensibles"):
            freins = freins.filter(sensible=False)
        return (
            prescriptions_visibles(user)
            .select_related(
                "demandeur__niveau_formation",
                "demandeur__commune",
                "lot",
                "prestataire",
                "conseiller",
                "travailleur_social",
            )
            .prefetch_related(
                Prefetch("freins", queryset=freins.order_by("code"), to_attr="freins_exportes"),
                Prefetch(
                    "passages",
                    queryset=PassageCommission.objects.exclude(decision="")
                    .select_related("session", "motif_refus")
                    .order_by("session__date_seance", "pk"),
                    to_attr="decisions",
                ),
            )
            .order_by("reference", "pk")
        )


class ExportParcours(Export):
    objet = ObjetExport.PARCOURS
    resource = ParcoursResource
    champ_date = "date_entree"
    etats = EtatParcours

    def lignes(self, user):
        return parcours_visibles(user).pour_liste().order_by("ligne__prescription__reference", "pk")


class ExportSorties(ExportParcours):
    """The parcours that have ended (a date de sortie), with the situation at exit."""

    objet = ObjetExport.SORTIES
    resource = SortieResource
    champ_date = "date_sortie"

    def lignes(self, user):
        return (
            super()
            .lignes(user)
            .filter(date_sortie__isnull=False)
            .order_by("date_sortie", "ligne__prescription__reference", "pk")
        )


EXPORTS: dict[str, Export] = {
    export.objet: export
    for export in (ExportDemandeurs(), ExportPrescriptions(), ExportParcours(), ExportSorties())
}
ETATS = [
    ("Prescriptions", EtatPrescription.choices),
    ("Parcours et sorties", EtatParcours.choices),
]


# --- The form: what, which rows, which format ------------------------------------------------


class FormulaireExport(forms.Form):
    """What to export and in which format; FiltresExport adds its filters to this form."""

    objet = forms.ChoiceField(
        label="Données", choices=ObjetExport.choices, initial=ObjetExport.PARCOURS
    )
    format = forms.ChoiceField(label="Format", choices=FORMATS, initial=XLSX)

    field_order = ["objet", "du", "au", "lot", "prestataire", "etat", "format"]

    def clean(self):
        donnees = super().clean()
        du, au = donnees.get("du"), donnees.get("au")
        if du and au and du > au:
            self.add_error(
                "au",
                f"La fin de la période ({au:%d/%m/%Y}) précède son début ({du:%d/%m/%Y}).",
            )
        objet, etat = donnees.get("objet"), donnees.get("etat")
        if objet and etat:
            export = EXPORTS[objet]
            if export.etats is None:
                self.add_error("etat", f"Les {export.libelle.lower()} n'ont pas d'état.")
            elif etat not in export.etats.values:
                self.add_error("etat", f"Cet état n'est pas un état des {export.libelle.lower()}.")
        return donnees


class FiltresExport(django_filters.FilterSet):
    """The filters of the export page; the rows are those of the chosen export the user may
    see. A prestataire's user has no prestataire filter: its own organisation is implied."""

    du = django_filters.DateFilter(
        label="Période du",
        method="filtrer",
        widget=DateInput(),
        help_text="Sur la date principale : enregistrement du demandeur, prescription, entrée "
        "en parcours, sortie.",
    )
    au = django_filters.DateFilter(label="au", method="filtrer", widget=DateInput())
    lot = django_filters.ModelChoiceFilter(
        label="Lot",
        queryset=Lot.objects.all(),
        to_field_name="numero",
        method="filtrer",
        empty_label="Tous",
    )
    prestataire = django_filters.ModelChoiceFilter(
        label="Prestataire",
        queryset=Prestataire.objects.order_by("code"),
        to_field_name="code",
        method="filtrer",
        empty_label="Tous",
    )
    etat = django_filters.ChoiceFilter(
        label="État", choices=ETATS, method="filtrer", empty_label="Tous"
    )

    class Meta:
        form = FormulaireExport

    def __init__(self, data=None, *, user):
        self.user = user
        objet = data.get("objet") if data else None
        self.export = EXPORTS.get(objet, EXPORTS[ObjetExport.PARCOURS])
        super().__init__(data, queryset=self.export.lignes(user))
        if pour_prestataire(user):
            del self.filters["prestataire"]

    def filter_queryset(self, queryset):
        # The form also holds what to export and its format: only filters filter.
        for nom, filtre in self.filters.items():
            queryset = filtre.filter(queryset, self.form.cleaned_data.get(nom))
        return queryset

    def filtrer(self, queryset, nom, valeur):
        return self.export.filtrer(queryset, nom, valeur, self.user)


def filtres_du_journal(donnees: dict) -> dict:
    """The filters used, as the journal keeps them: dates as ISO strings, the lot's number,
    the prestataire's code; filters left empty are not written."""
    filtres = {}
    for nom in ("du", "au", "lot", "prestataire", "etat"):
        valeur = donnees.get(nom)
        if valeur in (None, ""):
            continue
        if isinstance(valeur, date):
            valeur = valeur.isoformat()
        elif isinstance(valeur, Lot):
            valeur = valeur.numero
        elif isinstance(valeur, Prestataire):
            valeur = valeur.code
        filtres[nom] = valeur
    return filtres


def decrire_filtres(filtres: dict) -> str:
    """A journal entry's filters, in French."""
    morceaux = []
    if "du" in filtres:
        morceaux.append(f"du {date.fromisoformat(filtres['du']):%d/%m/%Y}")
    if "au" in filtres:
        morceaux.append(f"au {date.fromisoformat(filtres['au']):%d/%m/%Y}")
    if "lot" in filtres:
        morceaux.append(f"lot {filtres['lot']}")
    if "prestataire" in filtres:
        morceaux.append(f"prestataire {filtres['prestataire']}")
    if "etat" in filtres:
        libelles = dict(EtatPrescription.choices) | dict(EtatParcours.choices)
        morceaux.append(f"état « {libelles.get(filtres['etat'], filtres['etat'])} »")
    return ", ".join(morceaux) or "aucun filtre"


# --- The file -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fichier:
    nom: str
    contenu: bytes
    objet: str
    filtres: dict  # as the journal keeps them
    lignes: int


def exporter(filtres: FiltresExport) -> Fichier:
    """The file of the rows the user may see and the filters keep (call `is_valid()` first);
    the view hands it out through documents.telechargements, which journals it."""
    donnees = filtres.form.cleaned_data
    export, format_ = filtres.export, donnees["format"]
    lignes = list(filtres.qs)
    resource = export.resource(pour_prestataire=pour_prestataire(filtres.user))
    tableau = resource.export(lignes, force_native_type=format_ == XLSX)
    tableau.title = export.libelle
    if format_ == XLSX:
        contenu = tableur.xlsx(tableau)
    else:
        contenu = tableur.csv(tableau, separateur=SEPARATEUR_CSV).encode("utf-8-sig")
    return Fichier(
        nom=f"{export.objet}-{today():%Y-%m-%d}.{format_}",
        contenu=contenu,
        objet=export.objet,
        filtres=filtres_du_journal(donnees),
        lignes=len(lignes),
    )
