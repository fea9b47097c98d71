"""Browsing the audit log (the log itself lives in `hrapp.core.audit`)."""
