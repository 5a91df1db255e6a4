"""Outgoing mail: SMTP delivery shared by account mail and digests."""
