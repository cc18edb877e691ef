"""Fakes that speak the real wire: a Bot Connector and (later) Microsoft Graph on 127.0.0.1."""
