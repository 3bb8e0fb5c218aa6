from .menu import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def groups():
        # Evaluated lazily so pages that never render the menu (htmx fragments) pay nothing.
        return menu_for(user)

    return {"menu_groups": groups}
