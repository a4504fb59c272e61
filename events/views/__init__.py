"""Views of the events app: ``attend`` for members, ``organise`` for
organisers. Each is thin: parse the request, call one service or selector,
render or redirect."""
