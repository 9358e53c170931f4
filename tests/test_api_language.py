"""Answers that carry theme labels carry them in the language asked for:
``lang=``, or else the best supported language of ``Accept-Language``, or
else English; they say which (``Content-Language``) and that it depends on
the header (``Vary``), and an ETag differs per language."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher import default_taxonomy
from matcher.taxonomy import LABEL_LANGUAGES
from service.translations import negotiate
from tests.api import problem, publish_round
from tests.service_env import BACKENDS, MEMBER, start_service

TAGS = {"en": "en", "fr": "fr", "es": "es", "pt": "pt-BR", "ar": "ar"}


def _reason_labels(reasons):
    return [(r["key"], r["label"]) for r in reasons if r["kind"] == "theme"]


def _proposal_labels(proposals):
    found = []
    for p in proposals:
        found += _reason_labels(p["reasons"])
        if p["theme"] is not None:
            found.append((p["theme"], p["theme_label"]))
    return found


def _recommendation_labels(answer):
    return [x for r in answer["recommendations"] for x in _reason_labels(r["reasons"])]


def _published_labels(answer):
    found = []
    for item in answer["items"]:
        if item["type"] == "circle":
            found.append((item["theme"], item["theme_label"]))
        else:
            found += _reason_labels(item["reasons"])
    return found


ANSWERS = {
    # name → (path, role, the (theme key, label) pairs of the answer)
    "recommendations": (f"/v1/members/{MEMBER}/recommendations", "member", _recommendation_labels),
    "published": ("/v1/published", "hub", _published_labels),
    "round": ("/v1/rounds/{circles}", "admin", lambda a: _proposal_labels(a["proposals"])),
    "proposals": (
        "/v1/rounds/{mentoring}/proposals",
        "admin",
        lambda a: _proposal_labels(a["items"]),
    ),
    "capacity map": ("/v1/capacity-map", "hub", lambda a: list(a["labels"]["themes"].items())),
}


@pytest.fixture(scope="module", params=BACKENDS)
def published(request, tmp_path_factory):
    """The demo with a published mentoring round and circles."""
    svc = start_service(request.param, tmp_path_factory.mktemp("language"))
    rounds = {kind: publish_round(svc, kind, approve=3)[0] for kind in ("mentoring", "circles")}
    yield svc, rounds
    svc.client.close()
    svc.app.state.engine.dispose()
    svc.app.state.auth_engine.dispose()


@pytest.fixture(params=list(ANSWERS))
def answer(request, published):
    svc, rounds = published
    path, role, labels = ANSWERS[request.param]

    def get(params=None, **headers):
        headers = {**svc.as_(role), **headers}
        return svc.client.get(path.format(**rounds), params=params, headers=headers)

    return request.param, get, labels


def _assert_in(response, lang, labels):
    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == TAGS[lang]
    assert "accept-language" in response.headers["vary"].lower()
    found = labels(response.json())
    assert found, "the answer carries no theme"
    taxonomy = default_taxonomy()
    assert all(label == taxonomy.label(key, lang) for key, label in found)


@pytest.mark.parametrize("lang", LABEL_LANGUAGES)
def test_lang_gives_the_labels_in_that_language(answer, lang):
    _, get, labels = answer
    _assert_in(get({"lang": lang}), lang, labels)


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("pt-BR,en;q=0.5", "pt"),
        ("pt", "pt"),
        ("de, fr-CA;q=0.8, en;q=0.7", "fr"),
        ("es;q=0.1, ar", "ar"),
        ("en-GB;q=0, es-419;q=0.3", "es"),
        ("de, ja;q=0.9", "en"),
        ("*", "en"),
        ("@@;;q=x", "en"),
    ],
)
def test_accept_language_chooses_without_lang(answer, header, lang):
    _, get, labels = answer
    _assert_in(get(**{"Accept-Language": header}), lang, labels)


def test_lang_wins_over_accept_language_and_english_is_the_default(answer):
    _, get, labels = answer
    _assert_in(get({"lang": "es"}, **{"Accept-Language": "fr"}), "es", labels)
    _assert_in(get(), "en", labels)


@pytest.mark.parametrize("value", ["xx", "pt-PT", "FR", ""])
def test_an_unknown_lang_is_a_problem_naming_the_parameter_and_the_choices(answer, value):
    _, get, _ = answer
    body = problem(get({"lang": value}), 422)
    [error] = body["errors"]
    assert (error["where"], error["field"]) == ("query", "lang")
    assert all(f"'{code}'" in error["message"] for code in LABEL_LANGUAGES)


@pytest.mark.parametrize("name", ["recommendations", "published"])
def test_the_etag_differs_per_language(published, name):
    svc, _ = published
    path, role, _ = ANSWERS[name]
    tags = set()
    for lang in LABEL_LANGUAGES:
        response = svc.client.get(path, params={"lang": lang}, headers=svc.as_(role))
        tags.add(response.headers["etag"])
        again = svc.client.get(
            path,
            params={"lang": lang},
            headers={**svc.as_(role), "If-None-Match": response.headers["etag"]},
        )
        assert again.status_code == 304
        assert again.headers["content-language"] == TAGS[lang]
        assert "accept-language" in again.headers["vary"].lower()
    assert len(tags) == len(LABEL_LANGUAGES)
    english = svc.client.get(path, headers=svc.as_(role)).headers["etag"]
    french = svc.client.get(
        path, headers={**svc.as_(role), "Accept-Language": "fr", "If-None-Match": english}
    )
    assert french.status_code == 200 and french.headers["etag"] != english


@given(st.text(max_size=60))
def test_any_accept_language_gives_a_label_language(header):
    assert negotiate(header) in LABEL_LANGUAGES


@given(
    st.permutations(LABEL_LANGUAGES),
    st.lists(st.integers(1, 1000), min_size=5, max_size=5, unique=True),
)
def test_the_highest_q_wins(codes, weights):
    header = ", ".join(f"{c};q={w / 1000}" for c, w in zip(codes, weights, strict=True))
    assert negotiate(header) == codes[weights.index(max(weights))]
