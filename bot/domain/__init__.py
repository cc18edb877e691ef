"""The domain core: dataclasses and rules. Imports only the standard library."""
