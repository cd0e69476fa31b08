"""Django admin, for the system administrator. Money and audit records are read-only
here: they change only through the services that enforce the rules."""

from django.contrib import admin

from grants.models import (
    Amendment,
    Appropriation,
    AuditEvent,
    Award,
    AwardFunding,
    Hold,
    IndirectRateAgreement,
    Membership,
    Recipient,
    RuleValue,
    SetAside,
    TaskForce,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "uei", "ein", "state", "accounting_basis")
    search_fields = ("legal_name", "uei", "ein")


@admin.register(TaskForce)
class TaskForceAdmin(admin.ModelAdmin):
    list_display = ("name", "state", "lead_organization")
    list_filter = ("state",)
    search_fields = ("name",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "task_force", "role")
    list_filter = ("role",)


@admin.register(RuleValue)
class RuleValueAdmin(admin.ModelAdmin):
    list_display = (
        "key",
        "value",
        "unit",
        "effective_from",
        "effective_to",
        "evidence",
    )
    list_filter = ("key",)


for model in (Appropriation, SetAside, Award, AwardFunding, Hold, Amendment, IndirectRateAgreement):
    admin.site.register(model, ReadOnlyAdmin)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "actor", "action", "object_repr", "task_force")
    list_filter = ("action",)
