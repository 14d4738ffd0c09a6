"""Committees, bilans and exports. Every object is fetched through a scoped queryset (404 otherwise)."""

import datetime
import io
import uuid
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accompagnement.verrou import ConflitDeVersion
from accompagnement.views_communs import entier
from accounts import acces
from accounts.models import User
from journal.models import Action
from journal.services import tracer
from referentiel.models import Structure
from referentiel.regles import parametre

from . import bilan as calculs
from . import exports as exporteur
from . import services
from .forms import AvenantForm, CompteRenduForm, DecisionForm, OuvrirComiteForm, choix_decisions, choix_modalites
from .models import ComiteSuivi, DecisionComite, Export
from .pack import graphiques, mesures_du_comite, pack
from .pdf import compte_rendu_pdf as rendre_pdf

# Committees per page of the history.
PAR_PAGE_COMITES = 50
# The bilan page shows the first exits only; the export has them all.
SORTIES_AFFICHEES = 500


def _erreurs(request, exc):
    for message in exc.messages:
        messages.error(request, message)


@require_http_methods(["GET", "POST"])
def comites(request):
    user = request.user
    qs = ComiteSuivi.objects.visibles_par(user).select_related("referent", "territoire", "president")
    type_comite = acces.type_de_comite_preside(user)
    form = None
    if type_comite:
        referents = services.referents_possibles(user, type_comite)
        form = OuvrirComiteForm(request.POST or None, referents=referents)
        if request.method == "POST" and form.is_valid():
            try:
                comite = services.ouvrir_comite(
                    par=user, type=type_comite, referent=form.cleaned_data["referent"], date=form.cleaned_data["date"]
                )
            except ValidationError as exc:
                _erreurs(request, exc)
            else:
                return redirect("pilotage:comite", pk=comite.pk)
    elif request.method == "POST":
        raise PermissionDenied
    referent_choisi = request.GET.get("referent", "")
    if entier(referent_choisi) is not None:
        qs = qs.filter(referent_id=entier(referent_choisi))
    else:
        referent_choisi = ""  # an unreadable filter is ignored
    referents_historique = User.objects.filter(pk__in=ComiteSuivi.objects.visibles_par(user).values("referent"))
    # get_page: an unreadable or out-of-range ?page= gives the first or the last page, never a 500.
    page = Paginator(qs, PAR_PAGE_COMITES).get_page(request.GET.get("page"))
    return render(
        request,
        "pilotage/comites.html",
        {
            "comites": page,
            "form": form,
            "type_comite": type_comite and ComiteSuivi.Type(type_comite).label,
            "referents_historique": referents_historique,
            "referent_choisi": referent_choisi,
            "jeton": uuid.uuid4(),
        },
    )


def _comite(request, pk):
    return get_object_or_404(
        ComiteSuivi.objects.visibles_par(request.user).select_related("referent", "territoire", "president"), pk=pk
    )


def _peut_presider(user, comite):
    return comite.est_ouvert and acces.peut_presider(user, comite)


VALEURS_VIDES = {
    "decision": "",
    "modalite_cible": "",
    "commentaire": "",
    "action": "",
    "action_due_le": "",
    "version": "",
}


def _valeurs(decision):
    """What a card's form shows: the saved decision, or nothing chosen (« à décider »)."""
    if decision is None:
        return VALEURS_VIDES
    return {
        "decision": decision.decision,
        "modalite_cible": decision.modalite_cible_id or "",
        "commentaire": decision.commentaire,
        "action": decision.action,
        "action_due_le": decision.action_due_le.isoformat() if decision.action_due_le else "",
        "version": decision.version,
    }


def _valeurs_envoyees(post, prefixe):
    return {nom: post.get(f"{prefixe}-{nom}", "") for nom in VALEURS_VIDES}


class _Options:
    """The <option>s of a card's select, escaped once per page and joined in Python for each card: a
    template loop over them, 300 cards × 15 options, was half the page's rendering."""

    def __init__(self, choix, vide):
        self.morceaux = [
            (str(cle), format_html('<option value="{}"', cle), format_html(">{}</option>", libelle))
            for cle, libelle in [("", vide), *choix]
        ]

    def pour(self, valeur):
        valeur = str(valeur)
        return mark_safe(  # noqa: S308 (every piece escaped by format_html above)
            "".join(f"{debut}{' selected' if cle == valeur else ''}{fin}" for cle, debut, fin in self.morceaux)
        )


