"""Provider links made at a sign-up whose address nobody had proven.

A social sign-up may carry an address its provider did not vouch for: one
typed on the sign-up form, or Naver's, which Moim always verifies itself.
The provider account is linked at once, so whoever holds it could later sign
in to the account, and the person who proves the address (by the mailed
link, a code or a password reset) might not be them: someone could sign up
with their own Kakao and another person's address, and wait for that person
to take the account over. So when an account's first address is proven,
every link whose provider did not report that address is removed, and the
member is told to connect it again while signed in (which proves both)."""

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib import messages
from django.utils.translation import gettext as _


def social_links_unvouched_remove(*, email_address: EmailAddress) -> list[str]:
    """Remove the links of ``email_address``'s account whose provider did not
    report that address, when it is the account's first proven one; returns
    the providers' names. Links made later, while signed in with a proven
    address, are never touched."""
    earlier = EmailAddress.objects.filter(user_id=email_address.user_id, verified=True)
    if earlier.exclude(pk=email_address.pk).exists():
        return []
    address = email_address.email.lower()
    removed = []
    for account in SocialAccount.objects.filter(user_id=email_address.user_id):
        provider = account.get_provider()
        reported = {
            reported.email.lower()
            for reported in provider.extract_email_addresses(account.extra_data or {})
        }
        if address not in reported:
            account.delete()
            removed.append(str(provider.name))
    return removed


def on_email_confirmed(sender, request, email_address, **kwargs) -> None:
    """allauth's ``email_confirmed`` signal: the one moment every way of
    proving an address (link, code, password reset by code) passes
    through, so the check lives here rather than in one of them."""
    removed = social_links_unvouched_remove(email_address=email_address)
    if removed and request is not None:
        messages.warning(
            request,
            _(
                "Your %(providers)s account was not kept connected: it did not "
                "give this address. Connect it again from Connected accounts."
            )
            % {"providers": ", ".join(removed)},
        )
