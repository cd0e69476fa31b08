def second_factor(request) -> dict:
    """`mfa_pending`: signed in, second factor not met yet; the navigation hides."""
    from accounts.mfa_policy import Standing

    where = getattr(request, "mfa_standing", None)
    return {"mfa_pending": where is not None and where is not Standing.SATISFIED}
