"""Forms of the forum pages. They check shape only; whether the member may
post, and the rate limits, are decided by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from community.fields import OneLineField
from community.models import Thread, ThreadTag

MARKDOWN_HINT = _(
    "Markdown: **bold**, *italic*, [link](https://…), `code`, - lists, "
    "> quotes. Mention a member with @nickname."
)


class ThreadForm(forms.Form):
    title = OneLineField(
        label=_("Title"),
        max_length=Thread._meta.get_field("title").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    tag = forms.ChoiceField(label=_("Tag"), choices=ThreadTag.choices)
    body = forms.CharField(
        label=_("Body"),
        max_length=20_000,
        help_text=MARKDOWN_HINT,
        widget=forms.Textarea(attrs={"rows": 12}),
    )

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Please give your thread a title."))
        return title


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=10_000,
        help_text=MARKDOWN_HINT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class HelpfulForm(forms.Form):
    # Empty clears the helpful answer.
    comment = forms.IntegerField(required=False)


class PreviewForm(forms.Form):
    """A draft to preview: a thread's or a comment's body, not saved."""

    body = forms.CharField(max_length=20_000, strip=False, widget=forms.Textarea)
