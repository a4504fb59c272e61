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
    """PBKDF2 at 1,000,000 iterations, about 0.2–0.25 s a hash on these
    machines (400,000 took only 0.09 s on a faster one, and half of that was
    within what a new account's 14 more queries cost on a busy shared
    PostgreSQL): one hash more or less on a path stands well above what else
    differs between paths, and a test can still afford a dozen."""

    iterations = 1_000_000
