"""Pure helpers of the common package: cursors, caller header, Markdown, envelopes."""
import lxml.html
import pytest

from services.common.caller import Caller
from services.common.errors import ValidationFailed
from services.common.events import make_envelope
from services.common.markdown import render_markdown
from services.common.pagination import decode_cursor, encode_cursor, page_size
from services.common.sizes import format_size, size_text

pytestmark = pytest.mark.unit


def test_cursor_round_trip_points_after_offset():
    assert decode_cursor(encode_cursor(41)) == 42
    assert decode_cursor(None) == 0


def test_cursor_forged_is_rejected_with_field():
    with pytest.raises(ValidationFailed) as raised:
        decode_cursor("not-a-cursor")

    assert raised.value.fields[0]["field"] == "after"


def test_page_size_capped_at_one_hundred():
    assert page_size(100) == 100
    with pytest.raises(ValidationFailed):
        page_size(101)


def test_caller_header_round_trip_keeps_scopes():
    caller = Caller(user_id="u1", organisation_id="o1", role="customer", scopes=("tickets:read",), language="en")

    decoded = Caller.from_header(caller.to_header())

    assert decoded == caller
    assert decoded.has_scope("tickets:read")
    assert not decoded.has_scope("tickets:write")


def test_session_caller_has_every_scope_its_role_allows():
    assert Caller(user_id="u1", role="customer").has_scope("tickets:write")


def test_anonymous_caller_from_missing_header():
    assert not Caller.from_header(None).is_authenticated


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "[clic](javascript:alert(1))",
    '<img src=x onerror="alert(1)">',
    "[clic](JaVaScRiPt:alert(1))",
])
def test_markdown_renders_script_inert(source):
    tree = lxml.html.fragment_fromstring(render_markdown(source), create_parent="div")

    assert tree.xpath("//script") == []
    assert [href for href in tree.xpath("//@href") if href.strip().lower().startswith("javascript")] == []
    assert tree.xpath("//@*[starts-with(name(), 'on')]") == []


def test_markdown_keeps_links_and_emphasis():
    html = render_markdown("**Important** : [aide](https://example.fr/aide)")

    assert "<strong>Important</strong>" in html
    assert 'href="https://example.fr/aide"' in html


def test_markdown_single_newline_breaks_line():
    tree = lxml.html.fragment_fromstring(render_markdown("Merci d'avance !\nCordialement, J. Dupont"),
                                         create_parent="div")

    paragraphs = tree.xpath("//p")
    assert len(paragraphs) == 1
    assert len(paragraphs[0].xpath("br")) == 1
    assert paragraphs[0].text_content() == "Merci d'avance !\nCordialement, J. Dupont"


def test_markdown_blank_line_still_splits_paragraphs():
    tree = lxml.html.fragment_fromstring(render_markdown("Bonjour,\n\nMerci."), create_parent="div")

    assert [p.text_content() for p in tree.xpath("//p")] == ["Bonjour,", "Merci."]
    assert tree.xpath("//br") == []


def test_envelope_has_required_fields():
    envelope = make_envelope("ticket_created", {"ticket_id": "t1"})

    assert set(envelope) == {"event_id", "event_type", "version", "occurred_at", "actor", "data"}
    assert envelope["occurred_at"].endswith("+00:00")
    assert envelope["actor"] == {"type": "system"}


@pytest.mark.parametrize("size, french, english", [
    (512, "512\u00a0o", "512\u00a0B"),
    (1536, "1,5\u00a0Ko", "1.5\u00a0KB"),
    (20 * 1024 * 1024, "20\u00a0Mo", "20\u00a0MB"),
])
def test_format_size_per_language(size, french, english):
    assert format_size(size, "fr") == french
    assert format_size(size, "en") == english
    assert size_text(size) == {"fr": french, "en": english}
