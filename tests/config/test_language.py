"""Vietnamese for every user whatever the browser asks; English for a user who chooses it, kept on the account."""

import io

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from teams.preferences import Preference

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def test_a_browser_asking_for_english_still_gets_vietnamese(client, world):
    page = Client().get(reverse("login"), **ENGLISH_BROWSER)
    assert page["Content-Language"] == "vi" and "Đăng nhập" in page.content.decode()
    w = world
    w.login(client, "commune_official")
    page = client.get(reverse("coverage_commune", args=["31135"]), **ENGLISH_BROWSER)
    assert page["Content-Language"] == "vi" and "Độ phủ" in page.content.decode()
    export = client.get(reverse("coverage_commune_export", args=["31135", "xlsx"]), **ENGLISH_BROWSER)
    content = b"".join(export.streaming_content)
    cells = [c.value for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row]
    assert "Tổng" in cells and "Total" not in cells


def test_a_user_who_chooses_english_keeps_it_on_their_account(client, world):
    w = world
    w.login(client, "commune_official")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/coverage/households/"})
    assert response.status_code == 302 and response["Location"] == "/coverage/households/"
    assert Preference.objects.get(user=w.commune_official).language == "en"
    # Another browser, no cookie, a Vietnamese one even: the account's choice.
    other = w.login(Client(), "commune_official")
    page = other.get(reverse("coverage_commune", args=["31135"]), HTTP_ACCEPT_LANGUAGE="vi")
    assert page["Content-Language"] == "en" and "Coverage" in page.content.decode()
    # Everybody else stays Vietnamese.
    assert w.login(Client(), "province_official").get("/", **ENGLISH_BROWSER)["Content-Language"] == "vi"
    # Back to Vietnamese; an unknown language or a foreign "next" changes nothing and goes home.
    client.post(reverse("set_language"), {"language": "vi"})
    assert Preference.objects.get(user=w.commune_official).language == "vi"
    response = client.post(reverse("set_language"), {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/" and Preference.objects.get(user=w.commune_official).language == "vi"
    assert client.get(reverse("set_language")).status_code == 405


def test_the_admin_speaks_vietnamese_throughout(client, world):
    w = world
    w.login(client, "superuser")
    pages = {
        "/admin/households/household/": ["Hiện số lượng"],  # "Show counts", on a list with filters
        "/admin/axes/accessattempt/": ["lượt thử đăng nhập"],
        "/admin/auth/user/add/": ["Sau khi tạo tài khoản"],
        f"/admin/households/hamlet/{w.hamlet.pk}/history/": ["Xem lịch sử: Khu vực 1"],
    }
    for url, texts in pages.items():
        page = client.get(url, **ENGLISH_BROWSER)
        assert page.status_code == 200, url
        for text in texts:
            assert text in page.content.decode(), (url, text)
    page = client.post("/admin/households/hamlet/add/", {"commune": "", "name": "", "code": ""}, **ENGLISH_BROWSER)
    assert "Vui lòng sửa lỗi bên dưới." in page.content.decode()
