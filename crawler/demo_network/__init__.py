"""The bundled demo network: deterministic sites standing in for the seed's networks, served on 127.0.0.1."""
