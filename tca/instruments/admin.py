from django.contrib import admin

from .models import Instrument


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ("symbol", "name", "currency", "tick_size", "lot_size", "mic", "auto_registered")
    search_fields = ("symbol", "name")
    list_filter = ("auto_registered", "currency")
