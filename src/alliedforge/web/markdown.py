"""Markdown to safe HTML for news posts: CommonMark without raw HTML, links limited to
http, https, mailto and this site, images to this site."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):", re.IGNORECASE)


def allowed_link(url: str) -> bool:
    """Whether a link may point at `url`: an http, https or mailto URL, or one relative
    to this site. Browsers drop control characters and spaces inside a scheme
    (`java\\tscript:`) and read a backslash as a slash, so a URL holding any is refused."""
    if any(char <= " " or char in "\\\x7f" for char in url):
        return False
    scheme = _SCHEME.match(url)
    return scheme is None or scheme.group(1).lower() in SCHEMES


def same_origin(url: str) -> bool:
    """Whether `url` is relative to this site (no scheme, no other host: an image may
    not make the reader's browser call another server)."""
    return allowed_link(url) and _SCHEME.match(url) is None and not url.startswith("//")


class _NewsMarkdown(MarkdownIt):
    """CommonMark whose links, autolinks and images pass `allowed_link` as well as
    markdown-it's own check (which refuses `javascript:` and most `data:` URLs)."""

    def validateLink(self, url: str) -> bool:  # noqa: N802 - markdown-it's name
        return super().validateLink(url) and allowed_link(url)


def _image(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    index: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    """An image of this site as `<img>`; any other as its alt text."""
    source = str(tokens[index].attrGet("src") or "")
    if same_origin(source):
        return renderer.image(tokens, index, options, env)
    return str(escape(renderer.renderInlineAsText(tokens[index].children or [], options, env)))


def _link_open(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    index: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    """A link to another site tells it neither where the reader came from nor lets it
    reach back into this page."""
    if _SCHEME.match(str(tokens[index].attrGet("href") or "")):
        tokens[index].attrSet("rel", "noopener noreferrer")
    return renderer.renderToken(tokens, index, options, env)


def _heading(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    index: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    """A heading one level down (`#` → h2): the post's title is the page's h1."""
    level = int(tokens[index].tag[1:])
    tokens[index].tag = f"h{min(level + 1, 6)}"
    return renderer.renderToken(tokens, index, options, env)


_PARSER = _NewsMarkdown("commonmark", {"html": False})
_PARSER.add_render_rule("image", _image)
_PARSER.add_render_rule("link_open", _link_open)
_PARSER.add_render_rule("heading_open", _heading)
_PARSER.add_render_rule("heading_close", _heading)


def render_markdown(source: str) -> Markup:
    """The HTML of Markdown `source`: raw HTML in it is shown as text, never run."""
    return Markup(_PARSER.render(source))
