"""Boards, threads, comments, reactions, bookmarks and helpful answers.

Every view goes through community.decorators.community_view (community,
access, refusals). Writes are POST only; the services decide who may write
and what is refused.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from community import comment_layer, follows, fragments, page_cache, unread_layer
from community.access import Access
from community.decorators import community_view
from community.errors import CommunityError
from community.forms_forum import CommentForm, HelpfulForm, ThreadForm
from community.ids import id_parse
from community.models import Board, Comment, ReactionKind, Thread, Visibility
from community.selectors import threads as selectors
from community.selectors import unread
from community.selectors.threads import ThreadSort
from community.services import threads as services
from community.services import unread as unread_services
from community.views.follow_control import follow_control, follow_shown


def _thread(
    access: Access, thread_id: int, *, author=None, reading: bool = False
) -> Thread:
    thread = selectors.thread_for_page(
        thread_id=thread_id,
        community=access.community,
        moderator=access.is_moderator,
        author=author,
        reading=reading,
    )
    if thread is None:
        raise Http404
    return thread


def _comment(request: HttpRequest, access: Access, comment_id: int, **filters):
    comment = selectors.comment_for_page(
        comment_id=comment_id,
        community=access.community,
        member=request.user,
        moderator=access.is_moderator,
        **filters,
    )
    if comment is None:
        raise Http404
    return comment


def _thread_url(thread: Thread) -> str:
    return reverse("thread_detail", args=[thread.community.slug, thread.pk])


def _comment_url(access: Access, comment: Comment) -> str:
    """The comment's anchor on the page of its thread that holds it."""
    url = reverse("thread_detail", args=[access.community.slug, comment.thread_id])
    number = selectors.comment_page_number(
        comment=comment, moderator=access.is_moderator
    )
    query = f"?page={number}" if number > 1 else ""
    return f"{url}{query}#comment-{comment.pk}"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@community_view
def board_detail(
    request: HttpRequest, *, access: Access, board_slug: str
) -> HttpResponse:
    return page_cache.anonymous_page(
        request, lambda: _board_page(request, access=access, board_slug=board_slug)
    )


def _board_page(
    request: HttpRequest, *, access: Access, board_slug: str
) -> HttpResponse:
    # The tabs list every board of the community: the one shown is among them.
    boards = list(access.community.boards.all())
    board = next((b for b in boards if b.slug == board_slug), None)
    if board is None:
        raise Http404
    sort = request.GET.get("sort")
    if sort not in ThreadSort.ALL:
        sort = ThreadSort.LATEST
    page = selectors.thread_list(
        community=access.community,
        board=board,
        sort=sort,
        page=request.GET.get("page", 1),
    )
    refusal = services.post_refusal(access=access)
    context = {
        "community": access.community,
        "access": access,
        "board": board,
        "boards": boards,
        "page_obj": page,
        "sort": sort,
        "sorts": [
            (ThreadSort.LATEST, _("Latest")),
            (ThreadSort.POPULAR, _("Popular")),
            (ThreadSort.UNANSWERED, _("Unanswered")),
        ],
        "post_refusal": refusal.message if refusal else "",
    }
    # What the body shows is the same for every reader of the same
    # standing: one cached rendering serves them all (community.fragments).
    context["body_html"] = fragments.board_body(request=request, context=context)
    if context["body_html"] is None:
        context["thread_rows"] = fragments.thread_rows(
            page.object_list, community=access.community
        )
    # The member's unread marks over it (none for signed-out readers), and
    # their follow level of the board in the same statement.
    marks = unread.list_marks(
        access=access, thread_ids=[row.pk for row in page.object_list], board=board
    )
    # The member's own, outside the shared body.
    context["follow"] = follow_control(access, board=board, level=marks.level)
    for name in ("body_html", "thread_rows"):
        if context.get(name) is not None:
            context[name] = unread_layer.apply(
                context[name], community=access.community, marks=marks
            )
    return render(request, "community/board_detail.html", context)


