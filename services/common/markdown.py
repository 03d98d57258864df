"""Render user-written Markdown to HTML that cannot run script."""
from __future__ import annotations

import bleach
from markdown_it import MarkdownIt

ALLOWED_TAGS = [
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
]
ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "img": ["src", "alt", "title"]}
ALLOWED_PROTOCOLS = ["http", "https", "mailto"]


def render_markdown(source: str) -> str:
    """Return safe HTML: raw HTML in the source is escaped and only http(s)/mailto links survive."""
    # markdown-it's commonmark preset with html disabled escapes raw tags; bleach then drops any
    # attribute or URL scheme outside the allow-lists, `javascript:` included.
    # `breaks` renders a single newline as <br>. Tickets, news and FAQ answers are typed in textareas,
    # where a line end starts a new line (a signature, a short list) rather than wrapping a long one.
    options = {"html": False, "linkify": False, "breaks": True}
    html = MarkdownIt("commonmark", options).enable("table").render(source or "")
    cleaned = bleach.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                           protocols=ALLOWED_PROTOCOLS, strip=True)
    return cleaned.replace("<a href=", '<a rel="noopener noreferrer nofollow" href=')
