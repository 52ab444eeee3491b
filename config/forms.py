from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginForm(AuthenticationForm):
    """Django's login form, with its username length enforced before authentication.

    AuthenticationForm sets max_length without a validator, so an overlong
    username reached authenticate() and the lockout log (varchar 255).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length or 150))
