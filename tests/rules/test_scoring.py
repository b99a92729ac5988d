"""Tests of item validation, response scoring, time limits and the candidate's view."""

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloe_portal.rules import scoring


def _item(item_type, content, skill="vocabulary", **extra):
    data = {
        "code": f"en-{skill[:3]}-001",
        "language": "en",
        "skill": skill,
        "type": item_type,
        "difficulty": 42,
        "time_limit": None,
        "domains": [],
        "pool": "certification",
        "content": content,
    }
    data.update(extra)
    return data


MCQ = {
    "prompt": "Choose the right word.",
    "text": "She ___ to work every day.",
    "options": ["go", "goes", "going", "gone"],
    "answer": 1,
}
GAP_FREE = {
    "prompt": "Put the verb in the right form.",
    "text": "Yesterday she {0} to Paris and {1} the Louvre.",
    "roots": ["go", None],
    "answers": [["went"], ["visited", "saw"]],
}
GAP_DROPDOWN = {
    "prompt": "Choose.",
    "text": "He {0} a doctor and she {1} a nurse.",
    "choices": [["is", "are"], ["is", "am", "be"]],
    "answers": [0, 0],
}
WORD_ORDER = {
    "prompt": "Put the words in order.",
    "words": ["Could", "you", "send", "me", "the", "report"],
}
SENTENCE_ORDER = {
    "prompt": "Put the sentences in order.",
    "sentences": ["Dear Sir,", "I am writing about my order.", "It has not arrived.", "Regards."],
}
WORD_BANK = {
    "prompt": "Fill in the gaps.",
    "text": "The meeting is {0} Monday {1} 10 am.",
    "bank": ["on", "at", "in", "by"],
    "answers": ["on", "at"],
}
LISTENING_MCQ = {
    "prompt": "Listen and answer.",
    "transcript": "The train to London leaves at nine.",
    "audio": "en-lis-001.ogg",
    "max_plays": 2,
    "question": {"kind": "mcq", "options": ["At eight", "At nine", "At ten"], "answer": 1},
}
LISTENING_GAP = {
    "prompt": "Listen and complete.",
    "transcript": "Please call me back on Tuesday.",
    "audio": "en-lis-002.ogg",
    "max_plays": 2,
    "question": {"kind": "gap", "text": "Call back on {0}.", "answers": [["Tuesday"]]},
}

GOOD_ITEMS = [
    _item("mcq", MCQ),
    _item("gap_free", GAP_FREE, skill="grammar"),
    _item("gap_dropdown", GAP_DROPDOWN, skill="grammar"),
    _item("word_order", WORD_ORDER, skill="expressions"),
    _item("sentence_order", SENTENCE_ORDER, skill="reading"),
    _item("word_bank", WORD_BANK),
    _item("listening", LISTENING_MCQ, skill="listening"),
    _item("listening", LISTENING_GAP, skill="listening"),
]

# ---------------------------------------------------------------------------
# validate_item
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("item", GOOD_ITEMS, ids=lambda i: i["type"])
def test_good_items_are_valid(item):
    assert scoring.validate_item(item) == []


def test_optional_fields_may_be_omitted():
    item = _item("mcq", MCQ)
    for key in ("time_limit", "domains", "pool"):
        del item[key]
    assert scoring.validate_item(item) == []


def _broken(item, path, value):
    broken = copy.deepcopy(item)
    target = broken
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return broken


_DELETE = object()


