"""A join pass's nonce fits its column on every database (PostgreSQL refuses
a value longer than the column; SQLite would silently keep it)."""

from events.models import JoinPass


def test_a_new_join_pass_nonce_fits_its_column():
    field = JoinPass._meta.get_field("nonce")
    assert len(field.get_default()) == field.max_length
