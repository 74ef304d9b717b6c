from django import forms

from tca.orders.selectors import OrderFilters


class BlotterFilterForm(forms.Form):
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    symbol = forms.CharField(required=False, max_length=32)
    side = forms.TypedChoiceField(
        required=False,
        choices=(("", "Any side"), ("1", "Buy"), ("-1", "Sell")),
        coerce=int,
        empty_value=None,
    )
    broker = forms.CharField(required=False, max_length=64)
    algo = forms.CharField(required=False, max_length=64)
    trader = forms.CharField(required=False, max_length=64)
    desk = forms.CharField(required=False, max_length=64)
    regime = forms.CharField(required=False, max_length=32)

    def to_filters(self) -> OrderFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return OrderFilters(**{k: v for k, v in data.items() if v not in (None, "")})