@pytest.mark.parametrize(
    ("item", "path", "value", "expected"),
    [
        (GOOD_ITEMS[0], ["code"], "", "code :"),
        (GOOD_ITEMS[0], ["code"], "fr-voc-001", "code : doit commencer par « en- »"),
        (GOOD_ITEMS[0], ["language"], "pt", "language :"),
        (GOOD_ITEMS[0], ["skill"], "writing", "skill :"),
        (GOOD_ITEMS[0], ["skill"], "listening", "type : la compétence listening"),
        (GOOD_ITEMS[6], ["skill"], "reading", "skill : une question d'écoute"),
        (GOOD_ITEMS[0], ["type"], "essay", "type :"),
        (GOOD_ITEMS[0], ["difficulty"], 101, "difficulty :"),
        (GOOD_ITEMS[0], ["difficulty"], -1, "difficulty :"),
        (GOOD_ITEMS[0], ["difficulty"], "50", "difficulty :"),
        (GOOD_ITEMS[0], ["difficulty"], True, "difficulty :"),
        (GOOD_ITEMS[0], ["difficulty"], _DELETE, "difficulty :"),
        (GOOD_ITEMS[0], ["time_limit"], 0, "time_limit :"),
        (GOOD_ITEMS[0], ["domains"], "Achats", "domains :"),
        (GOOD_ITEMS[0], ["pool"], "exam", "pool :"),
        (GOOD_ITEMS[0], ["pool"], "practice", "explanation : obligatoire"),
        (GOOD_ITEMS[0], ["content"], [], "content : objet obligatoire"),
        (GOOD_ITEMS[0], ["content", "prompt"], "  ", "content.prompt :"),
        (GOOD_ITEMS[0], ["content", "options"], ["a", "b"], "content.options : 3 ou 4"),
        (GOOD_ITEMS[0], ["content", "options"], ["a", "b", "c", "d", "e"], "content.options"),
        (GOOD_ITEMS[0], ["content", "options"], ["a", "b", "A"], "content.options : deux options"),
        (GOOD_ITEMS[0], ["content", "answer"], 4, "content.answer :"),
        (GOOD_ITEMS[0], ["content", "answer"], "1", "content.answer :"),
        (
            GOOD_ITEMS[1],
            ["content", "answers"],
            [["went"]],
            "content.answers : 2 trous dans le texte mais 1 réponse",
        ),
        (GOOD_ITEMS[1], ["content", "answers", 1], [], "content.answers[1] :"),
        (GOOD_ITEMS[1], ["content", "roots"], ["go"], "content.roots : 2 trous"),
        (GOOD_ITEMS[1], ["content", "text"], "No gap here.", "content.text : aucun trou"),
        (GOOD_ITEMS[1], ["content", "text"], "{1} then {0}", "content.text : les trous"),
        (GOOD_ITEMS[1], ["content", "text"], "{0} and {0}", "content.text : les trous"),
        (GOOD_ITEMS[2], ["content", "answers"], [0, 3], "content.answers[1] : indice hors"),
        (GOOD_ITEMS[2], ["content", "choices", 0], ["is"], "content.choices[0] : 2 à 4"),
        (GOOD_ITEMS[2], ["content", "answers"], [0], "content.answers : 2 trous"),
        (GOOD_ITEMS[3], ["content", "words"], ["Hello", "you"], "content.words :"),
        (GOOD_ITEMS[4], ["content", "sentences"], ["a", "b"], "content.sentences : 3 à 6"),
        (GOOD_ITEMS[4], ["content", "sentences"], list("abcdefg"), "content.sentences : 3 à 6"),
        (GOOD_ITEMS[5], ["content", "answers"], ["on", "for"], "content.answers[1] : « for »"),
        (GOOD_ITEMS[5], ["content", "answers"], ["on"], "content.answers : 2 trous"),
        (GOOD_ITEMS[5], ["content", "answers"], ["on", "on"], "content.bank : « on »"),
        (GOOD_ITEMS[6], ["content", "transcript"], _DELETE, "content.transcript :"),
        (GOOD_ITEMS[6], ["content", "audio"], "../x.ogg", "content.audio :"),
        (GOOD_ITEMS[6], ["content", "audio"], "en-lis-001.mp3", "content.audio :"),
        (GOOD_ITEMS[6], ["content", "max_plays"], 3, "content.max_plays : doit valoir 2"),
        (GOOD_ITEMS[6], ["content", "question", "kind"], "essay", "content.question.kind :"),
        (GOOD_ITEMS[6], ["content", "question", "answer"], 3, "content.question.answer :"),
        (GOOD_ITEMS[6], ["content", "question"], None, "content.question : objet"),
        (
            GOOD_ITEMS[7],
            ["content", "question", "answers"],
            [["a"], ["b"]],
            "content.question.answers : 1 trou dans le texte mais 2 réponses",
        ),
    ],
)
def test_broken_items_name_the_field(item, path, value, expected):
    errors = scoring.validate_item(_broken(item, path, value))
    assert errors, "a broken item must be reported"
    assert any(e.startswith(expected) for e in errors), errors


def test_practice_item_with_explanation_is_valid():
    item = _item("mcq", MCQ, pool="practice", explanation="« goes » : 3e personne du singulier.")
    item["code"] = "en-pra-voc-01"
    assert scoring.validate_item(item) == []


