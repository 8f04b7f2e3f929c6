"""Attacks with input PostgreSQL or the parser can't take: NUL, unpaired surrogates, deep nesting,
huge bodies. Each is a 400 (or 413) by field, never a 500."""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.parsers import JSONParser
from rest_framework.views import APIView

from capa.workflow import Status
from core.api.parsers import MAX_DEPTH, BoundedJSONParser
from tests.capa.conftest import capa_at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/documents/?q=%00", "q"),
        ("/api/v1/posts/?campaign=%00", "campaign"),
        ("/api/v1/nonconformities/?status=open%00", "status"),
        ("/api/v1/me/?x=%00", "x"),  # not a viewset
    ],
)
def test_nul_in_an_api_query_parameter_is_400_by_field(api_for, people, url, field):
    response = api_for(people.qa).get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == [field]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/capa/nonconformities/new/similar/?category=%00", "category"),
        ("/documents/?q=sop%00", "q"),
        ("/reviews/posts/?campaign=%00", "campaign"),
    ],
)
def test_nul_in_a_page_query_parameter_is_the_400_page_naming_the_field(client_for, people, url, field):
    response = client_for(people.qa).get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert f"<strong>{field}</strong>" in response.content.decode()


def test_nul_in_a_parameter_name_or_a_form_post_is_400(client_for, people):
    client = client_for(people.qa)
    assert client.get("/documents/?a%00b=1").status_code == 400
    response = client.post("/capa/nonconformities/new/", {"description": "x\x00y"})
    assert response.status_code == 400
    assert "<strong>description</strong>" in response.content.decode()


def _post_json(api, url: str, body: str):
    return api.generic("POST", url, body, content_type="application/json")


def test_deeply_nested_json_is_400_not_a_recursion_error(api_for, people):
    response = _post_json(api_for(people.qa), "/api/v1/nonconformities/", "[" * 100_000)
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]


def test_a_fishbone_nested_5000_levels_is_400(api_for, people):
    capa = capa_at(people, Status.INVESTIGATING)
    causes = "[" * 5000 + "]" * 5000
    body = '{"root_cause": "x", "root_cause_category": "process", "fishbone": {"method": ' + causes + "}}"
    response = _post_json(api_for(people.qa), f"/api/v1/capas/{capa.pk}/set-root-cause/", body)
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]


def test_json_just_past_the_depth_limit_is_400_and_at_it_is_parsed(api_for, people):
    api = api_for(people.qa)
    too_deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    assert "nested deeper" in _post_json(api, "/api/v1/nonconformities/", too_deep).json()["detail"]
    at_limit = _post_json(api, "/api/v1/nonconformities/", "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert at_limit.status_code == 400 and "nested" not in json.dumps(at_limit.json())


@pytest.mark.parametrize("text", ["\\u0000", "\\ud800", "ok\\udfffok"])
def test_nul_or_an_unpaired_surrogate_in_json_is_400(api_for, people, text):
    body = '{"description": "' + text + '", "severity": "major", "category": "disclosure", "source_kind": "complaint"}'
    response = _post_json(api_for(people.qa), "/api/v1/nonconformities/", body)
    assert response.status_code == 400
    assert "Null characters and unpaired surrogates" in response.json()["detail"]


def test_a_body_over_the_limit_is_413_with_a_message(api_for, people, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"description": "x" * 2000})
    response = _post_json(api_for(people.qa), "/api/v1/nonconformities/", body)
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


def _api_views(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            callback = pattern.callback
            cls = getattr(callback, "cls", None)
            if cls is not None and issubclass(cls, APIView):
                yield prefix + str(pattern.pattern), cls, getattr(callback, "actions", None) or {}


def test_every_api_view_parses_json_with_the_bounded_parser():
    checked = 0
    for route, cls, actions in _api_views():
        parsers = [cls.parser_classes]
        for name in set(actions.values()):
            method = getattr(cls, name, None)
            parsers.append(getattr(method, "kwargs", {}).get("parser_classes", cls.parser_classes))
        for classes in parsers:
            json_parsers = [p for p in classes if issubclass(p, JSONParser)]
            assert all(issubclass(p, BoundedJSONParser) for p in json_parsers), route
        checked += 1
    assert checked > 10


def test_a_surrogate_encoded_in_a_query_string_is_not_a_500(api_for, client_for, people):
    # Django decodes query strings with replacement characters, so an encoded lone surrogate
    # arrives as U+FFFD: searched for like any text.
    assert api_for(people.qa).get("/api/v1/documents/?q=%ED%A0%80").status_code == 200
    assert client_for(people.qa).get("/documents/?q=%ED%A0%80").status_code == 200
