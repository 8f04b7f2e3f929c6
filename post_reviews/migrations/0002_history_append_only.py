from django.db import migrations

from core.db import append_only


class Migration(migrations.Migration):
    dependencies = [("post_reviews", "0001_initial"), ("core", "0002_signature_append_only")]

    operations = [
        append_only("post_reviews_historicalsocialaccount"),
        append_only("post_reviews_historicalprechecksettings"),
        append_only("post_reviews_historicalpost"),
        append_only("post_reviews_historicalchecklist"),
        append_only("post_reviews_historicalchecklistitem"),
        append_only("post_reviews_historicalsamplinglot"),
    ]