@pytest.mark.parametrize("value", [None, [], "item", 3, [GOOD_ITEMS[0]], {}])
def test_non_items_are_reported_not_raised(value):
    assert scoring.validate_item(value)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_validate_item_never_raises_on_any_json(value):
    assert isinstance(scoring.validate_item(value), list)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(GOOD_ITEMS),
    st.sampled_from(
        [
            "code",
            "language",
            "skill",
            "type",
            "difficulty",
            "pool",
            "explanation",
            "content",
            "prompt",
            "text",
            "options",
            "answer",
            "answers",
            "roots",
            "choices",
            "words",
            "sentences",
            "bank",
            "audio",
            "max_plays",
            "question",
            "transcript",
        ]
    ),
    JSON,
)
def test_validate_item_never_raises_when_one_field_is_garbage(item, key, value):
    broken = copy.deepcopy(item)
    target = broken if key in broken else broken["content"]
    target[key] = value
    if isinstance(broken["content"], dict) and isinstance(broken["content"].get("question"), dict):
        broken["content"]["question"][key] = value
    assert isinstance(scoring.validate_item(broken), list)


# ---------------------------------------------------------------------------
# score_response
# ---------------------------------------------------------------------------

WRONG_TYPES = [None, "", [], {}, 1.5, True, "goes", {"a": 1}, ["x"] * 1000, "x" * 10_000]


@pytest.mark.parametrize(
    ("item_type", "content", "right", "wrong", "partial"),
    [
        ("mcq", MCQ, 1, 0, None),
        ("gap_free", GAP_FREE, ["went", "saw"], ["goed", "see"], ["went", "see"]),
        ("gap_dropdown", GAP_DROPDOWN, [0, 0], [1, 2], [0, 1]),
        ("word_order", WORD_ORDER, list(WORD_ORDER["words"]), ["Could", "me", "you"], None),
        ("sentence_order", SENTENCE_ORDER, [0, 1, 2, 3], [0, 2, 1, 3], None),
        ("word_bank", WORD_BANK, ["on", "at"], ["at", "on"], ["on", "in"]),
        ("listening", LISTENING_MCQ, 1, 2, None),
        ("listening", LISTENING_GAP, ["tuesday"], ["Monday"], None),
    ],
)
def test_scoring_right_wrong_partial_and_garbage(item_type, content, right, wrong, partial):
    assert scoring.score_response(item_type, content, right) == 1.0
    assert scoring.score_response(item_type, content, wrong) == 0.0
    if partial is not None:
        assert scoring.score_response(item_type, content, partial) == 0.5
    for garbage in WRONG_TYPES:
        assert scoring.score_response(item_type, content, garbage) == 0.0, garbage


def test_free_text_normalisation():
    content = {**GAP_FREE, "answers": [["went"], ["café au lait"]]}
    assert scoring.score_response("gap_free", content, ["  WENT. ", "Cafe   au LAIT."]) == 1.0
    assert scoring.score_response("gap_free", content, ["went", "cafe au laits"]) == 0.5
    assert scoring.normalize_text("  Don’t  Stop.  ") == "don't stop"
    assert scoring.normalize_text("Éléphant.") == "elephant"
    assert scoring.normalize_text(".") == ""


def test_gap_scoring_handles_short_long_and_mixed_lists():
    assert scoring.score_response("gap_free", GAP_FREE, ["went"]) == 0.5
    assert scoring.score_response("gap_free", GAP_FREE, ["went", "saw", "extra"]) == 1.0
    assert scoring.score_response("gap_free", GAP_FREE, [None, 3]) == 0.0
    assert scoring.score_response("gap_free", GAP_FREE, ["went", ["saw"]]) == 0.5
    assert scoring.score_response("gap_free", GAP_FREE, ["", ""]) == 0.0
    assert scoring.score_response("gap_dropdown", GAP_DROPDOWN, [0, None]) == 0.5
    assert scoring.score_response("gap_dropdown", GAP_DROPDOWN, [True, False]) == 0.0
    assert scoring.score_response("gap_dropdown", GAP_DROPDOWN, ["0", "0"]) == 0.0
    assert scoring.score_response("gap_free", GAP_FREE, ("went", "saw")) == 1.0


def test_word_order_with_a_punctuation_token_can_be_answered_right():
    # The French, German, Spanish and Italian banks give the final "." as a word to place.
    content = {"prompt": "p", "words": ["Je", "lui", "en", "ai", "parlé", "hier", "."]}
    right = list(content["words"])
    assert scoring.score_response("word_order", content, right) == 1.0
    assert scoring.score_response("word_order", content, [*right[:-1], " . "]) == 1.0
    wrong = ["Je", "en", "lui", "ai", "parlé", "hier", "."]
    assert scoring.score_response("word_order", content, wrong) == 0.0
    assert scoring.score_response("word_order", content, [*right[:-1], ""]) == 0.0
    assert scoring.score_response("word_order", content, [*right[:-1], ","]) == 0.0


