from django.db import migrations

from core.db import append_only


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_audits_programmes_and_checklists")]

    operations = [
        append_only("audits_historicalauditprogramme"),
        append_only("audits_historicalaudit"),
        append_only("audits_historicalaudit_audited_teams"),
        append_only("audits_historicalaudit_documents"),
        append_only("audits_historicalaudit_auditors"),
        append_only("audits_historicalaudit_auditees"),
        append_only("audits_historicalbankquestion"),
        append_only("audits_historicalauditquestion"),
        append_only("audits_historicalanswer"),
        append_only("audits_historicalfinding"),
        append_only("audits_historicalevidence"),
        append_only("audits_historicalindependenceoverride"),
    ]
