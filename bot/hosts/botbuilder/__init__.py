"""The Bot Framework host (botbuilder-core): the only package that imports botbuilder."""
