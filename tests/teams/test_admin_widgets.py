"""The admin's fast widget renderer writes what Django's templates write (issue 17)."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import override

from households.models import Hamlet
from teams.admin_widgets import FAST_RENDERER
from teams.models import Assistance, Member
from teams.visits import Help, visit_record


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


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_visits_page_and_a_communes_page_read_as_much_with_more_rows(client, world):
    w = world
    admin_client = w.login(client, "superuser")
    services = list(w.services.values())
    visit, _ = visit_record(
        member=w.member_m, household=w.household, visited_on=w.today, outcomes={services[0]: Help("declined")}
    )
    visit_url = reverse("admin:teams_visit_change", args=[visit.pk])
    commune_url = reverse("admin:households_commune_change", args=[w.commune.pk])
    admin_client.get(visit_url), admin_client.get(commune_url)
    before = _queries(admin_client, visit_url), _queries(admin_client, commune_url)
    for service in services[1:4]:
        Assistance.objects.create(
            visit=visit, province=visit.province, service=service, outcome="declined", people_helped=0
        )
    for n in range(3):
        Hamlet.objects.create(province=w.commune.province, commune=w.commune, code=f"X{n}", name=f"Ấp {n}")
    assert (_queries(admin_client, visit_url), _queries(admin_client, commune_url)) == before


def test_a_teams_page_reads_its_members_logins_at_once(client, world):
    w = world
    admin_client = w.login(client, "superuser")
    url = reverse("admin:teams_team_change", args=[w.team.pk])
    admin_client.get(url)
    before = _queries(admin_client, url)
    for n in range(3):
        login = get_user_model().objects.create_user(username=f"thanhvien{n}")
        Member.objects.create(team=w.team, full_name=f"Thành viên {n}", user=login)
    page = admin_client.get(url).text
    assert _queries(admin_client, url) == before
    assert f'value="{login.pk}" selected>thanhvien2</option>' in page


def _page(client, url):
    html = client.get(url).text
    # The same markup; the line breaks between tags differ (as in _html above).
    return re.sub(r"\n\s*", "", re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html))


def test_every_form_goes_through_it_and_an_admin_page_reads_the_same_as_with_django_s_templates(client, world):
    """The admin's related-object wrapper renders the select it wraps with the default renderer: a team's
    page (its commune, hamlets, members' logins) is the same page as Django writes it, but for line breaks."""
    from django.forms.renderers import get_default_renderer
    from django.test import override_settings

    admin_client = world.login(client, "superuser")
    url = reverse("admin:teams_team_change", args=[world.team.pk])
    assert isinstance(get_default_renderer(), type(FAST_RENDERER))
    fast = _page(admin_client, url)
    with override_settings(FORM_RENDERER="django.forms.renderers.DjangoTemplates"):
        assert not isinstance(get_default_renderer(), type(FAST_RENDERER))
        slow = _page(admin_client, url)
    assert "related-widget-wrapper" in fast and "<select" in fast
    assert fast == slow


def test_it_writes_the_related_object_links_as_the_template_does(db):
    """admin/widgets/related_widget_wrapper.html, every link and the hidden and limited cases, in two languages."""
    from django.contrib import admin
    from django.contrib.admin.widgets import RelatedFieldWidgetWrapper

    from households.models import Household

    rel = Household._meta.get_field("hamlet").remote_field
    cases = []
    for inner in (forms.Select(choices=[("1", "Ấp <1>")]), forms.HiddenInput()):
        for flags in ((True, True, True, True), (False, True, False, True), (True, False, True, False)):
            cases.append((inner, flags, None))
        cases.append((inner, (True,) * 4, {"commune__code": "x"}))
    for language in ("en", "vi"):
        for inner, (change, add, delete, view), limit in cases:
            wrapper = RelatedFieldWidgetWrapper(
                inner, rel, admin.site, can_add_related=add, can_change_related=change,
                can_delete_related=delete, can_view_related=view,
            )  # fmt: skip
            rendered = {}
            for renderer in (FAST_RENDERER, DjangoTemplates()):
                rel.limit_choices_to = limit or {}
                try:
                    with override(language):
                        rendered[type(renderer)] = re.sub(
                            r"\n\s*", "", wrapper.render("ham<let>", "1", renderer=renderer)
                        )
                finally:
                    rel.limit_choices_to = {}
            fast, slow = rendered.values()
            assert fast == slow
            assert ("data-model-ref" in fast) == (not limit)