@login_required
@community_view
def thread_create(
    request: HttpRequest, *, access: Access, board_slug: str
) -> HttpResponse:
    board = get_object_or_404(Board, community=access.community, slug=board_slug)
    refusal = services.post_refusal(access=access)
    if refusal is not None:
        raise refusal
    form = ThreadForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                thread = services.thread_create(
                    access=access, board=board, **form.cleaned_data
                )
            except CommunityError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                return redirect(_thread_url(thread))
    return render(
        request,
        "community/thread_form.html",
        {"community": access.community, "board": board, "form": form},
        status=status,
    )


@community_view
def thread_detail(request: HttpRequest, *, access: Access, thread_id: int):
    member = request.user if request.user.is_authenticated else None
    # Its author may still read a thread a moderator hid (and learn why);
    # every action on it stays refused, so the other views never pass this.
    thread = _thread(access, thread_id, author=member, reading=True)
    response = page_cache.anonymous_page(
        request,
        lambda: _thread_page(request, access=access, thread=thread, member=member),
    )
    services.thread_view_record(thread_id=thread.pk, created_at=thread.created_at)
    return response


def _thread_page(
    request: HttpRequest, *, access: Access, thread: Thread, member
) -> HttpResponse:
    if member is None:
        # Nothing on a comment is an anonymous reader's own: one cached
        # rendering of the list serves them all (see community.fragments).
        comments, comments_html = fragments.anonymous_comments(
            thread=thread,
            community=access.community,
            page=request.GET.get("page", 1),
        )
        state = selectors.thread_member_state(thread=thread, member=None)
    else:
        # The rows signed-out readers' lists are made of (hidden and removed
        # comments too for moderators), and in one query what is the
        # member's own on the page (their reactions on the thread and on
        # these comments, their bookmark): no model instance per comment.
        reader = unread.reader(access)
        page = request.GET.get("page", 1)
        if page == "unread":
            # Where a list's link to the first unread comment leads.
            page = (
                unread.first_unread_page(
                    access=access, thread=thread, moderator=access.is_moderator
                )
                if reader is not None
                else 1
            )
        rows, replies = selectors.comment_rows(
            thread=thread, page=page, moderator=access.is_moderator
        )
        shown = [r.pk for r in rows.object_list] + [r.pk for r in replies]
        # The member's follow level of the thread, for the page's control,
        # read with their marks.
        level_sql = (
            follows.target_level_sql(member, thread=thread)
            if follow_shown(access, thread=thread)
            else None
        )
        state, mine = selectors.thread_member_marks(
            thread=thread,
            member=member,
            page=[r.pk for r in rows.object_list],
            newest=max(shown, default=0),
            moderator=access.is_moderator,
            reading=reader is not None,
            skipped_sql=unread.skipped_sql,
            level_sql=level_sql,
        )
        if reader is not None:
            # Moved only when the page shows more than was read (never past
            # an unread comment it did not show): no write when nothing
            # changed.
            unread_services.thread_read_move(
                member_id=member.pk,
                thread_id=thread.pk,
                shown=unread.read_up_to(
                    shown=shown, known=state["read_to"], skipped=state["skipped"]
                ),
                known=state["read_to"],
            )
    refusal = services.post_refusal(access=access, thread=thread)
    follow = follow_control(access, thread=thread, level=state["level"])
    # The divider and the jump link show unread comments where the lists
    # count them (community.follows.UNREAD_LEVELS; a tracked reader, a
    # visible thread): the control read the level.
    read_to = (
        state["read_to"]
        if follow is not None and follow["level"] in follows.UNREAD_LEVELS
        else None
    )
    if member is not None:
        # The list every member of the same standing sees, kept, with the
        # member's own state filled in (community.comment_layer); the
        # template's partial renders the empty list's sentence.
        comments = rows
        comments_html = (
            comment_layer.member_comments(
                rows,
                replies,
                thread=thread,
                community=access.community,
                member=member,
                can_post=refusal is None,
                is_moderator=access.is_moderator,
                mine=mine,
                read_to=read_to,
            )
            if rows.object_list
            else None
        )
    hidden = thread.visibility == Visibility.HIDDEN
    context = {
        "community": access.community,
        "access": access,
        "can_post": refusal is None,
        "hidden_reason": (
            selectors.thread_hide_reason(thread=thread) if hidden else None
        ),
        "thread": thread,
        "state": state,
        "comments": comments,
        "comments_html": comments_html,
        # How many comments on this page are new to the member (the jump
        # link at the top).
        "unread_here": (
            comment_layer.unread_count(
                (*rows.object_list, *replies),
                member_id=member.pk,
                read_to=read_to,
            )
            if member is not None
            else 0
        ),
        # Made only if the page renders it (not when the body is kept).
        "comment_form": SimpleLazyObject(CommentForm) if refusal is None else None,
        "revisions": (
            selectors.revision_history(thread=thread) if access.is_moderator else None
        ),
        "post_refusal": refusal.message if refusal else "",
        "views": ngettext("%(counter)s view", "%(counter)s views", thread.view_count)
        % {"counter": thread.view_count},
        "follow": follow,
    }
    if member is not None:
        # All of it but the moderators' edit history is the same for every
        # member of the same standing: kept, with what is the member's own
        # filled in (community.fragments.thread_body).
        context["body_html"] = fragments.thread_body(
            request=request, context=context, comments_html=comments_html
        )
    return render(request, "community/thread_detail.html", context)


