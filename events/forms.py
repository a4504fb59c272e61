"""Forms of the member-facing gathering pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Gathering
from events.services.applications import ANSWER_LIMIT, MOTIVATION_LIMIT


class ApplicationForm(forms.Form):
    """The motivation text and one field per short question of the
    gathering. The limits repeat the service's so that a too-long answer is
    shown next to its field; the service checks them again."""

    motivation = forms.CharField(
        label=_("Why do you want to join?"),
        max_length=MOTIVATION_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, gathering: Gathering, **kwargs):
        super().__init__(*args, **kwargs)
        self.gathering = gathering
        motivation = self.fields["motivation"]
        if gathering.motivation_prompt:
            motivation.label = gathering.motivation_prompt
            motivation.required = True
        motivation.help_text = _("At most %(limit)s characters.") % {
            "limit": MOTIVATION_LIMIT
        }
        for index, question in enumerate(gathering.questions):
            self.fields[f"answer_{index}"] = forms.CharField(
                label=str(question),
                max_length=ANSWER_LIMIT,
                required=False,
            )

    @property
    def answer_fields(self):
        return [self[f"answer_{i}"] for i in range(len(self.gathering.questions))]

    def answers(self) -> list[str]:
        return [
            self.cleaned_data.get(f"answer_{i}", "")
            for i in range(len(self.gathering.questions))
        ]
