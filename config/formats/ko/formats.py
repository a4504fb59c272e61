"""Korean date formats for ``|date:"DATETIME_FORMAT"`` and the like: 오전/오후
before the time, the weekday after the date (community/timefmt.py says the
same moments with the year left out when it is the current one)."""

DATE_FORMAT = "Y년 n월 j일 (D)"
TIME_FORMAT = "A g:i"
DATETIME_FORMAT = "Y년 n월 j일 (D) A g:i"
YEAR_MONTH_FORMAT = "Y년 n월"
MONTH_DAY_FORMAT = "n월 j일"
SHORT_DATE_FORMAT = "Y. n. j."
SHORT_DATETIME_FORMAT = "Y. n. j. A g:i"