def _cartes(comite, lignes, modalites=None):
    """Each line's selects, with its form's values (`valeurs`) chosen. `modalites`: the choices already
    read (choix_modalites)."""
    decisions = _Options(choix_decisions(comite), "à décider")
    modalites = _Options(choix_modalites(comite) if modalites is None else modalites, "—")
    for ligne in lignes:
        ligne.options_decision = decisions.pour(ligne.valeurs["decision"])
        ligne.options_modalite = modalites.pour(ligne.valeurs["modalite_cible"])


# Cards rendered with the page; the next ones come by blocks of as many as the reader scrolls to them
# (htmx, `cartes`). A référent's 300 measures rendered at once took over a second to arrive.
CARTES_PAR_BLOC = 25


def lien_carte(comite_id, mesure_id):
    """The address of one person's card: the page shows the cards down to hers (`?voir=`)."""
    return reverse("pilotage:comite", args=[comite_id]) + f"?voir={mesure_id}#mesure-{mesure_id}"


def _ordre_des_cartes(comite, user):
    """The ids of the committee's measures, in the cards' order (by name): one query of ids."""
    return list(
        mesures_du_comite(comite, user).order_by("resident__nom", "resident__prenom", "pk").values_list("pk", flat=True)
    )


def _bloc(request, comite, ids):
    """The cards of `ids` (pack), with the chair's form values; and the previous committee."""
    lignes, precedent = pack(comite, request.user, ids=ids)
    preside = _peut_presider(request.user, comite)
    if preside:
        for ligne in lignes:
            ligne.valeurs = _valeurs(ligne.decision)
        _cartes(comite, lignes)
    return lignes, precedent, preside


