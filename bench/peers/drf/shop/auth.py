"""`Authorization: Token <key>` against tokens stored as SHA-256 digests."""
import hashlib
import secrets

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .models import AuthToken


def digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(user):
    """A new 40-hex-character token for user; only its digest is stored."""
    key = secrets.token_hex(20)
    AuthToken.objects.create(digest=digest(key), user=user)
    return key


class HashedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        try:
            token = AuthToken.objects.select_related("user").get(digest=digest(key))
        except AuthToken.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token
