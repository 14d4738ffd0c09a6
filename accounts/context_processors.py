from .navigation import entrees_pour, marquer_entree_courante


def navigation(request):
    """The menu of the signed-in user, with the current entry marked (`aria-current="page"`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"navigation": marquer_entree_courante(entrees_pour(user), request.path)}
