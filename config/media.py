"""Serving uploaded images in the embedded setup.

The ASGI app serves MEDIA_URL from MEDIA_ROOT itself, as it serves static
files, unless a web server in front does (SERVE_MEDIA=0) or the images live
in a bucket (S3_BUCKET: MEDIA_URL is then not used). Only files under
MEDIA_ROOT are read (django.views.static.serve refuses any path that leaves
it) and each was written by community.images, so it is a WebP of our own.
"""

from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.views.static import serve


class ASGIMediaFilesHandler(ASGIStaticFilesHandler):
    def get_base_url(self) -> str:
        return settings.MEDIA_URL

    def serve(self, request):
        try:
            response = serve(
                request,
                self.file_path(request.path),
                document_root=settings.MEDIA_ROOT,
            )
        except SuspiciousFileOperation as err:
            # A path that leaves MEDIA_ROOT ("/media/../") is simply not here.
            raise Http404 from err
        # A new upload gets a new name, so a name's content never changes.
        response["Cache-Control"] = "public, max-age=31536000, immutable"
        response["X-Content-Type-Options"] = "nosniff"
        return response
