from django import forms

from tca.orders.selectors import OrderFilters

GROUP_CHOICES = (("broker", "Broker"), ("algo", "Algo"), ("venue", "Venue"), ("regime", "Regime"))


class BlotterFilterForm(forms.Form):
    """The filters every report page shares (the blotter's, hence the name)."""

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
        """Valid fields only: one bad value (a malformed date) does not drop the others."""
        if not self.is_bound:
            return OrderFilters()
        self.is_valid()
        data = self.cleaned_data
        names = OrderFilters.__dataclass_fields__
        return OrderFilters(**{k: v for k, v in data.items() if k in names and v not in (None, "")})


class CompareForm(BlotterFilterForm):
    by = forms.ChoiceField(required=False, choices=GROUP_CHOICES)
    a = forms.CharField(required=False, max_length=64)
    b = forms.CharField(required=False, max_length=64)

    def group_by(self) -> str:
        if not self.is_bound:
            return "broker"
        self.is_valid()
        return self.cleaned_data.get("by") or "broker"


class PrePostForm(BlotterFilterForm):
    version = forms.CharField(required=False, max_length=64)
