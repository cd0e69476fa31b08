from grants import access


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
