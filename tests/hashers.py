"""A password hasher that counts its work, for the tests that promise "one
password hash per attempt, whatever the outcome" (SECURITY.md, "Every
door")."""

from django.contrib.auth.hashers import MD5PasswordHasher, PBKDF2PasswordHasher


class CountingHasher(MD5PasswordHasher):
    """The suite's fast hasher (same algorithm, so the members it stored
    still verify), counting every hash it computes: checking a password and
    hashing a new one both go through ``encode``."""

    computed = 0

    def encode(self, password, salt):
        type(self).computed += 1
        return super().encode(password, salt)


class SlowHasher(PBKDF2PasswordHasher):
    """PBKDF2 at a quarter of Django's work factor, about 0.25 s a hash on
    these machines: one hash more or less on a path stands well above what
    else differs between paths (a few queries, slow ones on a busy shared
    PostgreSQL), and a test can still afford a dozen."""

    iterations = 400_000
