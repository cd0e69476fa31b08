from grants import access
from grants import navigation as navigation_rules


def roles(request):
    """What the navigation needs to know about the signed-in person.

    Computed once per request and kept on it: django-tables2 renders every template
    cell with the request, which runs the context processors again for each row."""
    cached = getattr(request, "_icac_roles", None)
    if cached is None:
        user = request.user
        cached = request._icac_roles = {
            "can_manage_program": access.can_manage_program(user)
            if user.is_authenticated
            else False,
            "can_view_program": access.can_view_program(user),
            "can_review_access": access.can_review_access(user),
            "user_roles": access.role_names(user),
        }
    return cached


def navigation(request):
    """The menu with its current section, and the page's breadcrumbs (grants.navigation).
    Kept on the request for the same reason as `roles`."""
    cached = getattr(request, "_icac_navigation", None)
    if cached is None:
        user = request.user
        trail, here = navigation_rules.breadcrumbs(request) if user.is_authenticated else ([], "")
        current = navigation_rules.section_of(request.path)
        cached = request._icac_navigation = {
            "menu": navigation_rules.menu(user) if user.is_authenticated else [],
            "current_section": current.key if current else "",
            "breadcrumbs": trail,
            "breadcrumb_here": here,
        }
    return cached
