from datetime import date

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.utils import translation

from teams.forms import VisitForm
from teams.templatetags.form_tags import crispy_field


class _Household:
    def __init__(self, registered_on):
        self.registered_on = registered_on


def _form(data=None, registered_on=date(2026, 1, 5)):
    return VisitForm(data, household=_Household(registered_on), services=[])


def test_it_renders_each_field_as_crispy_does_whatever_was_rendered_before():
    cases = [
        (None, date(2026, 1, 5)),
        (None, date(2025, 3, 9)),  # another household: another "min" attribute
        ({"visited_on": "2026-02-01", "people_helped": "3"}, date(2026, 1, 5)),
        ({"visited_on": "not a date", "people_helped": "-4"}, date(2026, 1, 5)),  # errors
        (None, date(2026, 1, 5)),  # back to the first: remembered, and still right
    ]
    for language in ("vi", "en"):
        with translation.override(language):
            for data, registered_on in cases:
                for name in ("visited_on", "people_helped", "note"):
                    form = _form(data, registered_on)
                    if data:
                        form.is_valid()
                    assert crispy_field(form[name]) == as_crispy_field(form[name])


def test_it_keeps_apart_what_differs_in_value_errors_attributes_and_language():
    with translation.override("vi"):
        first = crispy_field(_form(registered_on=date(2026, 1, 5))["visited_on"])
        other = crispy_field(_form(registered_on=date(2025, 3, 9))["visited_on"])
        bad = _form({"visited_on": "x", "people_helped": "1"})
        bad.is_valid()
        invalid = crispy_field(bad["visited_on"])
        valid = _form({"visited_on": "2026-02-01", "people_helped": "1"})
        valid.is_valid()
        before = crispy_field(valid["visited_on"])
        valid.add_error("visited_on", "Refused by the service")  # as the view does with visit_record's errors
        after = crispy_field(valid["visited_on"])
    with translation.override("en"):
        english = crispy_field(_form(registered_on=date(2026, 1, 5))["visited_on"])
    assert 'min="2026-01-05"' in first and 'min="2025-03-09"' in other
    assert "is-invalid" in invalid and "is-invalid" not in first
    assert "Ngày thăm" in first and "Visit date" in english
    assert "Refused by the service" not in before and "Refused by the service" in after
