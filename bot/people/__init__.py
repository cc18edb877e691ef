"""People and conversations: identities, roles, faggruppe registration, help and leader management."""
