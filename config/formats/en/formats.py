"""English date formats for ``|date:"DATETIME_FORMAT"`` and the like: the
weekday first, "AM"/"PM" after the time and never "a.m." (the conventions
of community/timefmt.py, which leaves out the current year)."""

DATE_FORMAT = "D, M j, Y"
TIME_FORMAT = "g:i A"
DATETIME_FORMAT = "D, M j, Y, g:i A"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "M j"
SHORT_DATE_FORMAT = "M j, Y"
SHORT_DATETIME_FORMAT = "M j, Y, g:i A"
