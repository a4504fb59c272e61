"""Communities, boards, threads, comments, reactions, bookmarks."""

from django.urls import path

from community.views import communities, compose, follows, threads

urlpatterns = [
    path("c/<slug:slug>/", communities.community_detail, name="community_detail"),
    path("c/<slug:slug>/join/", communities.community_join, name="community_join"),
    path("c/<slug:slug>/leave/", communities.community_leave, name="community_leave"),
    path("c/<slug:slug>/follow/", follows.community_follow, name="community_follow"),
    path(
        "c/<slug:slug>/b/<slug:board_slug>/follow/",
        follows.board_follow,
        name="board_follow",
    ),
    path(
        "c/<slug:slug>/t/<int:thread_id>/follow/",
        follows.thread_follow,
        name="thread_follow",
    ),
    path(
        "c/<slug:slug>/b/<slug:board_slug>/",
        threads.board_detail,
        name="board_detail",
    ),
    path(
        "c/<slug:slug>/b/<slug:board_slug>/new/",
        threads.thread_create,
        name="thread_create",
    ),
    path(
        "c/<slug:slug>/t/<int:thread_id>/",
        threads.thread_detail,
        name="thread_detail",
    ),
    path(
        "c/<slug:slug>/t/<int:thread_id>/edit/",
        threads.thread_edit,
        name="thread_edit",
    ),
    path(
        "c/<slug:slug>/t/<int:thread_id>/delete/",
        threads.thread_delete,
        name="thread_delete",
    ),
    path(
        "c/<slug:slug>/t/<int:thread_id>/comments/",
        threads.comment_create,
        name="comment_create",
    ),
    path(
        "c/<slug:slug>/t/<int:thread_id>/react/<str:kind>/",
        threads.thread_react,
        name="thread_react",
    ),
    path(
        "c/<slug:slug>/t/<int:thread_id>/bookmark/",
        threads.thread_bookmark,
        name="thread_bookmark",
    ),
    path(
        "c/<slug:slug>/t/<int:thread_id>/helpful/",
        threads.thread_helpful,
        name="thread_helpful",
    ),
    path(
        "c/<slug:slug>/comments/<int:comment_id>/edit/",
        threads.comment_edit,
        name="comment_edit",
    ),
    path(
        "c/<slug:slug>/comments/<int:comment_id>/delete/",
        threads.comment_delete,
        name="comment_delete",
    ),
    path(
        "c/<slug:slug>/comments/react/",
        threads.comment_react,
        name="comment_react",
    ),
    path(
        "c/<slug:slug>/compose/preview/",
        compose.compose_preview,
        name="compose_preview",
    ),
    path(
        "c/<slug:slug>/compose/mentions/",
        compose.mention_suggest,
        name="mention_suggest",
    ),
    path("me/bookmarks/", threads.bookmark_list, name="bookmark_list"),
]
