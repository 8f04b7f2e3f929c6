from django.db import migrations

from core.db import append_only


class Migration(migrations.Migration):
    dependencies = [("capa", "0001_nonconformities_and_corrective_actions")]

    operations = [
        append_only("capa_historicalnonconformity"),
        append_only("capa_historicalcontainmentaction"),
        append_only("capa_historicalcorrectiveaction"),
        append_only("capa_historicalactionitem"),
        append_only("capa_historicaleffectivenesscheck"),
    ]