@login_required
@community_view
def thread_edit(request: HttpRequest, *, access: Access, thread_id: int):
    thread = _thread(access, thread_id)
    refusal = services.edit_refusal(access=access, thread=thread)
    if refusal is not None:
        raise refusal
    form = ThreadForm(
        request.POST or None,
        initial={"title": thread.title, "tag": thread.tag, "body": thread.body},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.thread_edit(access=access, thread=thread, **form.cleaned_data)
            except CommunityError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("Your thread is updated."))
                return redirect(_thread_url(thread))
    return render(
        request,
        "community/thread_form.html",
        {
            "community": access.community,
            "board": thread.board,
            "thread": thread,
            "form": form,
        },
        status=status,
    )


@require_POST
@login_required
@community_view
def thread_delete(request: HttpRequest, *, access: Access, thread_id: int):
    thread = _thread(access, thread_id)
    services.thread_delete(member=request.user, thread=thread)
    messages.success(request, _("Your thread is deleted."))
    return redirect(
        "board_detail", slug=access.community.slug, board_slug=thread.board.slug
    )


def _comment_form_page(request, access, *, form, thread, status, comment=None):
    return render(
        request,
        "community/comment_form.html",
        {
            "community": access.community,
            "thread": thread,
            "comment": comment,
            "form": form,
        },
        status=status,
    )


