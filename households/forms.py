from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teams.models import Service

from .lookup import (
    SEARCH_ORDER,
    households_lacking,
    households_needing_follow_up,
    households_never_visited,
    households_search,
    households_search_forgiving,
)
from .models import Hamlet, Household
from .registry import EDITABLE_FIELDS
from .search import normalize
from .validators import reject_control_characters, vietnamese_phone

INVALID_CHOICE = {"invalid_choice": _("Choose one of the options in the list.")}


class ListedChoiceField(forms.ModelChoiceField):
    def offer(self, objects):
        """Choose among `objects`, listed with one plain query (a ModelChoiceField lists through a
        server-side cursor: three round trips for a handful of rows)."""
        self.queryset = objects
        blank = [("", self.empty_label)] if self.empty_label is not None else []
        self.choices = blank + [(o.pk, self.label_from_instance(o)) for o in objects]


class HamletChoiceField(ListedChoiceField):
    # The team's hamlets are all in one commune: the name alone is enough (and costs no query).
    def label_from_instance(self, obj):
        return obj.name


class HouseholdFilterForm(forms.Form):
    SHOW_ALL = ""
    SHOW_NEVER_VISITED = "never_visited"
    SHOW_FOLLOW_UP = "follow_up"
    SHOW_MOVED_AWAY = "moved_away"

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Head's name, address or phone"), "autocomplete": "off"}
        ),
    )
    hamlet = HamletChoiceField(
        label=_("Hamlet"),
        queryset=Hamlet.objects.none(),
        required=False,
        empty_label=_("All hamlets"),
        error_messages=INVALID_CHOICE,
    )
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            (SHOW_ALL, _("All active households")),
            (SHOW_NEVER_VISITED, _("Never visited")),
            (SHOW_FOLLOW_UP, _("Needs follow-up")),
            (SHOW_MOVED_AWAY, _("Moved away")),
        ],
        error_messages=INVALID_CHOICE,
    )
    lacks = forms.ModelChoiceField(
        label=_("Lacks service"),
        queryset=Service.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("Any"),
        error_messages=INVALID_CHOICE,
    )

    def __init__(self, *args, hamlets, services, sees_phones=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sees_phones = sees_phones
        self.fields["hamlet"].offer(hamlets)
        self.fields["lacks"].queryset = Service.objects.filter(pk__in=[s.pk for s in services])
        # The choices are the services already fetched: no second query to render them.
        self.fields["lacks"].choices = [("", self.fields["lacks"].empty_label)] + [
            (s.code, s.display_name) for s in services
        ]

    @property
    def filtering(self):
        """Whether a filter beyond the search box is set (the filter panel opens)."""
        return self.is_bound and any(self.data.get(name) for name in ("hamlet", "show", "lacks"))

    @property
    def searching(self):
        return bool(self.is_bound and self.is_valid() and normalize(self.cleaned_data.get("q", "")))

    @property
    def ordering(self):
        """Names before addresses when searching, else alphabetical."""
        return SEARCH_ORDER if self.searching else ("search_key", "id")

    def apply(self, households, *, forgiving=False):
        """The households matching the valid filters, ordered by `ordering`; active ones unless
        "moved away" is asked. `forgiving` forgives a typo per word, when the plain search found none."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        show = data.get("show") or self.SHOW_ALL
        households = households.filter(active=show != self.SHOW_MOVED_AWAY)
        search = households_search_forgiving if forgiving else households_search
        households = search(households, data.get("q", ""), sees_phones=self.sees_phones)
        if data.get("hamlet"):
            households = households.filter(hamlet=data["hamlet"])
        if show == self.SHOW_NEVER_VISITED:
            households = households_never_visited(households)
        elif show == self.SHOW_FOLLOW_UP:
            households = households_needing_follow_up(households)
        if data.get("lacks"):
            households = households_lacking(households, data["lacks"])
        return households.order_by(*self.ordering)


# The box governs the phone number alone (the check constraint household_phone_needs_consent):
# the register keeps the name, address and particulars for the programme either way.
CONSENT_LABEL = _("The household agrees that its phone number is recorded")
CONSENT_HELP = _(
    "Only the phone number depends on this consent: without it no number is kept. "
    "The name, address and other particulars are recorded for the programme either way."
)


class HouseholdForm(forms.ModelForm):
    confirm_namesake = forms.BooleanField(
        label=_("I checked: this is a different household, register it anyway"), required=False
    )

    class Meta:
        model = Household
        fields = list(EDITABLE_FIELDS)
        field_classes = {"hamlet": HamletChoiceField}
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
            "people_count": forms.NumberInput(attrs={"min": 1, "max": 99, "inputmode": "numeric"}),
            "registered_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {"hamlet": INVALID_CHOICE, "poverty": INVALID_CHOICE}
        labels = {"consent_given": CONSENT_LABEL}
        help_texts = {
            "phone": _("Optional. Only with the household's consent."),
            "consent_given": CONSENT_HELP,
        }

    def __init__(self, *args, hamlets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hamlet"].empty_label = None
        self.fields["hamlet"].offer(hamlets)
        self.fields["people_count"].min_value = 1
        self.fields["registered_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        # Shown only once a namesake has been found (see `namesakes`).
        self.fields["confirm_namesake"].widget = forms.HiddenInput()
        self.namesakes = []

    def ask_about_namesakes(self, namesakes):
        """Show the namesakes and the box that confirms the household is another one."""
        self.namesakes = list(namesakes)
        self.fields["confirm_namesake"].widget = forms.CheckboxInput()

    def clean_head_name(self):
        reject_control_characters(self.cleaned_data["head_name"])
        name = " ".join(self.cleaned_data["head_name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Enter the head of household's full name."))
        return name

    def clean_address(self):
        reject_control_characters(self.cleaned_data["address"])
        return " ".join(self.cleaned_data["address"].split())

    def clean_phone(self):
        return vietnamese_phone(self.cleaned_data["phone"])

    def clean_people_count(self):
        count = self.cleaned_data["people_count"]
        if count is None or count < 1 or count > 99:
            raise forms.ValidationError(_("Enter a number of people between 1 and 99."))
        return count

    def clean_registered_on(self):
        registered_on = self.cleaned_data["registered_on"]
        if registered_on > timezone.localdate():
            raise forms.ValidationError(_("The registration date cannot be in the future."))
        first_visit = self.instance.first_visited_on if self.instance.pk else None
        if first_visit and registered_on > first_visit:
            raise forms.ValidationError(
                _("The household was already visited on %(date)s: it cannot be registered later than that.")
                % {"date": first_visit.strftime("%d/%m/%Y")}
            )
        return registered_on

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("phone") and not cleaned.get("consent_given"):
            self.add_error(
                "consent_given", _("Record a phone number only with the household's consent: tick this box.")
            )
        return cleaned

    def household_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class DeactivateForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, this household has moved away"), required=True)


class AnonymiseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, the household asked to be erased: remove its name, address, phone and notes"), required=True
    )
