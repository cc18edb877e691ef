"""The inventory of personal data: every column of every table, declared next to its storage module's PRIVACY provider.

Erasure (bot.privacy.sweep), retention, the schema test and the record of processing (docs/personvern.md) all read
this one declaration, so a new column that is not declared fails the tests and cannot be forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

PERSON_ID = "person_id"  # an id of a person (AAD object id, Teams user id): replaced by the keyed pseudonym
CHAT_ID = "chat_id"  # a conversation id; a personal chat's id points at its person: replaced by the pseudonym too
PERSON_NAME = "person_name"  # a display name, beside a person id in the same row: cleared with it
EMAIL = "email"  # an e-mail address / UPN: cleared
FREE_TEXT = "free_text"  # text or JSON people write or the bot composes (may name anyone): names, ids, e-mails redacted
FILE = "file"  # a generated file that may hold anyone's data: dropped on every erasure and at expiry
NONE = "none"  # no personal data
KINDS = (PERSON_ID, CHAT_ID, PERSON_NAME, EMAIL, FREE_TEXT, FILE, NONE)
PERSONAL_KINDS = KINDS[:-1]
KIND_TEXT = {PERSON_ID: "person-ID", CHAT_ID: "chat-ID", PERSON_NAME: "navn", EMAIL: "e-post/UPN", FREE_TEXT: "fritekst",
             FILE: "fil"}


@dataclass(frozen=True)
class Retention:
    """How long rows are kept: `setting` names a Settings attribute, `fixed` a period that is not configurable (both
    None: kept as long as what it documents exists); `text` is the Norwegian description for the record of processing
    ({value} is filled in with the setting's default or the fixed period)."""

    text: str
    setting: str | None = None
    fixed: int | None = None

    @property
    def expires(self) -> bool:
        """True when a retention job deletes the rows after a period."""
        return self.setting is not None or self.fixed is not None


@dataclass(frozen=True)
class TableData:
    """What one table holds. Column lists are space-separated names; every column must be in exactly one of them."""

    about: str
    retention: Retention
    erasure: str
    person_id: str = ""
    chat_id: str = ""
    person_name: str = ""
    email: str = ""
    free_text: str = ""
    file: str = ""
    none: str = ""
    subjects: tuple[str, ...] = field(default=("medlemmer",))
    owner: str = ""  # the person-id columns the row's names and e-mails belong to (default: all of them)

    def columns(self, kind: str) -> tuple[str, ...]:
        """The columns declared as one kind."""
        return tuple(str(getattr(self, kind)).split())

    @property
    def owners(self) -> tuple[str, ...]:
        """The person-id columns naming whose row it is."""
        return tuple(self.owner.split()) or self.columns(PERSON_ID)

    def kinds(self) -> dict[str, str]:
        """Column name -> kind."""
        return {col: kind for kind in KINDS for col in self.columns(kind)}

    @property
    def personal(self) -> bool:
        """True when any column can hold personal data."""
        return any(self.columns(k) for k in PERSONAL_KINDS)


SUBJECTS = {
    "medlemmer": "Medlemmer av faggrupper (ansatte i kommunene, også gjester fra andre kommuners Microsoft 365)",
    "ledere": "Prosjektledere og sekretariat",
    "deltakere": "Deltakere som inviteres til møter (e-postadresse i kalenderinvitasjonen)",
}


@cache
def inventory() -> dict[str, TableData]:
    """Every declared table, from the PERSONAL_DATA dicts of the store modules (bot.modules.STORES)."""
    from bot import modules

    found: dict[str, TableData] = {}
    for module in modules.load(modules.STORES):
        declared = getattr(module, "PERSONAL_DATA", None) or {}
        for table, data in declared.items():
            if table in found:
                raise RuntimeError(f"table {table} declared twice in the personal data inventory")
            found[table] = data
    return dict(sorted(found.items()))


def columns_of(kind: str) -> list[tuple[str, str]]:
    """(table, column) of every column of one kind."""
    return [(table, col) for table, data in inventory().items() for col in data.columns(kind)]
