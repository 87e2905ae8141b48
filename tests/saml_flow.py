"""Signing in at the real Keycloak as a person would, with a scripted browser."""

from __future__ import annotations

import html
import re

import requests


def keycloak_answer(location: str, username: str, password: str) -> str:
    """Follow the provider's sign-in page from ``location``; returns the SAMLResponse it posts."""
    browser = requests.Session()
    page = browser.get(location, timeout=30)
    page.raise_for_status()
    for cookie in browser.cookies:  # Keycloak marks them Secure; the test runs on http
        cookie.secure = False
    action = re.search(r'<form[^>]+action="([^"]+)"', page.text)
    assert action, page.text[:500]
    done = browser.post(html.unescape(action.group(1)), timeout=30,
                        data={"username": username, "password": password})  # fmt: skip
    answer = re.search(r'name="SAMLResponse" value="([^"]+)"', done.text)
    assert answer, done.text[:500]
    return html.unescape(answer.group(1))
