"""Calendars: the port features use, its Graph implementation (the only importer of msgraph and azure-identity),
bookings and .ics files."""
