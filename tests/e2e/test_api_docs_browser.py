"""The API's browsable page works in a browser under the site's Content Security Policy: the
Swagger UI loads from our own static files, its start-up script is a separate file (no inline
script or style for the CSP to refuse), and it lists the operations of the schema."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Browsing

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_api_docs_page_lists_the_operations_under_the_csp(browsing: Browsing) -> None:
    page = browsing.page(language="en")
    page.goto("/api/docs/")
    operations = page.locator(".opblock-summary-path")
    operations.first.wait_for()
    paths = {text.strip().replace("\u200b", "") for text in operations.all_inner_texts()}
    assert {"/api/auth/token/", "/api/programs/", "/api/reference/"} <= paths
    assert len(paths) > 20
    assert not browsing.problems, "\n".join(browsing.problems)
