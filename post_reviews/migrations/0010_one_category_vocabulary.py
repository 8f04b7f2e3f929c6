# One category vocabulary for post reviews and CAPA (capa.vocabulary.Category). Post reviews used
# "legal" and "spelling" where CAPA says "legal_claims" and "spelling_grammar", and raising an NC
# turned the unknown values into "other". This corrects checklist items and defects, and the
# nonconformities raised from defects that were filed under "other". Checklist items and NCs are
# history-tracked: each corrected row gets a history row saying so (the migration has no user).

from django.db import migrations, models
from django.utils import timezone

LEGACY = {"legal": "legal_claims", "spelling": "spelling_grammar"}
REASON = "category corrected: one vocabulary"
CHOICES = [
    ("disclosure", "Disclosure"),
    ("accessibility", "Accessibility"),
    ("spelling_grammar", "Spelling / grammar"),
    ("brand_voice", "Brand voice"),
    ("legal_claims", "Legal / claims"),
    ("link", "Link"),
    ("wrong_asset", "Wrong asset"),
    ("timing", "Timing"),
    ("process", "Process"),
    ("other", "Other"),
]


def _history_row(historical, obj, now):
    row = historical(history_date=now, history_type="~", history_change_reason=REASON, history_user_id=None)
    for field in obj._meta.concrete_fields:
        setattr(row, field.attname, getattr(obj, field.attname))
    return row


def _recategorise(apps, mapping, *, history: bool):
    now = timezone.now()
    Defect = apps.get_model("post_reviews", "Defect")
    ChecklistItem = apps.get_model("post_reviews", "ChecklistItem")
    HistoricalChecklistItem = apps.get_model("post_reviews", "HistoricalChecklistItem")
    for old, new in mapping.items():
        Defect.objects.filter(category=old).update(category=new)
        items = list(ChecklistItem.objects.filter(category=old))
        for item in items:
            item.category = new
        ChecklistItem.objects.bulk_update(items, ["category"], batch_size=1000)
        if history:
            HistoricalChecklistItem.objects.bulk_create(
                [_history_row(HistoricalChecklistItem, i, now) for i in items], batch_size=1000
            )


def forward(apps, schema_editor):
    _recategorise(apps, LEGACY, history=True)
    ContentType = apps.get_model("contenttypes", "ContentType")
    defect_type = ContentType.objects.filter(app_label="post_reviews", model="defect").first()
    if defect_type is None:
        return  # a fresh database: no defects, no NCs raised from them
    Defect = apps.get_model("post_reviews", "Defect")
    Nonconformity = apps.get_model("capa", "Nonconformity")
    HistoricalNonconformity = apps.get_model("capa", "HistoricalNonconformity")
    now = timezone.now()
    ncs = list(Nonconformity.objects.filter(source_type=defect_type, category="other"))
    category_of = dict(Defect.objects.filter(pk__in=[nc.source_id for nc in ncs]).values_list("pk", "category"))
    corrected = []
    for nc in ncs:
        category = category_of.get(nc.source_id)
        if category and category != "other":
            nc.category = category
            corrected.append(nc)
    Nonconformity.objects.bulk_update(corrected, ["category"], batch_size=1000)
    HistoricalNonconformity.objects.bulk_create(
        [_history_row(HistoricalNonconformity, nc, now) for nc in corrected], batch_size=1000
    )


def backward(apps, schema_editor):
    # Defects and checklist items get their old values back; the NCs keep the right category
    # (which of them were "other" before is in their history) and history rows stay append-only.
    _recategorise(apps, {new: old for old, new in LEGACY.items()}, history=False)


class Migration(migrations.Migration):
    dependencies = [
        ("post_reviews", "0009_post_imported_by_and_derived_fields_out_of_history"),
        ("capa", "0002_history_append_only"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name="checklistitem",
            name="category",
            field=models.CharField(choices=CHOICES, default="other", max_length=20),
        ),
        migrations.AlterField(
            model_name="defect",
            name="category",
            field=models.CharField(choices=CHOICES, max_length=20),
        ),
        migrations.AlterField(
            model_name="historicalchecklistitem",
            name="category",
            field=models.CharField(choices=CHOICES, default="other", max_length=20),
        ),
        migrations.RunPython(forward, backward),
    ]
