from django.db import migrations

from core.db import append_only


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        append_only("accounts_historicalteam"),
        append_only("accounts_historicalmembership"),
    ]
