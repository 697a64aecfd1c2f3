import pytest

pytestmark = pytest.mark.django_db


def test_register_then_token_then_me(api):
    answer = api.post(
        "/api/auth/register/",
        {
            "email": "Mai@Example.org",
            "password": "a-long-enough-secret",
            "role": "student",
            "name": "Mai",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["email"] == "mai@example.org"
    token = api.post(
        "/api/auth/token/",
        {"email": "mai@example.org", "password": "a-long-enough-secret"},
        format="json",
    )
    assert token.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    me = api.get("/api/me/")
    assert me.status_code == 200
    assert me.json()["profile"] is None
