"""Posts are rendered once and stored as HTML: whatever a member types, the
stored HTML carries no script, no event handler, no dangerous URL and nothing
that loads from another site."""

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from community.markdown import markdown_render, mention_candidates

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    "![pixel](https://tracker.example/p.png)",
    '<div style="background:url(https://evil.example)">x</div>',
    "<style>body{display:none}</style>",
    "<form action=https://evil.example><button>x</button></form>",
]

SAFE_TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "hr",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
SAFE_ATTRIBUTES = {"href", "title", "rel", "start", "align"}
SCHEMES = ("http:", "https:", "mailto:")


class ActiveContent(HTMLParser):
    """Collects what a browser would act on: tags outside the allow-list,
    event handlers and styles, and link targets with a scheme other than
    http(s) or mailto."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag not in SAFE_TAGS:
            self.found.append(tag)
        for name, value in attrs:
            if name not in SAFE_ATTRIBUTES:
                self.found.append(f"{tag}[{name}]")
            target = (value or "").lower()
            has_scheme = ":" in target.split("/")[0]
            if name == "href" and has_scheme and not target.startswith(SCHEMES):
                self.found.append(value)


def active_content(html: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(html)
    parser.close()
    return parser.found


def test_known_attacks_leave_no_active_content():
    for attack in ATTACKS:
        html = markdown_render(attack)
        assert active_content(html) == [], (attack, html)


def test_mail_links_are_allowed():
    html = markdown_render("<mailto:hr@moim.example>")
    assert 'href="mailto:hr@moim.example"' in html
    assert active_content(html) == []


def test_links_are_marked_nofollow_ugc_noopener():
    html = markdown_render("[Moim](https://moim.example/docs)")
    assert 'href="https://moim.example/docs"' in html
    assert 'rel="nofollow ugc noopener"' in html


def test_markdown_formatting_survives():
    html = markdown_render("**굵게** _기울임_\n\n- 하나\n- 둘\n\n`코드`")
    assert "<strong>굵게</strong>" in html
    assert "<em>기울임</em>" in html
    assert "<li>하나</li>" in html
    assert "<code>코드</code>" in html


def test_headings_never_outrank_the_page():
    html = markdown_render("# 제목\n\n## 부제목")
    assert "<h1>" not in html and "<h2>" not in html
    assert "<h3>제목</h3>" in html


def test_mentions_link_to_the_resolved_member_and_keep_the_particle():
    html = markdown_render("@광고요정님 감사해요", links={"@광고요정": "/members/abc/"})
    assert '<a href="/members/abc/" rel="nofollow ugc noopener">@광고요정</a>님' in html


def test_mention_candidates_ignore_email_addresses_and_repeat_once():
    assert mention_candidates("메일 a@b.com, @광고요정님 @광고요정님") == ["광고요정님"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(ATTACKS),
            st.text(max_size=40),
            st.sampled_from(["<", ">", '"', "'", "`", "(", ")", "[", "]", "\n", "!"]),
        ),
        max_size=12,
    ).map("".join)
)
def test_no_input_produces_active_content(text):
    assert active_content(markdown_render(text)) == []
