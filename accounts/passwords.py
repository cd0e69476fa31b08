"""Password rules beyond Django's own (NIST SP 800-63B 3.1.1.2): no composition rules,
but a ceiling generous enough for passphrases and a refusal of context-specific and
trivially guessable passwords."""

from django.core.exceptions import ValidationError

# Words an attacker tries first against this system.
PROGRAM_WORDS = ("icac", "ojjdp", "grants")


class MaximumLengthValidator:
    """Long passphrases welcome; only a hashing-cost ceiling."""

    def __init__(self, max_length: int = 256):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: at most {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self):
        return f"Up to {self.max_length} characters; a passphrase of several words is best."


class ContextWordsValidator:
    """Refuses a password containing the username or the program's names."""

    def validate(self, password, user=None):
        lowered = password.lower()
        username = (getattr(user, "username", "") or "").lower()
        if len(username) >= 3 and username in lowered:
            raise ValidationError(
                "This password contains your username.", code="password_has_username"
            )
        for word in PROGRAM_WORDS:
            if word in lowered:
                raise ValidationError(
                    f"This password contains “{word}”, a word of this program's name.",
                    code="password_has_program_word",
                )

    def get_help_text(self):
        return "It may not contain your username or the words ICAC, OJJDP or grants."


def _is_repetition(password: str) -> bool:
    """One unit of up to 4 characters, repeated: "aaaaaaaaaaaa", "abcabcabcabc"."""
    for size in range(1, 5):
        unit = password[:size]
        if len(password) > size and (unit * (len(password) // size + 1))[: len(password)] == (
            password
        ):
            return True
    return False


def _is_sequence(password: str) -> bool:
    """Steps of one up or one down all the way: "123456789012", "abcdefghijkl", "987654..."."""
    lowered = password.lower()

    def step(a: str, b: str) -> int:
        if a.isdigit() and b.isdigit():
            size, distance = 10, int(b) - int(a)  # 9 then 0 continues the run
        elif a.isascii() and b.isascii() and a.isalpha() and b.isalpha():
            size, distance = 26, ord(b) - ord(a)
        else:
            return 0
        return {1: 1, size - 1: -1}.get(distance % size, 0)

    steps = {step(a, b) for a, b in zip(lowered, lowered[1:], strict=False)}
    return steps in ({1}, {-1})


class RepetitiveOrSequentialValidator:
    def validate(self, password, user=None):
        if _is_repetition(password) or _is_sequence(password):
            raise ValidationError(
                "This password is a repeated or sequential run of characters, "
                "which is among the first an attacker tries.",
                code="password_repetitive",
            )

    def get_help_text(self):
        return "It may not be a repeated or sequential run such as 123456789012 or aaaaaaaaaaaa."
