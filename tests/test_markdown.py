"""News Markdown renders to safe HTML: no raw HTML, no script, no event handlers, links
only to http, https, mailto and this site, images only from this site."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliedforge.web.markdown import allowed_link, render_markdown, same_origin

# What CommonMark without raw HTML may produce; anything else came from the author's text.
TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "a", "img", "code", "pre",
     "blockquote", "ul", "ol", "li", "hr", "br"}
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "rel", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
# "code" may carry a class naming the fence's language.
ATTRIBUTES["code"] = {"class"}


class Elements(HTMLParser):
    """Every start tag of a document with its attributes, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def scheme(url: str) -> str | None:
    """The scheme a browser would see: control characters and spaces dropped."""
    cleaned = "".join(char for char in url if char > " ").lower()
    head, colon, _rest = cleaned.partition(":")
    if not colon or not head or not head[0].isalpha():
        return None
    return head if all(c.isalnum() or c in "+-." for c in head) else None


def assert_safe(html: str) -> None:
    for tag, attributes in elements(html):
        assert tag in TAGS, (tag, html)
        assert set(attributes) <= ATTRIBUTES.get(tag, set()), (tag, attributes, html)
        assert not any(name.startswith("on") for name in attributes), (tag, html)
        if "href" in attributes:
            assert scheme(attributes["href"]) in {None, "http", "https", "mailto"}, html
        if "src" in attributes:
            src = attributes["src"]
            assert scheme(src) is None, html
            assert not src.startswith("//"), html
            assert "\\" not in src, html


ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT src=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JavaScript:alert(1))",
    "[click](  javascript:alert(1) )",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](https://tracker.example/pixel.gif)",
    "![x](//tracker.example/pixel.gif)",
    "![x](/\\tracker.example/pixel.gif)",
    '![x" onerror="alert(1)](/static/a.png)',
    '[x](/a "t\\" onmouseover=\\"alert(1)")',
    "<div onclick=alert(1)>x</div>",
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
]


@pytest.mark.parametrize("source", ATTACKS)
def test_attacks_come_out_harmless(source: str) -> None:
    html = str(render_markdown(source))
    assert_safe(html)
    assert "<script" not in html.lower()
    assert "javascript:" not in "".join(a.get("href", "") for _t, a in elements(html)).lower()


def test_raw_html_is_shown_as_text() -> None:
    html = str(render_markdown("<script>alert(1)</script> and <b>bold</b>"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_markdown_still_works() -> None:
    source = (
        "# Joint buy\n\nThe **agency** signed *today*.\n\n- one\n- two\n\n"
        "[Report](https://example.org/r) · [Plans](/plans) · <news@example.org>\n\n"
        "![Chart](/static/chart.png)\n\n```\ncode <b>\n```"
    )
    found = elements(str(render_markdown(source)))
    tags = [tag for tag, _attributes in found]
    for tag in ("strong", "em", "ul", "li", "a", "img", "pre", "code"):
        assert tag in tags, tag
    hrefs = [attributes["href"] for tag, attributes in found if tag == "a"]
    assert hrefs == ["https://example.org/r", "/plans", "mailto:news@example.org"]
    assert [a["src"] for t, a in found if t == "img"] == ["/static/chart.png"]


def test_headings_sit_below_the_posts_title() -> None:
    html = str(render_markdown("# One\n\n## Two\n\n###### Six"))
    assert [tag for tag, _attributes in elements(html)] == ["h2", "h3", "h6"]
    assert html.count("</h2>") == html.count("</h3>") == html.count("</h6>") == 1


def test_links_to_other_sites_leak_neither_referrer_nor_window() -> None:
    found = elements(str(render_markdown("[a](https://example.org) [b](/news/1)")))
    rels = {attributes["href"]: attributes.get("rel") for tag, attributes in found if tag == "a"}
    assert rels == {"https://example.org": "noopener noreferrer", "/news/1": None}


def test_an_image_from_elsewhere_becomes_its_alt_text() -> None:
    html = str(render_markdown("![a <b>chart</b>](https://tracker.example/p.gif)"))
    assert elements(html) == [("p", {})]
    assert "a &lt;b&gt;chart&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("url", "link", "image"),
    [
        ("https://example.org/a", True, False),
        ("http://example.org", True, False),
        ("mailto:a@example.org", True, False),
        ("/static/a.png", True, True),
        ("news/2", True, True),
        ("#section", True, True),
        ("//example.org/a.png", True, False),
        ("javascript:alert(1)", False, False),
        ("JAVASCRIPT:alert(1)", False, False),
        ("java\tscript:alert(1)", False, False),
        ("\x01javascript:alert(1)", False, False),
        ("data:image/png;base64,AA", False, False),
        ("/\\evil.example", False, False),
        ("ftp://example.org", False, False),
    ],
)
def test_link_and_image_rules(url: str, link: bool, image: bool) -> None:
    assert allowed_link(url) is link
    assert same_origin(url) is image


# Pieces that make Markdown structure and the usual payloads, mixed with arbitrary text.
PIECES = st.sampled_from(
    [
        "<", ">", "[", "]", "(", ")", "![", "](", "<script>", "</script>", "javascript:",
        "JaVaScRiPt:", "java\tscript:", "vbscript:", "data:", "data:text/html,", "onerror=",
        " onload=", '"', "'", "&#106;", "&colon;", "&#x3A;", "\\", "\n", "\n\n", "    ",
        "`", "```", "*", "_", "#", "- ", "> ", "<img src=x ", "<a href=", "//", "/", ":",
        "mailto:", "https://", "%0a", "\x00", "\x01", "[x]: ", "<svg/onload=alert(1)>",
    ]
)  # fmt: skip
SOURCES = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join)


@given(SOURCES)
def test_no_text_yields_a_script_a_handler_or_a_dangerous_url(source: str) -> None:
    html = str(render_markdown(source))
    assert "<script" not in html.lower()
    assert_safe(html)
