"""`{% documents_panel record %}`: the documents of an award, report, budget change or
amendment on that record's page, with a link to attach one for those who may."""

from django import template
from django.urls import reverse

from documents.parents import kind_of, may_attach
from documents.selectors import attachments_of

register = template.Library()


@register.inclusion_tag("documents/_panel.html", takes_context=True)
def documents_panel(context, parent):
    user = context["request"].user
    kind = kind_of(parent)
    return {
        "attachments": attachments_of(user=user, kind=kind, parent=parent),
        "show_parent": kind.field == "award",
        "may_attach": may_attach(user, kind, kind.award_of(parent)),
        "documents_url": reverse("documents:parent", args=[kind.key, parent.pk]),
    }
