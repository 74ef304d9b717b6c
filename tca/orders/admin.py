from django.contrib import admin

from .models import Fill, ParentOrder


@admin.register(ParentOrder)
class ParentOrderAdmin(admin.ModelAdmin):
    list_display = ("order_id", "instrument", "side", "quantity", "trade_date", "broker", "algo")
    list_filter = ("trade_date", "broker", "algo", "desk")
    search_fields = ("order_id", "instrument__symbol")
    raw_id_fields = ("instrument",)


@admin.register(Fill)
class FillAdmin(admin.ModelAdmin):
    list_display = ("exec_id", "source", "order", "quantity", "price", "venue", "liquidity")
    search_fields = ("exec_id", "order__order_id")
    raw_id_fields = ("order",)
    list_filter = ("liquidity", "is_cancelled")
