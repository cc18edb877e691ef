"""Projects shared by needs/benefits, phase gates and documents: creating and listing them."""
