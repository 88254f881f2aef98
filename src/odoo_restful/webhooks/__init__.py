"""Signed webhooks (issue #18): subscriptions (``manage``), the watcher that turns the
change feed into queued events (``watcher``, ``events``), the sender that POSTs them
signed (``sender``, ``signing``, ``targets``), and the lease that lets one process of
many do both (``service``)."""