def test_order_scoring_is_all_or_nothing():
    words = WORD_ORDER["words"]
    assert scoring.score_response("word_order", WORD_ORDER, words[:-1]) == 0.0
    assert scoring.score_response("word_order", WORD_ORDER, [*words, "please"]) == 0.0
    assert scoring.score_response("word_order", WORD_ORDER, [w.lower() for w in words]) == 1.0
    assert scoring.score_response("sentence_order", SENTENCE_ORDER, [0, 1, 2]) == 0.0
    assert scoring.score_response("sentence_order", SENTENCE_ORDER, [0, True, 2, 3]) == 0.0
    assert scoring.score_response("sentence_order", SENTENCE_ORDER, ["0", "1", "2", "3"]) == 0.0


def test_mcq_rejects_bools_floats_and_strings():
    assert scoring.score_response("mcq", MCQ, True) == 0.0  # True == 1 in Python
    assert scoring.score_response("mcq", MCQ, 1.0) == 0.0
    assert scoring.score_response("mcq", MCQ, "1") == 0.0
    assert scoring.score_response("mcq", MCQ, -3) == 0.0


def test_unknown_type_or_broken_content_scores_zero():
    assert scoring.score_response("essay", MCQ, 1) == 0.0
    assert scoring.score_response("mcq", None, 1) == 0.0
    assert scoring.score_response("gap_free", {"answers": "went"}, ["went"]) == 0.0
    assert scoring.score_response("listening", {"question": []}, 1) == 0.0


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(GOOD_ITEMS), JSON)
def test_score_response_never_raises_and_stays_in_range(item, response):
    score = scoring.score_response(item["type"], item["content"], response)
    assert 0.0 <= score <= 1.0


# ---------------------------------------------------------------------------
# time limits
# ---------------------------------------------------------------------------


def test_default_time_limit_grows_with_difficulty_and_type():
    assert scoring.default_time_limit("mcq", 0) == 40
    assert scoring.default_time_limit("mcq", 50) == 50
    assert scoring.default_time_limit("mcq", 100) == 60
    for item_type in scoring.ITEM_TYPES:
        limits = [scoring.default_time_limit(item_type, d) for d in range(0, 101, 5)]
        assert limits == sorted(limits)
        assert all(t % 5 == 0 for t in limits)
        assert scoring.default_time_limit(item_type, 30) >= scoring.default_time_limit("mcq", 30)
    assert scoring.default_time_limit("listening", 0) > scoring.default_time_limit("mcq", 100)
    assert scoring.default_time_limit("sentence_order", 50) > scoring.default_time_limit("mcq", 50)
    with pytest.raises(ValueError):
        scoring.default_time_limit("essay", 50)


def test_scaled_time_limit_adds_a_third_rounded_up():
    assert scoring.scaled_time_limit(45, extra_third=False) == 45
    assert scoring.scaled_time_limit(45, extra_third=True) == 60
    assert scoring.scaled_time_limit(40, extra_third=True) == 54  # 53.33 → 54
    assert scoring.scaled_time_limit(50, extra_third=True) == 67  # 66.67 → 67


def test_labels_cover_every_type():
    assert (
        set(scoring.ITEM_TYPE_LABELS_FR) == set(scoring.ITEM_TYPES) and len(scoring.ITEM_TYPES) == 7
    )


# ---------------------------------------------------------------------------
# shuffle_for_display
# ---------------------------------------------------------------------------

SECRET_KEYS = {"answer", "answers", "transcript"}


def _all_keys(value):
    if isinstance(value, dict):
        for key, child in value.items():
            yield key
            yield from _all_keys(child)
    elif isinstance(value, list):
        for child in value:
            yield from _all_keys(child)


@pytest.mark.parametrize("item", GOOD_ITEMS, ids=lambda i: i["type"])
def test_display_never_leaks_the_key(item):
    for seed in range(20):
        shown = scoring.shuffle_for_display(item["type"], item["content"], seed)
        assert not SECRET_KEYS & set(_all_keys(shown))
        assert "Tuesday" not in str(shown).replace("Call back on {0}.", "")