def _nombre_affiche(request, ordre):
    """How many cards the page renders: a first block, down to the card asked for (`?voir=`), or all
    of them (`?tout=1`, the link offered where the next blocks cannot load)."""
    if request.GET.get("tout") == "1":
        return len(ordre)
    voir = entier(request.GET.get("voir", ""))
    if voir in ordre:
        return max(CARTES_PAR_BLOC, (ordre.index(voir) // CARTES_PAR_BLOC + 1) * CARTES_PAR_BLOC)
    return CARTES_PAR_BLOC


def _suite(ordre, n):
    """After the first `n` cards: where the next block starts and its first measure, if any."""
    return {"suite": n, "suivante": ordre[n]} if n < len(ordre) else {"suite": None}


def _page_comite(request, comite, *, form_cr=None, sans_decision=None, form_avenant=None, status=200):
    ordre = _ordre_des_cartes(comite, request.user)
    affichees = ordre[: _nombre_affiche(request, ordre)]
    lignes, precedent, preside = _bloc(request, comite, affichees)
    if form_cr is None:
        form_cr = CompteRenduForm(initial={"compte_rendu": comite.compte_rendu, "version": comite.version})
    peut_avenant = not comite.est_ouvert and acces.peut_presider(request.user, comite)
    if peut_avenant and form_avenant is None:
        form_avenant = AvenantForm(initial={"date": timezone.localdate()})
    return render(
        request,
        "pilotage/comite.html",
        {
            "comite": comite,
            "lignes": lignes,
            "total": len(ordre),
            **_suite(ordre, len(affichees)),
            "affichees": set(affichees),
            "precedent": precedent,
            "preside": preside,
            "reste": services.mesures_sans_decision(comite, request.user) if preside else [],
            "sans_decision": sans_decision,
            "form_cr": form_cr,
            "avenants": comite.avenants.select_related("auteur"),
            "form_avenant": form_avenant if peut_avenant else None,
            "jeton": uuid.uuid4(),
        },
        status=status,
    )


@require_GET
def comite(request, pk):
    return _page_comite(request, _comite(request, pk))


@require_GET
def cartes(request, pk):
    """The next block of cards from `?depuis=` (htmx, as the reader scrolls down), ending with the
    trigger of the block after it."""
    comite = _comite(request, pk)
    ordre = _ordre_des_cartes(comite, request.user)
    depuis = max(0, entier(request.GET.get("depuis", "")) or 0)
    ids = ordre[depuis : depuis + CARTES_PAR_BLOC]
    lignes, _precedent, preside = _bloc(request, comite, ids)
    fin = depuis + len(ids)
    contexte = {"comite": comite, "lignes": lignes, "preside": preside, **_suite(ordre, fin)}
    return render(request, "pilotage/includes/cartes.html", contexte)


@require_GET
def graphiques_comite(request, pk):
    comite = _comite(request, pk)
    gabarit = "pilotage/includes/graphiques.html" if request.htmx else "pilotage/graphiques.html"
    return render(request, gabarit, {"comite": comite, "graphiques": graphiques(comite, request.user)})


@require_POST
def decision(request, pk, accompagnement):
    """Save one card. With htmx only that card's decision block comes back (saved state, or the errors
    in French with the input kept) and the count of people left to decide is updated beside the
    « Clore » button; without, the whole page (redirect)."""
    comite = _comite(request, pk)
    try:
        mesure = services.accompagnement_du_comite(comite, request.user, accompagnement)
    except ValidationError:
        raise Http404 from None
    prefixe = f"m{mesure.pk}"
    modalites = choix_modalites(comite)
    form = DecisionForm(request.POST, comite=comite, modalites=modalites, prefix=prefixe)
    erreurs, enregistree, conflit = [], None, False
    if form.is_valid():
        data = form.cleaned_data
        try:
            enregistree = services.enregistrer_decision(
                comite=comite,
                accompagnement=mesure,
                par=request.user,
                decision=data["decision"],
                modalite_cible=services.modalite_ou_none(data["modalite_cible"]),
                commentaire=data["commentaire"],
                action=data["action"],
                action_due_le=data["action_due_le"],
                version=data["version"],
            )
        except ConflitDeVersion as exc:
            erreurs, conflit = exc.messages, True
        except ValidationError as exc:
            erreurs = exc.messages
    else:
        for champ, errs in form.errors.items():
            libelle = form.fields[champ].label if champ in form.fields else ""
            erreurs += [f"{libelle} : {e}" if libelle else e for e in errs]
    if not request.htmx:
        for message in erreurs:
            messages.error(request, message)
        if enregistree is not None:
            messages.success(request, f"Décision enregistrée pour {mesure.resident}.")
        return redirect(lien_carte(comite.pk, mesure.pk))
    if enregistree is not None:
        decision_ = enregistree
        valeurs = _valeurs(enregistree)
    else:
        decision_ = (
            DecisionComite.objects.filter(comite=comite, accompagnement=mesure).select_related("modalite_cible").first()
        )
        valeurs = _valeurs_envoyees(request.POST, prefixe)
        if conflit:  # the input stays; the version moves on so that a deliberate resubmit goes through
            valeurs["version"] = decision_.version if decision_ else ""
    if enregistree is None:  # refused: the committee may have been closed meanwhile (no form then)
        comite.refresh_from_db(fields=["etat", "version"])
    ligne = SimpleNamespace(mesure=mesure, decision=decision_, valeurs=valeurs, erreurs=erreurs)
    _cartes(comite, [ligne], modalites)
    return render(
        request,
        "pilotage/includes/decision.html",
        {
            "comite": comite,
            "l": ligne,
            "preside": enregistree is not None or _peut_presider(request.user, comite),
            "succes": enregistree is not None,
            "reste": services.mesures_sans_decision(comite, request.user),
            "oob": True,
        },
    )


@require_POST
def compte_rendu(request, pk):
    comite = _comite(request, pk)
    form = CompteRenduForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Formulaire invalide : rechargez la page.")
        return redirect("pilotage:comite", pk=comite.pk)
    fonction = services.clore_comite if "clore" in request.POST else services.enregistrer_compte_rendu
    try:
        fonction(
            comite=comite,
            par=request.user,
            compte_rendu=form.cleaned_data["compte_rendu"],
            version=form.cleaned_data["version"],
        )
    except services.PersonnesSansDecision as exc:
        # The page again, the minutes as typed, the people left listed beside the button (and said at
        # the top: the button is at the bottom of a long page).
        _erreurs(request, exc)
        return _page_comite(request, comite, form_cr=form, sans_decision=exc, status=200)
    except ValidationError as exc:
        _erreurs(request, exc)
    else:
        messages.success(request, "Comité clos." if "clore" in request.POST else "Compte rendu enregistré.")
    return redirect("pilotage:comite", pk=comite.pk)


@require_POST
def non_examines(request, pk):
    """« Marquer les personnes restantes non examinées », confirmed: the ids listed on the page."""
    comite = _comite(request, pk)
    try:
        creees = services.marquer_non_examines(comite=comite, par=request.user, mesures=request.POST.getlist("mesure"))
    except ValidationError as exc:
        _erreurs(request, exc)
    else:
        n = len(creees)
        messages.success(
            request,
            f"{n} personne{'s' if n > 1 else ''} marquée{'s' if n > 1 else ''} « non examiné »."
            if n
            else "Aucune personne à marquer : chacune a déjà une décision.",
        )
    return redirect(reverse("pilotage:comite", args=[comite.pk]) + "#cloture")


@require_POST
def avenant(request, pk):
    comite = _comite(request, pk)
    form = AvenantForm(request.POST)
    if form.is_valid():
        try:
            services.ajouter_avenant(
                comite=comite,
                par=request.user,
                texte=form.cleaned_data["texte"],
                date=form.cleaned_data["date"],
                jeton=form.cleaned_data["jeton"],
            )
        except ValidationError as exc:
            _erreurs(request, exc)
        else:
            messages.success(request, "Avenant au procès-verbal enregistré.")
            return redirect(reverse("pilotage:comite", args=[comite.pk]) + "#avenants")
        return redirect(reverse("pilotage:comite", args=[comite.pk]) + "#avenants")
    if not acces.peut_presider(request.user, comite):
        raise PermissionDenied
    return _page_comite(request, comite, form_avenant=form)


@require_GET
def compte_rendu_pdf(request, pk):
    comite = _comite(request, pk)
    lignes, _precedent = pack(comite, request.user)
    contenu = rendre_pdf(comite, lignes, avenants=list(comite.avenants.select_related("auteur")))
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="compte-rendu-comite-{comite.pk}.pdf"'
    return reponse


@require_POST
def action_faite(request, pk):
    decision = get_object_or_404(DecisionComite.objects.visibles_par(request.user), pk=pk)
    try:
        services.marquer_action_faite(decision=decision, par=request.user)
    except ValidationError as exc:
        _erreurs(request, exc)
    else:
        messages.success(request, "Action notée comme faite.")
    return redirect(lien_carte(decision.comite_id, decision.accompagnement_id))


def _annee_demandee(request):
    texte = request.GET.get("annee", "")
    annee_defaut = timezone.localdate().year - 1
    if not texte:
        return annee_defaut
    annee = entier(texte)
    if annee is not None and 2000 <= annee <= 2100:
        return annee
    messages.error(request, "Année invalide : le bilan de l'année dernière est affiché.")
    return annee_defaut


@require_GET
def bilan(request):
    user = request.user
    if not acces.peut_voir_bilan(user):
        raise PermissionDenied
    annee = _annee_demandee(request)
    lignes, total = calculs.bilan_rsa(user, annee)
    qs_sorties = calculs.sorties_rsa(user, annee)
    sorties = list(qs_sorties[: SORTIES_AFFICHEES + 1])
    nb_sorties = len(sorties) if len(sorties) <= SORTIES_AFFICHEES else qs_sorties.count()
    semaines = calculs.osa(user, annee)
    modalites = calculs.modalites_osa(semaines)
    osa_lignes = [
        {
            "semaine": semaine.libelle,
            "cellules": [semaine.par_modalite.get(code, calculs.ActiviteOSA()) for code, _l in modalites],
            "total": semaine.total,
        }
        for semaine in semaines
    ]
    return render(
        request,
        "pilotage/bilan.html",
        {
            "annee": annee,
            "annees": range(timezone.localdate().year, timezone.localdate().year - 6, -1),
            "lignes": lignes,
            "total": total,
            "sorties": sorties[:SORTIES_AFFICHEES],
            "nb_sorties": nb_sorties,
            "osa_modalites": modalites,
            "osa_lignes": osa_lignes,
            "objectif_hebdo": parametre("ACTIVITE_HEBDO_HEURES"),
            "asll": calculs.chiffres_asll(user, annee),
            "structures": Structure.objects.filter(pk__in=[ligne.structure_id for ligne in lignes]),
            "jeton": uuid.uuid4(),  # double-submit token of the export forms
        },
    )


@require_GET
def exports(request):
    return render(
        request,
        "pilotage/exports.html",
        {
            "exports": Export.objects.de(request.user)[:50],
            "sources": [
                (cle, libelle)
                for cle, (libelle, _f) in exporteur.SOURCES.items()
                if cle not in exporteur.DEPUIS_LEUR_PAGE and exporteur.permis(cle, request.user)
            ],
            "annee": timezone.localdate().year - 1,
            "jeton": uuid.uuid4(),
            "seuil": exporteur.SEUIL_ARRIERE_PLAN,
        },
    )


def _parametres(post):
    return {cle: post[cle] for cle in ("annee", "comite", "referent", "filtres") if post.get(cle)}


@require_POST
def demander_export(request):
    type_, format_ = request.POST.get("type", ""), request.POST.get("format", "")
    parametres = _parametres(request.POST)
    retour = request.POST.get("retour", "")
    if not url_has_allowed_host_and_scheme(
        retour, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        retour = reverse("pilotage:exports")
    try:
        if format_ not in exporteur.ECRIVAINS:
            raise ValidationError("Format d'export inconnu : choisissez CSV ou Excel.")
        contenu = exporteur.contenu(type_, request.user, parametres)
        if contenu.total <= exporteur.SEUIL_ARRIERE_PLAN:
            flux = io.BytesIO()
            exporteur.ECRIVAINS[format_](flux, contenu)
            nom = f"{contenu.titre}-{datetime.date.today():%Y%m%d}.{format_}"
            reponse = HttpResponse(flux.getvalue(), content_type=exporteur.TYPES_MIME[format_])
            # The queued export is logged when it is downloaded (journal.middleware); this one here.
            tracer(
                request,
                Action.EXPORT,
                type_objet="export",
                detail=f"{nom} ({contenu.total} lignes) {parametres or ''}".strip(),
            )
            reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
            # Read by the page's script to free the form's buttons once the file has arrived (app.js).
            _signaler_telechargement(reponse, request)
            return reponse
        export = services.demander_export(
            par=request.user, type=type_, format=format_, parametres=parametres, jeton=request.POST.get("jeton")
        )
    except ValidationError as exc:
        _erreurs(request, exc)
        return redirect(retour)
    if getattr(export, "en_file", True):
        messages.info(request, "L'export est en préparation : le lien de téléchargement apparaîtra ici.")
    else:  # saved, not queued: the minute's pass queues it once the task service answers again
        messages.warning(
            request,
            "L'export est enregistré : sa préparation démarrera d'ici quelques minutes, le service des tâches "
            "de fond ne répond pas pour l'instant. Le lien de téléchargement apparaîtra ici.",
        )
    return redirect(reverse("pilotage:exports") + f"#export-{export.pk}")


def _signaler_telechargement(reponse, request):
    """The page's script frees the form's buttons when this cookie (the form's jeton, not a secret)
    arrives with the file (app.js, data-telechargement)."""
    try:
        jeton = str(uuid.UUID(request.POST.get("jeton", "")))
    except ValueError:
        return
    reponse.set_cookie("telechargement", jeton, max_age=60, samesite="Strict", secure=request.is_secure())


@require_GET
def etat_export(request, pk):
    export = get_object_or_404(Export.objects.de(request.user), pk=pk)
    return render(request, "pilotage/includes/export.html", {"export": export})


@require_GET
def telecharger_export(request, pk):
    export = get_object_or_404(Export.objects.de(request.user), pk=pk)
    if export.est_expire:
        return render(request, "pilotage/export_indisponible.html", {"export": export, "expire": True}, status=410)
    if export.etat != Export.Etat.PRET or not export.fichier:
        return render(request, "pilotage/export_indisponible.html", {"export": export, "expire": False}, status=409)
    return FileResponse(
        export.fichier.open("rb"),
        as_attachment=True,
        filename=export.nom_fichier,
        content_type=exporteur.TYPES_MIME[export.format],
    )
