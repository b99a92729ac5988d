"""The item list: filters, coverage per skill and difficulty band, low-stock warnings, query count."""

from __future__ import annotations

import re

from cloe_portal.extensions import db
from cloe_portal.itembank.models import Item


def codes_on(html: str) -> set[str]:
    return set(re.findall(r">((?:en|fr|de)-[a-z]{3}-\d{3})</a>", html))


def test_filters_narrow_the_list(client, referent, make_item):
    make_item("en-voc-001", difficulty=15)
    make_item("en-gra-001", skill="grammar", difficulty=55, domains=["Santé"])
    make_item(
        "en-voc-002", status="retired", difficulty=95, pool="practice", explanation="Parce que."
    )
    make_item(
        "fr-voc-001",
        language="fr",
        content={"prompt": "Trouvez le mot « café ».", "options": ["a", "b", "c"], "answer": 0},
    )
    make_item(
        "en-gra-002",
        skill="grammar",
        type="word_order",
        content={"prompt": "Order.", "words": ["Where", "is", "it"]},
    )

    def listed(**args) -> set[str]:
        response = client.get("/items/", query_string=args)
        assert response.status_code == 200
        return codes_on(response.get_data(as_text=True))

    assert listed() == {"en-voc-001", "en-gra-001", "en-voc-002", "fr-voc-001", "en-gra-002"}
    assert listed(language="fr") == {"fr-voc-001"}
    assert listed(skill="grammar") == {"en-gra-001", "en-gra-002"}
    assert listed(type="word_order") == {"en-gra-002"}
    assert listed(pool="practice") == {"en-voc-002"}
    assert listed(status="retired") == {"en-voc-002"}
    assert listed(band=1) == {"en-voc-001"}
    assert listed(band=9) == {"en-voc-002"}
    assert listed(domain="Santé") == {"en-gra-001"}
    assert listed(q="gra-00") == {"en-gra-001", "en-gra-002"}
    assert listed(q="café") == {"fr-voc-001"}  # accented words inside the JSON content
    assert listed(language="en", skill="vocabulary", status="live") == {"en-voc-001"}


def test_htmx_filter_answers_the_results_fragment(client, referent, make_item):
    make_item("en-voc-001")
    response = client.get("/items/?language=en", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert "en-voc-001" in html


def test_coverage_counts_live_certification_items_per_skill_and_band(client, referent, make_item):
    for difficulty in (41, 45, 49):
        make_item(difficulty=difficulty)
    make_item(difficulty=100)
    make_item(difficulty=42, status="retired")  # not served: not counted
    make_item(difficulty=42, pool="demo")  # not a certification item
    html = client.get("/items/?language=en").get_data(as_text=True)
    row = re.search(r"<th scope=\"row\">Vocabulaire</th>(.*?)</tr>", html, re.S).group(1)
    cells = [int(n) for n in re.findall(r"<td[^>]*>(\d+)", row)]
    assert cells == [0, 0, 0, 0, 3, 0, 0, 0, 0, 1, 4]


def test_low_stock_warning_per_language_and_skill(client, referent, make_item):
    for _ in range(20):
        make_item(skill="vocabulary")
    for _ in range(19):
        make_item(skill="grammar")
    html = client.get("/items/").get_data(as_text=True)
    warning = re.search(r'class="alert alert-warning".*?</div>', html, re.S).group(0)
    assert "Anglais — Grammaire et syntaxe : 19 questions en service" in warning
    assert "Vocabulaire" not in warning  # 20 left: enough
    assert "Compréhension orale : 0 question" in warning
    assert "Français" not in warning  # no French items at all: not a gap to report
    assert "BankExhausted" in html


def test_list_query_count_does_not_grow_with_items(client, referent, make_item, count_queries):
    for _ in range(3):
        make_item()
    with count_queries() as few:
        assert client.get("/items/").status_code == 200
    for _ in range(60):
        make_item(skill="grammar")
    with count_queries() as many:
        html = client.get("/items/").get_data(as_text=True)
    assert "63 questions" in html
    assert "Page 1 / 2" in html
    assert many() == few()


def test_pagination_keeps_the_filters(client, referent, make_item):
    for _ in range(55):
        make_item(skill="grammar")
    make_item(skill="reading")
    html = client.get("/items/?skill=grammar&page=2").get_data(as_text=True)
    assert "Page 2 / 2" in html
    assert len(codes_on(html)) == 5
    assert db.session.scalar(db.select(db.func.count()).select_from(Item)) == 56
