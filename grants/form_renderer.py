"""The one place that styles form widgets for the U.S. Web Design System.

Django renders every widget through the project's form renderer (settings.FORM_RENDERER),
so forms and filter forms declare fields only; the USWDS class for each kind of widget is
added here as it renders. A class a widget sets itself (such as "usa-input--small") is
kept.

Widgets are rendered with the project's template settings (TemplatesSetting), so a
widget template in templates/django/forms/ is used before Django's own: the select
widget there writes its options in place, the same HTML without an include per option.
"""

from pathlib import PurePosixPath

from django.forms.renderers import TemplatesSetting

# By the widget's template name; every other visible input is a "usa-input".
CLASSES = {
    "select": "usa-select",
    "textarea": "usa-textarea",
    "checkbox": "usa-checkbox__input",
}
# Widgets made of other widgets, whose parts carry their own attributes.
COMPOSITE = {"checkbox_select", "radio", "multiwidget", "splitdatetime", "select_date"}


def uswds_class(widget: dict) -> str | None:
    """The USWDS class for a widget's template context, or None for hidden and
    composite widgets."""
    kind = PurePosixPath(widget["template_name"]).stem
    if widget.get("is_hidden") or kind in COMPOSITE:
        return None
    return CLASSES.get(kind, "usa-input")


class UswdsClasses:
    """Adds each widget's USWDS class as it renders, whichever templates render it."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if isinstance(widget, dict) and "template_name" in widget:
            css = uswds_class(widget)
            if css and "class" not in widget["attrs"]:
                widget["attrs"]["class"] = css
        return super().render(template_name, context, request=request)


class UswdsFormRenderer(UswdsClasses, TemplatesSetting):
    """The project's templates first (templates/django/forms/), then Django's own."""
