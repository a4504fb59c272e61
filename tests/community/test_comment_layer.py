"""A signed-in member's comment list, built from the shared fragments and a
thin layer of their own state (community.comment_layer), shows them what a
full render of the ``comment-item`` partial shows: the same comments, heads,
reactions (pressed or not, counts, where they post) and the same actions
with the same targets. Only the markup of reply and report differs: one form
of each per page, opened under the comment, instead of a copy per comment.
"""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import reverse

from community import fragments
from community.access import access_for
from community.models import (
    Bookmark,
    MembershipRole,
    Reaction,
    Thread,
    ThreadTag,
    Visibility,
)
from community.selectors import threads as selectors
from tests.community.forum_data import (
    comment_make,
    community_make,
    join,
    thread_make,
    veteran,
)

pytestmark = pytest.mark.django_db


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children: list = []

    def text(self) -> str:
        return " ".join(
            "".join(
                c if isinstance(c, str) else c.text() for c in self.children
            ).split()
        )

    def walk(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def find(self, tag, **attrs):
        return [
            n
            for n in self.walk()
            if n.tag == tag and all(n.attrs.get(k) == v for k, v in attrs.items())
        ]

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


VOID = {"input", "br", "img", "meta", "link", "hr"}


class Tree(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.root = self.at = Node("root", [])
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.at)
        self.at.children.append(node)
        if tag not in VOID:
            self.at = node

    def handle_endtag(self, tag):
        node = self.at
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.at = node.parent

    def handle_data(self, data):
        self.at.children.append(data)


def _form(form: Node) -> tuple:
    """A form as what it does: where it posts, its button's label, the
    values it sends, the fields the member fills in."""
    hidden = frozenset(
        (i.attrs["name"], i.attrs.get("value", ""))
        for i in form.find("input", type="hidden")
        if i.attrs["name"] != "csrfmiddlewaretoken"
    )
    fields = frozenset(
        n.attrs["name"]
        for n in form.walk()
        if n.tag in ("textarea", "input") and n.attrs.get("type") != "hidden"
    )
    (button,) = form.find("button")
    return (form.attrs["action"], button.text(), hidden, fields)


def _understood(html: str, page_forms: dict[str, Node] | None = None) -> dict:
    """What a member sees and can do on each comment of ``html``."""
    seen = {}
    for article in Tree(html).root.find("article"):
        footer = article.find("footer")[0]
        reaction_box = footer.find("div", **{"class": "reactions"})[0]
        # Each reaction (a button, or a span where the member may not
        # react): its label, its count, pressed or not, and what pressing
        # it posts where: the page's form it submits (whose URL the test
        # checks), the button's name and value.
        reactions = [
            (
                " ".join(r.text().split()[:-1]),
                r.find("span")[-1].text(),
                r.attrs.get("aria-pressed"),
                (r.attrs["form"], r.attrs["name"], r.attrs["value"])
                if r.tag == "button"
                else None,
            )
            for r in reaction_box.children
            if isinstance(r, Node)
        ]
        actions = set()
        inside = set(map(id, reaction_box.walk()))
        for node in footer.walk():
            if id(node) in inside:
                continue
            if node.tag == "a":
                actions.add(("link", node.attrs["href"], node.text()))
            elif node.tag == "form":
                actions.add(("post", *_form(node)))
            elif node.tag == "button" and node.parent.tag != "form":
                if "data-reply" in node.attrs:
                    action, label, _hidden, fields = _form(page_forms["reply"])
                    hidden = frozenset({("parent", node.attrs["data-reply"])})
                    actions.add(("post", action, label, hidden, fields))
                elif "data-report" in node.attrs:
                    action, label, _hidden, fields = _form(page_forms["report"])
                    hidden = frozenset({("comment", node.attrs["data-report"])})
                    actions.add(("post", action, label, hidden, fields))
                elif "formaction" in node.attrs:
                    sent = (
                        {(node.attrs["name"], node.attrs.get("value", ""))}
                        if "name" in node.attrs
                        else set()
                    )
                    actions.add(
                        (
                            "post",
                            node.attrs["formaction"],
                            node.text(),
                            frozenset(sent),
                            frozenset(),
                        )
                    )
        head = [
            n
            for n in article.children
            if isinstance(n, Node) and n.tag in ("header", "div")
        ]
        seen[article.attrs["id"]] = {
            "classes": article.classes(),
            "head": [(n.tag, n.text()) for n in head],
            "links": sorted(a.attrs["href"] for h in head for a in h.find("a")),
            "reactions": reactions,
            "actions": actions,
        }
    return seen


@pytest.fixture(params=[MembershipRole.MODERATOR, MembershipRole.MEMBER])
def scene(request):
    """A question thread whose author moderates its community (or is one of
    its members: their list is read as rows, a moderator's as models),
    reacted to comments (both kinds), bookmarked it and wrote comments and a
    reply; other members' comments and replies, one hidden, one the helpful
    answer."""
    community = community_make()
    me = veteran(nickname="나", display_mode="nickname")
    join(me, community, role=request.param)
    others = [veteran() for _ in range(3)]
    for other in others:
        join(other, community)
    thread = thread_make(community, me, tag=ThreadTag.QUESTION, title="질문")
    tops, replies = [], []
    for n in range(6):
        author = me if n in (1, 4) else others[n % 3]
        top = comment_make(thread, author, body=f"댓글 {n}")
        tops.append(top)
        replies.append(
            comment_make(thread, others[(n + 1) % 3], parent=top, body=f"답글 {n}")
        )
    comment_make(thread, me, parent=tops[0], body="내 답글")
    hidden = comment_make(
        thread, others[0], body="숨긴 댓글", visibility=Visibility.HIDDEN
    )
    Thread.objects.filter(pk=thread.pk).update(helpful_comment=tops[2])
    # Replies too (their reactions are read by their top-level comment),
    # and a comment hidden after the reaction (only a moderator sees it).
    mine = (
        ("empathy", tops[0]),
        ("helpful", tops[2]),
        ("empathy", tops[3]),
        ("helpful", replies[1]),
        ("empathy", replies[4]),
        ("empathy", hidden),
    )
    for kind, target in mine:
        Reaction.objects.create(member=me, comment=target, kind=kind)
    Bookmark.objects.create(member=me, thread=thread)
    thread.refresh_from_db()
    return thread, me


def _full_render(thread, member) -> str:
    """The comment list as thread_detail.html renders it per comment."""
    community = thread.community
    access = access_for(member, community)
    comments = selectors.comment_tree(
        thread=thread, member=member, moderator=access.is_moderator, page=1
    )
    fragments.comment_heads(comments, thread=thread, community=community)
    request = RequestFactory().get("/")
    request.user = member
    return get_template("community/thread_detail.html#comment-list").render(
        {
            "comments": comments,
            "thread": thread,
            "community": community,
            "can_post": True,
            "access": access,
            "user": member,
            "report_url": reverse("report_create", args=[community.slug]),
        },
        request,
    )


def test_a_member_sees_on_each_comment_what_a_full_render_shows(client, scene):
    thread, me = scene
    client.force_login(me)
    page = client.get(
        reverse("thread_detail", args=[thread.community.slug, thread.pk])
    ).text
    tree = Tree(page).root
    page_forms = {
        "reply": tree.find("form", id="reply-form")[0],
        "report": tree.find("form", id="report-form")[0],
    }
    built = _understood(
        page.split('<section class="comments"')[1].split("</section>")[0], page_forms
    )
    full = _understood(_full_render(thread, me))

    assert built == full
    # The reaction buttons' form posts them to the one reaction URL.
    (action,) = tree.find("form", id="comment-action")
    assert action.attrs["action"] == reverse(
        "comment_react", args=[thread.community.slug]
    )
    reactions = [r for c in built.values() for r in c["reactions"]]
    assert {r[3] for r in reactions if r[3]} == {
        ("comment-action", kind, article.removeprefix("comment-"))
        for article, comment in built.items()
        for kind in ("empathy", "helpful")
    }
    # The scene holds everything the layer applies.
    everything = [c for comment in built.values() for c in comment["actions"]]
    # Reply, report, edit, delete, mark and unmark the helpful answer.
    assert len({action[2] for action in everything}) == 6
    # Every reaction of the member's pressed, on replies too; the hidden
    # comment's only for a moderator, who sees it.
    pressed = sum(r[2] == "true" for c in built.values() for r in c["reactions"])
    assert pressed == 5 + access_for(me, thread.community).is_moderator
    # Only a moderator sees the hidden comment.
    assert any("is-removed" in c["classes"] for c in built.values()) == (
        access_for(me, thread.community).is_moderator
    )
    assert any("is-helpful" in c["classes"] for c in built.values())


def test_one_reply_form_and_one_report_form_per_page(client, scene):
    thread, me = scene
    client.force_login(me)
    page = client.get(
        reverse("thread_detail", args=[thread.community.slug, thread.pk])
    ).text
    comments = page.split('<section class="comments"')[1]
    assert comments.count('name="parent"') == 1
    assert comments.count('name="reason"') == 1
    assert page.count('<details class="reply">') == 0


def test_an_anonymous_reader_gets_no_member_forms(client, scene):
    thread, _me = scene
    page = client.get(
        reverse("thread_detail", args=[thread.community.slug, thread.pk])
    ).text
    assert 'id="reply-form"' not in page and 'id="comment-action"' not in page
    assert AnonymousUser().is_authenticated is False


def _built(client, thread, member) -> dict:
    client.force_login(member)
    page = client.get(
        reverse("thread_detail", args=[thread.community.slug, thread.pk])
    ).text
    tree = Tree(page).root
    page_forms = {
        "reply": tree.find("form", id="reply-form")[0],
        "report": tree.find("form", id="report-form")[0],
    }
    return _understood(
        page.split('<section class="comments"')[1].split("</section>")[0], page_forms
    )


def test_whoever_filled_the_kept_list_each_member_sees_their_own(client, scene):
    """The list is kept per standing, not per member: members of the same
    standing who reacted to and wrote other comments, and members of other
    standings, take turns; each sees what a full render shows them."""
    thread, me = scene
    community = thread.community
    role = access_for(me, community).membership.role
    peer = veteran(nickname="동료")
    join(peer, community, role=role)
    plain = veteran(nickname="회원")
    join(plain, community)
    tops = list(thread.comments.filter(parent=None).order_by("created_at", "pk"))
    comment_make(thread, peer, body="동료 댓글")
    Reaction.objects.create(member=peer, comment=tops[5], kind="helpful")
    Reaction.objects.create(member=plain, comment=tops[0], kind="helpful")
    comment_make(thread, plain, parent=tops[3], body="회원 답글")
    thread.refresh_from_db()

    for reader in (peer, me, plain, me, peer, plain):
        assert _built(client, thread, reader) == _understood(
            _full_render(thread, reader)
        ), reader.nickname
    # A reaction of one's own shows at the next request, the list kept or not.
    Reaction.objects.create(member=peer, comment=tops[1], kind="empathy")
    assert _built(client, thread, peer) == _understood(_full_render(thread, peer))
