"""Admin: quants retrain (a job on the training queue) and promote, both audited."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from .models import ModelVersion, MonitoringRun, OrderPrediction, PromotionEvent
from .services import PromotionRefused, model_version_promote
from .training import models_retrain_submit


class PromotionInline(admin.TabularInline):
    model = PromotionEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "from_status", "to_status", "user", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


def _metric(version: ModelVersion, window: str, name: str) -> str:
    value = version.metrics.get(window, {}).get("total_bps", {}).get(name)
    return f"{value:.3g}" if isinstance(value, float) else "–"


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = (
        "version", "kind", "track", "status", "train_end", "n_rows", "holdout_mae",
        "coverage", "triggered_by", "training_job", "created_at",
    )  # fmt: skip
    list_filter = ("track", "status", "kind")
    readonly_fields = (*(f.name for f in ModelVersion._meta.fields), "training_job")
    inlines = (PromotionInline,)
    actions = ("retrain", "promote")

    @admin.display(description="holdout MAE (bps)")
    def holdout_mae(self, obj: ModelVersion) -> str:
        return _metric(obj, "holdout", "mae")

    @admin.display(description="90% coverage")
    def coverage(self, obj: ModelVersion) -> str:
        return _metric(obj, "walk_forward", "coverage_90")

    @admin.display(description="training job")
    def training_job(self, obj: ModelVersion) -> str:
        if obj.job is None:
            return "–"
        url = reverse("admin:jobs_job_change", args=[obj.job.pk])
        return format_html('<a href="{}">{} {:.0%}</a>', url, obj.job.status, obj.job.progress)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_train_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("models_app.train_model")

    def has_promote_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("models_app.promote_model")

    @admin.action(description="Retrain (challengers of the selected kinds)", permissions=["train"])
    def retrain(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        kinds = sorted(set(queryset.values_list("kind", flat=True)))
        job = models_retrain_submit(user=request.user, kinds=kinds, reason="admin")
        url = reverse("admin:jobs_job_change", args=[job.pk])
        self.message_user(
            request,
            format_html(
                'Training of {} queued: <a href="{}">follow job {}</a>.',
                ", ".join(kinds),
                url,
                job.pk,
            ),
            messages.SUCCESS,
        )

    @admin.action(description="Promote to champion of its track", permissions=["promote"])
    def promote(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version to promote.", messages.ERROR)
            return
        version = queryset.get()
        try:
            model_version_promote(version=version, user=request.user, note="admin")
        except PromotionRefused as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"{version.version} is now the {version.track} champion.")


@admin.register(OrderPrediction)
class OrderPredictionAdmin(admin.ModelAdmin):
    list_display = (
        "order", "model_version", "source", "trade_date", "regime", "total_bps", "q05_bps",
        "q95_bps", "p_exceed", "residual_bps",
    )  # fmt: skip
    list_filter = ("source", "regime", "trade_date")
    readonly_fields = tuple(f.name for f in OrderPrediction._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(MonitoringRun)
class MonitoringRunAdmin(admin.ModelAdmin):
    list_display = (
        "created_at", "model_version", "window_end", "n_orders", "bias_bps", "mae_bps",
        "breached", "job",
    )  # fmt: skip
    list_filter = ("breached",)
    readonly_fields = tuple(f.name for f in MonitoringRun._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
