from django.utils.functional import SimpleLazyObject

from .menu import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def build():
        groups = menu_for(user)
        # The active entry is the one whose address is the longest prefix of this page's path,
        # so /customers/churn/ marks "Churn warnings", not "Customers" (/customers/).
        matches = [item.url for _group, items in groups for item in items if request.path.startswith(item.url)]
        return {"groups": groups, "active_url": max(matches, key=len, default=None)}

    # Lazy: pages that never render the menu (htmx fragments) pay nothing.
    return {"navigation": SimpleLazyObject(build)}
