from .navigation import entrees_pour


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"navigation": entrees_pour(user)}
