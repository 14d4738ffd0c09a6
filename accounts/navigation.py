"""The navigation and the home page's sections, by role. Apps add their entries here when their
screens exist, so that the menu never shows a link to a page that is not there."""

from django.urls import NoReverseMatch, reverse

from .models import Role

# (label, url name, roles that see it). Order is the menu's order.
ENTREES = [
    ("Accueil", "accueil", None),
    ("Administration", "admin:index", (Role.ADMINISTRATEUR,)),
]


def entrees_pour(user):
    items = []
    for label, url_name, roles in ENTREES:
        if roles is not None and user.role not in roles and not (user.is_superuser and Role.ADMINISTRATEUR in roles):
            continue
        try:
            items.append({"label": label, "url": reverse(url_name), "url_name": url_name})
        except NoReverseMatch:
            continue
    return items


def sections_pour(user):
    return [item for item in entrees_pour(user) if item["url_name"] != "accueil"]
