"""factory_boy factories for the domain models."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tca.accounts.models import Profile
from tca.instruments.models import Instrument
from tca.orders.models import Fill, ParentOrder

DAY0_NS = int(dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC).timestamp()) * 1_000_000_000


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instrument
        django_get_or_create = ("symbol",)

    symbol = factory.Sequence(lambda n: f"SYM{n}")
    currency = "USD"
    tick_size = Decimal("0.01")
    timezone = "America/New_York"
    session_open = dt.time(9, 30)
    session_close = dt.time(16, 0)


class ParentOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParentOrder

    order_id = factory.Sequence(lambda n: f"ORD{n:06d}")
    instrument = factory.SubFactory(InstrumentFactory)
    side = 1
    quantity = Decimal("10000")
    arrival_ns = DAY0_NS
    trade_date = dt.date(2026, 3, 2)
    broker = "BRKA"
    algo = "VWAP"
    trader = "alice"
    desk = "Cash Equities"


class FillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fill

    source = "test"
    exec_id = factory.Sequence(lambda n: f"EX{n:08d}")
    order = factory.SubFactory(ParentOrderFactory)
    side = factory.SelfAttribute("order.side")
    quantity = Decimal("100")
    price = Decimal("50.00")
    time_ns = factory.LazyAttribute(lambda f: f.order.arrival_ns + 1_000_000_000)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-only")

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def desk(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create:
            Profile.objects.update_or_create(user=self, defaults={"desk": extracted or ""})
