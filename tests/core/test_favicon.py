"""Every page has an icon: no 404 on /favicon.ico in the browser's console."""

from __future__ import annotations


def test_favicon_is_served_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon" and response.data[:4] == b"\0\0\1\0"
    page = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    svg = client.get("/static/favicon.svg")
    try:
        assert svg.status_code == 200 and b"<svg" in svg.data
    finally:
        svg.close()
