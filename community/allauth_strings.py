"""allauth's texts that Moim translates itself.

django-allauth ships a Korean catalogue, but some of the texts on the pages
and in the emails Moim shows are missing, misspelt or in a formal register
that clashes with the rest of the site (Moim speaks to members in 해요체).
Catalogues in LOCALE_PATHS win over those of installed apps, so a msgid
translated in ``locale/ko/LC_MESSAGES/django.po`` replaces allauth's
translation.

``makemessages`` only extracts msgids from this project's own files, and
``--no-obsolete`` drops any entry it did not extract, so a hand-added entry
would be lost on the next ``make messages``. Listing the msgids here, with
``gettext_noop``, keeps them in the catalogue. Nothing imports this module at
runtime; ``tests/test_translations.py`` checks that every msgid still exists
in allauth (a changed msgid upstream would silently undo the override).

Each string must be byte-for-byte allauth's msgid: template variables
``{{ x }}`` become ``%(x)s``, and line breaks and double spaces are kept.
"""

from django.utils.translation import gettext_noop

STRINGS = (
    # --- Sign in / sign out (account/login.html, logout.html, messages) ---
    # Translators: allauth override (account/login.html)
    gettext_noop(
        "If you have not created an account yet, then please "
        "%(link)ssign up%(end_link)s first."
    ),
    # Translators: allauth override (login form checkbox; Moim has no usernames)
    gettext_noop("Remember Me"),
    # Translators: allauth override (login form error)
    gettext_noop("The email address and/or password you specified are not correct."),
    # Translators: allauth override (login rate limit)
    gettext_noop("Too many failed login attempts. Try again later."),
    # Translators: allauth override (account/messages/logged_in.txt)
    gettext_noop("Successfully signed in as %(name)s."),
    # Translators: allauth override (account/messages/logged_out.txt)
    gettext_noop("You have signed out."),
    # Translators: allauth override (account/logout.html)
    gettext_noop("Are you sure you want to sign out?"),
    # --- Sign up (account/signup.html, form) ---
    # Translators: allauth override (account/signup.html)
    gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s."),
    # Translators: allauth override (sign-up form label)
    gettext_noop("Password (again)"),
    # Translators: allauth override (sign-up form error)
    gettext_noop("You must type the same password each time."),
    # Translators: allauth override (email form error)
    gettext_noop("A user is already registered with this email address."),
    # --- Email verification (verification_sent.html, email_confirm.html) ---
    # Translators: allauth override (account/verification_sent.html)
    gettext_noop("Verify Your Email Address"),
    # Translators: allauth override (account/verification_sent.html)
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided "
        "to finalize the signup process. If you do not see the verification email "
        "in your main inbox, check your spam folder. Please contact us if you do "
        "not receive the verification email within a few minutes."
    ),
    # Translators: allauth override (account/email_confirm.html)
    gettext_noop("Confirm Email Address"),
    # Translators: allauth override (account/email_confirm.html)
    gettext_noop(
        'Please confirm that <a href="mailto:%(email)s">%(email)s</a> is an email '
        "address for user %(user_display)s."
    ),
    # Translators: allauth override (account/email_confirm.html, messages)
    gettext_noop(
        "Unable to confirm %(email)s because it is already confirmed by a "
        "different account."
    ),
    # Translators: allauth override (account/email_confirm.html)
    gettext_noop(
        "This email confirmation link expired or is invalid. Please "
        '<a href="%(email_url)s">issue a new email confirmation request</a>.'
    ),
    # Translators: allauth override (account/messages/email_confirmed.txt)
    gettext_noop("You have confirmed %(email)s."),
    # Translators: allauth override (account/messages/email_confirmation_sent.txt)
    gettext_noop("Confirmation email sent to %(email)s."),
    # Translators: allauth override (misspelt in allauth's catalogue)
    gettext_noop("Invalid or expired key."),
    # --- Email management (account/email.html, messages) ---
    # Translators: allauth override (account/email.html)
    gettext_noop("Email Addresses"),
    # Translators: allauth override (account/email.html)
    gettext_noop("The following email addresses are associated with your account:"),
    # Translators: allauth override (account/email.html)
    gettext_noop("Verified"),
    # Translators: allauth override (account/email.html)
    gettext_noop("Unverified"),
    # Translators: allauth override (account/email.html)
    gettext_noop("Primary"),
    # Translators: allauth override (account/email.html)
    gettext_noop("Make Primary"),
    # Translators: allauth override (account/email.html)
    gettext_noop("Re-send Verification"),
    # Translators: allauth override (account/email.html)
    gettext_noop("Remove"),
    # Translators: allauth override (account/email.html; inside a JS string)
    gettext_noop("Do you really want to remove the selected email address?"),
    # Translators: allauth override (account/messages/email_deleted.txt)
    gettext_noop("Removed email address %(email)s."),
    # Translators: allauth override (account/messages/primary_email_set.txt)
    gettext_noop("Primary email address set."),
    # Translators: allauth override (cannot_delete_primary_email.txt)
    gettext_noop("You cannot remove your primary email address (%(email)s)."),
    # Translators: allauth override (email management error)
    gettext_noop("You cannot remove your primary email address."),
    # Translators: allauth override (unverified_primary_email.txt)
    gettext_noop("Your primary email address must be verified."),
    # Translators: allauth override (email management error)
    gettext_noop("This email address is already associated with this account."),
    # Translators: allauth override (email management error)
    gettext_noop("You cannot add more than %d email addresses."),
    # --- Password change and reset ---
    # Translators: allauth override (password change form label)
    gettext_noop("New Password (again)"),
    # Translators: allauth override (password change form error)
    gettext_noop("Please type your current password."),
    # Translators: allauth override (account/messages/password_changed.txt)
    gettext_noop("Password successfully changed."),
    # Translators: allauth override (account/messages/password_set.txt)
    gettext_noop("Password successfully set."),
    # Translators: allauth override (account/password_reset.html)
    gettext_noop("Password Reset"),
    # Translators: allauth override (account/password_reset.html)
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we'll send "
        "you an email allowing you to reset it."
    ),
    # Translators: allauth override (account/password_reset.html)
    gettext_noop("Reset My Password"),
    # Translators: allauth override (account/password_reset.html)
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    # Translators: allauth override (account/password_reset_done.html)
    gettext_noop(
        "We have sent you an email. If you have not received it please check your "
        "spam folder. Otherwise contact us if you do not receive it in a few "
        "minutes."
    ),
    # Translators: allauth override (account/password_reset_from_key.html)
    gettext_noop("Bad Token"),
    # Translators: allauth override (account/password_reset_from_key.html)
    gettext_noop(
        "The password reset link was invalid, possibly because it has already "
        "been used.  Please request a "
        '<a href="%(passwd_reset_url)s">new password reset</a>.'
    ),
    # Translators: allauth override (account/password_reset_from_key_done.html)
    gettext_noop("Your password is now changed."),
    # Translators: allauth override (password reset error)
    gettext_noop("The password reset token was invalid."),
    # --- Emails (account/email/*.txt) ---
    # Translators: allauth override (account/email/base_message.txt)
    gettext_noop("Hello from %(site_name)s!"),
    # Translators: allauth override (account/email/base_message.txt)
    gettext_noop("Thank you for using %(site_name)s!\n%(site_domain)s"),
    # Translators: allauth override (email_confirmation_subject.txt)
    gettext_noop("Please Confirm Your Email Address"),
    # Translators: allauth override (email_confirmation_message.txt)
    gettext_noop(
        "You're receiving this email because user %(user_display)s has given "
        "your email address to register an account on %(site_domain)s."
    ),
    # Translators: allauth override (email_confirmation_message.txt)
    gettext_noop("To confirm this is correct, go to %(activate_url)s"),
    # Translators: allauth override (account_already_exists_subject.txt)
    gettext_noop("Account Already Exists"),
    # Translators: allauth override (account_already_exists_message.txt)
    gettext_noop(
        "You are receiving this email because you or someone else tried to "
        "signup for an\naccount using email address:\n\n%(email)s\n\nHowever, "
        "an account using that email address already exists.  In case you "
        "have\nforgotten about this, please use the password forgotten procedure "
        "to recover\nyour account:\n\n%(password_reset_url)s"
    ),
    # Translators: allauth override (password_reset_key_subject.txt)
    gettext_noop("Password Reset Email"),
    # Translators: allauth override (password_reset_key_message.txt)
    gettext_noop(
        "You're receiving this email because you or someone else has requested a "
        "password reset for your user account.\nIt can be safely ignored if you "
        "did not request a password reset. Click the link below to reset your "
        "password."
    ),
    # Translators: allauth override (unknown_account_subject.txt)
    gettext_noop("Unknown Account"),
    # Translators: allauth override (unknown_account_message.txt)
    gettext_noop(
        "You are receiving this email because you, or someone else, tried to "
        "access an account with email %(email)s. However, we do not have any "
        "record of such an account in our database."
    ),
    # Translators: allauth override (unknown_account_message.txt)
    gettext_noop(
        "This mail can be safely ignored if you did not initiate this action."
    ),
    # Translators: allauth override (unknown_account_message.txt)
    gettext_noop("If it was you, you can sign up for an account using the link below."),
    # --- Confirming it is you again (account/*reauthenticat*.html) ---
    # Translators: allauth override (account/base_reauthenticate.html)
    gettext_noop("Confirm Access"),
    # Translators: allauth override (account/base_reauthenticate.html)
    gettext_noop("Please reauthenticate to safeguard your account."),
    # Translators: allauth override (account/base_reauthenticate.html)
    gettext_noop("Alternative options"),
    # Translators: allauth override (a way to confirm it is you)
    gettext_noop("Use your password"),
    # Translators: allauth override (a way to confirm it is you)
    gettext_noop("Send me a sign-in code"),
    # Translators: allauth override (account/base_confirm_code.html)
    gettext_noop(
        "We've sent a code to %(recipient)s. The code expires shortly, so please "
        "enter it soon."
    ),
    # Translators: allauth override (account/messages/login_code_sent.txt)
    gettext_noop("A sign-in code has been sent to %(recipient)s."),
    # Translators: allauth override (account/email/login_code_message.txt)
    gettext_noop(
        "Your sign-in code is listed below. Please enter it in your open browser "
        "window."
    ),
    # --- Two-factor and signed-in devices (allauth.mfa, usersessions) ---
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Activate Authenticator App"),
    # Translators: allauth override (two-factor and devices)
    gettext_noop(
        "To protect your account with two-factor authentication, scan the QR code "
        "below with your authenticator app. Then, input the verification code "
        "generated by the app below."
    ),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Authenticator secret"),
    # Translators: allauth override (two-factor and devices)
    gettext_noop(
        "You can store this secret and use it to reinstall your authenticator app at "
        "a later time."
    ),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Incorrect code."),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Authenticator app activated."),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Authenticator app deactivated."),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Deactivate Authenticator App"),
    # Translators: allauth override (two-factor and devices)
    gettext_noop(
        "You are about to deactivate authenticator app based authentication. Are you "
        "sure?"
    ),
    # Translators: allauth override (two-factor and devices)
    gettext_noop(
        "Your account is protected by two-factor authentication. Please enter an "
        "authenticator code:"
    ),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Use a security key"),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Security key added."),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Security key removed."),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("A new set of recovery codes has been generated."),
    # Translators: allauth override (two-factor and devices)
    gettext_noop(
        "You are about to generate a new set of recovery codes for your account."
    ),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("This action will invalidate your existing codes."),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Are you sure?"),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Signed out of all other sessions."),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("This functionality requires JavaScript."),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("No security keys have been added."),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Are you sure you want to remove this security key?"),
    # Translators: allauth override (two-factor and devices)
    gettext_noop(
        "You cannot add an email address to an account protected by two-factor "
        "authentication."
    ),
    # Translators: allauth override (two-factor and devices)
    gettext_noop(
        "You cannot activate two-factor authentication until you have verified your "
        "email address."
    ),
    # Translators: allauth override (two-factor and devices)
    gettext_noop(
        "Enabling passwordless operation allows you to sign in using just this key, "
        "but imposes additional requirements such as biometrics or PIN protection."
    ),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Enter an authenticator code:"),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Sign in with a passkey"),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Add Security Key"),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Remove Security Key"),
    # Translators: allauth override (two-factor and devices)
    gettext_noop("Edit Security Key"),
)
