"""Access tokens: hashing, secret encryption and the stores that keep them."""
