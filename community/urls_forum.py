"""Communities, boards, threads, comments, reactions, bookmarks, search."""

urlpatterns: list = []
