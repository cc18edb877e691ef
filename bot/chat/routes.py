"""One flat table from command words and card verbs to handlers."""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.chat.turn import Ctx, Reply

Result = Reply | list[Reply] | None
Handler = Callable[[Ctx], Awaitable[Result]]
StartupHook = Callable[..., Awaitable[None]]
# The longest command anyone types: a command word, a project title (200) and a few @mentions. Longer text is refused
# before it is looked at, by message and through the card path ({"verb": "cmd", "command": ...}).
MAX_COMMAND_CHARS = 4000
# difflib's ratio above which a typo is taken for a command: "avstemming" (0.9) and "innspil" (0.93) are, "xyzzy" is not.
SUGGEST_CUTOFF = 0.8


@dataclass(frozen=True)
class Command:
    """A text command: its words (Norwegian first), help text key, and who may use it."""

    names: tuple[str, ...]
    handler: Handler
    help_key: str | None = None
    leader: bool = False
    order: int = 100

    @property
    def word(self) -> str:
        """The Norwegian command word."""
        return self.names[0]


def normalise(text: str) -> str:
    """Lower-case, single spaces, no trailing punctuation."""
    return " ".join(text.replace("\u00a0", " ").strip().lower().split()).rstrip("!?.")


class Router:
    """Commands by words, card actions by verb, start-up hooks by feature."""

    def __init__(self) -> None:
        self.commands: list[Command] = []
        self.verbs: dict[str, Handler] = {}
        self.startup: list[StartupHook] = []
        self._by_name: dict[str, Command] = {}
        self._max_words = 1

    def command(self, *names: str, help_key: str | None = None, leader: bool = False, order: int = 100
                ) -> Callable[[Handler], Handler]:
        """Register a text command under one or more names (multi-word names allowed)."""

        def deco(fn: Handler) -> Handler:
            """Register the decorated handler under the command's names; a name used twice is a start-up error."""
            cmd = Command(tuple(normalise(n) for n in names), fn, help_key, leader, order)
            for n in cmd.names:
                if n in self._by_name:
                    raise ValueError(f"command {n!r} registered twice")
                self._by_name[n] = cmd
                self._max_words = max(self._max_words, len(n.split(" ")))
            self.commands.append(cmd)
            return fn

        return deco

    def verb(self, *names: str) -> Callable[[Handler], Handler]:
        """Register a card action verb (Action.Execute verb or `verb` in Action.Submit data)."""

        def deco(fn: Handler) -> Handler:
            """Register the decorated handler for the verbs; a verb used twice is a start-up error."""
            for n in names:
                if n in self.verbs:
                    raise ValueError(f"verb {n!r} registered twice")
                self.verbs[n] = fn
            return fn

        return deco

    def on_startup(self, fn: StartupHook) -> StartupHook:
        """Run after services are bound (re-bind jobs, resume work)."""
        self.startup.append(fn)
        return fn

    def match(self, text: str) -> tuple[Command, str] | None:
        """The command whose name is the longest word prefix of the text, and the rest as arguments.

        Linear in the text: only the first words can be a command name (as many as the longest name has).
        """
        head = text.replace("\u00a0", " ").split(None, self._max_words)
        words = [w.lower() for w in head[: self._max_words]] or [""]
        if len(head) <= self._max_words:
            words[-1] = words[-1].rstrip("!?.")  # the end of the text: "hjelp?" is "hjelp"
        for n in range(len(words), 0, -1):
            cmd = self._by_name.get(" ".join(words[:n]))
            if cmd:
                original = " ".join(text.replace("\u00a0", " ").split()).split(" ", n)
                return cmd, original[n].strip() if len(original) > n else ""
        return None

    def suggest(self, text: str) -> str | None:
        """The command name closest to the text's first word(s), for "Mente du **avstemning**?"; None when none is close.

        Only as many words as a command name has are compared, so a long message costs no more than a short one.
        """
        words = normalise(text[:200]).split(" ")[: self._max_words]
        names = list(self._by_name)
        for n in range(len(words), 0, -1):
            close = difflib.get_close_matches(" ".join(words[:n]), names, n=1, cutoff=SUGGEST_CUTOFF)
            if close:
                return close[0]
        return None

    def help_entries(self) -> list[Command]:
        """Commands with help texts, in help order."""
        return sorted((c for c in self.commands if c.help_key), key=lambda c: c.order)
