"""The read-only HTTP face of apg-kg: loads the built dataset into pyoxigraph and serves it."""
