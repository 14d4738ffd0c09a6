"""The people list, defined once: the screen (residents.views.liste) and its export read it here."""

from .models import Resident


def personnes(user, q=""):
    return Resident.objects.visibles_par(user).recherche(q or "").order_by("nom", "prenom", "pk")
