from django import forms

from documents.content import ACCEPTED


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Document",
        allow_empty_file=True,  # the service says "The file is empty." like every refusal
        widget=forms.FileInput(
            attrs={
                "class": "usa-file-input",
                "accept": ".pdf,.xlsx,.docx,.png,.jpg,.jpeg,.gif",
            }
        ),
    )

    def __init__(self, *args, max_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"{ACCEPTED[0].upper()}{ACCEPTED[1:]}, at most {max_mb} MB. Its type is checked "
            "by its content; Office files with macros are not accepted. A document cannot "
            "be changed or removed once attached."
        )
