"""Dependency floors that carry security fixes (see pyproject.toml)."""

from importlib.metadata import version


def release(package: str) -> tuple[int, ...]:
    numbers = []
    for part in version(package).split("."):
        digits = "".join(c for c in part if c.isdigit())
        if not digits:
            break
        numbers.append(int(digits))
        if not part.isdigit():
            break
    return tuple(numbers)


def test_daphne_has_the_websocket_and_header_smuggling_fixes():
    assert release("daphne") >= (4, 2, 3)


def test_allauth_no_longer_trusts_a_spoofed_x_forwarded_for():
    assert release("django-allauth") >= (65, 14, 2)


def test_django_is_the_6_1_series():
    assert release("django")[:2] == (6, 1)


def test_the_postgresql_driver_is_psycopg_3_with_its_pool():
    assert release("psycopg")[0] == 3
    assert release("psycopg-pool") >= (3, 2)
