"""The admin's tabular inlines are written by teams.admin_inline: the same page as Django's template writes."""

import re

import pytest
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse

from households.admin import HamletInline
from teams.admin import AssistanceInline, MemberInline
from teams.models import Member, Outcome
from teams.visits import Help, visit_record

DJANGOS = "admin/edit_inline/tabular.html"


def _normalized(html):
    # The same markup; the line breaks between tags differ (teams.admin_inline writes bare ones).
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r"\n\s*", "", html)


def _both(monkeypatch, inline, fetch):
    """(the page with our inline, the page with Django's template), each as `fetch()` returns it."""
    ours = fetch()
    with monkeypatch.context() as patched:
        patched.setattr(inline, "template", DJANGOS)
        djangos = fetch()
    assert ours != djangos or inline.template != DJANGOS
    return _normalized(ours), _normalized(djangos)


@pytest.fixture
def superuser(client, world):
    return world.login(client, "superuser")


def _get(client, url):
    def fetch():
        response = client.get(url)
        assert response.status_code == 200
        return response.text

    return fetch


def test_the_admin_s_inlines_use_it():
    for inline in (MemberInline, AssistanceInline, HamletInline):
        assert inline.template == "admin/edit_inline/fast_tabular.html"


def test_a_team_a_visit_and_a_commune_read_as_django_writes_them(monkeypatch, superuser, world):
    w = world
    Member.objects.create(team=w.team, full_name='Lê "Ba" <Tư> & Năm', organisation="Đoàn <TN>")
    visit, _ = visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today,
        outcomes={service: Help(Outcome.DECLINED) for service in list(w.services.values())[:3]},
    )
    pages = [
        (MemberInline, reverse("admin:teams_team_change", args=[w.team.pk]), "Đoàn &lt;TN&gt;"),
        (AssistanceInline, reverse("admin:teams_visit_change", args=[visit.pk]), 'id="assistances-2"'),
        (HamletInline, reverse("admin:households_commune_change", args=[w.commune.pk]), "hamlets-empty"),
    ]
    for inline, url, shown in pages:
        ours, djangos = _both(monkeypatch, inline, _get(superuser, url))
        assert shown in ours, re.findall(r"<tr class=.form-row[^>]*>", ours)
        assert 'class="help help-tooltip"' in ours or inline is not MemberInline
        assert ours == djangos


def test_read_only_rows_change_links_view_on_site_and_a_collapsed_inline(monkeypatch, superuser, world):
    url = reverse("admin:teams_team_change", args=[world.team.pk])
    monkeypatch.setattr(MemberInline, "has_change_permission", lambda self, request, obj=None: False)
    monkeypatch.setattr(MemberInline, "show_change_link", True)
    monkeypatch.setattr(MemberInline, "view_on_site", lambda self, obj: f"/x/?a={obj.pk}&b=<c>")
    monkeypatch.setattr(MemberInline, "classes", ["collapse", "wide"])
    ours, djangos = _both(monkeypatch, MemberInline, _get(superuser, url))
    assert "inlineviewlink" in ours and "/x/?a=" in ours and "<details><summary>" in ours
    assert '<td class="field-full_name"><p>' in ours
    assert ours == djangos


class _Refusing(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("full_name") == "boom":
            raise ValidationError("Không được <b>boom</b>")
        return cleaned


def test_a_form_sent_back_with_errors_reads_as_django_writes_it(monkeypatch, superuser, world):
    w = world
    url = reverse("admin:teams_team_change", args=[w.team.pk])
    page = superuser.get(url)
    form = page.context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data["hamlets"] = [h.pk for h in w.team.hamlets.all()]
    members = list(w.team.members.order_by("pk"))
    prefix = "members"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(len(members) + 2),
            f"{prefix}-INITIAL_FORMS": str(len(members)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    )
    for index, member in enumerate(members):
        data.update(
            {
                f"{prefix}-{index}-id": member.pk,
                f"{prefix}-{index}-team": w.team.pk,
                f"{prefix}-{index}-full_name": member.full_name,
                f"{prefix}-{index}-role": member.role,
                f"{prefix}-{index}-active": "on",
            }
        )
    new = len(members)
    data.update({f"{prefix}-{new}-full_name": "boom", f"{prefix}-{new}-role": "member"})
    data.update({f"{prefix}-{new + 1}-full_name": "", f"{prefix}-{new + 1}-role": "nonsense"})
    data = {key: value for key, value in data.items() if value != "" or key.endswith("full_name")}
    monkeypatch.setattr(MemberInline, "form", _Refusing)

    def fetch():
        response = superuser.post(url, data)
        assert response.status_code == 200  # sent back with its errors
        return response.text

    assert admin.site.is_registered(Member)
    ours, djangos = _both(monkeypatch, MemberInline, fetch)
    assert "row-form-errors" in ours and "Không được &lt;b&gt;boom&lt;/b&gt;" in ours
    assert 'class="errorlist' in ours
    assert ours == djangos
