"""The notification settings form: one checkbox per topic and channel that
exists (community.preferences.DEFAULTS), and the digest's frequency."""

from django import forms
from django.utils.translation import gettext_lazy as _

from community.fields import OneLineField
from community.models import (
    DigestFrequency,
    FollowLevel,
    NotificationChannel,
    NotificationTopic,
)
from community.preferences import DEFAULTS


def field_name(topic: str, channel: str) -> str:
    return f"{topic}__{channel}"


class NotificationSettingsForm(forms.Form):
    digest = forms.ChoiceField(
        label=_("The digest"),
        choices=DigestFrequency.choices,
        error_messages={"invalid_choice": _("Please choose how often, or off.")},
    )

    def __init__(self, *args, choices: dict, digest: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["digest"].initial = digest
        for topic, channels in DEFAULTS.items():
            if topic == NotificationTopic.DIGEST:
                continue
            for channel in channels:
                self.fields[field_name(topic, channel)] = forms.BooleanField(
                    required=False, initial=choices[topic, channel]
                )

    def choices(self) -> dict[tuple[str, str], bool]:
        return {
            (topic, channel): self.cleaned_data[field_name(topic, channel)]
            for topic, channels in DEFAULTS.items()
            if topic != NotificationTopic.DIGEST
            for channel in channels
        }

    def rows(self) -> list[dict]:
        """The table: a row per topic, a cell per channel (None where the
        topic has no such channel)."""
        rows = []
        for topic, channels in DEFAULTS.items():
            if topic == NotificationTopic.DIGEST:
                continue
            rows.append(
                {
                    "label": NotificationTopic(topic).label,
                    "cells": [
                        {
                            "channel": label,
                            "field": self[field_name(topic, channel)]
                            if channel in channels
                            else None,
                        }
                        for channel, label in NotificationChannel.choices
                    ],
                }
            )
        return rows


class FollowForm(forms.Form):
    """A level for a community, board or thread (community.follows), or
    ``default`` to forget the chosen one."""

    level = forms.ChoiceField(
        label=_("Follow"),
        choices=[*FollowLevel.choices, ("default", _("Default"))],
        error_messages={
            "required": _("Please choose how closely to follow it."),
            "invalid_choice": _("Please choose how closely to follow it."),
        },
    )
    next = OneLineField(required=False, max_length=300)
