"""Signed webhooks (issue #18, in progress): ``signing`` (Standard Webhooks headers)
and ``targets`` (SSRF checks on a receiver's URL, after DNS resolution). The
subscription store, watcher and sender are not written yet."""
