from grants import access


def roles(request):
    """What the navigation needs to know about the signed-in person."""
    user = request.user
    return {
        "can_manage_program": access.can_manage_program(user)
        if user.is_authenticated
        else False,
        "can_view_program": access.can_view_program(user),
        "user_roles": access.role_names(user),
    }
