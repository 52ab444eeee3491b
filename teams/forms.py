import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from households.validators import reject_control_characters, vietnamese_phone

from .models import Member, Outcome
from .visits import Help, people_helped_problem, visit_date_problem

NOTHING = ""
# The outcome buttons in the order a thumb meets them.
OUTCOME_CHOICES = [
    (Outcome.SET_UP, pgettext_lazy("outcome button", "Set up now")),
    (Outcome.ALREADY_HAD, pgettext_lazy("outcome button", "Already had")),
    (Outcome.DECLINED, pgettext_lazy("outcome button", "Declined")),
    (Outcome.FOLLOW_UP, pgettext_lazy("outcome button", "Follow up")),
    (NOTHING, pgettext_lazy("outcome button", "Nothing")),
]


class VisitForm(forms.Form):
    """One visit: the date, an outcome per active service, people helped, a note.

    The UUID is made when the form is first rendered and travels with every
    resend of it, so a double tap or a refresh stores the visit once.
    """

    uuid = forms.UUIDField(widget=forms.HiddenInput)
    visited_on = forms.DateField(
        label=_("Visit date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    people_helped = forms.IntegerField(
        label=_("People helped"),
        help_text=_("For each service set up now: from 1 to the household's people."),
        initial=1,
        min_value=0,
        max_value=99,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": _("Enter a number of people between 0 and 99."),
            "max_value": _("Enter a number of people between 0 and 99."),
        },
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    # Set when the member, told that the same visit was saved minutes ago (Back then Save), saves another one.
    again = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, household, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        self.services = services
        today = timezone.localdate()
        self.fields["uuid"].initial = uuid.uuid4
        self.fields["visited_on"].initial = today
        self.fields["visited_on"].widget.attrs.update(
            {"max": today.isoformat(), "min": household.registered_on.isoformat()}
        )
        if people := getattr(household, "people_count", None):
            self.fields["people_helped"].widget.attrs["max"] = people
        for service in services:
            self.fields[self.service_field_name(service)] = forms.ChoiceField(
                label=service.display_name,
                choices=OUTCOME_CHOICES,
                required=False,
                initial=NOTHING,
                error_messages={"invalid_choice": _("Choose one of the options in the list.")},
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            )

    @staticmethod
    def service_field_name(service):
        return f"service_{service.code}"

    def service_fields(self):
        return [self[self.service_field_name(service)] for service in self.services]

    def clean_visited_on(self):
        visited_on = self.cleaned_data["visited_on"]
        problem = visit_date_problem(visited_on=visited_on, household=self.household)
        if problem:
            raise forms.ValidationError(problem)
        return visited_on

    def clean(self):
        cleaned = super().clean()
        if "uuid" in self.errors:
            # The hidden id came back damaged: hand out a fresh one so the next send can be stored.
            del self.errors["uuid"]
            self.data = self.data.copy()
            self.data["uuid"] = str(uuid.uuid4())
            self.add_error(None, _("The form was damaged on the way. Check it and save again."))
        people = cleaned.get("people_helped")
        set_up = any(cleaned.get(self.service_field_name(s)) == Outcome.SET_UP for s in self.services)
        if set_up and people is not None:
            problem = people_helped_problem(outcome=Outcome.SET_UP, people_helped=people, household=self.household)
            if problem:
                self.add_error("people_helped", problem)
        return cleaned

    def outcomes(self):
        """{Service: Help} for the services given an outcome; people count only for "set up now"."""
        people = self.cleaned_data["people_helped"]
        result = {}
        for service in self.services:
            outcome = self.cleaned_data.get(self.service_field_name(service))
            if outcome:
                result[service] = Help(outcome, people if outcome == Outcome.SET_UP else 0)
        return result


def visit_initial(visit, help_given):
    """The visit form's initial data for correcting `visit`: its UUID, date, note and `help_given` (its
    assistance rows, with their services)."""
    people = max((a.people_helped for a in help_given), default=0)
    initial = {"uuid": visit.pk, "visited_on": visit.visited_on, "note": visit.note, "people_helped": people or 1}
    initial.update({VisitForm.service_field_name(a.service): a.outcome for a in help_given})
    return initial


class VisitVoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for voiding"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for voiding this visit.")},
    )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())  # line breaks typed in the box become spaces
        reject_control_characters(reason)
        if not reason:
            raise forms.ValidationError(_("Give the reason for voiding this visit."))
        return reason


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["full_name", "phone", "role", "organisation"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})}
        error_messages = {"role": {"invalid_choice": _("Choose one of the options in the list.")}}

    def __init__(self, *args, is_self=False, **kwargs):
        super().__init__(*args, **kwargs)
        if is_self:
            # A leader cannot demote themselves and lose the roster page mid-edit.
            self.fields["role"].disabled = True
            self.fields["role"].help_text = _("You cannot change your own role.")

    def clean_full_name(self):
        reject_control_characters(self.cleaned_data["full_name"])
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Enter the member's full name."))
        return name

    def clean_phone(self):
        return vietnamese_phone(self.cleaned_data["phone"])

    def member_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
