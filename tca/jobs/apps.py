from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "tca.jobs"
    label = "jobs"

    def ready(self) -> None:
        # Bind shared tasks to Footprint's Celery app whenever Django starts.
        from tca.celery import app  # noqa: F401
