"""The admin's fast widget renderer writes what Django's templates write (issue 17)."""

import re

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import override

from teams.admin_widgets import FAST_RENDERER


class Sample(forms.Form):
    name = forms.CharField(initial='a "quoted" <b>name</b> & co', max_length=20)
    count = forms.IntegerField(initial=12345)
    hidden = forms.CharField(widget=forms.HiddenInput, initial="")
    ticked = forms.BooleanField(initial=True, required=False)
    blank = forms.BooleanField(initial=False, required=False)
    when = forms.DateField(widget=forms.DateInput, initial="2026-01-02")
    choice = forms.ChoiceField(choices=[("", "---"), ("x", "<x> & y"), (3, 1234)], initial="x")
    grouped = forms.ChoiceField(
        choices=[("Group <1>", [("a", "A"), ("b", "B")]), ("c", "C")],
        initial="b",
        widget=forms.Select(attrs={"data-x": mark_safe("&amp;"), "disabled": True, "hidden": False}),
    )
    text = forms.CharField(widget=forms.Textarea, initial="<note>")


def _html(renderer):
    form = Sample(renderer=renderer, prefix="p")
    return {name: re.sub(r"\n\s*", "", str(form[name])) for name in form.fields}


def test_it_renders_every_widget_as_the_templates_do_in_english_and_vietnamese():
    for language in ("en", "vi"):
        with override(language):
            fast, slow = _html(FAST_RENDERER), _html(DjangoTemplates())
        assert fast == slow
        assert "&lt;b&gt;" in fast["name"] and "<b>" not in fast["name"]
        assert "<optgroup" in fast["grouped"] and 'data-x="&amp;"' in fast["grouped"]


def test_it_leaves_the_other_templates_to_django():
    class Other(forms.Form):
        day = forms.SplitDateTimeField()

    assert str(Other(renderer=FAST_RENDERER)["day"]) == str(Other(renderer=DjangoTemplates())["day"])
