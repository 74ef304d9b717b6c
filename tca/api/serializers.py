from rest_framework import serializers

from tca.jobs.models import Job
from tca.orders.models import Fill, ParentOrder


class OrderSerializer(serializers.ModelSerializer):
    symbol = serializers.CharField(source="instrument.symbol")
    side = serializers.CharField(source="side_label")
    is_bps = serializers.FloatField(source="cost.is_bps", allow_null=True, default=None)

    class Meta:
        model = ParentOrder
        fields = (
            "order_id",
            "symbol",
            "side",
            "quantity",
            "arrival_ns",
            "decision_ns",
            "end_ns",
            "trade_date",
            "broker",
            "algo",
            "trader",
            "desk",
            "portfolio",
            "is_bps",
        )


class FillSerializer(serializers.ModelSerializer):
    order_id = serializers.CharField(source="order.order_id")

    class Meta:
        model = Fill
        fields = (
            "source",
            "exec_id",
            "order_id",
            "side",
            "quantity",
            "price",
            "time_ns",
            "venue",
            "liquidity",
            "broker",
            "algo",
            "fee",
        )


class JobSerializer(serializers.ModelSerializer):
    # Server-side locations never leave the server (jobs made before they stopped
    # being stored may still hold one).
    HIDDEN_PARAMS = frozenset({"path"})

    def to_representation(self, instance: Job) -> dict:  # type: ignore[type-arg]
        data = super().to_representation(instance)
        data["params"] = {
            k: v for k, v in (data.get("params") or {}).items() if k not in self.HIDDEN_PARAMS
        }
        return data

    class Meta:
        model = Job
        fields = (
            "id",
            "kind",
            "status",
            "progress",
            "message",
            "params",
            "result",
            "created_at",
            "started_at",
            "finished_at",
        )


class JobCreatedSerializer(serializers.Serializer):
    job_id = serializers.UUIDField()
    status_url = serializers.CharField()
