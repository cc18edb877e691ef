"""Texts for refused input: commands longer than any command can be, and invalid ids or numbers in card data."""

NB = {
    "input.command_too_long": "Den meldingen er for lang til å være en kommando (høyst {max} tegn). "
                              "Skriv **hjelp** for å se kommandoene.",
    "input.bad_value": "Knappen eller skjemaet inneholdt en ugyldig verdi, så ingenting ble endret. "
                       "Det kan være utdatert: start på nytt med kommandoen.",
}

EN = {
    "input.command_too_long": "That message is too long to be a command (at most {max} characters). "
                              "Type **help** to see the commands.",
    "input.bad_value": "The button or form held an invalid value, so nothing was changed. "
                       "It may be out of date: start again with the command.",
}
