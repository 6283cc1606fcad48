"""The derivations symbn ships, each written with the public API exactly as a user would."""