def test_word_order_keeps_first_word_and_never_shows_the_answer_order():
    words = WORD_ORDER["words"]
    seen = set()
    for seed in range(200):
        shown = scoring.shuffle_for_display("word_order", WORD_ORDER, seed)
        assert shown["first"] == words[0]
        assert sorted(shown["words"]) == sorted(words[1:])
        assert shown["words"] != words[1:]
        seen.add(tuple(shown["words"]))
    assert len(seen) > 20
    again = scoring.shuffle_for_display("word_order", WORD_ORDER, 7)
    assert again == scoring.shuffle_for_display("word_order", WORD_ORDER, 7)


def test_two_word_rest_is_swapped_and_identical_words_are_unavoidable():
    content = {"prompt": "p", "words": ["I", "am", "here"]}
    for seed in range(20):
        assert scoring.shuffle_for_display("word_order", content, seed)["words"] == ["here", "am"]
    same = {"prompt": "p", "words": ["Go", "go", "go"]}
    assert scoring.shuffle_for_display("word_order", same, 1)["words"] == ["go", "go"]


def test_sentence_order_keeps_first_sentence_and_shuffles_the_others():
    for seed in range(50):
        shown = scoring.shuffle_for_display("sentence_order", SENTENCE_ORDER, seed)
        assert shown["first"] == "Dear Sir,"
        # Position i shows the bank's sentence order[i]; never the answer order.
        assert sorted(shown["order"]) == [1, 2, 3]
        assert shown["order"] != [1, 2, 3]
        assert shown["sentences"] == [SENTENCE_ORDER["sentences"][i] for i in shown["order"]]


def test_word_bank_is_shuffled_and_complete():
    shown = scoring.shuffle_for_display("word_bank", WORD_BANK, 3)
    assert sorted(shown["bank"]) == sorted(WORD_BANK["bank"])
    assert shown["bank"] != WORD_BANK["bank"]
    assert shown["gaps"] == 2


def test_listening_display_shows_audio_and_question_only():
    shown = scoring.shuffle_for_display("listening", LISTENING_MCQ, 0)
    assert shown["audio"] == "en-lis-001.ogg"
    assert shown["max_plays"] == 2
    question = shown["question"]
    assert set(question) == {"kind", "options", "order"} and question["kind"] == "mcq"
    options = LISTENING_MCQ["question"]["options"]
    assert question["options"] == [options[i] for i in question["order"]]
    gap = scoring.shuffle_for_display("listening", LISTENING_GAP, 0)
    assert gap["question"] == {"kind": "gap", "text": "Call back on {0}.", "gaps": 1}


def _orders(item_type, content, seeds, where=lambda shown: shown["order"]):
    return {tuple(map(tuple, where(scoring.shuffle_for_display(item_type, content, seed))))
            if item_type == "gap_dropdown" else
            tuple(where(scoring.shuffle_for_display(item_type, content, seed)))
            for seed in seeds}


def test_mcq_options_are_shuffled_by_seed_and_their_order_kept():
    orders = _orders("mcq", MCQ, range(200))
    assert len(orders) == 24  # every order of 4 options happens, bank order included
    for seed in range(20):
        shown = scoring.shuffle_for_display("mcq", MCQ, seed)
        assert shown["options"] == [MCQ["options"][i] for i in shown["order"]]
        assert shown == scoring.shuffle_for_display("mcq", MCQ, seed)  # replayable
    # Where the key is shown depends on the seed: "the answer is B" does not travel.
    key_positions = {scoring.shuffle_for_display("mcq", MCQ, seed)["order"].index(MCQ["answer"])
                     for seed in range(50)}
    assert key_positions == {0, 1, 2, 3}


def test_dropdown_choices_and_listening_options_are_shuffled_too():
    orders = _orders("gap_dropdown", GAP_DROPDOWN, range(100), lambda shown: shown["orders"])
    assert len(orders) == 2 * 6
    shown = scoring.shuffle_for_display("gap_dropdown", GAP_DROPDOWN, 5)
    for choices, order, bank in zip(shown["choices"], shown["orders"], GAP_DROPDOWN["choices"],
                                    strict=True):
        assert choices == [bank[i] for i in order]
    assert len(_orders("listening", LISTENING_MCQ, range(50),
                       lambda shown: shown["question"]["order"])) == 6


def test_display_seed_mixes_the_attempt_and_the_item():
    seed = scoring.display_seed(12345, 7)
    assert seed == scoring.display_seed(12345, 7) and 0 <= seed < 2**63
    assert len({scoring.display_seed(12345, item) for item in range(100)}) == 100
    assert scoring.display_seed(12345, 7) != scoring.display_seed(12346, 7)
