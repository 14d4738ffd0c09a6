from .navigation import entrees_pour, marquer_entree_courante


def navigation(request):
    """The menu of the signed-in user, with the current entry marked (`aria-current="page"`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Before the second factor, no menu: its links would only lead back to the code page.
    if hasattr(user, "is_verified") and not user.is_verified():
        return {}
    return {"navigation": marquer_entree_courante(entrees_pour(user), request.path)}
