import django.utils.timezone
from django.db import migrations, models

TASK_NAME = "recover stranded jobs"


def schedule(apps, schema_editor):  # type: ignore[no-untyped-def]
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "tca.jobs.recover", "interval": every_minute, "enabled": True},
    )


def unschedule(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="job", name="task_name",
            field=models.CharField(blank=True, default="", max_length=128),
        ),
        migrations.AddField(
            model_name="job", name="task_args", field=models.JSONField(blank=True, default=list)
        ),
        migrations.AddField(
            model_name="job", name="attempts", field=models.PositiveSmallIntegerField(default=1)
        ),
        migrations.AddField(
            model_name="job", name="queued_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="job", name="heartbeat_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddIndex(
            model_name="job",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "running"])),
                fields=["status", "queued_at"],
                name="job_unfinished",
            ),
        ),
        migrations.RunPython(schedule, unschedule),
    ]
