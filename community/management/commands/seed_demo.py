from django.core.management.base import BaseCommand

from community.demo import DEMO_DOMAIN, DEMO_PASSWORD, seed_consents, seed_demo
from community.mail import mail_suppressed
from events.demo import seed_gatherings
from realtime.demo import seed_chat


class Command(BaseCommand):
    help = (
        "Load Korean demo data (communities with boards, members, threads, "
        "comments, reactions). Safe to run again: a second run changes nothing."
    )

    def handle(self, *args, **options):
        # The demo's notifications stay in the app: its members' addresses
        # are made up, and a deployment with real mail must not write to them.
        with mail_suppressed():
            counts = seed_demo()
            gatherings = seed_gatherings()
            chat = seed_chat()
            # Last: the events demo adds members of its own.
            seed_consents()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data: {communities} communities, {members} members, "
                "{threads} threads ({new_threads} new), {comments} comments, "
                "{gatherings} gatherings with {applications} applications, "
                "{chat} chat messages. "
                "Sign in as member01@{domain} with the password {password} "
                "(a moderator of 퍼포먼스 마케팅).".format(
                    **counts,
                    **gatherings,
                    chat=chat,
                    domain=DEMO_DOMAIN,
                    password=DEMO_PASSWORD,
                )
            )
        )
