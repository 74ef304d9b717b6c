"""The pre-trade page's form (the API validates with its serializer)."""

from __future__ import annotations

from django import forms

from models_app.impact.pretrade import STRATEGIES


class EstimateForm(forms.Form):
    symbol = forms.CharField(max_length=32)
    side = forms.ChoiceField(choices=(("1", "Buy"), ("-1", "Sell")))
    quantity = forms.FloatField(min_value=1, max_value=1e12)
    start_time = forms.DateTimeField(
        help_text="UTC", widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 60})
    )
    horizon_minutes = forms.FloatField(min_value=1, max_value=5 * 24 * 60, required=False)
    end_time = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 60})
    )
    threshold_bps = forms.FloatField(required=False, initial=10.0)
    strategy = forms.ChoiceField(choices=[(s, s.capitalize()) for s in STRATEGIES],
                                 initial="balanced", required=False)  # fmt: skip
    order_ref = forms.CharField(max_length=64, required=False, label="Order id (optional)")

    def clean(self) -> dict:  # type: ignore[type-arg]
        data = super().clean() or {}
        if not data.get("horizon_minutes") and not data.get("end_time"):
            data["horizon_minutes"] = 60.0
        return data
