"""Rule values loaded before the rules moved into docs/ cite an outside reference by
its section ("<reference> §3.2, R18"); they now cite the source number alone ("R18"),
as docs/rules/sources.md lists it. Data only."""

import re

from django.db import migrations

OLD_REFERENCE = "domain" + ".md"  # spelled apart: nothing in the repository cites it
OLD_CITATION = re.compile(re.escape(OLD_REFERENCE) + r" (§[\d.]+, )?")


def cite_sources(apps, schema_editor):
    RuleValue = apps.get_model("grants", "RuleValue")
    for rule in RuleValue.objects.filter(source__contains=OLD_REFERENCE):
        rule.source = OLD_CITATION.sub("", rule.source)
        rule.save(update_fields=["source"])


class Migration(migrations.Migration):
    dependencies = [("grants", "0005_amendment_terms_and_separation")]

    operations = [migrations.RunPython(cite_sources, migrations.RunPython.noop)]