@require_POST
@login_required
@community_view
def comment_create(request: HttpRequest, *, access: Access, thread_id: int):
    thread = _thread(access, thread_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _comment_form_page(request, access, form=form, thread=thread, status=400)
    parent = None
    if form.cleaned_data["parent"]:
        parent = selectors.comment_for_page(
            comment_id=form.cleaned_data["parent"],
            community=access.community,
            member=None,
            moderator=False,
            thread_id=thread.pk,
        )
        if parent is None:
            form.add_error(None, CommunityError("comment_unavailable").message)
            return _comment_form_page(
                request, access, form=form, thread=thread, status=400
            )
    try:
        comment = services.comment_create(
            access=access, thread=thread, body=form.cleaned_data["body"], parent=parent
        )
    except CommunityError as error:
        form.add_error(None, error.message)
        return _comment_form_page(
            request, access, form=form, thread=thread, status=error.status
        )
    return redirect(_comment_url(access, comment))


@login_required
@community_view
def comment_edit(request: HttpRequest, *, access: Access, comment_id: int):
    comment = _comment(request, access, comment_id)
    refusal = services.edit_refusal(
        access=access, thread=comment.thread, comment=comment
    )
    if refusal is not None:
        raise refusal
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.comment_edit(
                    access=access, comment=comment, body=form.cleaned_data["body"]
                )
            except CommunityError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                return redirect(_comment_url(access, comment))
    return _comment_form_page(
        request,
        access,
        form=form,
        thread=comment.thread,
        comment=comment,
        status=status,
    )


@require_POST
@login_required
@community_view
def comment_delete(request: HttpRequest, *, access: Access, comment_id: int):
    comment = _comment(request, access, comment_id)
    services.comment_delete(member=request.user, comment=comment)
    messages.success(request, _("Your comment is deleted."))
    return redirect(_thread_url(comment.thread))


def _reaction_kind(kind: str) -> str:
    if kind not in ReactionKind.values:
        raise Http404
    return kind


@require_POST
@login_required
@community_view
def thread_react(request: HttpRequest, *, access: Access, thread_id: int, kind: str):
    thread = _thread(access, thread_id)
    services.reaction_toggle(access=access, kind=_reaction_kind(kind), thread=thread)
    if not _is_htmx(request):
        return redirect(_thread_url(thread))
    thread = _thread(access, thread_id)
    return render(
        request,
        "community/thread_detail.html#reactions",
        {
            "community": access.community,
            "access": access,
            "can_post": services.post_refusal(access=access, thread=thread) is None,
            "thread": thread,
            "state": selectors.thread_member_state(thread=thread, member=request.user),
        },
    )


def _comment_reaction(data) -> tuple[int, str]:
    """The comment and kind a reaction button sends: its name is the kind,
    its value the comment's id (``empathy=42``), one button's worth. Else
    not found, as a URL naming no comment or kind is."""
    sent = [kind for kind in ReactionKind.values if kind in data]
    if len(sent) != 1:
        raise Http404
    (kind,) = sent
    values = data.getlist(kind)
    comment_id = id_parse(values[0]) if len(values) == 1 else None
    if comment_id is None:
        raise Http404
    return comment_id, kind


@require_POST
@login_required
@community_view
def comment_react(request: HttpRequest, *, access: Access) -> HttpResponse:
    """A comment's reaction, toggled. One URL for every comment of the
    community: a thread page's reaction buttons submit its one
    ``comment-action`` form here, each sending its kind and comment
    (``_comment_reaction``), so no button carries a URL of its own."""
    comment_id, kind = _comment_reaction(request.POST)
    comment = _comment(request, access, comment_id)
    services.reaction_toggle(access=access, kind=kind, comment=comment)
    if not _is_htmx(request):
        return redirect(_comment_url(access, comment))
    comment = _comment(request, access, comment_id)
    return render(
        request,
        "community/thread_detail.html#comment-reactions",
        {
            "community": access.community,
            "access": access,
            "can_post": services.post_refusal(access=access, thread=comment.thread)
            is None,
            "comment": comment,
        },
    )


@require_POST
@login_required
@community_view
def thread_bookmark(request: HttpRequest, *, access: Access, thread_id: int):
    thread = _thread(access, thread_id)
    bookmarked = services.bookmark_toggle(member=request.user, thread=thread)
    if not _is_htmx(request):
        messages.success(
            request,
            _("Bookmarked.") if bookmarked else _("Bookmark removed."),
        )
        return redirect(_thread_url(thread))
    return render(
        request,
        "community/thread_detail.html#bookmark",
        {
            "community": access.community,
            "access": access,
            "thread": thread,
            "state": {"bookmarked": bookmarked},
        },
    )


@require_POST
@login_required
@community_view
def thread_helpful(request: HttpRequest, *, access: Access, thread_id: int):
    thread = _thread(access, thread_id)
    form = HelpfulForm(request.POST)
    comment: Comment | None = None
    if form.is_valid() and form.cleaned_data["comment"]:
        comment = _comment(
            request, access, form.cleaned_data["comment"], thread_id=thread.pk
        )
    elif not form.is_valid():
        raise CommunityError("comment_unavailable")
    services.helpful_mark(member=request.user, thread=thread, comment=comment)
    if comment is None:
        messages.success(request, _("The helpful answer is cleared."))
        return redirect(_thread_url(thread))
    messages.success(request, _("Marked as the helpful answer."))
    return redirect(_comment_url(access, comment))


@login_required
def bookmark_list(request: HttpRequest) -> HttpResponse:
    page = selectors.bookmark_list(member=request.user, page=request.GET.get("page", 1))
    return render(request, "community/bookmarks.html", {"page_obj": page})
