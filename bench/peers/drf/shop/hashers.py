"""Django's PBKDF2-SHA256 hasher at DRF_PEER_PBKDF2_ITERATIONS iterations (default Django's)."""
import os

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class ConfiguredPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sha256"
    iterations = int(os.environ.get("DRF_PEER_PBKDF2_ITERATIONS", PBKDF2PasswordHasher.iterations))
