from django.test import Client


def test_it_answers_a_404_in_vietnamese(client, world):
    response = world.login(client, "member").get(f"/households/{world.far_household.pk}/")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.text and "Not Found" not in response.text
    assert "Phạm Văn Dũng" not in response.text


def test_it_answers_a_csrf_failure_in_vietnamese(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member)
    response = client.post("/households/new/", {})
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.text


def test_it_renders_the_500_page_without_a_request():
    from django.template.loader import render_to_string

    assert "Đã có lỗi xảy ra" in render_to_string("500.html")
