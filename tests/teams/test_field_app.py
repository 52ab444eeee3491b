"""The field app's shell (teams.offline.field_app): its register form is drawn once and kept, never stale."""

import re

from django.urls import reverse


def _register_form_hamlets(client):
    html = client.get(reverse("field_app")).content.decode()
    form = html[html.index('data-offline="household"') :]
    select = form[form.index('name="hamlet"') : form.index("</select>")]
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_the_register_form_offers_the_team_s_hamlets_and_follows_a_rename(world, client):
    w = world
    w.login(client, "member")
    assert _register_form_hamlets(client) == ["Khu vực 1", "Khu vực 2"]
    assert _register_form_hamlets(client) == ["Khu vực 1", "Khu vực 2"]  # the kept copy

    w.hamlet2.name = "Khu vực 2B"
    w.hamlet2.save()

    assert _register_form_hamlets(client) == ["Khu vực 1", "Khu vực 2B"]


def test_the_register_form_is_drawn_in_the_user_s_language(world, client):
    w = world
    w.login(client, "member")
    vietnamese = client.get(reverse("field_app")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("field_app")).content.decode()
    assert "Register a household" in english and "Register a household" not in vietnamese

    def register_form(html):
        return html[html.index('data-offline="household"') : html.index('data-view="outbox"')]

    assert register_form(english) != register_form(vietnamese)  # not the Vietnamese copy kept
    assert "Address" in register_form(english) and "Address" not in register_form(vietnamese)
