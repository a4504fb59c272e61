"""Search across the communities the reader may read, or inside one."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString

from community import fragments, page_cache
from community.access import Access
from community.decorators import community_view
from community.markdown import markdown_plain_text
from community.models import Community, Thread
from community.selectors import search as selectors
from community.selectors.communities import readable_communities

QUERY_MAX = 100


@dataclass
class SearchResult:
    thread: Thread
    title: SafeString
    excerpt: SafeString


def _results(threads, query: str) -> list[SearchResult]:
    # A long context keeps a title whole; the body gets an excerpt around
    # its first match.
    return [
        SearchResult(
            thread,
            selectors.highlight(thread.title, query, context=200),
            selectors.highlight(markdown_plain_text(thread.body_html), query),
        )
        for thread in threads
    ]


def _render(request, *, query, readable, community, scope) -> HttpResponse:
    return page_cache.anonymous_page(
        request,
        lambda: _search_page(
            request, query=query, readable=readable, community=community, scope=scope
        ),
    )


def _search_page(request, *, query, readable, community, scope) -> HttpResponse:
    page = selectors.thread_search(
        query=query,
        readable=readable,
        community=community,
        page=request.GET.get("page", 1),
    )
    return render(
        request,
        "community/search.html",
        {
            "query": query,
            "search_query": query,
            "community": community,
            "scope": scope,
            "page": page,
            "results_html": (
                fragments.search_results(
                    page,
                    query=query,
                    scoped=scope is not None,
                    results=lambda threads: _results(threads, query),
                )
                if query
                else ""
            ),
        },
    )


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    readable = readable_communities(request.user)
    slug = request.GET.get("community", "").strip()
    # An unknown or unreadable community narrows nothing: the search stays
    # within what the reader may read either way.
    community = readable.filter(slug=slug).first() if slug else None
    return _render(
        request, query=query, readable=readable, community=community, scope=None
    )


@community_view(sign_in=True)
def community_search(request: HttpRequest, *, access: Access) -> HttpResponse:
    community = access.community
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    return _render(
        request,
        query=query,
        readable=Community.objects.filter(pk=community.pk),
        community=community,
        scope=community,
    )
