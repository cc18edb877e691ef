"""Texts of personvern: own data, erasure, audit log."""

NB = {
    "help.cmd.mine_data": "Last ned alt boten har lagret om deg (lenken kommer i en privat chat)",
    "help.cmd.slett_data": "Slett dine personopplysninger (kun i personlig chat)",
    "help.cmd.logg": "Vis loggen over prosjektlederhandlinger",
    "privacy.personal_only": "Av personvernhensyn svarer jeg på dette bare i en personlig chat med meg. Skriv til meg direkte.",
    "privacy.export_title": "Dine data",
    "privacy.export_body": "Her er alt jeg har lagret om deg: som JSON (fullstendig) og som regneark (lettlest).",
    "privacy.export_json": "Last ned JSON",
    "privacy.export_xlsx": "Last ned regneark",
    "privacy.erase_title": "Slette dine data?",
    "privacy.erase_body": (
        "Profilen din slettes. Stemmer og innspill du har gitt blir anonymisert: tellinger og summer beholdes, "
        "men navnet og ID-en din fjernes. Dette kan ikke angres."
    ),
    "privacy.erase_confirm": "Ja, slett dataene mine",
    "privacy.erased.one": "Dataene dine er slettet og anonymisert ({n} rad berørt).",
    "privacy.erased.other": "Dataene dine er slettet og anonymisert ({n} rader berørt).",
    "privacy.erase_cancelled": "Ingenting ble slettet.",
    "privacy.audit_title": "Logg over prosjektlederhandlinger",
    "privacy.audit_empty": "Loggen er tom.",
    "privacy.audit_export": "Eksporter loggen",
    "privacy.audit_export_ready": "Loggen er klar til nedlasting.",
    "privacy.sent_privately": "Jeg har sendt filen til deg i en privat chat.",
    "privacy.private_failed": (
        "Jeg fikk ikke sendt filen til deg i en privat chat, og lenker til filer viser jeg ikke her. "
        "Åpne en chat med meg (Faggruppe-bot) og spør der."
    ),
    "download.gone.title": "Lenken er allerede brukt eller utløpt",
    "download.gone.body": (
        "Av personvernhensyn virker en lenke til en fil bare en kort stund, og en lenke til en eksport bare én gang. "
        "Be boten om filen på nytt for å få en ny lenke."
    ),
    "download.unknown.title": "Lenken finnes ikke",
    "download.unknown.body": "Sjekk at du har kopiert hele lenken, eller be boten om filen på nytt.",
}

EN = {
    "help.cmd.mine_data": "Download everything the bot stores about you (the link comes in a private chat)",
    "help.cmd.slett_data": "Erase your personal data (personal chat only)",
    "help.cmd.logg": "Show the log of project leader actions",
    "privacy.personal_only": "For privacy reasons I only answer this in a personal chat with me. Write to me directly.",
    "privacy.export_title": "Your data",
    "privacy.export_body": "Here is everything I store about you: as JSON (complete) and as a spreadsheet (readable).",
    "privacy.export_json": "Download JSON",
    "privacy.export_xlsx": "Download spreadsheet",
    "privacy.erase_title": "Erase your data?",
    "privacy.erase_body": (
        "Your profile is deleted. Votes and inputs you gave are anonymised: counts and totals are kept, "
        "but your name and id are removed. This cannot be undone."
    ),
    "privacy.erase_confirm": "Yes, erase my data",
    "privacy.erased.one": "Your data has been erased and anonymised ({n} row affected).",
    "privacy.erased.other": "Your data has been erased and anonymised ({n} rows affected).",
    "privacy.erase_cancelled": "Nothing was erased.",
    "privacy.audit_title": "Log of project leader actions",
    "privacy.audit_empty": "The log is empty.",
    "privacy.audit_export": "Export the log",
    "privacy.audit_export_ready": "The log is ready to download.",
    "privacy.sent_privately": "I have sent you the file in a private chat.",
    "privacy.private_failed": (
        "I could not send you the file in a private chat, and I do not show links to files here. "
        "Open a chat with me (Faggruppe-bot) and ask there."
    ),
    "download.gone.title": "The link has already been used or has expired",
    "download.gone.body": (
        "For privacy reasons a link to a file works only for a short while, and a link to an export only once. "
        "Ask the bot for the file again to get a new link."
    ),
    "download.unknown.title": "The link does not exist",
    "download.unknown.body": "Check that you copied the whole link, or ask the bot for the file again.",
}
