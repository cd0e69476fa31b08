"""Finding one object for a page, download or PDF as far as the person may read it.

An object outside the person's scope does not exist for them: a 404, never a 403, so
nothing tells them it is there.
"""

from django.http import Http404

from grants import selectors
from grants.models import Award


def get_or_404(queryset, **lookup):
    """`queryset.get(**lookup)`, or a 404 naming what was not found. Pass a queryset
    already scoped to the person (a selector's `..._for_user`)."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No such {queryset.model._meta.verbose_name}.") from None


def award_or_404(request, award_number: str) -> Award:
    """The award as far as the person may read it: another task force's award is a 404."""
    return get_or_404(selectors.award_list_for_user(user=request.user), award_number=award_number)
