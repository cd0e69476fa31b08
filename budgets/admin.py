from django.contrib import admin

from budgets.models import BudgetLine, BudgetVersion
from grants.admin import ReadOnlyAdmin

admin.site.register(BudgetVersion, ReadOnlyAdmin)
admin.site.register(BudgetLine, ReadOnlyAdmin)
