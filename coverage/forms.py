"""The coverage pages' filter (as-of date, priority households, trend period) and the target form."""

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teams.models import Service

EARLIEST_AS_OF = date(2000, 1, 1)


class CoverageFilter(forms.Form):
    on = forms.DateField(
        label=gettext_lazy("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Figures as they stood at the end of this day."),
    )
    priority = forms.BooleanField(label=gettext_lazy("Priority households only"), required=False)
    period = forms.ChoiceField(
        label=gettext_lazy("Trend by"),
        required=False,
        choices=[("month", gettext_lazy("month")), ("week", gettext_lazy("week"))],
    )

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on and on > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        if on and on < EARLIEST_AS_OF:
            # Before the programme there is nothing to show, and trend periods would run off the calendar.
            raise ValidationError(_("Choose a date from %(date)s on.") % {"date": EARLIEST_AS_OF.strftime("%d/%m/%Y")})
        return on


class TargetForm(forms.Form):
    service = forms.ModelChoiceField(
        label=gettext_lazy("Service"), queryset=Service.objects.filter(active=True, counts_for_coverage=True)
    )
    percent = forms.DecimalField(
        label=gettext_lazy("Target (%)"), min_value=Decimal("0.1"), max_value=100, max_digits=4, decimal_places=1
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Counted from"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
